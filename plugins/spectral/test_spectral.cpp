#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

namespace {
Matrix spectral_init(const ProblemInstance& instance, Index width, const std::string& solver) {
  const auto init = test::plugins().find(PluginKind::initializer, "spectral").create_initializer(
      test::values_for(PluginKind::initializer, "spectral", {{"solver", solver}}));
  RandomStream random(0, "init");
  return init->initialize({instance.measurement(), instance.observations()}, width, random);
}
}  // namespace

TEST_CASE("spectral: lands close to X* when m is large, and improves with m") {
  ProblemSpec spec;
  spec.dimension = 20;
  spec.rank = 2;
  double previous = 1.0;
  for (std::int64_t m : {400, 4000, 40000}) {
    const ProblemInstance instance(spec, test::sample_operator("gaussian_sensing", 20, 1, {{"m", m}}), 1);
    const double error = instance.test_error(spectral_init(instance, 2, "dense"));
    CHECK(error < previous);
    previous = error;
  }
  // The error of A*A(X*) about sqrt(n r / m) ~ 0.03 at m = 40000; the rank-2 projection keeps it small.
  CHECK(previous < 0.05);
}

TEST_CASE("spectral: U_0 = V diag(sqrt(max(lambda, 0))) of A*(y); every solver agrees") {
  ProblemSpec spec;
  spec.dimension = 60;
  spec.rank = 3;
  const ProblemInstance instance(
      spec, test::sample_operator("matrix_completion", 60, 2, {{"p", 0.5}}), 2);
  const Matrix dense = spectral_init(instance, 3, "dense");
  const Matrix lanczos = spectral_init(instance, 3, "lanczos");
  const Matrix matrix_free = spectral_init(instance, 3, "matrix_free");
  CHECK((dense * dense.transpose() - lanczos * lanczos.transpose()).norm() < 1e-8);
  CHECK((dense * dense.transpose() - matrix_free * matrix_free.transpose()).norm() < 1e-8);

  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(instance.measurement().adjoint(instance.observations()));
  const Vector top = eigen.eigenvalues().tail(3).reverse();
  const Vector column_norms = dense.colwise().squaredNorm();
  for (Index i = 0; i < 3; ++i) CHECK(column_norms(i) == doctest::Approx(std::max(top(i), 0.0)));

  // Width beyond the positive spectrum: extra columns are zero, not NaN.
  const Matrix wide = spectral_init(instance, 60, "auto");
  CHECK(wide.allFinite());
  CHECK(wide.cols() == 60);
}
