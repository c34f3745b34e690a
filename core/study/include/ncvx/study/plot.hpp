#pragma once
// Figures from a results folder, drawn by gnuplot (Debian's gnuplot-nox).
//
// A configuration lists its figures (defaults: test error and training loss
// against iteration):
//
//   figures:
//     - name: test_error                  # file stem: figures/test_error.{png,svg}
//       x: iteration                      # trajectory figure (metrics.csv)
//       y: [test_error, train_loss]       # one or more metric columns
//       log_y: true
//       methods: [small]                  # only these methods (default: all)
//     - name: error_against_time
//       x: seconds                        # trajectory against the time axis (seconds.csv): at each
//       y: test_error                     #   logged iteration, the median over seeds of y against
//       log_x: true                       #   the median of the seconds spent in the steps so far
//     - name: best_vs_scale
//       x: init.scale                     # summary figure (summary.csv): x is a swept axis
//       y: best_test_error                #   or a numeric summary column
//       log_x: true
//       log_y: true
//       fit: power                        # least-squares slope of log y against log x, in the legend
//
// There is one line per method and swept value (per y column for several
// y); each line is the median over seeds, with a band between the quartiles
// when there are several seeds (`statistic: mean`: the mean, no band; the
// mean of a 0/1 column such as `success` is a success rate).
//
// A heatmap (phase transition) shows a summary column over two swept axes,
// averaged over seeds, one cell per pair of values, for one method:
//
//     - name: phase_transition
//       kind: heatmap
//       x: problem.m                      # swept axis, columns of cells
//       y: problem.rank                   # swept axis, rows of cells
//       value: success                    # summary.csv column (default: success)
//       methods: [gd]                     # one method (needed when there are several) `fit: log_linear` fits y against log10(x)
// (iterations per decade); `reference: [iterations_per_decade]` adds a line
// whose slope (y per decade of x) is the median of a summary.csv column,
// named as written or with the prefix `predicted_` (the `phases` metric writes
// predicted_iterations_per_decade = ln(10)/ln(1 + mu lambda_r(M)) and
// predicted_iterations_per_decade_sigma_r = ln(10)/ln(1 + mu sigma_r)).
// Rows of a damaged file (cut short, unreadable) are skipped with a note
// naming the file and the line.
// For each figure, ncvx writes the data (.dat) and the gnuplot script (.gp)
// next to the images, so a figure can be restyled by editing its script.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ncvx/study/config_tree.hpp"

namespace ncvx {

struct FigureSpec {
  std::string name;
  std::string title;
  std::string x = "iteration";
  std::vector<std::string> y = {"test_error"};
  bool log_x = false;
  bool log_y = true;
  bool reverse_x = false;            // larger x to the left (alpha: 1/alpha grows to the right)
  std::vector<std::string> methods;  // only these methods (default: all)
  std::string fit = "none";          // none | power | log_linear
  /// Reference lines with a predicted slope (y per decade of x): summary.csv
  /// columns, as written or with the prefix `predicted_`.
  std::vector<std::string> references;
  std::string x_label, y_label;
  std::string kind = "line";         // line | heatmap
  std::string statistic = "median";  // median (quartile band) | mean (no band); heatmaps: mean
  std::string value = "success";     // a heatmap's cell value (summary.csv column)

  /// A trajectory (x: iteration or seconds, from metrics.csv) rather than a summary figure.
  bool trajectory() const { return x == "iteration" || x == "seconds"; }
};

/// Validates a `figures:` node (ConfigError at the offending node).
std::vector<FigureSpec> parse_figures(const ConfigNode& node);

/// Test and training error against iteration, on log axes.
std::vector<FigureSpec> default_figures();

struct PlotResult {
  std::size_t figures = 0;                   // figures drawn
  std::vector<std::filesystem::path> files;  // images written (PNG and SVG of each figure)
  std::vector<std::string> notes;            // fitted slopes etc., one line per figure
};

/// Reads <directory>/{config.resolved.yaml, summary.csv, metrics.csv} and draws
/// every figure (or only `only`) into <directory>/figures/. Throws Error if
/// gnuplot is missing or fails, naming the script.
PlotResult plot_results(const std::filesystem::path& directory,
                        const std::vector<std::string>& only = {});

/// Whether gnuplot can be started (it is on $PATH).
bool gnuplot_available();

/// Least-squares slope and intercept of y against x.
std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace ncvx
