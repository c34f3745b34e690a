#include <doctest/doctest.h>

#include <Eigen/SVD>

#include "support.hpp"

using namespace ncvx;

namespace {

/// The rank-k truncated SVD of a dense matrix.
Matrix truncated(const Matrix& Y, Index k) {
  const Eigen::JacobiSVD<Matrix> svd(Y, Eigen::ComputeThinU | Eigen::ComputeThinV);
  return svd.matrixU().leftCols(k) * svd.singularValues().head(k).asDiagonal() *
         svd.matrixV().leftCols(k).transpose();
}

}  // namespace

TEST_CASE("riemannian_gd: one step is the truncated SVD of X - mu P_T(G), formed densely here") {
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(9, 7), 2, {{"m", std::int64_t{90}}});
  RandomStream random(4, "test");
  Matrix U(9, 2), V(7, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  const test::NoiseObjective problem(A, random);
  const Objective& f = problem.f;
  const Matrix X = U * V.transpose();
  Matrix G;
  f.value_and_gradient_matrix(X, G);
  // P_T(G) with the orthonormal bases of X's column and row spaces.
  const Eigen::JacobiSVD<Matrix> svd(X, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Matrix Pu = svd.matrixU().leftCols(2) * svd.matrixU().leftCols(2).transpose();
  const Matrix Pv = svd.matrixV().leftCols(2) * svd.matrixV().leftCols(2).transpose();
  const Matrix xi = Pu * G + G * Pv - Pu * G * Pv;
  for (const char* rule : {"constant", "exact"}) {
    CAPTURE(rule);
    double mu = 0.3;
    if (std::string(rule) == "exact") {
      Vector Axi;
      A->forward(xi, Axi);
      mu = 2 * xi.squaredNorm() / Axi.squaredNorm();  // f = 1/4 |A(X) - y|^2, G = A*(r) / 2
    }
    FactorSet stepped(U, V);
    test::optimizer("riemannian_gd", {{"step", 0.3}, {"step_rule", std::string(rule)}})->step(f, stepped, 0);
    const Matrix expected = truncated(X - mu * xi, 2);
    CHECK((stepped.product() - expected).norm() <= 1e-10 * expected.norm());
    // Balanced factors: U^T U = V^T V.
    CHECK((stepped.left().transpose() * stepped.left() - stepped.right().transpose() * stepped.right()).norm() <=
          1e-10 * stepped.left().squaredNorm());
  }
}

TEST_CASE("riemannian_gd: completion iterations flat in kappa (1 to 10), conjugate gradient fewer, gd growing "
          "(configs/methods/riemannian.yaml's setting)") {
  const test::Study study = test::study(R"(
problem: {name: low_rank, n1: 100, n2: 80, rank: 3, condition_number: [1, 10]}
measurement: {name: matrix_completion, p: 0.3}
methods:
  - {label: rgd, init: spectral, optimizer: riemannian_gd, width: 3}
  - {label: rcg, init: spectral, optimizer: {name: riemannian_gd, direction: conjugate}, width: 3}
  - {label: gd, init: spectral, optimizer: {name: gd, step: 0.5}, width: 3}
run: {iterations: 3000, log_every: 1, seeds: [1, 2, 3], stop: {test_error: 1.0e-10}}
)");
  auto iterations = [&](const char* method, const char* kappa) {
    return study.median(method, "problem.condition_number", kappa,
                        [](const RunResult& r) { return static_cast<double>(r.iterations); });
  };
  for (const char* method : {"rgd", "rcg"}) {
    CAPTURE(std::string(method));
    for (const auto& run : study.results.runs)
      if (study.experiment.run(static_cast<std::size_t>(run.id)).method.label == method)
        CHECK(run.status == RunStatus::converged);
    MESSAGE(method << ": " << iterations(method, "1") << " and " << iterations(method, "10") << " iterations");
    CHECK(iterations(method, "10") <= (std::string(method) == "rgd" ? 1.25 : 1.6) * iterations(method, "1"));
  }
  CHECK(iterations("rcg", "1") < 0.5 * iterations("rgd", "1"));
  CHECK(iterations("gd", "10") >= 3 * iterations("gd", "1"));
}

TEST_CASE("riemannian_gd: refuses X = U U^T with the fix, and a rank-deficient start with the reason") {
  CHECK(test::optimizer("riemannian_gd")->refuses({6, 6, 2, true}).find("factorization: asymmetric") !=
        std::string::npos);
  CHECK(test::optimizer("riemannian_gd")->refuses({6, 5, 2, false}).empty());
  const auto A = test::sample_operator("gaussian_sensing", MatrixShape::rectangular(6, 5), 2, {{"m", std::int64_t{40}}});
  RandomStream random(1, "test");
  const test::NoiseObjective problem(A, random);
  FactorSet zero = FactorSet::zeros({6, 5, 2, false});
  CHECK_THROWS_WITH(test::optimizer("riemannian_gd")->step(problem.f, zero, 0), doctest::Contains("rank k"));
}
