// The convex baseline: nuclear-norm regularized least squares by accelerated
// proximal gradient (FISTA; Beck & Teboulle 2009) with singular value
// thresholding (Cai, Candès & Shen 2010), and continuation on the weight
// (Toh & Yun 2010):
//
//   minimize   f(X) + lambda |X|_*        (|X|_* = trace X on the PSD cone for a symmetric fit)
//
//   X_{t+1} = S_{mu lambda_t}(Z_t - mu grad_X f(Z_t)),   S_tau: sigma_i -> max(sigma_i - tau, 0),
//   theta_{t+1} = (1 + sqrt(1 + 4 theta_t^2)) / 2,       theta_0 = 1,
//   Z_{t+1} = X_{t+1} + (theta_t - 1)/theta_{t+1} (X_{t+1} - X_t),     (accelerate: false: Z = X)
//   lambda_t = max(weight, continuation^t sigma_1(A*(y))).
//
// X_0 = Z_0 = X(F_0). With continuation < 1 the weight starts large (nothing
// but the strongest direction survives the threshold) and decreases
// geometrically to `weight`; 1 keeps lambda = weight throughout. A small
// weight approaches the constrained problem min |X|_* s.t. A(X) = y, whose
// exact recovery needs m of order r n: the sample complexity the factored
// methods are compared with; the bias of a weight lambda is of order lambda.
//
// The iterate is dense (O(n^3) per step) and written back as factors of width
// k (../common/matrix_iterate.hpp): the rank kept is at most the method's
// width, so `width: n` is the unconstrained convex method and a smaller width
// the same method truncated. Step convention: grad_X f = A*(r)/2 for ncvx's
// f = 1/4 |A(X) - y|^2; with E A*A = identity its Lipschitz constant is about
// 1/2 (1 + delta), so mu up to ~1.5 is stable when delta is small; the
// default mu = 1 is backtracked (../common/matrix_iterate.hpp), which few
// measurements (delta > 1) need.

#include <cmath>

#include <ncvx/plugin.hpp>

#include "../common/matrix_iterate.hpp"

namespace {

using ncvx::Matrix;

class NuclearNorm final : public ncvx::Optimizer {
 public:
  explicit NuclearNorm(const ncvx::ParameterValues& values)
      : step_(values.real("step")), weight_(values.real("weight")), continuation_(values.real("continuation")),
        accelerate_(values.boolean("accelerate")), backtracking_(values.boolean("backtracking")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 1.0, "mu on ncvx's gradient").above(0.0),
        ncvx::ParameterSpec::real("weight", 1e-4, "lambda: the weight of the nuclear norm (final, with continuation)")
            .at_least(0.0),
        ncvx::ParameterSpec::real("continuation", 0.8,
                                  "q of lambda_t = max(weight, q^t sigma_1(A*(y))); 1: no continuation")
            .above(0.0)
            .at_most(1.0),
        ncvx::ParameterSpec::boolean("accelerate", true, "FISTA's extrapolation (false: proximal gradient)"),
        ncvx::ParameterSpec::boolean("backtracking", true, "halve mu until the step decreases the model"),
    };
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0 || X_.size() == 0) {
      X_ = factors.product();
      extrapolated_ = X_;
      theta_ = 1.0;
      weight_now_ = continuation_ < 1.0 ? std::max(weight_, objective.scale()) : weight_;
      mu_ = step_;
    } else if (continuation_ < 1.0) {
      weight_now_ = std::max(weight_, weight_now_ * continuation_);
    }
    const double value = objective.value_and_gradient_matrix(extrapolated_, gradient_);
    previous_ = X_;
    const bool symmetric = factors.symmetric();
    const ncvx::Index width = factors.width();
    const double weight = weight_now_;
    ncvx::matrix_iterate::proximal_step(
        objective, extrapolated_, value, gradient_, mu_, backtracking_,
        [&](const Matrix& Y, double mu, Matrix& X, ncvx::FactorSet& F) {
          ncvx::matrix_iterate::threshold(Y, symmetric, width, mu * weight, X, F);
        },
        X_, factors);
    if (!accelerate_) {
      extrapolated_ = X_;
      return;
    }
    const double next = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * theta_ * theta_));
    extrapolated_ = X_ + ((theta_ - 1.0) / next) * (X_ - previous_);
    theta_ = next;
  }

 private:
  double step_, weight_, continuation_;
  bool accelerate_, backtracking_;
  double theta_ = 1.0, weight_now_ = 0.0, mu_ = 0.0;
  Matrix X_, previous_, extrapolated_, gradient_;
};

}  // namespace

NCVX_PLUGIN(NuclearNorm, "nuclear_norm",
            "nuclear-norm regularized least squares by FISTA with singular value thresholding and continuation "
            "(dense X)",
            NCVX_VERSION_STRING)
