// The Poisson loss of counts y >= 0 with the log link: the negative
// log-likelihood of y_i ~ Poisson(exp(z_i)), up to the constant log(y_i!),
//
//   l(z; y) = exp(z) - y z,     dl/dz = exp(z) - y,
//
// z = A(X) the prediction (the log-intensity). Its minimum over z is at
// z = log y, where it is y - y log y (negative for y > e): the objective is
// negative by nature, which the divergence rule allows (growth is measured
// from the start). Counts of 0 push z to -infinity, so an unconstrained fit
// of sparse counts can grow without bound: bound the factors' rows
// (gd's `row_norm_bound`). Refuses negative or fractional observations.

#include <cmath>

#include <fmt/format.h>
#include <ncvx/plugin.hpp>

namespace {

class PoissonLoss final : public ncvx::Loss {
 public:
  explicit PoissonLoss(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  double evaluate_observed(ncvx::ConstVectorView residual, ncvx::ConstVectorView observations,
                           ncvx::VectorView derivative) const override {
    double value = 0.0;
    for (ncvx::Index i = 0; i < residual.size(); ++i) {
      const double y = observations(i), z = residual(i) + y, rate = std::exp(z);
      value += rate - y * z;
      derivative(i) = rate - y;
    }
    return value;
  }

  std::string refuses(ncvx::ConstVectorView observations) const override {
    for (ncvx::Index i = 0; i < observations.size(); ++i)
      if (!(observations(i) >= 0) || observations(i) != std::floor(observations(i)))
        return fmt::format("the Poisson loss fits counts (integers >= 0) and y_{} = {:.6g}; draw counts from "
                           "the measurements with the counts corruption",
                           i + 1, observations(i));
    return {};
  }
};

}  // namespace

NCVX_PLUGIN(PoissonLoss, "poisson", "Poisson likelihood l(z; y) = exp(z) - y z of counts y (log link)",
            NCVX_VERSION_STRING)
