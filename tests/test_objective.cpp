// The composed objective: value and gradient against central finite
// differences for every measurement x loss pair the build provides.

#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("objective: gradient matches central finite differences for every measurement x loss") {
  const Index n = 8, k = 3;
  const auto& registry = test::plugins();
  const auto measurements = registry.names(PluginKind::measurement);
  const auto losses = registry.names(PluginKind::loss);
  REQUIRE(measurements.size() >= 2);
  REQUIRE(!losses.empty());
  for (const auto& measurement : measurements)
    for (const auto& loss_name : losses) {
      CAPTURE(measurement);
      CAPTURE(loss_name);
      const auto A = test::sample_operator(measurement, n, 21);
      const auto loss = registry.find(PluginKind::loss, loss_name)
                            .create_loss(test::values_for(PluginKind::loss, loss_name));
      RandomStream random(4, "test");
      Matrix Ustar(n, 2), U(n, k);
      random.fill_normal(Ustar);
      random.fill_normal(U);
      Vector y;
      A->forward_factored(Ustar, y);
      const Objective f(*A, *loss, y);
      Matrix gradient;
      const double value = f.value_and_gradient(U, gradient);
      CHECK(value == doctest::Approx(f.value(U)));
      CHECK(gradient.rows() == n);
      CHECK(gradient.cols() == k);
      const double h = 1e-6;
      Matrix numeric(n, k);
      for (Index j = 0; j < k; ++j)
        for (Index i = 0; i < n; ++i) {
          Matrix plus = U, minus = U;
          plus(i, j) += h;
          minus(i, j) -= h;
          numeric(i, j) = (f.value(plus) - f.value(minus)) / (2 * h);
        }
      CHECK((numeric - gradient).norm() <= 1e-6 * gradient.norm());
    }
}

TEST_CASE("objective: the squared loss gives f(U) = 1/4 |A(UU^T) - y|^2, counted per call") {
  const auto A = test::sample_operator("gaussian_sensing", 6, 1, {{"m", std::int64_t{30}}});
  const auto loss = test::plugins().find(PluginKind::loss, "squared").create_loss({});
  RandomStream random(9, "test");
  Matrix U(6, 2);
  random.fill_normal(U);
  Vector y(30);
  random.fill_normal(y);
  const Objective f(*A, *loss, y);
  Vector AU;
  A->forward_factored(U, AU);
  CHECK(f.value(U) == doctest::Approx(0.25 * (AU - y).squaredNorm()).epsilon(1e-14));
  CHECK(f.evaluations() == 1);
  Matrix gradient;
  f.value_and_gradient(U, gradient);
  CHECK(f.evaluations() == 2);
}
