#include <doctest/doctest.h>

#include <cmath>

#include "support.hpp"

using namespace ncvx;

namespace {
/// Phase retrieval y_i = (a_i^T x)^2 / sqrt(m) with |x| = 1 (n = 40, m = 16n).
std::shared_ptr<const ProblemInstance> phase_retrieval() {
  return test::instance_from(R"(
problem: {name: low_rank_psd, n: 40, rank: 1}
measurement: {name: rank_one, m: 640}
methods: [{label: wf, init: truncated_spectral, optimizer: wirtinger_flow, width: 1}]
run: {seeds: [7]}
)");
}
}  // namespace

TEST_CASE("truncated_spectral: at m = 16n, U_0 is close to +-x, with the norm of x") {
  const auto instance = phase_retrieval();
  const InitializationData data{instance->measurement(), instance->observations()};
  const Matrix x = instance->ground_truth().factors().left();
  for (const double truncation : {9.0, 0.0}) {
    CAPTURE(truncation);
    const FactorSet start = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1,
                                             {{"truncation", truncation}});
    const double cosine = std::abs(start.left().col(0).dot(x.col(0))) / (start.left().norm() * x.norm());
    CAPTURE(cosine);
    CHECK(cosine >= 0.8);
    CHECK(start.left().norm() == doctest::Approx(1.0).epsilon(0.25));
  }
}

TEST_CASE("truncated_spectral: truncation 0 is the top eigenvector of A*(y), truncation drops the largest y") {
  const auto instance = phase_retrieval();
  const InitializationData data{instance->measurement(), instance->observations()};
  const FactorSet plain = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1, {{"truncation", 0.0}});
  Eigen::SelfAdjointEigenSolver<Matrix> eigen(instance->measurement().adjoint(instance->observations()));
  const Vector top = eigen.eigenvectors().col(39);
  CHECK(std::abs(plain.left().col(0).normalized().dot(top)) == doctest::Approx(1.0).epsilon(1e-10));
  // A truncation below the largest observation changes the direction.
  const Vector& y = instance->observations();
  const FactorSet truncated = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1,
                                               {{"truncation", 0.5 * y.maxCoeff() / y.cwiseAbs().mean()}});
  CHECK(std::abs(truncated.left().col(0).normalized().dot(top)) < 1.0 - 1e-8);
}

TEST_CASE("truncated_spectral: the papers' norm |U_0|^2 = n sum y / sum |a_i|^2 estimates |x|^2, where least squares "
          "falls short") {
  const auto instance = phase_retrieval();  // |x| = 1, m = 16n
  const InitializationData data{instance->measurement(), instance->observations()};
  for (const double truncation : {9.0, 0.0}) {
    CAPTURE(truncation);
    const FactorSet mean = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1,
                                            {{"truncation", truncation}, {"norm", std::string("mean")}});
    const FactorSet automatic = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1,
                                                 {{"truncation", truncation}});
    const FactorSet fitted = test::initialize("truncated_spectral", data, {40, 40, 1, true}, 1,
                                              {{"truncation", truncation}, {"norm", std::string("least_squares")}});
    CHECK(mean == automatic);
    CHECK(mean.squared_norm() == doctest::Approx(1.0).epsilon(0.1));
    CHECK(fitted.squared_norm() < 0.9 * mean.squared_norm());
    // The same direction either way.
    CHECK(std::abs(mean.left().col(0).normalized().dot(fitted.left().col(0).normalized())) ==
          doctest::Approx(1.0).epsilon(1e-12));
  }
}
