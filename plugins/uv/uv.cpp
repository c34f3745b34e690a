// X = U V^T, U in R^{n1 x k}, V in R^{n2 x k}: the asymmetric factorization
// (every rectangular problem's default; a symmetric problem may use it too).
// Direct: the operator evaluates {U, V} and its adjoint products are the
// gradient,
//
//   L = U, R = V,   grad_U = G V,   grad_V = G^T U.

#include <ncvx/plugin.hpp>

namespace {

class AsymmetricProduct final : public ncvx::Factorization {
 public:
  explicit AsymmetricProduct(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  ncvx::FactorShape shape(const ncvx::MatrixShape& problem, ncvx::Index width) const override {
    return {problem.rows, problem.cols, width, false, {}};
  }
  bool direct() const override { return true; }

  void lift(const ncvx::FactorSet& blocks, ncvx::Matrix& left, ncvx::Matrix& right) const override {
    left = blocks.left();
    right = blocks.right();
  }
  void pull_back(const ncvx::FactorSet&, const ncvx::Matrix&, const ncvx::Matrix&, const ncvx::Matrix& left_product,
                 const ncvx::Matrix& right_product, ncvx::FactorSet& gradient) const override {
    gradient.left() = left_product;
    gradient.right() = right_product;
  }
};

}  // namespace

NCVX_PLUGIN(AsymmetricProduct, "uv", "X = U V^T (rectangular problems; the default there)", NCVX_VERSION_STRING)
