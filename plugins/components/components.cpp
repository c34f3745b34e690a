// Incremental learning: how much of each component of X* the fit has learned
// (Jin, Li, Lyu, Du & Lee, ICML 2023: from a small start, gradient descent
// learns the components of X* one at a time, largest first),
//
//   X* = sum_i sigma_i p_i q_i^T,    learned_i(t) = p_i^T X_t q_i / sigma_i,
//
// 0 when X_t has nothing along the component, 1 when it has all of it.
// Columns learned_1 .. learned_c (c = `count`; NaN beyond the rank of X*) at
// logged iterations, and per run learned_iteration_i: the first iteration
// at which learned_i >= `threshold` (checked at every iteration; cost
// O((n1 + n2) k c) each). Needs a ground truth.

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;

class Components final : public ncvx::Metric {
 public:
  explicit Components(const ncvx::ParameterValues& values)
      : count_(values.integer("count")), threshold_(values.real("threshold")), reached_(count_, std::nan("")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("count", 3, "c: the components followed (the largest c)").at_least(1).at_most(100),
            ncvx::ParameterSpec::real("threshold", 0.9, "learned_iteration_i: first t with learned_i >= threshold")
                .above(0.0)};
  }

  std::vector<std::string> columns() const override { return named("learned_"); }
  std::vector<std::string> summary_columns() const override { return named("learned_iteration_"); }
  bool observes_every_iteration() const override { return true; }

  void evaluate(const ncvx::MetricContext& context, double* values) override { learned(context, values); }

  void observe(const ncvx::MetricContext& context) override {
    std::vector<double> values(static_cast<std::size_t>(count_));
    learned(context, values.data());
    for (std::size_t i = 0; i < values.size(); ++i)
      if (std::isnan(reached_[i]) && values[i] >= threshold_) reached_[i] = static_cast<double>(context.iteration);
  }

  void summarize(const ncvx::MetricContext&, double* values) override {
    for (std::size_t i = 0; i < reached_.size(); ++i) values[i] = reached_[i];
  }

 private:
  std::vector<std::string> named(const char* prefix) const {
    std::vector<std::string> names;
    for (Index i = 1; i <= count_; ++i) names.push_back(fmt::format("{}{}", prefix, i));
    return names;
  }

  /// p_i^T U V^T q_i / sigma_i = <U^T p_i, V^T q_i> / sigma_i.
  void learned(const ncvx::MetricContext& context, double* values) const {
    if (!context.instance.has_ground_truth())
      throw std::invalid_argument("metric components needs a ground truth X*; this problem has none");
    const ncvx::GroundTruth& truth = context.instance.ground_truth();
    const ncvx::Matrix left = context.factors.left().transpose() * truth.left();
    const ncvx::Matrix right = context.factors.right().transpose() * truth.right();
    for (Index i = 0; i < count_; ++i)
      values[i] = i < truth.rank() ? left.col(i).dot(right.col(i)) / truth.values()(i) : std::nan("");
  }

  Index count_;
  double threshold_;
  std::vector<double> reached_;
};

}  // namespace

NCVX_PLUGIN(Components, "components",
            "learned_i = p_i^T X q_i / sigma_i per component of X* (incremental learning), and when each is learned",
            NCVX_VERSION_STRING)
