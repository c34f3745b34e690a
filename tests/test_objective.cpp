// The composed objective: value and gradient against central finite
// differences for every measurement x loss pair the build provides, for
// X = U U^T and X = U V^T on symmetric shapes and X = U V^T on rectangular ones.

#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

namespace {

/// Central differences of f in every entry of every factor.
FactorSet numeric_gradient(const Objective& f, const FactorSet& F) {
  const double h = 1e-6;
  FactorSet numeric = FactorSet::zeros(F.shape());
  for (std::size_t part = 0; part < F.size(); ++part)
    for (Index j = 0; j < F[part].cols(); ++j)
      for (Index i = 0; i < F[part].rows(); ++i) {
        FactorSet plus = F, minus = F;
        plus[part](i, j) += h;
        minus[part](i, j) -= h;
        numeric[part](i, j) = (f.value(plus) - f.value(minus)) / (2 * h);
      }
  return numeric;
}

}  // namespace

TEST_CASE("objective: gradient matches central finite differences for every measurement x loss x factorization") {
  const Index k = 3;
  const auto& registry = test::plugins();
  const auto measurements = registry.names(PluginKind::measurement);
  const auto losses = registry.names(PluginKind::loss);
  REQUIRE(measurements.size() >= 3);
  REQUIRE(losses.size() >= 3);
  for (const MatrixShape& shape : {MatrixShape::square_symmetric(8), MatrixShape::rectangular(8, 5)})
    for (const bool symmetric_factors : {true, false}) {
      if (symmetric_factors && !shape.symmetric) continue;
      for (const auto& measurement : measurements)
        for (const auto& loss_name : losses) {
          CAPTURE(shape.describe());
          CAPTURE(symmetric_factors);
          CAPTURE(measurement);
          CAPTURE(loss_name);
          const auto A = test::sample_operator(measurement, shape, 21);
          const auto loss =
              registry.find(PluginKind::loss, loss_name).create_loss(test::values_for(PluginKind::loss, loss_name));
          RandomStream random(4, "test");
          FactorSet truth = FactorSet::zeros({shape.rows, shape.cols, 2, false});
          random.fill_normal(truth.left());
          random.fill_normal(truth.right());
          if (shape.symmetric) truth = FactorSet(truth.left());
          FactorSet F = FactorSet::zeros({shape.rows, shape.cols, k, symmetric_factors});
          for (std::size_t part = 0; part < F.size(); ++part) random.fill_normal(F[part]);
          Vector y;
          A->forward_factored(truth, y);
          // A likelihood gets observations in its domain: the signs (1-bit), else counts.
          if (!loss->refuses(y).empty()) y = y.unaryExpr([](double v) { return v >= 0 ? 1.0 : -1.0; });
          if (!loss->refuses(y).empty()) y = y.unaryExpr([](double v) { return v > 0 ? 1.0 : 0.0; });
          REQUIRE(loss->refuses(y).empty());
          const Objective f(*A, *loss, y);
          FactorSet gradient;
          const double value = f.value_and_gradient(F, gradient);
          CHECK(value == doctest::Approx(f.value(F)));
          REQUIRE(gradient.shape() == F.shape());
          const FactorSet numeric = numeric_gradient(f, F);
          CHECK((numeric - gradient).norm() <= 1e-6 * gradient.norm());
        }
    }
}

TEST_CASE("objective: the squared loss gives f(U) = 1/4 |A(UU^T) - y|^2, counted per call") {
  const auto A = test::sample_operator("gaussian_sensing", 6, 1, {{"m", std::int64_t{30}}});
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  RandomStream random(9, "test");
  Matrix U(6, 2);
  random.fill_normal(U);
  const FactorSet F(U);
  Vector y(30);
  random.fill_normal(y);
  const Objective f(*A, *loss, y);
  Vector AU;
  A->forward_factored(F, AU);
  CHECK(f.value(F) == doctest::Approx(0.25 * (AU - y).squaredNorm()).epsilon(1e-14));
  CHECK(f.evaluations() == 1);
  FactorSet gradient;
  f.value_and_gradient(F, gradient);
  CHECK(f.evaluations() == 2);
  // grad f(U) = A*(A(UU^T) - y) U
  Matrix expected;
  A->adjoint_apply(AU - y, U, expected);
  CHECK((gradient.left() - expected).norm() <= 1e-12 * expected.norm());
}

TEST_CASE("objective: X = U V^T with V = U is the symmetric fit with half the gradient on each factor") {
  const auto A = test::sample_operator("gaussian_sensing", 7, 3, {{"m", std::int64_t{40}}});
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  RandomStream random(2, "test");
  Matrix U(7, 3);
  random.fill_normal(U);
  Vector y(40);
  random.fill_normal(y);
  const Objective f(*A, *loss, y);
  FactorSet symmetric_gradient, asymmetric_gradient;
  const double a = f.value_and_gradient(FactorSet(U), symmetric_gradient);
  const double b = f.value_and_gradient(FactorSet(U, U), asymmetric_gradient);
  CHECK(a == doctest::Approx(b).epsilon(1e-13));
  CHECK((asymmetric_gradient.left() - 0.5 * symmetric_gradient.left()).norm() <= 1e-12 * symmetric_gradient.norm());
  CHECK((asymmetric_gradient.right() - asymmetric_gradient.left()).norm() <= 1e-12 * symmetric_gradient.norm());
}
