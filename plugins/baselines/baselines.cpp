// The baselines a completion of held-out data is judged against, computed
// from the observed entries alone and scored on the held-out ones, as
// summary.csv columns (constant over the run):
//
//   mean_rmse        predict every held-out entry by the mean observed value
//   row_mean_rmse    by its row's mean observed value (a user's mean rating;
//                    the overall mean for a row with no observation)
//   column_mean_rmse by its column's mean observed value (an item's mean)
//
// The values are those the problem observed (a centered ratings problem
// subtracted the mean, so mean_rmse is then the RMSE of the mean rating).
// A fit that does not beat row_mean_rmse has learned nothing beyond each
// user's habits. Without observed and held-out entries (a generated
// problem) the columns are NaN. O(|observed| + |held out| + n1 + n2), once
// per run.

#include <cmath>
#include <stdexcept>
#include <vector>

#include <ncvx/plugin.hpp>

namespace {

class Baselines final : public ncvx::Metric {
 public:
  explicit Baselines(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }

  std::vector<std::string> columns() const override { return {}; }
  void evaluate(const ncvx::MetricContext&, double*) override {}
  std::vector<std::string> summary_columns() const override {
    return {"mean_rmse", "row_mean_rmse", "column_mean_rmse"};
  }

  void summarize(const ncvx::MetricContext& context, double* values) override {
    const auto& observed = context.instance.observed();
    const auto& heldout = context.instance.heldout();
    if (!observed || !heldout || heldout->size() == 0) {  // nothing to score on: no value
      for (int c = 0; c < 3; ++c) values[c] = std::nan("");
      return;
    }
    const ncvx::MatrixShape shape = context.instance.shape();
    std::vector<double> row_sum(static_cast<std::size_t>(shape.rows), 0.0), column_sum(static_cast<std::size_t>(shape.cols), 0.0);
    std::vector<double> row_count(row_sum.size(), 0.0), column_count(column_sum.size(), 0.0);
    double sum = 0.0;
    for (std::size_t e = 0; e < observed->size(); ++e) {
      const auto i = static_cast<std::size_t>(observed->rows[e]), j = static_cast<std::size_t>(observed->columns[e]);
      row_sum[i] += observed->values[e];
      row_count[i] += 1;
      column_sum[j] += observed->values[e];
      column_count[j] += 1;
      sum += observed->values[e];
    }
    const double mean = observed->size() ? sum / static_cast<double>(observed->size()) : 0.0;
    double overall = 0.0, by_row = 0.0, by_column = 0.0;
    for (std::size_t e = 0; e < heldout->size(); ++e) {
      const auto i = static_cast<std::size_t>(heldout->rows[e]), j = static_cast<std::size_t>(heldout->columns[e]);
      const double value = heldout->values[e];
      const double row_mean = row_count[i] > 0 ? row_sum[i] / row_count[i] : mean;
      const double column_mean = column_count[j] > 0 ? column_sum[j] / column_count[j] : mean;
      overall += (value - mean) * (value - mean);
      by_row += (value - row_mean) * (value - row_mean);
      by_column += (value - column_mean) * (value - column_mean);
    }
    const double count = static_cast<double>(heldout->size());
    values[0] = std::sqrt(overall / count);
    values[1] = std::sqrt(by_row / count);
    values[2] = std::sqrt(by_column / count);
  }
};

}  // namespace

NCVX_PLUGIN(Baselines, "baselines",
            "held-out RMSE of the mean, each row's mean and each column's mean of the observed entries "
            "(summary columns mean_rmse, row_mean_rmse, column_mean_rmse)",
            NCVX_VERSION_STRING)
