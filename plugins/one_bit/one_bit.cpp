// 1-bit quantization of the observations (Davenport, Plan, van den Berg &
// Wootters 2014):
//
//   y_i <- sign(y_i + s e_i),   e_i i.i.d. standard logistic (or N(0, 1)),
//
// so P(y_i = 1) = sigma(z_i / s) for the clean measurement z_i = A(X*)_i
// (probit: Phi(z_i / s)); s = `scale`, and s = 0 keeps the bare signs
// (sign(0) = +1). The logistic loss with the same scale is the likelihood of
// the result.

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class OneBit final : public ncvx::Corruption {
 public:
  explicit OneBit(const ncvx::ParameterValues& values)
      : scale_(values.real("scale")), noise_(values.choice("noise")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("scale", 1.0, "s: the noise level before the sign (0: none)").at_least(0.0),
            ncvx::ParameterSpec::choice("noise", "logistic", {"logistic", "gaussian"},
                                        "e: standard logistic (the logistic loss's model) or N(0, 1) (probit)")};
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream& random) const override {
    for (ncvx::Index i = 0; i < observations.size(); ++i) {
      double noise = 0.0;
      if (noise_ == "logistic") {
        const double u = random.uniform_positive();  // in (0, 1]
        noise = u < 1.0 ? std::log(u / (1.0 - u)) : 40.0;
      } else {
        noise = random.normal();
      }
      observations(i) = observations(i) + scale_ * noise >= 0 ? 1.0 : -1.0;
    }
  }

 private:
  double scale_;
  std::string noise_;
};

}  // namespace

NCVX_PLUGIN(OneBit, "one_bit", "1-bit data: y <- sign(y + s e), e logistic or Gaussian", NCVX_VERSION_STRING)
