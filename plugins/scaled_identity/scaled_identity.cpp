// A deterministic start at a multiple of the identity:
//
//   U_0 = scale * I_{n1 x k},   V_0 = scale * I_{n2 x k}   (X = U V^T),
//
// the first min(n, k) diagonal entries equal to `scale`, the rest zero. In
// the X-scale convention X_0 = U_0 U_0^T = alpha I (k >= n) of some published
// experiments, scale = sqrt(alpha). No randomness: every seed starts alike.

#include <ncvx/plugin.hpp>

namespace {

class ScaledIdentity final : public ncvx::Initializer {
 public:
  explicit ScaledIdentity(const ncvx::ParameterValues& values) : scale_(values.real("scale")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("scale", 1e-3, "U_0 = scale I (sqrt(alpha) for X_0 = alpha I)").above(0.0)};
  }

  ncvx::FactorSet initialize(const ncvx::InitializationData&, const ncvx::FactorShape& shape,
                             ncvx::RandomStream&) const override {
    ncvx::Matrix U = scale_ * ncvx::Matrix::Identity(shape.rows, shape.width);
    if (shape.symmetric) return ncvx::FactorSet(std::move(U));
    return ncvx::FactorSet(std::move(U), scale_ * ncvx::Matrix::Identity(shape.cols, shape.width));
  }

 private:
  double scale_;
};

}  // namespace

NCVX_PLUGIN(ScaledIdentity, "scaled_identity", "U_0 = scale I (V_0 = scale I): X_0 = scale^2 I",
            NCVX_VERSION_STRING)
