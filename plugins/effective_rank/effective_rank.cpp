// Effective rank of U_t U_t^T: exp of the entropy of its normalized
// singular values, p_i = s_i / sum_j s_j (docs/theory.md §5). Equals r for
// r equal nonzero singular values; near 1 when one direction dominates.

#include <ncvx/diagnostics.hpp>
#include <ncvx/plugin.hpp>

namespace {

class EffectiveRank final : public ncvx::Metric {
 public:
  explicit EffectiveRank(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }
  std::vector<std::string> columns() const override { return {"effective_rank"}; }
  void evaluate(const ncvx::MetricContext& context, double* values) override {
    values[0] = ncvx::effective_rank(context.factors);
  }
};

}  // namespace

NCVX_PLUGIN(EffectiveRank, "effective_rank",
            "exp(entropy of the normalized singular values of U U^T)", NCVX_VERSION_STRING)
