// Gradient descent with a constant step:
//
//   U_{t+1} = U_t - mu grad_U f,   (V_{t+1} = V_t - mu grad_V f for X = U V^T),
//
// with the gradient composed by the core (objective.hpp). For the squared
// loss f = 1/4 |A(X) - y|^2 and |X*| = 1, mu in 0.1 - 0.25 is stable for
// X = U U^T; X = U V^T has half the gradient (no factor 2), so the same
// progress takes twice the step.

#include <ncvx/plugin.hpp>

namespace {

class GradientDescent final : public ncvx::Optimizer {
 public:
  explicit GradientDescent(const ncvx::ParameterValues& values) : step_(values.real("step")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 0.1, "mu: constant step size").above(0.0)};
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index) override {
    objective.value_and_gradient(factors, gradient_);
    factors -= step_ * gradient_;
  }

 private:
  double step_;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(GradientDescent, "gd", "gradient descent U <- U - mu grad f(U), constant step mu",
            NCVX_VERSION_STRING)
