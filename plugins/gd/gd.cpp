// Gradient descent with a constant step (PAPER.md section 3):
//
//   U_{t+1} = U_t - mu grad f(U_t),
//
// with grad f composed by the core (objective.hpp). For the squared loss and
// |X*| = 1, mu in 0.1 - 0.25 is stable.

#include <ncvx/plugin.hpp>

namespace {

class GradientDescent final : public ncvx::Optimizer {
 public:
  explicit GradientDescent(const ncvx::ParameterValues& values) : step_(values.real("step")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 0.1, "mu: constant step size").above(0.0)};
  }

  void step(const ncvx::Objective& objective, ncvx::Matrix& factor, ncvx::Index) override {
    objective.value_and_gradient(factor, gradient_);
    factor -= step_ * gradient_;
  }

 private:
  double step_;
  ncvx::Matrix gradient_;
};

}  // namespace

NCVX_PLUGIN(GradientDescent, "gd", "gradient descent U <- U - mu grad f(U), constant step mu",
            NCVX_VERSION_STRING)
