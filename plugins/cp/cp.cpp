// A CP (canonical polyadic) tensor of rank R: T = [[A, B, C]],
//
//   T(i, j, l) = sum_r A(i, r) B(j, r) C(l, r),   A in R^{n1 x R}, B in R^{n2 x R}, C in R^{n3 x R},
//
// R the method's width. Razin, Maman & Cohen (2021) show gradient descent
// from a small start on it learning its components one at a time. The
// problem is an order-3 tensor handled as its mode-1 unfolding
// X(i, j + n2 l) = T(i, j, l) (matrix_shape.hpp), which is
//
//   X = A (C (.) B)^T,   (C (.) B)(j + n2 l, r) = B(j, r) C(l, r)   (Khatri-Rao),
//
// so L = A, R = C (.) B and the chain rule, with Q = G^T L (n2 n3 x R) from
// the operator's pass and Q_r its r-th column read as an n2 x n3 matrix, is
//
//   grad_A = G R,   grad_B(:, r) = Q_r C(:, r),   grad_C(:, r) = Q_r^T B(:, r).
//
// Cost beyond the operator's pass: O(n2 n3 R) to form R and to contract Q.

#include <ncvx/plugin.hpp>

#include <fmt/format.h>

namespace {

using ncvx::Index;
using ncvx::Matrix;

class CanonicalPolyadic final : public ncvx::Factorization {
 public:
  explicit CanonicalPolyadic(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  ncvx::FactorShape shape(const ncvx::MatrixShape& problem, Index width) const override {
    ncvx::FactorShape shape{problem.rows, problem.cols, width, false, {}};
    if (problem.is_tensor())
      for (const Index size : problem.modes) shape.blocks.push_back({size, width});
    return shape;
  }

  std::string refuses(const ncvx::MatrixShape& problem, Index) const override {
    if (!problem.is_tensor() || problem.modes.size() != 3)
      return fmt::format("cp factors an order-3 tensor and the problem is a {} matrix; use uv (or deep) on a "
                         "matrix, or a tensor problem such as low_rank_tensor",
                         problem.describe());
    return {};
  }

  void lift(const ncvx::FactorSet& blocks, Matrix& left, Matrix& right) const override {
    const Matrix& B = blocks[1];
    const Matrix& C = blocks[2];
    left = blocks[0];
    right.resize(B.rows() * C.rows(), B.cols());
    for (Index r = 0; r < B.cols(); ++r)
      Eigen::Map<Matrix>(right.col(r).data(), B.rows(), C.rows()).noalias() = B.col(r) * C.col(r).transpose();
  }

  void pull_back(const ncvx::FactorSet& blocks, const Matrix&, const Matrix&, const Matrix& left_product,
                 const Matrix& right_product, ncvx::FactorSet& gradient) const override {
    const Matrix& B = blocks[1];
    const Matrix& C = blocks[2];
    gradient[0] = left_product;
    for (Index r = 0; r < B.cols(); ++r) {
      const Eigen::Map<const Matrix> Q(right_product.col(r).data(), B.rows(), C.rows());
      gradient[1].col(r).noalias() = Q * C.col(r);
      gradient[2].col(r).noalias() = Q.transpose() * B.col(r);
    }
  }
};

}  // namespace

NCVX_PLUGIN(CanonicalPolyadic, "cp", "T = [[A, B, C]], an order-3 CP tensor of rank R (the width)",
            NCVX_VERSION_STRING)
