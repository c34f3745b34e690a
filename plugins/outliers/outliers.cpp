// Sparse outliers: a fraction of the observations replaced by large values.
//
//   O = a set of round(fraction m) indices, uniform without replacement,
//   y_i <- magnitude * rms(y) * z_i   for i in O,
//
// with rms(y) = |y| / sqrt(m) the size of a clean observation and z_i from
// `distribution`: gaussian N(0, 1), uniform on [-1, 1], or sign (+-1 with
// equal probability). The rest of y is untouched, so a robust loss (l1,
// huber) can ignore the outliers where the squared loss cannot.

#include <cmath>
#include <numeric>

#include <ncvx/plugin.hpp>

namespace {

class Outliers final : public ncvx::Corruption {
 public:
  explicit Outliers(const ncvx::ParameterValues& values)
      : fraction_(values.real("fraction")),
        magnitude_(values.real("magnitude")),
        distribution_(values.choice("distribution")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("fraction", 0.1, "fraction of the observations replaced").at_least(0.0).at_most(1.0),
        ncvx::ParameterSpec::real("magnitude", 10.0, "outlier size in units of rms(y)").at_least(0.0),
        ncvx::ParameterSpec::choice("distribution", "gaussian", {"gaussian", "uniform", "sign"},
                                    "z: N(0, 1), uniform on [-1, 1], or +-1"),
    };
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream& random) const override {
    const auto m = static_cast<std::size_t>(observations.size());
    if (m == 0) return;
    const double size = magnitude_ * observations.norm() / std::sqrt(static_cast<double>(m));
    const auto count = static_cast<std::size_t>(std::llround(fraction_ * static_cast<double>(m)));
    // A partial Fisher-Yates shuffle: the first `count` indices are the outliers.
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < count; ++i) {
      const auto j = i + static_cast<std::size_t>(random.uniform() * static_cast<double>(m - i));
      std::swap(order[i], order[std::min(j, m - 1)]);
      const double z = distribution_ == "gaussian" ? random.normal()
                       : distribution_ == "uniform" ? 2.0 * random.uniform() - 1.0
                                                    : (random.uniform() < 0.5 ? -1.0 : 1.0);
      observations(static_cast<ncvx::Index>(order[i])) = size * z;
    }
  }

 private:
  double fraction_, magnitude_;
  std::string distribution_;
};

}  // namespace

NCVX_PLUGIN(Outliers, "outliers",
            "a fraction of y replaced by magnitude * rms(y) * z, z Gaussian, uniform or +-1", NCVX_VERSION_STRING)
