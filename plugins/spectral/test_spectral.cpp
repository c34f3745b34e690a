#include <doctest/doctest.h>

#include <fmt/format.h>

#include "support.hpp"

using namespace ncvx;

namespace {
FactorSet spectral_init(const ProblemInstance& instance, Index width, const std::string& solver,
                        bool symmetric_factors = true) {
  const MatrixShape& shape = instance.shape();
  return test::initialize("spectral", {instance.measurement(), instance.observations()},
                          {shape.rows, shape.cols, width, symmetric_factors}, 0, {{"solver", solver}});
}
}  // namespace

TEST_CASE("spectral: lands close to X* when m is large, and improves with m") {
  double previous = 1.0;
  for (std::int64_t m : {400, 4000, 40000}) {
    const auto instance = test::instance_from(fmt::format(R"(
problem: {{n: 20, rank: 2}}
measurement: {{name: gaussian_sensing, m: {}}}
methods: [{{init: spectral, optimizer: gd, width: 2}}]
run: {{seeds: [1]}}
)",
                                                          m));
    const double error = instance->test_error(spectral_init(*instance, 2, "dense"));
    CHECK(error < previous);
    previous = error;
  }
  // The error of A*A(X*) about sqrt(n r / m) ~ 0.03 at m = 40000; the rank-2 projection keeps it small.
  CHECK(previous < 0.05);
}

TEST_CASE("spectral: U_0 = V diag(sqrt(max(lambda, 0))) of A*(y), every solver agrees") {
  const auto instance = test::instance_from(R"(
problem: {n: 60, rank: 3}
measurement: {name: matrix_completion, p: 0.5}
methods: [{init: spectral, optimizer: gd, width: 3}]
run: {seeds: [2]}
)");
  const Matrix dense = spectral_init(*instance, 3, "dense").left();
  const Matrix lanczos = spectral_init(*instance, 3, "lanczos").left();
  const Matrix matrix_free = spectral_init(*instance, 3, "matrix_free").left();
  CHECK((dense * dense.transpose() - lanczos * lanczos.transpose()).norm() < 1e-8);
  CHECK((dense * dense.transpose() - matrix_free * matrix_free.transpose()).norm() < 1e-8);

  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(instance->measurement().adjoint(instance->observations()));
  const Vector top = eigen.eigenvalues().tail(3).reverse();
  const Vector column_norms = dense.colwise().squaredNorm();
  for (Index i = 0; i < 3; ++i) CHECK(column_norms(i) == doctest::Approx(std::max(top(i), 0.0)));

  // Width beyond the positive spectrum: extra columns are zero, not NaN.
  const FactorSet wide = spectral_init(*instance, 60, "auto");
  CHECK(wide.all_finite());
  CHECK(wide.width() == 60);
  // An asymmetric fit of a symmetric problem starts from V_0 = U_0.
  const FactorSet asymmetric = spectral_init(*instance, 3, "dense", false);
  CHECK(asymmetric.left() == asymmetric.right());
}

TEST_CASE("spectral: rectangular U_0 = P sqrt(Sigma), V_0 = Q sqrt(Sigma) of A*(y), every solver agrees") {
  const auto instance = test::instance_from(R"(
problem: {name: low_rank, n1: 50, n2: 36, rank: 3}
measurement: {name: matrix_completion, p: 0.6}
methods: [{init: spectral, optimizer: gd, width: 3}]
run: {seeds: [3]}
)");
  const Matrix M = instance->measurement().adjoint(instance->observations());
  const Eigen::JacobiSVD<Matrix> svd(M);
  std::vector<Matrix> products;
  for (const char* solver : {"dense", "lanczos", "matrix_free"}) {
    CAPTURE(solver);
    const FactorSet F = spectral_init(*instance, 3, solver, false);
    CHECK(F.left().rows() == 50);
    CHECK(F.right().rows() == 36);
    // |U_0 e_i|^2 = |V_0 e_i|^2 = sigma_i(M).
    for (Index i = 0; i < 3; ++i) {
      CHECK(F.left().col(i).squaredNorm() == doctest::Approx(svd.singularValues()(i)).epsilon(1e-8));
      CHECK(F.right().col(i).squaredNorm() == doctest::Approx(svd.singularValues()(i)).epsilon(1e-8));
    }
    products.push_back(F.product());
  }
  CHECK((products[0] - products[1]).norm() < 1e-8 * products[0].norm());
  CHECK((products[0] - products[2]).norm() < 1e-8 * products[0].norm());
  // It is the best rank-3 approximation of M, close to X* at this sampling rate.
  CHECK(instance->test_error(spectral_init(*instance, 3, "dense", false)) < 0.5);
}
