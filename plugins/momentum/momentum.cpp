// Gradient descent with momentum, heavy-ball or Nesterov:
//
//   heavy_ball  F_{t+1} = F_t - mu grad f(F_t) + beta (F_t - F_{t-1})        (Polyak 1964)
//   nesterov    Y_t = F_t + beta (F_t - F_{t-1}),  F_{t+1} = Y_t - mu grad f(Y_t)   (Nesterov 1983)
//
// with F_{-1} = F_0, for X = U U^T and X = U V^T alike (the gradient is the
// core's). Step convention: mu as for gd (f = 1/4 |A(X) - y|^2; 0.1 - 0.25
// for |X*| = 1 and U U^T); with beta the effective step along a slow
// direction is mu / (1 - beta), which is what speeds up ill-conditioned
// problems at an equal mu.

#include <ncvx/plugin.hpp>

namespace {

class Momentum final : public ncvx::Optimizer {
 public:
  explicit Momentum(const ncvx::ParameterValues& values)
      : step_(values.real("step")), momentum_(values.real("momentum")), nesterov_(values.choice("variant") == "nesterov") {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.1, "mu: step size").above(0.0),
        ncvx::ParameterSpec::real("momentum", 0.5, "beta: weight of F_t - F_{t-1}").at_least(0.0).below(1.0),
        ncvx::ParameterSpec::choice("variant", "heavy_ball", {"heavy_ball", "nesterov"},
                                    "heavy_ball: gradient at F_t; nesterov: at the extrapolated point"),
    };
  }

  /// The update uses the objective and the set's arithmetic alone: any factorization.
  std::string refuses(const ncvx::FactorShape&) const override { return {}; }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0 || previous_.shape() != factors.shape()) previous_ = factors;  // F_{-1} = F_0
    if (nesterov_) {
      look_ahead_ = factors;
      look_ahead_ += momentum_ * (factors - previous_);
      objective.value_and_gradient(look_ahead_, gradient_);
      previous_ = factors;
      factors = look_ahead_;
      factors -= step_ * gradient_;
    } else {
      objective.value_and_gradient(factors, gradient_);
      const ncvx::FactorSet current = factors;
      factors += momentum_ * (current - previous_);
      factors -= step_ * gradient_;
      previous_ = current;
    }
  }

 private:
  double step_, momentum_;
  bool nesterov_;
  ncvx::FactorSet gradient_, previous_, look_ahead_;
};

}  // namespace

NCVX_PLUGIN(Momentum, "momentum",
            "heavy-ball or Nesterov momentum: F <- F - mu grad f + beta (F - F_prev) (gradient at the "
            "extrapolated point for Nesterov)",
            NCVX_VERSION_STRING)
