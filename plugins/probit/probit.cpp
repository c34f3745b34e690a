// The probit loss of 1-bit observations y = +-1: the negative log-likelihood
// of y_i = sign(z_i + s e_i) with e_i ~ N(0, 1), so P(y_i = 1) = Phi(z_i / s)
// (the one_bit corruption with `noise: gaussian`; Davenport, Plan, van den
// Berg & Wootters 2014 treat both links):
//
//   l(z; y) = -log Phi(t),   dl/dz = -(y / s) phi(t) / Phi(t),   t = y z / s.
//
// Phi(t) = erfc(-t / sqrt 2) / 2 down to t = -20; below, the asymptotic
// series of Mills' ratio, log Phi(t) = -t^2/2 - log(-t sqrt(2 pi)) +
// log(1 - 1/t^2 + 3/t^4), so the value and slope stay finite for any z.
// Refuses observations other than +-1.

#include <cmath>

#include <ncvx/plugin.hpp>

#include "../common/signs.hpp"

namespace {

class ProbitLoss final : public ncvx::Loss {
 public:
  explicit ProbitLoss(const ncvx::ParameterValues& values) : scale_(values.real("scale")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("scale", 1.0, "s: the Gaussian noise level, P(y = 1) = Phi(z / s)").above(0.0)};
  }

  double evaluate_observed(ncvx::ConstVectorView residual, ncvx::ConstVectorView observations,
                           ncvx::VectorView derivative) const override {
    double value = 0.0;
    for (ncvx::Index i = 0; i < residual.size(); ++i) {
      const double y = observations(i), t = y * (residual(i) + y) / scale_;
      double log_phi, ratio;  // log Phi(t) and phi(t) / Phi(t)
      if (t > -20) {
        const double Phi = 0.5 * std::erfc(-t / std::sqrt(2.0));
        log_phi = std::log(Phi);
        ratio = std::exp(-0.5 * t * t) / std::sqrt(2 * M_PI) / Phi;
      } else {
        const double u = 1.0 / (t * t), series = 1.0 - u + 3.0 * u * u;
        log_phi = -0.5 * t * t - std::log(-t * std::sqrt(2 * M_PI)) + std::log(series);
        ratio = -t / series;
      }
      value -= log_phi;
      derivative(i) = -(y / scale_) * ratio;
    }
    return value;
  }

  std::string refuses(ncvx::ConstVectorView observations) const override {
    return ncvx::signs::refuse_unless_signs(observations, "probit", "turn the measurements into signs with the one_bit corruption (noise: gaussian)");
  }

 private:
  double scale_;
};

}  // namespace

NCVX_PLUGIN(ProbitLoss, "probit", "1-bit likelihood l(z; y) = -log Phi(y z / s) for y = +-1 (Gaussian noise)",
            NCVX_VERSION_STRING)
