// A deep linear network: X = W_D W_{D-1} ... W_1 of depth D,
//
//   W_1 in R^{k x n2},   W_j in R^{k x k} (1 < j < D),   W_D in R^{n1 x k},
//
// k the method's width (depth 1: X = W_1 itself, n1 x n2, and the width is
// not used). Arora, Cohen, Hu & Luo (2019) show that gradient descent from a
// small start on such a product is biased to low rank more sharply as D
// grows. The product is lifted to thin factors and the chain rule is small
// dense algebra:
//
//   L = W_D ... W_2 (n1 x k),   R = W_1^T (n2 x k)     (depth 1: L = W_1, R = I),
//   grad_{W_1} = (G^T L)^T,
//   grad_{W_j} = S_j^T (G R) A_j^T,   S_j = W_D ... W_{j+1},  A_j = W_{j-1} ... W_2,
//
// with G = grad_X f, G R and G^T L from the operator's one pass. Cost beyond
// that pass: O(D n1 k^2).

#include <ncvx/plugin.hpp>

#include <fmt/format.h>

namespace {

using ncvx::Index;
using ncvx::Matrix;

class DeepProduct final : public ncvx::Factorization {
 public:
  explicit DeepProduct(const ncvx::ParameterValues& values) : depth_(values.integer("depth")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("depth", 3, "D: the number of factors of X = W_D ... W_1")
                .at_least(1)
                .at_most(64)};
  }

  ncvx::FactorShape shape(const ncvx::MatrixShape& problem, Index width) const override {
    ncvx::FactorShape shape{problem.rows, problem.cols, width, false, {}};
    if (depth_ == 1) {
      shape.blocks.push_back({problem.rows, problem.cols});
      return shape;
    }
    shape.blocks.push_back({width, problem.cols});
    for (Index j = 2; j < depth_; ++j) shape.blocks.push_back({width, width});
    shape.blocks.push_back({problem.rows, width});
    return shape;
  }

  std::string refuses(const ncvx::MatrixShape& problem, Index) const override {
    if (problem.is_tensor())
      return fmt::format("a deep product is a matrix and the problem is a {}; use cp (or uv on its unfolding)",
                         problem.describe());
    return {};
  }

  void lift(const ncvx::FactorSet& blocks, Matrix& left, Matrix& right) const override {
    const Index depth = static_cast<Index>(blocks.size());
    if (depth == 1) {
      left = blocks[0];
      right = Matrix::Identity(blocks[0].cols(), blocks[0].cols());
      return;
    }
    left = blocks[static_cast<std::size_t>(depth - 1)];
    for (Index j = depth - 2; j >= 1; --j) left = (left * blocks[static_cast<std::size_t>(j)]).eval();
    right = blocks[0].transpose();
  }

  void pull_back(const ncvx::FactorSet& blocks, const Matrix&, const Matrix&, const Matrix& left_product,
                 const Matrix& right_product, ncvx::FactorSet& gradient) const override {
    const auto depth = blocks.size();
    if (depth == 1) {
      gradient[0] = left_product;  // G R = G
      return;
    }
    gradient[0] = right_product.transpose();  // (G^T L)^T
    // suffix[j] = W_D ... W_{j+1} (0-based blocks: W_{j+1} is blocks[j]) for j = 1 .. depth - 2.
    std::vector<Matrix> suffix(depth);
    if (depth >= 3) {
      suffix[depth - 2] = blocks[depth - 1];
      for (std::size_t j = depth - 2; j-- > 1;) suffix[j] = suffix[j + 1] * blocks[j + 1];
    }
    const Index width = blocks[0].rows();
    Matrix prefix = Matrix::Identity(width, width);  // W_{j-1} ... W_2 for block j (1-based)
    for (std::size_t j = 1; j < depth; ++j) {
      const Matrix inner = left_product * prefix.transpose();  // (G R) A_j^T, n1 x k
      gradient[j] = j + 1 == depth ? inner : Matrix(suffix[j].transpose() * inner);
      prefix = (blocks[j] * prefix).eval();
    }
  }

 private:
  Index depth_;
};

}  // namespace

NCVX_PLUGIN(DeepProduct, "deep", "X = W_D ... W_1, a deep linear network of depth D and width k", NCVX_VERSION_STRING)
