// The squared loss l(r) = r^2 / 4, l'(r) = r / 2: with it the core's
// objective is exactly f(U) = 1/4 |A(U U^T) - y|^2 and grad f(U) = A*(r) U
// (docs/theory.md §3).

#include <ncvx/plugin.hpp>

namespace {

class SquaredLoss final : public ncvx::Loss {
 public:
  explicit SquaredLoss(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  double evaluate(ncvx::ConstVectorView residual, ncvx::VectorView derivative) const override {
    derivative = 0.5 * residual;
    return 0.25 * residual.squaredNorm();
  }
};

}  // namespace

NCVX_PLUGIN(SquaredLoss, "squared", "l(r) = r^2/4, so f(U) = 1/4 |A(UU^T) - y|^2",
            NCVX_VERSION_STRING)
