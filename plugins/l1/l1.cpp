// The absolute (l1) loss:
//
//   l(r) = |r|,   l'(r) = sign(r)   (0 at r = 0),
//
// so f(U) = |A(X) - y|_1, whose subgradient the core composes as
// 2 A*(sign(r)) U (X = U U^T). Robust to sparse outliers: a few large
// residuals move f linearly, not quadratically. Pair it with an optimizer
// whose steps decay (the subgradient does not vanish at the solution).

#include <ncvx/plugin.hpp>

namespace {

class AbsoluteLoss final : public ncvx::Loss {
 public:
  explicit AbsoluteLoss(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  double evaluate(ncvx::ConstVectorView residual, ncvx::VectorView derivative) const override {
    derivative = residual.array().sign();
    return residual.lpNorm<1>();
  }
};

}  // namespace

NCVX_PLUGIN(AbsoluteLoss, "l1", "l(r) = |r|, so f = |A(X) - y|_1 (robust to outliers)", NCVX_VERSION_STRING)
