// Alternating minimization (alternating least squares; Jain, Netrapalli &
// Sanghavi, STOC 2013) for X = U V^T: one iteration solves for each factor
// with the other fixed,
//
//   U_{t+1} = argmin_U f(U, V_t),   V_{t+1} = argmin_V f(U_{t+1}, V).
//
// With the squared loss each half is a linear least-squares problem in n1 k
// (n2 k) unknowns, solved matrix-free by conjugate gradients on its normal
// equations. The operator of those equations is read off the core's
// gradient, which is affine in the factor being solved for:
//
//   grad_U f(U, V) = H_V(U) - b_V,   H_V(D) = grad_U f(D, V) - grad_U f(0, V),
//
// so one CG iteration costs one evaluation of the objective (never a
// re-derived gradient, never a dense n1 n2 x n1 n2 system). CG stops at
// `inner` iterations or when the gradient falls below `tolerance` times its
// size at the start of the half step. With another loss the same iteration
// minimizes the local quadratic model (Gauss-Newton-like), not the loss.
// Needs X = U V^T (the symmetric U U^T is not linear in U).

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::FactorSet;
using ncvx::Matrix;

class AlternatingMinimization final : public ncvx::Optimizer {
 public:
  explicit AlternatingMinimization(const ncvx::ParameterValues& values)
      : inner_(values.integer("inner")), tolerance_(values.real("tolerance")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("inner", 20, "most conjugate-gradient iterations per factor").at_least(1),
            ncvx::ParameterSpec::real("tolerance", 1e-10, "CG stops when |grad| <= tolerance |grad at the start|")
                .above(0.0)};
  }

  std::string refuses(const ncvx::FactorShape& shape) const override {
    if (shape.general()) return Optimizer::refuses(shape);  // deep, cp: U and V are not blocks here
    return shape.symmetric ? "alternating least squares needs X = U V^T (U U^T is not linear in U); set "
                             "factorization: asymmetric"
                           : "";
  }

  void step(const ncvx::Objective& objective, FactorSet& factors, ncvx::Index) override {
    solve(objective, factors, 0);
    solve(objective, factors, 1);
  }

 private:
  /// Factor `which` (0: U, 1: V) <- argmin f with the other fixed, by CG.
  void solve(const ncvx::Objective& objective, FactorSet& factors, std::size_t which) {
    // grad at the current factors, and the constant term grad(0) of the affine gradient.
    objective.value_and_gradient(factors, gradient_);
    Matrix residual = -gradient_[which];  // r = b - H(X) = -grad
    probe_ = factors;
    probe_[which].setZero();
    objective.value_and_gradient(probe_, gradient_);
    const Matrix at_zero = gradient_[which];
    const double start = residual.norm();
    if (!(start > 0)) return;
    Matrix direction = residual;
    double squared = residual.squaredNorm();
    for (ncvx::Index iteration = 0; iteration < inner_; ++iteration) {
      probe_[which] = direction;
      objective.value_and_gradient(probe_, gradient_);
      const Matrix product = gradient_[which] - at_zero;  // H(direction)
      const double curvature = direction.cwiseProduct(product).sum();
      if (!(curvature > 0)) break;  // flat or indefinite along direction: the least-squares solution is reached
      const double alpha = squared / curvature;
      factors[which] += alpha * direction;
      residual -= alpha * product;
      const double next = residual.squaredNorm();
      if (std::sqrt(next) <= tolerance_ * start) break;
      direction = residual + (next / squared) * direction;
      squared = next;
    }
  }

  ncvx::Index inner_;
  double tolerance_;
  FactorSet gradient_, probe_;
};

}  // namespace

NCVX_PLUGIN(AlternatingMinimization, "altmin",
            "alternating least squares for X = U V^T: U, then V, each by matrix-free conjugate gradients",
            NCVX_VERSION_STRING)
