// Heavy-ball momentum (Polyak):
//
//   F_{t+1} = F_t - mu grad f(F_t) + beta (F_t - F_{t-1}),   F_{-1} = F_0,
//
// for the factors F = {U} (X = U U^T), {U, V} (X = U V^T) or the blocks of
// any other factorization (deep, cp) alike. The gradient comes from the
// objective ncvx composes; the optimizer only keeps the previous iterate.

#include <ncvx/plugin.hpp>

namespace {

class HeavyBall final : public ncvx::Optimizer {
 public:
  explicit HeavyBall(const ncvx::ParameterValues& values)
      : step_(values.real("step")), momentum_(values.real("momentum")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.1, "mu: step size").above(0.0),
        ncvx::ParameterSpec::real("momentum", 0.5, "beta: weight of U_t - U_{t-1}").at_least(0.0).below(1.0),
    };
  }

  /// The update is the factor set's arithmetic alone: every factorization.
  std::string refuses(const ncvx::FactorShape&) const override { return {}; }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0) previous_ = factors;
    objective.value_and_gradient(factors, gradient_);
    const ncvx::FactorSet current = factors;
    factors += momentum_ * (current - previous_);
    factors -= step_ * gradient_;
    previous_ = current;
  }

 private:
  double step_, momentum_;
  ncvx::FactorSet gradient_, previous_;
};

}  // namespace

NCVX_PLUGIN(HeavyBall, "heavy_ball", "heavy-ball momentum: U <- U - mu grad f(U) + beta (U - U_prev)",
            "1.0.0")
