// Gauss-Newton and Levenberg-Marquardt on the factors: the approximated
// Gauss-Newton method (AGN; Jia, Feng, Meng & Sun, NeurIPS 2024) and
// alternating preconditioned gradient descent (APGD; Liu, Han, Tang, Tang &
// Wang, 2025), which are the same alternating update.
//
// The model. Near X the squared loss F(X) = 1/4 |A(X) - y|^2 is the quadratic
// F(X + D) ~ F(X) + <grad F, D> + 1/4 |A(D)|^2, and under restricted isometry
// |A(D)| ~ |D|_F: replacing A*A by the identity is the approximation that
// gives each Gauss-Newton step in closed form.
//
// X = U V^T, one block at a time (sweep: alternating). With V fixed the
// linearized least squares in U is min_D <grad F, D V^T> + 1/4 |D V^T|^2
// (+ lambda/4 |D|^2, Levenberg-Marquardt), whose minimum-norm solution is
//
//   D = -2 grad F V (V^T V + lambda I)^+ = -2 grad_U f (V^T V + lambda I)^+,
//
// so with the step eta as the fraction of that Gauss-Newton step,
//
//   U <- U - 2 eta grad_U f(U, V) (V^T V + lambda I)^+,
//   V <- V - 2 eta grad_V f(U_new, V) (U_new^T U_new + lambda I)^+,
//
// the gradient of the second half-step taken at the updated U (two
// evaluations per iteration). sweep: simultaneous takes both from the same
// iterate (one evaluation): ScaledGD with a pseudo-inverse, the "Jacobi"
// counterpart, shown to be the unstable one when overparameterized.
//
// X = U U^T (one block, so no sweep): the linearized least squares over the
// tangent image {D U^T + U D^T} has the solution D U^T + U D^T = -2 P_T(grad F)
// with P_T(Z) = P Z + Z P - P Z P, P = U (U^T U)^+ U^T, from
//
//   D = -(I - P/2) grad_U f (U^T U + lambda I)^+,   P = U (U^T U + lambda I)^+ U^T,
//
// (grad_U f = 2 grad F U) and U <- U + eta D.
//
// (.)^+ is the pseudo-inverse of the k x k Gram by its eigendecomposition,
// eigenvalues at or below k eps lambda_max (the Gram's own rounding) taken as
// zero: with lambda = 0 this is the lstsq of the published code, and no
// damping parameter is needed. Cost: the evaluation(s) plus O((n1 + n2) k^2 +
// k^3) dense algebra.

#include <Eigen/Eigenvalues>

#include <cmath>
#include <limits>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

/// (H + lambda I)^+ for the symmetric positive semidefinite k x k H.
Matrix damped_pseudo_inverse(const Matrix& H, double lambda) {
  const Eigen::SelfAdjointEigenSolver<Matrix> eigen(H);
  const Vector values = eigen.eigenvalues().array() + lambda;
  const double largest = values.size() > 0 ? values.maxCoeff() : 0.0;
  const double floor = static_cast<double>(H.rows()) * std::numeric_limits<double>::epsilon() * largest;
  Vector inverse(values.size());
  for (Index i = 0; i < values.size(); ++i) inverse(i) = values(i) > floor ? 1.0 / values(i) : 0.0;
  return eigen.eigenvectors() * inverse.asDiagonal() * eigen.eigenvectors().transpose();
}

class GaussNewton final : public ncvx::Optimizer {
 public:
  explicit GaussNewton(const ncvx::ParameterValues& values)
      : step_(values.real("step")),
        damping_(values.real("damping")),
        alternating_(values.choice("sweep") == "alternating") {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.5, "eta, the fraction of the Gauss-Newton step (1: the full step)")
            .above(0.0),
        ncvx::ParameterSpec::real("damping", 0.0, "lambda: 0 for Gauss-Newton (a pseudo-inverse), > 0 Levenberg-Marquardt")
            .at_least(0.0),
        ncvx::ParameterSpec::choice("sweep", "alternating", {"alternating", "simultaneous"},
                                    "U V^T: U then V from the updated U (AGN, APGD), or both from the same iterate"),
    };
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, Index) override {
    objective.value_and_gradient(factors, gradient_);
    if (factors.symmetric()) {
      Matrix& U = factors.left();
      const Matrix inverse = damped_pseudo_inverse(U.transpose() * U, damping_);
      const Matrix scaled = gradient_.left() * inverse;                 // grad_U f (U^T U + lambda)^+
      const Matrix half_projection = 0.5 * U * (inverse * (U.transpose() * scaled));  // (P / 2) scaled
      U -= step_ * (scaled - half_projection);
      return;
    }
    Matrix& U = factors.left();
    Matrix& V = factors.right();
    // V's preconditioner: U's Gram before U's half-step (simultaneous) or after it, with
    // the gradient there (alternating).
    Matrix left_gram;
    if (!alternating_) left_gram = U.transpose() * U;
    U -= (2.0 * step_) * gradient_.left() * damped_pseudo_inverse(V.transpose() * V, damping_);
    if (alternating_) {
      objective.value_and_gradient(factors, gradient_);
      left_gram = U.transpose() * U;
    }
    V -= (2.0 * step_) * gradient_.right() * damped_pseudo_inverse(left_gram, damping_);
  }

 private:
  double step_, damping_;
  bool alternating_;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(GaussNewton, "gauss_newton",
            "Gauss-Newton / Levenberg-Marquardt on the factors: U <- U - 2 eta grad_U f (V^T V + lambda I)^+, then V "
            "(AGN, Jia et al. 2024; APGD, Liu et al. 2025)",
            NCVX_VERSION_STRING)
