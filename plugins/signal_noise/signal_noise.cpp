// The signal / noise split of docs/theory.md §5 (ncvx/diagnostics.hpp):
//
//   signal     sigma_min(V_X^T U_t)
//   noise      |U_t W_perp|              (spectral norm)
//   alignment  |V_{X perp}^T V_{U_t W_t}| (sine of the largest principal angle)
//   factor_norm |U_t|                    (spectral norm)
//
// V_X holds the eigenvectors of X* (its left singular vectors P, with U the
// left factor, for X = U V^T). Cost per logged iteration O(n k^2 + k^3).

#include <ncvx/diagnostics.hpp>
#include <ncvx/plugin.hpp>

namespace {

class SignalNoiseMetric final : public ncvx::Metric {
 public:
  explicit SignalNoiseMetric(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  std::vector<std::string> columns() const override {
    return {"signal", "noise", "alignment", "factor_norm"};
  }

  void evaluate(const ncvx::MetricContext& context, double* values) override {
    const ncvx::Matrix& U = context.factors.left();
    const ncvx::SignalNoise split = ncvx::signal_noise(context.instance.ground_truth().left(), U);
    values[0] = split.signal;
    values[1] = split.noise;
    values[2] = split.alignment;
    values[3] = ncvx::spectral_norm(U);
  }
};

}  // namespace

NCVX_PLUGIN(SignalNoiseMetric, "signal_noise",
            "signal sigma_min(V_X^T U), noise |U W_perp|, alignment, |U| (docs/theory.md §5)",
            NCVX_VERSION_STRING)
