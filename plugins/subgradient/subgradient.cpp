// The subgradient method, for losses that are not smooth (l1) or robust
// losses in general:
//
//   F_{t+1} = F_t - mu_t g_t,   g_t = the (sub)gradient the core composes,
//
//   geometric   mu_t = step * decay^t                      (Ma & Fattahi, JMLR 2023)
//   polyak      mu_t = (f(F_t) - optimal_value) / |g_t|^2   (Polyak's step; needs f*)
//   constant    mu_t = step
//
// With l(r) = |r| the objective is f = |A(X) - y|_1 and g_t = 2 A*(sign(r)) U
// (X = U U^T). Its size does not shrink near the solution, so a constant step
// stalls at an error proportional to the step; geometric steps, started small
// enough and decaying slowly enough, and Polyak's steps converge linearly
// (under sharpness), which is what makes l1 recovery exact with outliers.

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class Subgradient final : public ncvx::Optimizer {
 public:
  explicit Subgradient(const ncvx::ParameterValues& values)
      : step_(values.real("step")),
        decay_(values.real("decay")),
        schedule_(values.choice("schedule")),
        optimal_value_(values.real("optimal_value")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.1, "mu_0 (geometric), mu (constant)").above(0.0),
        ncvx::ParameterSpec::real("decay", 0.999, "q of mu_t = mu_0 q^t (geometric)").above(0.0).at_most(1.0),
        ncvx::ParameterSpec::choice("schedule", "geometric", {"geometric", "polyak", "constant"},
                                    "step-size rule"),
        ncvx::ParameterSpec::real("optimal_value", 0.0, "f* for Polyak's step (0: noiseless data)"),
    };
  }

  /// The update uses the objective and the set's arithmetic alone: any factorization.
  std::string refuses(const ncvx::FactorShape&) const override { return {}; }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    const double value = objective.value_and_gradient(factors, gradient_);
    double mu = step_;
    if (schedule_ == "geometric") {
      mu = step_ * std::pow(decay_, static_cast<double>(iteration));
    } else if (schedule_ == "polyak") {
      const double squared = gradient_.squared_norm();
      mu = squared > 0 ? std::max(0.0, value - optimal_value_) / squared : 0.0;
    }
    factors -= mu * gradient_;
  }

 private:
  double step_, decay_;
  std::string schedule_;
  double optimal_value_;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(Subgradient, "subgradient",
            "subgradient method F <- F - mu_t g, geometric (mu_0 q^t), Polyak or constant steps",
            NCVX_VERSION_STRING)
