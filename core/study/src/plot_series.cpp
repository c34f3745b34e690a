#include "plot_series.hpp"

#include <algorithm>
#include <cmath>

#include <map>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx::detail {

namespace {

double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return (1 - weight) * sorted[below] + weight * sorted[above];
}

}  // namespace

std::optional<Quartiles> quartiles(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return Quartiles{quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)};
}

namespace {

/// The mean of the finite values (as a degenerate band), or nothing.
std::optional<Quartiles> mean_of(const std::vector<double>& values) {
  double sum = 0;
  std::size_t count = 0;
  for (double v : values)
    if (std::isfinite(v)) {
      sum += v;
      ++count;
    }
  if (count == 0) return std::nullopt;
  const double mean = sum / static_cast<double>(count);
  return Quartiles{mean, mean, mean};
}

/// The figure's statistic over seeds.
std::optional<Quartiles> statistic(const FigureSpec& figure, const std::vector<double>& values) {
  return figure.statistic == "mean" ? mean_of(values) : quartiles(values);
}

bool selected(const FigureSpec& figure, const Run& run) {
  return figure.methods.empty() ||
         std::find(figure.methods.begin(), figure.methods.end(), run.method) != figure.methods.end();
}

/// The fitted slope of a summary line, added to its label and returned as a note.
std::string fit_series(const FigureSpec& figure, Series& s) {
  std::vector<double> fx, fy;
  for (const auto& [x, q] : s.points) {
    if (figure.fit == "power" && (x <= 0 || q.median <= 0)) continue;
    if (figure.fit == "log_linear" && x <= 0) continue;
    fx.push_back(std::log10(x));
    fy.push_back(figure.fit == "power" ? std::log10(q.median) : q.median);
  }
  if (fx.size() < 2) return "";
  const double slope = fit_line(fx, fy).first;
  const std::string text = figure.fit == "power" ? fmt::format("log-log slope {:.3f}", slope)
                                                 : fmt::format("{:.1f} per decade", std::fabs(slope));
  s.label += " (" + text + ")";
  return text;
}

/// A reference line through the first series' centroid, with the slope (y per
/// decade of x, y growing as x shrinks) given by the median of a summary column.
std::optional<Series> reference_series(const std::string& column, const std::vector<double>& predicted,
                                       const Series& first, std::string& note) {
  const auto q = quartiles(predicted);
  if (!q || first.points.empty()) return std::nullopt;
  double cx = 0, cy = 0;
  for (const auto& [x, stats] : first.points) {
    cx += std::log10(x);
    cy += stats.median;
  }
  cx /= static_cast<double>(first.points.size());
  cy /= static_cast<double>(first.points.size());
  Series reference;
  reference.label = fmt::format("{} = {:.1f} per decade", column, q->median);
  for (const auto& [x, stats] : first.points) {
    const double value = cy - q->median * (std::log10(x) - cx);
    reference.points.emplace_back(x, Quartiles{value, value, value});
  }
  note += fmt::format("{}{} {:.1f} per decade", note.empty() ? "" : "; ", column, q->median);
  return reference;
}

}  // namespace

std::string Runs::label(const Run& run, const std::string& skip) const {
  std::string text = methods.size() > 1 ? run.method : "";
  for (const auto& [axis, value] : run.axes)
    if (axis != skip && axis_values.at(axis).size() > 1 && !follows(axis, skip))
      text += fmt::format("{}{}={}", text.empty() ? "" : " ", axis, value);
  return text.empty() ? run.method : text;
}


bool Runs::follows(const std::string& axis, const std::string& leader) const {
  if (leader.empty()) return false;
  std::map<std::string, std::string> seen;
  for (const auto& [id, run] : by_id) {
    const auto lead = run.fields.find(leader), value = run.fields.find(axis);
    if (lead == run.fields.end() || value == run.fields.end()) return false;
    const auto [it, added] = seen.emplace(lead->second, value->second);
    if (!added && it->second != value->second) return false;
  }
  return true;
}

/// Axis columns sit between `width` and `seed` in summary.csv.
Runs read_runs(const Table& summary) {
  const int width_column = summary.column("width"), seed_column = summary.column("seed");
  if (width_column < 0 || seed_column < 0 || seed_column < width_column)
    throw Error("summary.csv lacks the width or seed column.");
  const std::vector<std::string> axis_names(summary.header.begin() + width_column + 1,
                                            summary.header.begin() + seed_column);
  Runs runs;
  for (const auto& row : summary.rows) {
    Run run;
    for (std::size_t c = 0; c < summary.header.size() && c < row.size(); ++c) run.fields[summary.header[c]] = row[c];
    run.method = run.fields["method"];
    for (const auto& axis : axis_names)
      if (!run.fields[axis].empty()) run.axes.emplace_back(axis, run.fields[axis]);
    runs.methods.insert(run.method);
    runs.by_id[run.fields["run_id"]] = std::move(run);
  }
  for (const auto& axis : axis_names) runs.axis_values[axis];
  for (const auto& [id, run] : runs.by_id)
    for (const auto& [axis, value] : run.axes) runs.axis_values[axis].insert(value);
  return runs;
}

/// A trajectory figure: y columns of metrics.csv against the iteration (or the seconds).
std::vector<Series> trajectory_series(const FigureSpec& figure, const Runs& runs, const Table& metrics,
                                      const Table* seconds) {
  for (const auto& y : figure.y)
    if (metrics.column(y) < 0)
      throw Error(fmt::format("figure '{}': metrics.csv has no column '{}'; it has: {}.", figure.name, y,
                              fmt::join(metrics.header.begin() + std::min<std::ptrdiff_t>(2, metrics.header.size()),
                                        metrics.header.end(), ", ")));
  // (run id, iteration) -> seconds, for a figure against time
  std::map<std::pair<std::string, std::string>, double> seconds_at;
  if (seconds)
    for (const auto& row : seconds->rows)
      if (row.size() >= 3) seconds_at[{row[0], row[1]}] = to_number(row[2]);
  // label -> y -> iteration -> values over seeds; label -> iteration -> seconds over seeds
  std::map<std::string, std::map<std::string, std::map<double, std::vector<double>>>> groups;
  std::map<std::string, std::map<double, std::vector<double>>> times;
  std::vector<std::string> order;
  for (const auto& row : metrics.rows) {
    const auto it = runs.by_id.find(row[0]);
    if (it == runs.by_id.end() || !selected(figure, it->second)) continue;
    const std::string label = runs.label(it->second, "");
    if (std::find(order.begin(), order.end(), label) == order.end()) order.push_back(label);
    const double iteration = to_number(row[1]);
    if (seconds) {
      const auto time = seconds_at.find({row[0], row[1]});
      if (time == seconds_at.end() || !std::isfinite(time->second)) continue;  // no time for this row
      times[label][iteration].push_back(time->second);
    }
    for (const auto& y : figure.y)
      groups[label][y][iteration].push_back(to_number(row[static_cast<std::size_t>(metrics.column(y))]));
  }
  std::vector<Series> series;
  for (const auto& label : order)
    for (const auto& y : figure.y) {
      Series s;
      s.label = figure.y.size() > 1 ? (order.size() > 1 ? label + " " + y : y) : label;
      for (const auto& [iteration, values] : groups[label][y]) {
        if (values.size() > 1 && figure.statistic == "median") s.band = true;
        const auto time = seconds ? quartiles(times[label][iteration]) : std::nullopt;
        if (seconds && !time) continue;
        if (const auto q = statistic(figure, values)) s.points.emplace_back(seconds ? time->median : iteration, *q);
      }
      series.push_back(std::move(s));
    }
  return series;
}

/// A summary figure: one summary.csv column against a swept axis (or another column).
std::vector<Series> summary_series(const FigureSpec& figure, const Runs& runs, const Table& summary,
                                   std::string& note) {
  const std::string& y = figure.y.front();
  if (summary.column(figure.x) < 0 || summary.column(y) < 0)
    throw Error(fmt::format("figure '{}': summary.csv has no column '{}'.", figure.name,
                            summary.column(figure.x) < 0 ? figure.x : y));
  // A reference names a summary column, as written or with the prefix predicted_.
  std::vector<std::string> reference_columns;
  for (const auto& reference : figure.references) {
    const std::string column = summary.column("predicted_" + reference) >= 0 ? "predicted_" + reference : reference;
    if (summary.column(column) < 0)
      throw Error(fmt::format("figure '{}': reference '{}' is not a column of summary.csv (ask for the metric "
                              "that writes it, e.g. `phases`).",
                              figure.name, reference));
    reference_columns.push_back(column);
  }
  std::map<std::string, std::map<double, std::vector<double>>> groups;
  std::vector<std::string> order;
  std::map<std::string, std::vector<double>> predicted;  // reference column -> values over runs
  for (const auto& [id, run] : runs.by_id) {
    if (!selected(figure, run)) continue;
    const auto x_field = run.fields.find(figure.x), y_field = run.fields.find(y);
    if (x_field == run.fields.end() || y_field == run.fields.end()) continue;  // a short row
    const double x = to_number(x_field->second);
    if (!std::isfinite(x)) continue;
    const std::string label = runs.label(run, figure.x);
    if (std::find(order.begin(), order.end(), label) == order.end()) order.push_back(label);
    groups[label][x].push_back(to_number(y_field->second));
    for (const auto& column : reference_columns)
      if (const auto p = run.fields.find(column); p != run.fields.end()) predicted[column].push_back(to_number(p->second));
  }
  std::sort(order.begin(), order.end());
  std::vector<Series> series;
  for (const auto& label : order) {
    Series s;
    s.label = label;
    for (const auto& [x, values] : groups[label]) {
      if (values.size() > 1 && figure.statistic == "median") s.band = true;
      if (const auto q = statistic(figure, values)) s.points.emplace_back(x, *q);
    }
    if (figure.fit != "none")
      if (const std::string text = fit_series(figure, s); !text.empty())
        note += fmt::format("{}{}: {}", note.empty() ? "" : "; ", label, text);
    series.push_back(std::move(s));
  }
  for (const auto& column : reference_columns)
    if (!series.empty())
      if (auto reference = reference_series(column, predicted[column], series.front(), note))
        series.push_back(std::move(*reference));
  return series;
}

/// The cells of a heatmap: the mean of `value` over the runs of each (x, y).
Heatmap heatmap_cells(const FigureSpec& figure, const Runs& runs, const Table& summary) {
  const std::string& y = figure.y.front();
  for (const std::string& column : {figure.x, y, figure.value})
    if (summary.column(column) < 0)
      throw Error(fmt::format("figure '{}': summary.csv has no column '{}'{}.", figure.name, column,
                              column == "success" ? " (set run.success_below to get it)" : ""));
  std::set<std::string> methods;
  for (const auto& [id, run] : runs.by_id)
    if (selected(figure, run)) methods.insert(run.method);
  if (methods.size() > 1)
    throw Error(fmt::format("figure '{}': a heatmap shows one method; set methods: [NAME] (one of {}).", figure.name,
                            fmt::join(methods, ", ")));
  Heatmap map;
  map.method = methods.empty() ? "" : *methods.begin();
  std::map<std::pair<double, double>, std::vector<double>> values;
  std::set<double> xs, ys;
  for (const auto& [id, run] : runs.by_id) {
    if (!selected(figure, run)) continue;
    const auto x = run.fields.find(figure.x), yy = run.fields.find(y), v = run.fields.find(figure.value);
    if (x == run.fields.end() || yy == run.fields.end() || v == run.fields.end()) continue;
    const double xv = to_number(x->second), yv = to_number(yy->second);
    if (!std::isfinite(xv) || !std::isfinite(yv)) continue;
    xs.insert(xv);
    ys.insert(yv);
    values[{xv, yv}].push_back(to_number(v->second));
  }
  map.xs.assign(xs.begin(), xs.end());
  map.ys.assign(ys.begin(), ys.end());
  for (const auto& [cell, list] : values)
    if (const auto mean = mean_of(list)) map.cells[cell] = mean->median;
  return map;
}

}  // namespace ncvx::detail
