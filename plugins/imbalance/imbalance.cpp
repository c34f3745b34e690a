// The imbalance of an asymmetric factorization X = U V^T,
//
//   imbalance = |U^T U - V^T V|_F,
//
// which gradient flow conserves exactly (d/dt U^T U = d/dt V^T V) and gradient
// descent from a small start keeps small (Soltanolkotabi, Stöger & Xie, COLT
// 2023: implicit balancing): the factors then grow together, as the
// symmetric U U^T does. Column `imbalance` at every logged iteration and the
// summary column `max_imbalance` over every iteration (0 for X = U U^T).
// Cost O((n1 + n2) k^2) per iteration.

#include <algorithm>

#include <ncvx/plugin.hpp>

namespace {

class Imbalance final : public ncvx::Metric {
 public:
  explicit Imbalance(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  std::vector<std::string> columns() const override { return {"imbalance"}; }
  std::vector<std::string> summary_columns() const override { return {"max_imbalance"}; }
  bool observes_every_iteration() const override { return true; }

  void evaluate(const ncvx::MetricContext& context, double* values) override { values[0] = of(context.factors); }
  void observe(const ncvx::MetricContext& context) override { largest_ = std::max(largest_, of(context.factors)); }
  void summarize(const ncvx::MetricContext&, double* values) override { values[0] = largest_; }

 private:
  static double of(const ncvx::FactorSet& factors) {
    if (factors.symmetric()) return 0.0;
    return (factors.left().transpose() * factors.left() - factors.right().transpose() * factors.right()).norm();
  }

  double largest_ = 0.0;
};

}  // namespace

NCVX_PLUGIN(Imbalance, "imbalance", "|U^T U - V^T V|_F (implicit balancing of X = U V^T), and its maximum",
            NCVX_VERSION_STRING)
