#include <doctest/doctest.h>

#include <ncvx/diagnostics.hpp>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("signal_noise: the split rebuilds U U^T exactly, with no cross terms") {
  RandomStream random(3, "test");
  const Index n = 20, r = 3;
  Matrix gaussian(n, r);
  random.fill_normal(gaussian);
  const Matrix V = Eigen::HouseholderQR<Matrix>(gaussian).householderQ() * Matrix::Identity(n, r);
  for (Index k : {2, 3, 7, 20}) {
    CAPTURE(k);
    Matrix U(n, k);
    random.fill_normal(U);
    const SignalNoise split = signal_noise(V, U, true, true);
    CHECK((split.signal_part + split.noise_part - U).norm() <= 1e-12 * U.norm());
    const Matrix cross = split.signal_part * split.noise_part.transpose();
    CHECK(cross.norm() <= 1e-12 * U.squaredNorm());
    const Matrix rebuilt = split.signal_part * split.signal_part.transpose() +
                           split.noise_part * split.noise_part.transpose();
    CHECK((rebuilt - U * U.transpose()).norm() <= 1e-12 * U.squaredNorm());
    // The noise part lies in the complement of V_X.
    CHECK((V.transpose() * split.noise_part).norm() <= 1e-12 * U.norm());
    const Eigen::JacobiSVD<Matrix> svd(V.transpose() * U);
    CHECK(split.signal == doctest::Approx(k >= r ? svd.singularValues()(r - 1) : 0.0));
  }
}

TEST_CASE("signal_noise: a factor in span(V_X) plus a known orthogonal part") {
  const Index n = 6;
  Matrix V = Matrix::Zero(n, 2);
  V(0, 0) = V(1, 1) = 1;
  Matrix U = Matrix::Zero(n, 3);
  U(0, 0) = 2.0;   // signal along e_0 with size 2
  U(1, 1) = 0.5;   // signal along e_1 with size 0.5
  U(4, 2) = 1e-3;  // noise along e_4 in the third column
  const SignalNoise split = signal_noise(V, U);
  CHECK(split.signal == doctest::Approx(0.5));
  CHECK(split.noise == doctest::Approx(1e-3));
  CHECK(split.alignment < 1e-14);
  // Tilt the second signal column out of span(V_X) by an angle theta.
  const double theta = 0.3;
  U(1, 1) = 0.5 * std::cos(theta);
  U(3, 1) = 0.5 * std::sin(theta);
  CHECK(signal_noise(V, U).alignment == doctest::Approx(std::sin(theta)).epsilon(1e-6));
  CHECK(effective_rank(U.leftCols(1)) == doctest::Approx(1.0));
  CHECK(effective_rank(Matrix::Identity(4, 4)) == doctest::Approx(4.0));
}

TEST_CASE("signal_noise: plugin columns agree with the core functions") {
  const auto& plugin = test::plugins().find(PluginKind::metric, "signal_noise");
  const auto metric = plugin.create_metric({});
  CHECK(metric->columns() == std::vector<std::string>{"signal", "noise", "alignment", "factor_norm"});
  const auto instance_pointer = test::sensing_instance(10);
  const ProblemInstance& instance = *instance_pointer;
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  const Objective f(instance.measurement(), *loss, instance.observations());
  RandomStream random(2, "test");
  Matrix U(10, 4);
  random.fill_normal(U);
  double values[4];
  metric->evaluate({instance, f, FactorSet(U), FactorSet(U), 0, 0.1}, values);
  const SignalNoise split = signal_noise(instance.ground_truth().left(), U);
  CHECK(values[0] == split.signal);
  CHECK(values[1] == split.noise);
  CHECK(values[2] == split.alignment);
  CHECK(values[3] == doctest::Approx(Eigen::JacobiSVD<Matrix>(U).singularValues()(0)));
}
