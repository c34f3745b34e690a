// Riemannian gradient descent and conjugate gradient on the manifold of
// n1 x n2 matrices of rank k (Vandereycken, SIAM J. Optim. 2013; Wei, Cai,
// Chan & Leung, SIAM J. Matrix Anal. Appl. 2016). The point is X itself,
// X = U_x Sigma V_x^T with orthonormal U_x, V_x; the factors the core holds
// are U = U_x Sigma^1/2, V = V_x Sigma^1/2 (X = U V^T), recomputed from any
// U, V of rank k by two thin QRs and a k x k SVD.
//
// With G = grad_X f (the objective's gradient in X, read from its factored
// gradient: G V_x = grad_U f Sigma^-1/2, G^T U_x = grad_V f Sigma^-1/2), the
// Riemannian gradient is the projection onto the tangent space at X,
//
//   xi = P_T(G) = U_x M V_x^T + U_p V_x^T + U_x V_p^T,   M = U_x^T G V_x,
//   U_p = G V_x - U_x M,   V_p = G^T U_x - V_x M^T        (U_p _|_ U_x, V_p _|_ V_x),
//
// held as (M, U_p, V_p): O((n1 + n2) k) numbers, never an n1 x n2 matrix.
// The direction is d = -xi (direction: gradient), or (direction: conjugate)
// d = -xi + beta T(d_prev) with the previous direction projected onto the new
// tangent space (vector transport by projection) and beta Polak-Ribiere+,
// restarted at -xi when d is not a descent direction. The step is the exact
// minimizer of the squared loss along d (step_rule: exact),
//
//   mu = -<r, A(d)> / |A(d)|^2 = -2 <xi, d> / |A(d)|^2     (f = 1/4 |A(X) - y|^2, G = A*(r) / 2),
//
// with A(d) from one factored forward pass of d = [U_x M_d + U_pd, U_x][V_x, V_pd]^T,
// or a constant mu (step_rule: constant, any loss). The retraction is the
// rank-k truncated SVD of X + mu d, computed from the 2k x 2k matrix
//
//   [[Sigma + mu M_d, mu R_v^T], [mu R_u, 0]]   in the bases [U_x Q_u], [V_x Q_v],
//
// where U_pd = Q_u R_u and V_pd = Q_v R_v are thin QRs. An iteration costs one
// value-and-gradient evaluation, one forward pass of width 2k (exact steps),
// and O((n1 + n2) k^2 + k^3) dense algebra.

#include <Eigen/QR>
#include <Eigen/SVD>

#include <cmath>
#include <stdexcept>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

/// Q of a thin QR (n x k, orthonormal columns) and R (k x k): M = Q R.
void thin_qr(const Matrix& M, Matrix& Q, Matrix& R) {
  const Eigen::HouseholderQR<Matrix> qr(M);
  Q = qr.householderQ() * Matrix::Identity(M.rows(), M.cols());
  R = qr.matrixQR().topRows(M.cols()).triangularView<Eigen::Upper>();
}

/// X = U_x diag(sigma) V_x^T, U_x and V_x orthonormal.
struct Point {
  Matrix left, right;
  Vector sigma;
};

/// A tangent vector at a point: U_x M V_x^T + U_p V_x^T + U_x V_p^T.
struct Tangent {
  Matrix middle, left, right;

  double dot(const Tangent& other) const {
    return (middle.array() * other.middle.array()).sum() + (left.array() * other.left.array()).sum() +
           (right.array() * other.right.array()).sum();
  }
};

/// The tangent vector as an n1 x 2k, n2 x 2k pair L R^T (for the operator and the transport).
ncvx::FactorSet ambient(const Point& x, const Tangent& t) {
  Matrix L(x.left.rows(), 2 * x.left.cols()), R(x.right.rows(), 2 * x.right.cols());
  L << x.left * t.middle + t.left, x.left;
  R << x.right, t.right;
  return ncvx::FactorSet(std::move(L), std::move(R));
}

/// P_T(L R^T) at x.
Tangent project(const Point& x, const ncvx::FactorSet& vector) {
  const Matrix LtU = vector.left().transpose() * x.left, RtV = vector.right().transpose() * x.right;
  Tangent t;
  t.middle = LtU.transpose() * RtV;
  t.left = vector.left() * RtV - x.left * t.middle;
  t.right = vector.right() * LtU - x.right * t.middle.transpose();
  return t;
}

class RiemannianGd final : public ncvx::Optimizer {
 public:
  explicit RiemannianGd(const ncvx::ParameterValues& values)
      : conjugate_(values.choice("direction") == "conjugate"), exact_(values.choice("step_rule") == "exact"),
        step_(values.real("step")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::choice("direction", "gradient", {"gradient", "conjugate"},
                                    "the Riemannian gradient, or conjugate gradient (Polak-Ribiere+)"),
        ncvx::ParameterSpec::choice("step_rule", "exact", {"exact", "constant"},
                                    "exact: the squared loss's minimizer along the direction; constant: `step`"),
        ncvx::ParameterSpec::real("step", 0.5, "mu with step_rule: constant").above(0.0),
    };
  }

  std::string refuses(const ncvx::FactorShape& shape) const override {
    if (shape.general()) return Optimizer::refuses(shape);  // deep, cp: U and V are not blocks here
    if (shape.symmetric)
      return "riemannian_gd moves on the manifold of n1 x n2 matrices of rank k (X = U V^T); set the method's "
             "factorization: asymmetric";
    return "";
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, Index) override {
    const Point x = point_of(factors);
    const Vector root = x.sigma.cwiseSqrt();
    const ncvx::FactorSet balanced(x.left * root.asDiagonal(), x.right * root.asDiagonal());
    objective.value_and_gradient(balanced, gradient_);
    // G V_x and G^T U_x from the factored gradient, then xi = P_T(G).
    const Matrix GV = gradient_.left() * root.cwiseInverse().asDiagonal();
    const Matrix GtU = gradient_.right() * root.cwiseInverse().asDiagonal();
    Tangent xi;
    xi.middle = x.left.transpose() * GV;
    xi.left = GV - x.left * xi.middle;
    xi.right = GtU - x.right * xi.middle.transpose();

    Tangent d{-xi.middle, -xi.left, -xi.right};
    if (conjugate_ && continues(factors)) {
      const Tangent previous_direction = project(x, previous_direction_), previous_gradient = project(x, previous_gradient_);
      const double beta =
          std::max(0.0, (xi.dot(xi) - xi.dot(previous_gradient)) / std::max(previous_norm_, 1e-300));
      d.middle += beta * previous_direction.middle;
      d.left += beta * previous_direction.left;
      d.right += beta * previous_direction.right;
      if (d.dot(xi) >= 0) d = {-xi.middle, -xi.left, -xi.right};  // not a descent direction: restart
    }
    const ncvx::FactorSet direction = ambient(x, d);
    double mu = step_;
    if (exact_) {
      Vector Ad;
      objective.measurement().forward_factored(direction, Ad);
      const double curvature = Ad.squaredNorm();
      mu = curvature > 0 ? -2.0 * xi.dot(d) / curvature : 0.0;
    }
    factors = retract(x, d, mu);
    if (conjugate_) {
      previous_direction_ = direction;
      previous_gradient_ = ambient(x, xi);
      previous_norm_ = xi.dot(xi);
      returned_ = factors;
    }
  }

 private:
  /// X = U V^T as U_x diag(sigma) V_x^T.
  static Point point_of(const ncvx::FactorSet& factors) {
    Matrix Qu, Ru, Qv, Rv;
    thin_qr(factors.left(), Qu, Ru);
    thin_qr(factors.right(), Qv, Rv);
    const Eigen::JacobiSVD<Matrix> svd(Ru * Rv.transpose(), Eigen::ComputeFullU | Eigen::ComputeFullV);
    Point x{Qu * svd.matrixU(), Qv * svd.matrixV(), svd.singularValues()};
    if (!(x.sigma.minCoeff() > 1e-300 * std::max(1.0, x.sigma.maxCoeff())))
      throw std::runtime_error(
          "riemannian_gd needs an iterate of rank k (X = U V^T of full column rank); start from `spectral` or a "
          "random start of width k = rank");
    return x;
  }

  /// The rank-k truncated SVD of X + mu d, as balanced factors.
  static ncvx::FactorSet retract(const Point& x, const Tangent& d, double mu) {
    const Index k = x.sigma.size();
    Matrix Qu, Ru, Qv, Rv;
    thin_qr(d.left, Qu, Ru);
    thin_qr(d.right, Qv, Rv);
    Matrix K = Matrix::Zero(2 * k, 2 * k);
    K.topLeftCorner(k, k) = Matrix(x.sigma.asDiagonal()) + mu * d.middle;
    K.topRightCorner(k, k) = mu * Rv.transpose();
    K.bottomLeftCorner(k, k) = mu * Ru;
    const Eigen::JacobiSVD<Matrix> svd(K, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Matrix left(x.left.rows(), 2 * k), right(x.right.rows(), 2 * k);
    left << x.left, Qu;
    right << x.right, Qv;
    const Vector root = svd.singularValues().head(k).cwiseSqrt();
    return ncvx::FactorSet(left * svd.matrixU().leftCols(k) * root.asDiagonal(),
                           right * svd.matrixV().leftCols(k) * root.asDiagonal());
  }

  /// Whether the factors are those the last step returned (the conjugate state applies).
  bool continues(const ncvx::FactorSet& factors) const {
    return returned_ == factors;  // compares the factors' count, shapes and entries
  }

  bool conjugate_, exact_;
  double step_;
  ncvx::FactorSet gradient_, previous_direction_, previous_gradient_, returned_;
  double previous_norm_ = 0.0;
};

}  // namespace

NCVX_PLUGIN(RiemannianGd, "riemannian_gd",
            "Riemannian gradient descent or conjugate gradient on the fixed-rank manifold (X = U V^T of rank k), "
            "exact steps for the squared loss, truncated-SVD retraction",
            NCVX_VERSION_STRING)
