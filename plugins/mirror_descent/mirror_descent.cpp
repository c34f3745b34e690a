// Mirror descent on positive definite X with the spectral entropy as mirror
// map (matrix exponentiated gradient; Wu & Rebeschini, NeurIPS 2021):
//
//   log X_{t+1} = log X_t - mu grad_X f(X_t),     grad_X f = A*(l'(A(X) - y)),
//
// i.e. X_{t+1} = exp(log X_t - mu G_t), from X_0 = X(F_0) with eigenvalues
// below `floor` lifted to it (the entropy needs X_0 positive definite). Its
// implicit bias mirrors gradient descent's from a small start: from
// X_0 = alpha I (init: scaled_identity, width n), as alpha -> 0 the limit
// approaches the minimum nuclear norm solution, and the test error falls
// with alpha as it does for small random U_0 U_0^T.
//
// The iterate is kept as log X (symmetric, dense: O(n^3) per step) and
// written back as U = Q_k exp(Lambda_k / 2) from its k largest eigenpairs
// (k = width; `width: n` represents X exactly; ../common/matrix_iterate.hpp).
// Only symmetric fits (X = U U^T). Step convention: grad_X f = A*(r)/2 for
// ncvx's f = 1/4 |A(X) - y|^2.

#include <algorithm>
#include <cmath>

#include <ncvx/plugin.hpp>

#include "../common/matrix_iterate.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

class MirrorDescent final : public ncvx::Optimizer {
 public:
  explicit MirrorDescent(const ncvx::ParameterValues& values)
      : step_(values.real("step")), floor_(values.real("floor")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 1.0, "mu on ncvx's gradient").above(0.0),
            ncvx::ParameterSpec::real("floor", 1e-12, "X_0's eigenvalues below this are lifted to it").above(0.0)};
  }

  std::string refuses(const ncvx::FactorShape& shape) const override {
    if (shape.general()) return Optimizer::refuses(shape);  // deep, cp: U and V are not blocks here
    return shape.symmetric ? "" : "the spectral entropy needs a symmetric positive definite X (X = U U^T); set "
                                  "factorization: symmetric on a symmetric problem";
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0 || X_.size() == 0) {
      ncvx::matrix_iterate::eigen_decreasing(factors.product(), values_, vectors_);
      values_ = values_.cwiseMax(floor_).array().log().matrix();
      rebuild(factors);
    }
    objective.value_and_gradient_matrix(X_, gradient_);
    const Matrix log_X = vectors_ * values_.asDiagonal() * vectors_.transpose();
    ncvx::matrix_iterate::eigen_decreasing(log_X - step_ * gradient_, values_, vectors_);
    rebuild(factors);
  }

 private:
  /// X = Q exp(Lambda) Q^T and its factors from the eigenpairs of log X.
  void rebuild(ncvx::FactorSet& factors) {
    const Vector exponential = values_.array().exp().matrix();
    X_ = vectors_ * exponential.asDiagonal() * vectors_.transpose();
    const Index n = X_.rows(), width = factors.width(), k = std::min(width, n);
    Matrix U = Matrix::Zero(n, width);
    U.leftCols(k) = vectors_.leftCols(k) * exponential.head(k).cwiseSqrt().asDiagonal();
    factors = ncvx::FactorSet(std::move(U));
  }

  double step_, floor_;
  Vector values_;
  Matrix vectors_, X_, gradient_;
};

}  // namespace

NCVX_PLUGIN(MirrorDescent, "mirror_descent",
            "mirror descent with the spectral entropy: X <- exp(log X - mu grad_X f) (dense, symmetric X)",
            NCVX_VERSION_STRING)
