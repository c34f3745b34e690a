// A Tucker tensor of multilinear rank (R, R, R), R the method's width:
//
//   T = G x_1 A x_2 B x_3 C,   T(i, j, l) = sum_{a,b,c} G(a, b, c) A(i, a) B(j, b) C(l, c),
//
// A in R^{n1 x R}, B in R^{n2 x R}, C in R^{n3 x R} and the core G in R^{R x R x R}, held as
// its mode-1 unfolding G_(1) (R x R^2, G_(1)(a, b + R c) = G(a, b, c)). On the mode-1
// unfolding of the tensor (matrix_shape.hpp) this is
//
//   X = A G_(1) (C (x) B)^T,   (C (x) B)(j + n2 l, b + R c) = B(j, b) C(l, c)   (Kronecker),
//
// so L = A G_(1) (n1 x R^2), R = C (x) B (n2 n3 x R^2), and with P = grad_X f R and
// Q = grad_X f^T L from the operator's one pass, Q_bc its column (b, c) read as n2 x n3,
//
//   grad_A = P G_(1)^T,   grad_G(1) = A^T P,
//   grad_B(:, b) = sum_c Q_bc C(:, c),   grad_C(:, c) = sum_b Q_bc^T B(:, b).
//
// Cost beyond the pass: O(n2 n3 R^2). Blocks in the order A, B, C, G_(1).

#include <fmt/format.h>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;

class Tucker final : public ncvx::Factorization {
 public:
  explicit Tucker(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  ncvx::FactorShape shape(const ncvx::MatrixShape& problem, Index width) const override {
    ncvx::FactorShape shape{problem.rows, problem.cols, width, false, {}};
    if (!problem.is_tensor()) return shape;
    for (const Index size : problem.modes) shape.blocks.push_back({size, width});
    shape.blocks.push_back({width, width * width});
    return shape;
  }

  std::string refuses(const ncvx::MatrixShape& problem, Index width) const override {
    if (!problem.is_tensor() || problem.modes.size() != 3)
      return fmt::format("tucker factors an order-3 tensor and the problem is a {} matrix; use uv (or deep) on a "
                         "matrix, or a tensor problem such as low_rank_tensor",
                         problem.describe());
    if (width > 64)
      return fmt::format("the core has width^3 = {} entries; keep the width at most 64", width * width * width);
    return {};
  }

  void lift(const ncvx::FactorSet& blocks, Matrix& left, Matrix& right) const override {
    const Matrix &B = blocks[1], &C = blocks[2];
    const Index R = B.cols();
    left.noalias() = blocks[0] * blocks[3];
    right.resize(B.rows() * C.rows(), R * R);
    for (Index c = 0; c < R; ++c)
      for (Index b = 0; b < R; ++b)
        Eigen::Map<Matrix>(right.col(b + R * c).data(), B.rows(), C.rows()).noalias() =
            B.col(b) * C.col(c).transpose();
  }

  void pull_back(const ncvx::FactorSet& blocks, const Matrix&, const Matrix&, const Matrix& left_product,
                 const Matrix& right_product, ncvx::FactorSet& gradient) const override {
    const Matrix &A = blocks[0], &B = blocks[1], &C = blocks[2], &core = blocks[3];
    const Index R = B.cols();
    gradient[0].noalias() = left_product * core.transpose();
    gradient[3].noalias() = A.transpose() * left_product;
    gradient[1].setZero();
    gradient[2].setZero();
    for (Index c = 0; c < R; ++c)
      for (Index b = 0; b < R; ++b) {
        const Eigen::Map<const Matrix> Q(right_product.col(b + R * c).data(), B.rows(), C.rows());
        gradient[1].col(b).noalias() += Q * C.col(c);
        gradient[2].col(c).noalias() += Q.transpose() * B.col(b);
      }
  }
};

}  // namespace

NCVX_PLUGIN(Tucker, "tucker", "T = G x1 A x2 B x3 C, an order-3 Tucker tensor of multilinear rank (R, R, R)",
            NCVX_VERSION_STRING)
