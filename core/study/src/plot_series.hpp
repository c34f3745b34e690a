#pragma once
// What a figure draws, from a results folder's tables (internal to the
// study): the runs of summary.csv, the lines of a figure (a statistic over
// seeds at each x, with its quartile band) and the cells of a heatmap.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "csv.hpp"
#include "ncvx/study/plot.hpp"

namespace ncvx::detail {

struct Quartiles {
  double low, median, high;
};

/// The quartiles of the finite values, or nothing.
std::optional<Quartiles> quartiles(std::vector<double> values);

struct Series {
  std::string label;
  std::vector<std::pair<double, Quartiles>> points;  // x, statistics over seeds
  bool band = false;
};

struct Run {
  std::string method;
  std::vector<std::pair<std::string, std::string>> axes;  // swept axis -> value
  std::map<std::string, std::string> fields;              // every summary column
};

/// The runs of summary.csv, and how a line is labelled.
struct Runs {
  std::map<std::string, Run> by_id;
  std::set<std::string> methods;
  std::map<std::string, std::set<std::string>> axis_values;

  /// A line's label: the method (when there are several) and the axes that vary, except `skip`
  /// and the axes that move with it (zipped with it: one value of theirs per value of `skip`).
  std::string label(const Run& run, const std::string& skip) const;
  /// Whether every run with the same value of `leader` has the same value of `axis`.
  bool follows(const std::string& axis, const std::string& leader) const;
};

/// The runs of summary.csv (axis columns sit between `width` and `seed`).
Runs read_runs(const Table& summary);

/// A trajectory figure: y columns of metrics.csv against the iteration, or,
/// given `seconds` (seconds.csv), against the median over seeds of the
/// seconds at each logged iteration.
std::vector<Series> trajectory_series(const FigureSpec& figure, const Runs& runs, const Table& metrics,
                                      const Table* seconds = nullptr);

/// A summary figure: one summary.csv column against a swept axis (or another
/// column), with fitted slopes and reference lines; what it fitted in `note`.
std::vector<Series> summary_series(const FigureSpec& figure, const Runs& runs, const Table& summary,
                                   std::string& note);

/// The cells of a heatmap: the mean of `value` over the runs of each (x, y).
struct Heatmap {
  std::vector<double> xs, ys;                  // the axis values, increasing
  std::map<std::pair<double, double>, double> cells;  // (x, y) -> mean
  std::string method;
};

Heatmap heatmap_cells(const FigureSpec& figure, const Runs& runs, const Table& summary);

}  // namespace ncvx::detail
