// Damped scaled gradient descent: ScaledGD(lambda) (Xu, Shen, Ma & Chi, ICML
// 2023) and PrecGD (Zhang, Fattahi & Zhang, NeurIPS 2021),
//
//   U <- U - eta grad_U f (V^T V + lambda I)^{-1},   V <- V - eta grad_V f (U^T U + lambda I)^{-1}
//   (X = U U^T: U <- U - eta grad_U f (U^T U + lambda I)^{-1})
//
//   damping: constant   lambda = `damping`              (ScaledGD(lambda), a small fixed lambda)
//   damping: loss       lambda_t = `damping` sqrt(f(F_t)) (PrecGD: the damping shrinks with the fit)
//
// The damping keeps the preconditioner well-posed when the factors are rank
// deficient — from a small random start, or overparameterized (k > r) — where
// undamped ScaledGD is not; near the solution the damping is small and the
// iterations to an accuracy are again nearly flat in kappa.
//
// Step convention as scaled_gd: eta in ncvx's gradient, `step: 0` gives 1.0 for
// U V^T and 0.5 for U U^T (the papers' 0.5 in their 1/2 |A(X) - y|^2).

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Matrix;

class PrecGd final : public ncvx::Optimizer {
 public:
  explicit PrecGd(const ncvx::ParameterValues& values)
      : step_(values.real("step")), damping_(values.real("damping")), rule_(values.choice("rule")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.0, "eta in ncvx's gradient; 0: 1.0 for U V^T, 0.5 for U U^T").at_least(0.0),
        ncvx::ParameterSpec::real("damping", 1e-6, "lambda (constant), or the factor of sqrt(f) (loss)").above(0.0),
        ncvx::ParameterSpec::choice("rule", "constant", {"constant", "loss"},
                                    "constant: ScaledGD(lambda); loss: PrecGD's lambda_t = damping sqrt(f)"),
    };
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index) override {
    const double value = objective.value_and_gradient(factors, gradient_);
    const double eta = step_ > 0 ? step_ : factors.symmetric() ? 0.5 : 1.0;
    const double lambda = rule_ == "loss" ? damping_ * std::sqrt(std::max(value, 0.0)) : damping_;
    const ncvx::Index k = factors.width();
    const Matrix identity = lambda * Matrix::Identity(k, k);
    if (factors.symmetric()) {
      const Matrix gram = factors.left().transpose() * factors.left() + identity;
      factors.left() -= eta * gram.llt().solve(gradient_.left().transpose()).transpose();
      return;
    }
    const Matrix right_gram = factors.right().transpose() * factors.right() + identity;
    const Matrix left_gram = factors.left().transpose() * factors.left() + identity;
    factors.left() -= eta * right_gram.llt().solve(gradient_.left().transpose()).transpose();
    factors.right() -= eta * left_gram.llt().solve(gradient_.right().transpose()).transpose();
  }

 private:
  double step_, damping_;
  std::string rule_;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(PrecGd, "precgd",
            "damped ScaledGD: U <- U - eta grad_U f (V^T V + lambda I)^-1 (ScaledGD(lambda), PrecGD)",
            NCVX_VERSION_STRING)
