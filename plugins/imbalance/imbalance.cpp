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
//
// For a deep product X = W_D ... W_1 (the `deep` factorization, read from the
// metric context's blocks) the same quantity between adjacent layers,
//
//   imbalance = max_j |W_{j+1}^T W_{j+1} - W_j W_j^T|_F,
//
// which gradient flow conserves too and whose smallness at the start is
// Arora et al.'s balanced initialization. NaN for other factorizations (cp).

#include <algorithm>
#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class Imbalance final : public ncvx::Metric {
 public:
  explicit Imbalance(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  std::vector<std::string> columns() const override { return {"imbalance"}; }
  std::vector<std::string> summary_columns() const override { return {"max_imbalance"}; }
  bool observes_every_iteration() const override { return true; }

  void evaluate(const ncvx::MetricContext& context, double* values) override { values[0] = of(context); }
  void observe(const ncvx::MetricContext& context) override { largest_ = std::max(largest_, of(context)); }
  void summarize(const ncvx::MetricContext&, double* values) override { values[0] = largest_; }

 private:
  static double of(const ncvx::MetricContext& context) {
    if (context.blocks && context.blocks->general()) return of_layers(*context.blocks);
    return of(context.factors);
  }

  /// max_j |W_{j+1}^T W_{j+1} - W_j W_j^T|_F over a chain of layers (blocks[j] = W_{j+1}); NaN if not a chain.
  static double of_layers(const ncvx::FactorSet& blocks) {
    double largest = blocks.size() == 1 ? 0.0 : -1.0;
    for (std::size_t j = 0; j + 1 < blocks.size(); ++j) {
      const ncvx::Matrix& lower = blocks[j];
      const ncvx::Matrix& upper = blocks[j + 1];
      if (upper.cols() != lower.rows()) return std::nan("");
      largest = std::max(largest, (upper.transpose() * upper - lower * lower.transpose()).norm());
    }
    return largest;
  }

  static double of(const ncvx::FactorSet& factors) {
    if (factors.symmetric()) return 0.0;
    return (factors.left().transpose() * factors.left() - factors.right().transpose() * factors.right()).norm();
  }

  double largest_ = 0.0;
};

}  // namespace

NCVX_PLUGIN(Imbalance, "imbalance", "|U^T U - V^T V|_F (implicit balancing of X = U V^T), and its maximum",
            NCVX_VERSION_STRING)
