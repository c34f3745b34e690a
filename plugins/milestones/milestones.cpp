// Milestones of the test error: the first iteration at which
//
//   test_error = |X_t - X*|_F / |X*|_F <= epsilon,   for each epsilon in `thresholds`,
//
// checked at every iteration (not only the logged ones), one summary.csv
// column each: iterations_to_1e-02, iterations_to_1e-05, ... (NaN: never
// reached). This is how the iteration counts of the literature are stated
// ("iterations to reach 1e-10 relative error", ScaledGD against GD over the
// condition number) without stopping the run at the first threshold. Needs a
// ground truth; cost O((n1 + n2)(k + r)^2) per iteration.

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <ncvx/plugin.hpp>

namespace {

class Milestones final : public ncvx::Metric {
 public:
  explicit Milestones(const ncvx::ParameterValues& values)
      : thresholds_(values.real_list("thresholds")), reached_(thresholds_.size(), std::nan("")) {
    for (double threshold : thresholds_)
      if (!(threshold > 0)) throw std::invalid_argument("milestones: every threshold must be positive");
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real_list("thresholds", {1e-2, 1e-5, 1e-10}, "test-error levels epsilon")};
  }

  std::vector<std::string> columns() const override { return {}; }
  void evaluate(const ncvx::MetricContext&, double*) override {}

  std::vector<std::string> summary_columns() const override {
    std::vector<std::string> names;
    for (double threshold : thresholds_) names.push_back("iterations_to_" + label(threshold));
    return names;
  }
  bool observes_every_iteration() const override { return true; }

  void observe(const ncvx::MetricContext& context) override {
    if (!context.instance.has_ground_truth())
      throw std::invalid_argument("metric milestones needs a ground truth X*; this problem has none");
    bool pending = false;
    for (double value : reached_) pending = pending || std::isnan(value);
    if (!pending) return;
    const double error = context.instance.test_error(context.factors);
    for (std::size_t i = 0; i < thresholds_.size(); ++i)
      if (std::isnan(reached_[i]) && error <= thresholds_[i]) reached_[i] = static_cast<double>(context.iteration);
  }

  void summarize(const ncvx::MetricContext&, double* values) override {
    for (std::size_t i = 0; i < reached_.size(); ++i) values[i] = reached_[i];
  }

 private:
  /// 1e-10 -> "1e-10", 0.001 -> "1e-03", 0.05 -> "5e-02".
  static std::string label(double threshold) { return fmt::format("{:.0e}", threshold); }

  std::vector<double> thresholds_;
  std::vector<double> reached_;
};

}  // namespace

NCVX_PLUGIN(Milestones, "milestones",
            "iterations_to_<epsilon>: the first iteration with test_error <= epsilon, for each threshold",
            NCVX_VERSION_STRING)
