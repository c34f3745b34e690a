// Count data from the measurements (Poisson matrix completion, e.g. Cao &
// Xie 2016): with the log link,
//
//   y_i <- Poisson(exp(y_i)),
//
// the clean measurement z_i = A(X*)_i being the log-intensity; the poisson
// loss is the likelihood of the result. Drawn by inversion for intensities
// below 30 and by Hormann's transformed rejection (PTRS, 1993) above, from
// the corruption's stream, so the counts are reproducible.

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class Counts final : public ncvx::Corruption {
 public:
  explicit Counts(const ncvx::ParameterValues& values) : largest_(values.real("largest_rate")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("largest_rate", 1e6,
                                      "intensities exp(z) above this are refused (a mis-scaled X*)")
                .above(0.0)};
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream& random) const override {
    for (ncvx::Index i = 0; i < observations.size(); ++i) {
      const double rate = std::exp(observations(i));
      if (!(rate <= largest_))
        throw std::invalid_argument("the intensity exp(z) = " + std::to_string(rate) +
                                    " exceeds largest_rate; scale X* down (its entries are log-intensities)");
      observations(i) = draw(rate, random);
    }
  }

 private:
  static double draw(double rate, ncvx::RandomStream& random) {
    if (rate < 30) {  // inversion: the first k with P(K <= k) >= u
      const double u = random.uniform();
      double k = 0, probability = std::exp(-rate), cumulative = probability;
      while (cumulative < u && k < 1000) {
        k += 1;
        probability *= rate / k;
        cumulative += probability;
      }
      return k;
    }
    // PTRS: W. Hormann, "The transformed rejection method for generating Poisson random variables" (1993).
    const double slam = std::sqrt(rate), loglam = std::log(rate);
    const double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b, inverse_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
      const double u = random.uniform() - 0.5, v = random.uniform(), us = 0.5 - std::abs(u);
      const double k = std::floor((2 * a / us + b) * u + rate + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <= -rate + k * loglam - std::lgamma(k + 1))
        return k;
    }
  }

  double largest_;
};

}  // namespace

NCVX_PLUGIN(Counts, "counts", "count data: y <- Poisson(exp(y)) (log link)", NCVX_VERSION_STRING)
