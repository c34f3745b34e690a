// Additive Gaussian noise on the observations:
//
//   y_i <- y_i + s xi_i,   xi_i ~ N(0, 1) i.i.d.,   s = `deviation`.
//
// The same as low_rank_psd's `noise`, as a stage of its own (any problem, any
// order with other corruptions). With the built-in normalizations y_i is of
// order |X*|_F / sqrt(m), so s is an absolute level, not relative to y.

#include <ncvx/plugin.hpp>

namespace {

class GaussianNoise final : public ncvx::Corruption {
 public:
  explicit GaussianNoise(const ncvx::ParameterValues& values) : deviation_(values.real("deviation")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("deviation", 0.01, "standard deviation s of the noise").at_least(0.0)};
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream& random) const override {
    ncvx::Vector xi(observations.size());
    random.fill_normal(xi);
    observations += deviation_ * xi;
  }

 private:
  double deviation_;
};

}  // namespace

NCVX_PLUGIN(GaussianNoise, "gaussian_noise", "y <- y + s xi, xi ~ N(0, I)", NCVX_VERSION_STRING)
