// Scaled gradient descent (ScaledGD; Tong, Ma & Chi, JMLR 2021):
//
//   X = U V^T:  U <- U - eta grad_U f (V^T V)^{-1},   V <- V - eta grad_V f (U^T U)^{-1}
//   X = U U^T:  U <- U - eta grad_U f (U^T U)^{-1}
//
// (both factors updated from the same iterate). The preconditioner undoes the
// conditioning of X*: iterations to an accuracy do not grow with kappa, while
// gradient descent's grow linearly. It needs the factors to have full column
// rank (k = r from a spectral start): from a small or overparameterized start
// V^T V is (nearly) singular, which precgd's damping fixes.
//
// Step convention: the paper minimizes 1/2 |A(L R^T) - y|^2 with eta = 0.5;
// ncvx's f = 1/4 |A(X) - y|^2 has half that gradient for U V^T, so the same
// update is step = 2 eta = 1.0; for U U^T, grad_U f = A*(r) U is the paper's
// symmetric gradient, step = eta = 0.5. Those are the defaults by
// factorization (`step: 0` picks them).

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Matrix;

class ScaledGd final : public ncvx::Optimizer {
 public:
  explicit ScaledGd(const ncvx::ParameterValues& values) : step_(values.real("step")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 0.0,
                                      "eta in ncvx's gradient; 0: the paper's 0.5 (1.0 for U V^T, 0.5 for U U^T)")
                .at_least(0.0)};
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index) override {
    objective.value_and_gradient(factors, gradient_);
    const double eta = step_ > 0 ? step_ : factors.symmetric() ? 0.5 : 1.0;
    if (factors.symmetric()) {
      const Matrix gram = factors.left().transpose() * factors.left();
      factors.left() -= eta * precondition(gradient_.left(), gram);
      return;
    }
    const Matrix right_gram = factors.right().transpose() * factors.right();
    const Matrix left_gram = factors.left().transpose() * factors.left();
    factors.left() -= eta * precondition(gradient_.left(), right_gram);
    factors.right() -= eta * precondition(gradient_.right(), left_gram);
  }

 private:
  /// G (H)^{-1} for the symmetric positive (semi)definite k x k H, by a
  /// Cholesky factorization (an LDL^T one when H is singular: ill-posed, and
  /// the iterate then blows up, as ScaledGD does from a small start).
  static Matrix precondition(const Matrix& G, const Matrix& H) {
    return H.ldlt().solve(G.transpose()).transpose();
  }

  double step_;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(ScaledGd, "scaled_gd",
            "ScaledGD: U <- U - eta grad_U f (V^T V)^-1, V <- V - eta grad_V f (U^T U)^-1 (Tong, Ma & Chi 2021)",
            NCVX_VERSION_STRING)
