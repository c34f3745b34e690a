// X = U U^T, U in R^{n x k}: the symmetric factorization of a symmetric
// problem. Its factor set is handed to the operator as it is (direct), so the
// objective's gradient is 2 A*(l'(r)) U in one fused pass; lift and the chain
// rule below serve the conformance kit and anyone composing products:
//
//   L = R = U,   grad_U = G R + G^T L   (= 2 G U for a symmetric G).

#include <ncvx/plugin.hpp>

#include <fmt/format.h>

namespace {

class SymmetricProduct final : public ncvx::Factorization {
 public:
  explicit SymmetricProduct(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  ncvx::FactorShape shape(const ncvx::MatrixShape& problem, ncvx::Index width) const override {
    return {problem.rows, problem.cols, width, true, {}};
  }
  std::string refuses(const ncvx::MatrixShape& problem, ncvx::Index) const override {
    if (!problem.symmetric)
      return fmt::format("X = U U^T is symmetric and the problem is a {}; use uv", problem.describe());
    return {};
  }
  bool direct() const override { return true; }

  void lift(const ncvx::FactorSet& blocks, ncvx::Matrix& left, ncvx::Matrix& right) const override {
    left = blocks.left();
    right = blocks.left();
  }
  void pull_back(const ncvx::FactorSet&, const ncvx::Matrix&, const ncvx::Matrix&, const ncvx::Matrix& left_product,
                 const ncvx::Matrix& right_product, ncvx::FactorSet& gradient) const override {
    gradient.left() = left_product + right_product;
  }
};

}  // namespace

NCVX_PLUGIN(SymmetricProduct, "uu", "X = U U^T (symmetric problems; the default there)", NCVX_VERSION_STRING)
