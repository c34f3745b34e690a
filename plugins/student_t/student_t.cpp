// Heavy-tailed noise: Student's t with nu degrees of freedom,
//
//   y_i <- y_i + s t_i,   t_i = z_i / sqrt(c_i / nu),   z_i ~ N(0, 1),  c_i ~ chi^2_nu,
//
// s = `scale` (an absolute level, as gaussian_noise's deviation). nu <= 2 has
// infinite variance, nu <= 1 no mean; nu -> infinity is Gaussian noise. The
// chi-square variate is 2 Gamma(nu/2), drawn by Marsaglia and Tsang's method
// from the run's stream (shape < 1 by the boost Gamma(a) = Gamma(a+1) U^(1/a)).

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

/// Gamma(shape, 1) by Marsaglia & Tsang (2000).
double gamma(double shape, ncvx::RandomStream& random) {
  if (shape < 1.0) return gamma(shape + 1.0, random) * std::pow(random.uniform_positive(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = random.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = random.uniform_positive();
    if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

class StudentT final : public ncvx::Corruption {
 public:
  explicit StudentT(const ncvx::ParameterValues& values)
      : degrees_(values.real("degrees")), scale_(values.real("scale")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("degrees", 3.0, "nu, degrees of freedom (heavier tails when smaller)").above(0.0),
        ncvx::ParameterSpec::real("scale", 0.01, "s, the noise level").at_least(0.0),
    };
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream& random) const override {
    for (ncvx::Index i = 0; i < observations.size(); ++i) {
      const double z = random.normal();
      const double chi_square = 2.0 * gamma(0.5 * degrees_, random);
      observations(i) += scale_ * z / std::sqrt(chi_square / degrees_);
    }
  }

 private:
  double degrees_, scale_;
};

}  // namespace

NCVX_PLUGIN(StudentT, "student_t", "y <- y + s t, t Student-t with nu degrees of freedom", NCVX_VERSION_STRING)
