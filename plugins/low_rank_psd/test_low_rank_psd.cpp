#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

namespace {
Vector sigma_of(const std::map<std::string, ParameterValue>& changes) {
  const ProblemData data = test::sample_problem(*test::problem("low_rank_psd", changes), 1);
  return data.ground_truth->values();
}
}  // namespace

TEST_CASE("low_rank_psd: spectra linear and geometric from 1 to 1/kappa, power, list") {
  const Vector linear = sigma_of({{"rank", std::int64_t{3}}, {"condition_number", 4.0}});
  CHECK(linear(0) == 1.0);
  CHECK(linear(1) == doctest::Approx(0.625));
  CHECK(linear(2) == doctest::Approx(0.25));
  const Vector geometric =
      sigma_of({{"rank", std::int64_t{3}}, {"condition_number", 4.0}, {"spectrum", std::string("geometric")}});
  CHECK(geometric(1) == doctest::Approx(0.5));
  CHECK(geometric(2) == doctest::Approx(0.25));
  const Vector power = sigma_of({{"rank", std::int64_t{10}}, {"spectrum", std::string("power")}, {"decay", 2.0}});
  for (Index i = 0; i < 10; ++i) CHECK(power(i) == doctest::Approx(1.0 / double((i + 1) * (i + 1))));
  const Vector list = sigma_of({{"rank", std::int64_t{3}},
                                {"spectrum", std::string("list")},
                                {"values", std::vector<double>{0.5, 2.0, 1.0}},
                                {"normalization", std::string("none")}});
  CHECK(list(0) == 2.0);
  CHECK(list(1) == 1.0);
  CHECK(list(2) == 0.5);
}

TEST_CASE("low_rank_psd: wishart X* = G G^T, and the normalizations") {
  for (const std::string normalization : {"spectral", "trace", "frobenius"}) {
    CAPTURE(normalization);
    const ProblemData data = test::sample_problem(
        *test::problem("low_rank_psd", {{"n", std::int64_t{20}},
                                        {"rank", std::int64_t{4}},
                                        {"spectrum", std::string("wishart")},
                                        {"normalization", normalization}}),
        3);
    const GroundTruth& truth = *data.ground_truth;
    CHECK(truth.positive_semidefinite());
    const Vector& sigma = truth.values();
    const double measured = normalization == "spectral" ? sigma(0) : normalization == "trace" ? sigma.sum() : sigma.norm();
    CHECK(measured == doctest::Approx(1.0).epsilon(1e-14));
    // The eigenvalues of G G^T for the stream's G, up to the normalization.
    RandomStream random(3, "ground_truth");
    Matrix G(20, 4);
    random.fill_normal(G);
    const Eigen::SelfAdjointEigenSolver<Matrix> eigen(G * G.transpose());
    const Vector top = eigen.eigenvalues().tail(4).reverse();
    CHECK((top / top(0) - sigma / sigma(0)).norm() < 1e-12);
  }
}

TEST_CASE("low_rank_psd: orthonormal eigenvectors, noise of the requested size, rank checked") {
  const auto problem = test::problem("low_rank_psd", {{"n", std::int64_t{15}}, {"noise", 0.1}});
  const ProblemData data = test::sample_problem(*problem, 5);
  const Matrix& Q = data.ground_truth->left();
  CHECK((Q.transpose() * Q - Matrix::Identity(2, 2)).norm() < 1e-14);
  CHECK(problem->describe().shape == MatrixShape::square_symmetric(15));
  Vector y = Vector::Zero(4000);
  RandomStream noise(3, "noise");
  problem->add_noise(y, noise);
  CHECK(std::sqrt(y.squaredNorm() / 4000) == doctest::Approx(0.1).epsilon(0.05));
  CHECK_THROWS(test::problem("low_rank_psd", {{"n", std::int64_t{3}}, {"rank", std::int64_t{4}}}));
  CHECK_THROWS(test::problem("low_rank_psd", {{"spectrum", std::string("list")}, {"values", std::vector<double>{1.0}}}));
  CHECK(test::conforms(PluginKind::problem, "low_rank_psd"));
}
