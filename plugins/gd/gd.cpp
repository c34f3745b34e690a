// Gradient descent:
//
//   U_{t+1} = U_t - mu_t grad_U f,   (V_{t+1} = V_t - mu_t grad_V f for X = U V^T),
//
// with the gradient composed by the core (objective.hpp) and one of three
// step rules:
//
//   constant    mu_t = step                                   (default)
//   relative    mu_t = step / s,  s = sigma_1(A*(y)) (Objective::scale(), an
//               estimate of sigma_1(X*)): the same `step` works whatever the
//               size of X*
//   line_search Armijo backtracking: mu starts at min(mu_max, 2 mu_{t-1})
//               (mu_max = the constant or relative step) and halves until
//               f(F - mu g) <= f(F) - c mu |g|^2, c = 10^-4 (at most 50 halvings)
//
// For the squared loss f = 1/4 |A(X) - y|^2 and |X*| = 1, mu in 0.1 - 0.25 is
// stable for X = U U^T; X = U V^T has half the gradient (no factor 2), so the
// same progress takes twice the step.
//
// `row_norm_bound` b > 0 projects after each step onto the set of factors whose
// rows have norm at most b (each longer row scaled to length b), so
// |X_ij| = |<u_i, v_j>| <= b^2: the entrywise (max-norm) bound under which the
// maximum-likelihood fits of 1-bit and count data exist (Davenport et al.
// 2014); without it their iterates can grow without bound. For U U^T and
// U V^T; refused with any other factorization.

#include <algorithm>

#include <ncvx/plugin.hpp>

namespace {

class GradientDescent final : public ncvx::Optimizer {
 public:
  explicit GradientDescent(const ncvx::ParameterValues& values)
      : step_(values.real("step")), relative_(values.boolean("relative")),
        line_search_(values.boolean("line_search")), row_norm_bound_(values.real("row_norm_bound")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 0.1, "mu: constant step size (the largest with line_search)").above(0.0),
            ncvx::ParameterSpec::boolean("relative", false, "mu = step / sigma_1(A*(y)), a step relative to the data's scale"),
            ncvx::ParameterSpec::boolean("line_search", false, "Armijo backtracking, warm-started at twice the last step"),
            ncvx::ParameterSpec::real("row_norm_bound", 0.0,
                                      "b: rows of U and V projected to norm <= b after each step, so |X_ij| <= b^2 "
                                      "(0: no bound)")
                .at_least(0.0)};
  }

  /// The update uses the objective and the set's arithmetic alone: any factorization (the row
  /// bound, which is a bound on X's entries only for U U^T and U V^T, excepted).
  std::string refuses(const ncvx::FactorShape& shape) const override {
    if (shape.general() && row_norm_bound_ > 0)
      return "row_norm_bound bounds the entries of X = U U^T or U V^T; leave it at 0 for this factorization";
    return {};
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index) override {
    const double largest = relative_ ? step_ / objective.scale() : step_;
    const double value = objective.value_and_gradient(factors, gradient_);
    if (!line_search_) {
      factors -= largest * gradient_;
      bound_rows(factors);
      return;
    }
    // Armijo: accept the first mu with f(F - mu g) <= f(F) - c mu |g|^2.
    constexpr double sufficient_decrease = 1e-4;
    const double squared = gradient_.squared_norm();
    double mu = last_step_ > 0 ? std::min(largest, 2.0 * last_step_) : largest;
    for (int halving = 0;; ++halving) {
      trial_ = factors;
      trial_ -= mu * gradient_;
      if (halving == 50 || objective.value(trial_) <= value - sufficient_decrease * mu * squared) break;
      mu *= 0.5;
    }
    last_step_ = mu;
    factors = trial_;
    bound_rows(factors);
  }

 private:
  /// Each row longer than b scaled to length b (the projection onto the row-norm ball).
  void bound_rows(ncvx::FactorSet& factors) const {
    if (row_norm_bound_ <= 0) return;
    for (std::size_t i = 0; i < factors.size(); ++i) {
      ncvx::Matrix& factor = factors[i];
      for (ncvx::Index row = 0; row < factor.rows(); ++row) {
        const double norm = factor.row(row).norm();
        if (norm > row_norm_bound_) factor.row(row) *= row_norm_bound_ / norm;
      }
    }
  }

  double step_;
  bool relative_, line_search_;
  double row_norm_bound_;
  double last_step_ = 0.0;
  ncvx::FactorSet gradient_, trial_;
};

}  // namespace

NCVX_PLUGIN(GradientDescent, "gd",
            "gradient descent U <- U - mu grad f(U): constant, relative (step / sigma_1(A*(y))) or Armijo steps",
            NCVX_VERSION_STRING)
