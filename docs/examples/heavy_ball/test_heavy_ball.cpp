#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <ncvx/testing/conformance.hpp>

TEST_CASE("heavy_ball passes the ncvx conformance suite") {
  ncvx::PluginRegistry registry;
  const ncvx::LoadedPlugin& plugin = registry.load(HEAVY_BALL_LIBRARY);
  CHECK(plugin.info().name == "heavy_ball");
  ncvx::testing::check_conformance(plugin);
}

TEST_CASE("heavy_ball with momentum 0 is gradient descent") {
  ncvx::PluginRegistry registry;
  const ncvx::LoadedPlugin& plugin = registry.load(HEAVY_BALL_LIBRARY);
  ncvx::ParameterValues values = ncvx::ParameterValues::defaults(plugin.info().parameters);
  values.set("momentum", 0.0);
  const auto optimizer = plugin.create_optimizer(values);

  // f(U) = 1/4 |A(UU^T) - y|^2 with A the identity on one entry: a tiny problem.
  class Diagonal final : public ncvx::MeasurementOperator {
   public:
    ncvx::MatrixShape shape() const override { return ncvx::MatrixShape::square_symmetric(2); }
    ncvx::Index measurements() const override { return 1; }
    void forward(const ncvx::Matrix& X, ncvx::Vector& out) const override {
      out = ncvx::Vector::Constant(1, X(0, 0));
    }
    void adjoint_apply(const ncvx::Vector& v, const ncvx::Matrix& M, ncvx::Matrix& out) const override {
      out = ncvx::Matrix::Zero(2, M.cols());
      out.row(0) = v(0) * M.row(0);
    }
  } A;
  class Squared final : public ncvx::Loss {
   public:
    double evaluate(ncvx::ConstVectorView r, ncvx::VectorView d) const override {
      d = 0.5 * r;
      return 0.25 * r.squaredNorm();
    }
  } loss;
  const ncvx::Vector y = ncvx::Vector::Constant(1, 1.0);
  const ncvx::Objective f(A, loss, y);
  ncvx::FactorSet U(ncvx::Matrix::Constant(2, 1, 0.5));
  optimizer->step(f, U, 0);
  // grad = A*(U_00^2 - 1) U = (0.25 - 1) * 0.5 on the first row.
  CHECK(U.left()(0, 0) == doctest::Approx(0.5 + 0.1 * 0.75 * 0.5));
  CHECK(U.left()(1, 0) == doctest::Approx(0.5));
}
