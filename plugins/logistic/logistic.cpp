// The logistic loss of 1-bit observations y = +-1 (Davenport, Plan, van den
// Berg & Wootters 2014: the negative log-likelihood of y_i = sign(z_i + s e_i),
// e_i standard logistic, so P(y_i = 1) = sigma(z_i / s)):
//
//   l(z; y) = log(1 + exp(-y z / s)),     dl/dz = -(y / s) sigma(-y z / s),
//
// z = A(X) the prediction, s = `scale` the noise level (the one_bit
// corruption's `scale` with `noise: logistic`). Evaluated as softplus, stable
// for any z. Refuses observations other than +-1.

#include <cmath>

#include <ncvx/plugin.hpp>

#include "../common/signs.hpp"

namespace {

class LogisticLoss final : public ncvx::Loss {
 public:
  explicit LogisticLoss(const ncvx::ParameterValues& values) : scale_(values.real("scale")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("scale", 1.0, "s: the logistic noise level, P(y = 1) = sigma(z / s)").above(0.0)};
  }

  double evaluate_observed(ncvx::ConstVectorView residual, ncvx::ConstVectorView observations,
                           ncvx::VectorView derivative) const override {
    double value = 0.0;
    for (ncvx::Index i = 0; i < residual.size(); ++i) {
      const double y = observations(i), z = residual(i) + y;
      const double t = -y * z / scale_;                              // l = softplus(t)
      value += std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t)));
      const double sigma = t >= 0 ? 1.0 / (1.0 + std::exp(-t)) : std::exp(t) / (1.0 + std::exp(t));
      derivative(i) = -(y / scale_) * sigma;
    }
    return value;
  }

  std::string refuses(ncvx::ConstVectorView observations) const override {
    return ncvx::signs::refuse_unless_signs(observations, "logistic", "turn the measurements into signs with the one_bit corruption");
  }

 private:
  double scale_;
};

}  // namespace

NCVX_PLUGIN(LogisticLoss, "logistic",
            "1-bit likelihood l(z; y) = log(1 + exp(-y z / s)) for y = +-1 (Davenport et al. 2014)",
            NCVX_VERSION_STRING)
