// The Huber loss, scaled as ncvx's squared loss:
//
//   l(r) = r^2 / 4                    for |r| <= delta,
//   l(r) = delta |r| / 2 - delta^2/4  beyond,              l'(r) = clamp(r, -delta, delta) / 2,
//
// continuous with its derivative at |r| = delta. Small residuals are fitted
// as by the squared loss (same step sizes), large ones (outliers) only
// linearly; delta -> infinity is the squared loss, delta -> 0 is (delta/2)|r|.

#include <ncvx/plugin.hpp>

namespace {

class HuberLoss final : public ncvx::Loss {
 public:
  explicit HuberLoss(const ncvx::ParameterValues& values) : delta_(values.real("delta")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("delta", 0.01, "residual size where the loss turns linear").above(0.0)};
  }

  double evaluate(ncvx::ConstVectorView residual, ncvx::VectorView derivative) const override {
    double value = 0.0;
    for (ncvx::Index i = 0; i < residual.size(); ++i) {
      const double r = residual(i), size = std::abs(r);
      if (size <= delta_) {
        value += 0.25 * r * r;
        derivative(i) = 0.5 * r;
      } else {
        value += 0.5 * delta_ * size - 0.25 * delta_ * delta_;
        derivative(i) = r > 0 ? 0.5 * delta_ : -0.5 * delta_;
      }
    }
    return value;
  }

 private:
  double delta_;
};

}  // namespace

NCVX_PLUGIN(HuberLoss, "huber", "Huber: r^2/4 up to |r| = delta, then linear (robust to outliers)",
            NCVX_VERSION_STRING)
