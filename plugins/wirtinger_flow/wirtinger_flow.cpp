// Wirtinger flow (Candès, Li & Soltanolkotabi, IEEE Trans. Inf. Theory 2015),
// real case: gradient descent on f(z) = 1/(4m) sum_i ((a_i^T z)^2 - y_i)^2
// with a step that warms up and is relative to the size of the start,
//
//   z_{t+1} = z_t - mu_t / |z_0|^2 grad f(z_t),   mu_t = min(1 - exp(-(t+1) / t_0), mu_max),
//
// (t_0 = `warmup`, mu_max = `max_step`; the paper's t_0 ~ 330 and mu_max = 0.2
// are the defaults, and from the start the paper prescribes, |z_0|^2 =
// n sum y / sum |a_i|^2 (truncated_spectral's norm: mean), they recover x on
// real Gaussian data as an independent implementation does:
// configs/methods/wirtinger_flow.yaml). With ncvx's rank_one model,
// A(X)_i = a_i^T X a_i / sqrt(m) and f = 1/4 |A(z z^T) - y|^2, the gradient the
// core composes, A*(r) z = 1/m sum_i ((a_i^T z)^2 - y'_i) (a_i^T z) a_i (y' the
// unnormalized squares), is exactly the paper's, so the step means the same.
// For X = U V^T, |z_0|^2 is the mean (|U_0|_F^2 + |V_0|_F^2) / 2, which like
// |z_0|^2 = |x x^T| estimates sigma_1(X*).

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class WirtingerFlow final : public ncvx::Optimizer {
 public:
  explicit WirtingerFlow(const ncvx::ParameterValues& values)
      : max_step_(values.real("max_step")), warmup_(values.real("warmup")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("max_step", 0.2, "mu_max: the step after the warm-up, relative to |z_0|^2")
                .above(0.0),
            ncvx::ParameterSpec::real("warmup", 330.0, "t_0 of mu_t = min(1 - exp(-(t+1)/t_0), mu_max); 0: none")
                .at_least(0.0)};
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0 || !(start_norm_squared_ > 0))
      start_norm_squared_ = factors.squared_norm() / static_cast<double>(factors.size());
    const double t = static_cast<double>(iteration + 1);
    const double mu = warmup_ > 0 ? std::min(1.0 - std::exp(-t / warmup_), max_step_) : max_step_;
    objective.value_and_gradient(factors, gradient_);
    factors -= (start_norm_squared_ > 0 ? mu / start_norm_squared_ : mu) * gradient_;
  }

 private:
  double max_step_, warmup_;
  double start_norm_squared_ = 0.0;
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(WirtingerFlow, "wirtinger_flow",
            "Wirtinger flow: z <- z - mu_t / |z_0|^2 grad f(z), mu_t = min(1 - exp(-t/t_0), mu_max)",
            NCVX_VERSION_STRING)
