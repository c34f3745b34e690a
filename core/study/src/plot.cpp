#include "ncvx/study/plot.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "csv.hpp"
#include "process.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/output.hpp"

namespace ncvx {

namespace fs = std::filesystem;
using detail::read_csv;
using detail::Table;
using detail::to_number;

namespace {

// ---------------------------------------------------------------- spec

const std::vector<std::string> kFigureKeys = {"name",  "title", "x",   "y",         "log_x",  "log_y",
                                              "methods", "fit", "reference", "x_label", "y_label",
                                              "reverse_x", "kind", "statistic", "value"};

[[noreturn]] void fail(const SourceLocation& where, const std::string& message) {
  throw ConfigError(where.describe() + ": " + message);
}

std::string scalar(const ConfigNode& node, const std::string& what) {
  if (!node.is_scalar()) fail(node.location, what + " must be a single value.");
  return node.scalar;
}

bool boolean(const ConfigNode& node, const std::string& what) {
  const std::string text = scalar(node, what);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(node.location, fmt::format("{} = '{}' is not a boolean (true or false).", what, text));
}

std::vector<std::string> names(const ConfigNode& node, const std::string& what) {
  if (node.is_scalar()) return {node.scalar};
  if (!node.is_sequence()) fail(node.location, what + " is a name or a list of names.");
  std::vector<std::string> result;
  for (const auto& item : node.items) result.push_back(scalar(item, what));
  return result;
}

std::string one_of(const ConfigNode& node, const std::string& what,
                   const std::vector<std::string>& choices) {
  const std::string text = scalar(node, what);
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  const std::string guess = nearest(text, choices);
  fail(node.location, fmt::format("{} = '{}' is not one of {{{}}}{}", what, text,
                                  fmt::join(choices, ", "),
                                  guess.empty() ? "." : "; did you mean '" + guess + "'?"));
}

// ---------------------------------------------------------------- statistics

struct Quartiles {
  double low, median, high;
};

double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return (1 - weight) * sorted[below] + weight * sorted[above];
}

std::optional<Quartiles> quartiles(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  return Quartiles{quantile(values, 0.25), quantile(values, 0.5), quantile(values, 0.75)};
}

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

/// `text` on one line: control characters (a newline, a NUL) become spaces.
/// Comments of the .dat files and every label pass through it.
std::string one_line(const std::string& text) {
  std::string out = text;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
  return out;
}

/// `text` as a gnuplot string constant that is shown as written and never
/// interpreted: in single quotes, where gnuplot does no backquote command
/// substitution, no macro (@) expansion and no backslash escapes; a quote
/// doubled; on one line (a newline would end the command).
std::string gnuplot_string(const std::string& text) {
  std::string out = "'";
  for (char c : one_line(text)) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

/// A label: a string constant with `noenhanced`, so that ^ _ @ & { } ~ are
/// shown, not read as enhanced-text markup.
std::string gnuplot_label(const std::string& text) { return gnuplot_string(text) + " noenhanced"; }

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

}  // namespace

// ---------------------------------------------------------------- public

std::pair<double, double> fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return {slope, (sy - slope * sx) / n};
}

std::vector<FigureSpec> default_figures() {
  FigureSpec test;
  test.name = "test_error";
  test.title = "Test error";
  test.y = {"test_error"};
  FigureSpec train;
  train.name = "train_loss";
  train.title = "Training loss";
  train.y = {"train_loss"};
  return {test, train};
}

std::vector<FigureSpec> parse_figures(const ConfigNode& node) {
  if (!node.is_sequence())
    fail(node.location, "figures is a list of figures, each with a name, x and y.");
  std::vector<FigureSpec> figures;
  for (const auto& item : node.items) {
    if (!item.is_mapping()) fail(item.location, "each figure is a mapping with name, x and y.");
    FigureSpec figure;
    for (const auto& entry : item.entries) {
      if (std::find(kFigureKeys.begin(), kFigureKeys.end(), entry.key) == kFigureKeys.end()) {
        const std::string guess = nearest(entry.key, kFigureKeys);
        fail(entry.key_location,
             fmt::format("unknown key '{}' in a figure{} Valid keys: {}.", entry.key,
                         guess.empty() ? "." : "; did you mean '" + guess + "'?",
                         fmt::join(kFigureKeys, ", ")));
      }
      const ConfigNode& value = entry.value;
      const std::string what = "figure." + entry.key;
      if (entry.key == "name") figure.name = scalar(value, what);
      else if (entry.key == "title") figure.title = scalar(value, what);
      else if (entry.key == "x") figure.x = scalar(value, what);
      else if (entry.key == "y") figure.y = names(value, what);
      else if (entry.key == "log_x") figure.log_x = boolean(value, what);
      else if (entry.key == "log_y") figure.log_y = boolean(value, what);
      else if (entry.key == "reverse_x") figure.reverse_x = boolean(value, what);
      else if (entry.key == "methods") figure.methods = names(value, what);
      else if (entry.key == "fit") figure.fit = one_of(value, what, {"none", "power", "log_linear"});
      else if (entry.key == "reference") {
        figure.references.clear();
        const ConfigNode listed = value.is_sequence() ? value : [&] {
          ConfigNode list;
          list.kind = ConfigNode::Kind::sequence;
          list.items.push_back(value);
          return list;
        }();
        for (const auto& reference : listed.items) figure.references.push_back(scalar(reference, what));
      }
      else if (entry.key == "kind") figure.kind = one_of(value, what, {"line", "heatmap"});
      else if (entry.key == "statistic") figure.statistic = one_of(value, what, {"median", "mean"});
      else if (entry.key == "value") figure.value = scalar(value, what);
      else if (entry.key == "x_label") figure.x_label = scalar(value, what);
      else if (entry.key == "y_label") figure.y_label = scalar(value, what);
    }
    if (figure.name.empty() || figure.name != safe_file_name(figure.name))
      fail(item.location, fmt::format("a figure needs a `name` of letters, digits, '.', '-' and '_', not starting "
                                      "with '.' (its file name){}.",
                                      figure.name.empty() ? "" : "; '" + one_line(figure.name) + "' is not one"));
    for (const auto& other : figures)
      if (other.name == figure.name)
        fail(item.location, fmt::format("two figures are named '{}'.", figure.name));
    if (figure.x != "iteration" && figure.y.size() != 1)
      fail(item.location, "a summary figure (x other than iteration) plots one y column.");
    if (figure.kind == "heatmap" && (figure.x == "iteration" || figure.y.size() != 1 || !item.find("y")))
      fail(item.location, "a heatmap needs x and y: two swept axes (e.g. x: problem.m, y: problem.rank), and "
                          "value: the summary column its cells show.");
    figures.push_back(std::move(figure));
  }
  return figures;
}

namespace {

// ---------------------------------------------------------------- stage: what to draw

/// The figures of the folder's configuration (or the defaults for its error), or only those named.
std::vector<FigureSpec> figures_to_draw(const ConfigNode& config, const std::vector<std::string>& only) {
  std::vector<FigureSpec> figures;
  if (const ConfigNode* listed = config.find("figures")) {
    figures = parse_figures(*listed);
  } else {
    figures = default_figures();
    // The experiment's error (run.error) in place of test_error.
    const ConfigNode* run = config.find("run");
    const ConfigNode* error = run && run->is_mapping() ? run->find("error") : nullptr;
    if (error && error->is_scalar() && error->scalar != "auto" && error->scalar != "test_error") {
      figures.front().name = figures.front().title = error->scalar;
      figures.front().y = {error->scalar};
      if (error->scalar == "train_loss") figures.pop_back();
    }
  }
  if (only.empty()) return figures;
  std::vector<FigureSpec> chosen;
  for (const auto& name : only) {
    auto it = std::find_if(figures.begin(), figures.end(), [&](const FigureSpec& f) { return f.name == name; });
    if (it == figures.end()) {
      std::vector<std::string> available;
      for (const auto& f : figures) available.push_back(f.name);
      throw Error(fmt::format("no figure named '{}'; this results folder has: {}.", name, fmt::join(available, ", ")));
    }
    chosen.push_back(*it);
  }
  return chosen;
}

// ---------------------------------------------------------------- stage: the runs of summary.csv

struct Runs {
  std::map<std::string, Run> by_id;
  std::set<std::string> methods;
  std::map<std::string, std::set<std::string>> axis_values;

  /// A line's label: the method (when there are several) and the axes that vary, except `skip`
  /// and the axes that move with it (zipped with it: one value of theirs per value of `skip`).
  std::string label(const Run& run, const std::string& skip) const {
    std::string text = methods.size() > 1 ? run.method : "";
    for (const auto& [axis, value] : run.axes)
      if (axis != skip && axis_values.at(axis).size() > 1 && !follows(axis, skip))
        text += fmt::format("{}{}={}", text.empty() ? "" : " ", axis, value);
    return text.empty() ? run.method : text;
  }

  /// Whether every run with the same value of `leader` has the same value of `axis`.
  bool follows(const std::string& axis, const std::string& leader) const {
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
};

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

bool selected(const FigureSpec& figure, const Run& run) {
  return figure.methods.empty() ||
         std::find(figure.methods.begin(), figure.methods.end(), run.method) != figure.methods.end();
}

// ---------------------------------------------------------------- stage: series

/// A trajectory figure: y columns of metrics.csv against the iteration.
std::vector<Series> trajectory_series(const FigureSpec& figure, const Runs& runs, const Table& metrics) {
  for (const auto& y : figure.y)
    if (metrics.column(y) < 0)
      throw Error(fmt::format("figure '{}': metrics.csv has no column '{}'; it has: {}.", figure.name, y,
                              fmt::join(metrics.header.begin() + std::min<std::ptrdiff_t>(2, metrics.header.size()),
                                        metrics.header.end(), ", ")));
  // label -> y -> iteration -> values over seeds
  std::map<std::string, std::map<std::string, std::map<double, std::vector<double>>>> groups;
  std::vector<std::string> order;
  for (const auto& row : metrics.rows) {
    const auto it = runs.by_id.find(row[0]);
    if (it == runs.by_id.end() || !selected(figure, it->second)) continue;
    const std::string label = runs.label(it->second, "");
    if (std::find(order.begin(), order.end(), label) == order.end()) order.push_back(label);
    for (const auto& y : figure.y)
      groups[label][y][to_number(row[1])].push_back(to_number(row[static_cast<std::size_t>(metrics.column(y))]));
  }
  std::vector<Series> series;
  for (const auto& label : order)
    for (const auto& y : figure.y) {
      Series s;
      s.label = figure.y.size() > 1 ? (order.size() > 1 ? label + " " + y : y) : label;
      for (const auto& [x, values] : groups[label][y]) {
        if (values.size() > 1 && figure.statistic == "median") s.band = true;
        if (const auto q = statistic(figure, values)) s.points.emplace_back(x, *q);
      }
      series.push_back(std::move(s));
    }
  return series;
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

// ---------------------------------------------------------------- stage: heatmaps

/// The cells of a heatmap: the mean of `value` over the runs of each (x, y).
struct Heatmap {
  std::vector<double> xs, ys;                  // the axis values, increasing
  std::map<std::pair<double, double>, double> cells;  // (x, y) -> mean
  std::string method;
};

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

/// Ends a figure's gnuplot script with `plot` drawn to NAME.png and NAME.svg,
/// writes it to `script` and runs gnuplot in `out` (its messages in NAME.log).
void render(const FigureSpec& figure, std::ostringstream& gp, const std::string& plot, const fs::path& script,
            const fs::path& out) {
  gp << "set terminal pngcairo size 900,560 font ',10'\nset output " << gnuplot_string(figure.name + ".png") << "\n"
     << plot << "\n";
  gp << "set terminal svg size 900,560 dynamic font ',10'\nset output " << gnuplot_string(figure.name + ".svg")
     << "\nreplot\nunset output\n";
  std::ofstream(script) << gp.str();
  const fs::path log = out / (figure.name + ".log");
  fs::remove(log);
  if (detail::run_program({"gnuplot", script.filename().string()}, out, log) != 0)
    throw Error(fmt::format("gnuplot failed on {}; see {}.", script.string(), log.string()));
}

/// Writes NAME.dat and NAME.gp for a heatmap (cells at the indices of the
/// axis values, labelled with the values and the cell's mean) and runs gnuplot.
void draw_heatmap(const FigureSpec& figure, const Heatmap& map, const fs::path& out) {
  const fs::path data = out / (figure.name + ".dat");
  const fs::path script = out / (figure.name + ".gp");
  {
    std::ofstream stream(data);
    stream.precision(17);
    stream << "# x_index y_index " << one_line(figure.value) << " x y\n";
    for (std::size_t i = 0; i < map.xs.size(); ++i)
      for (std::size_t j = 0; j < map.ys.size(); ++j)
        if (const auto cell = map.cells.find({map.xs[i], map.ys[j]}); cell != map.cells.end())
          stream << i << " " << j << " " << cell->second << " " << map.xs[i] << " " << map.ys[j] << "\n";
  }
  auto tics = [](const std::vector<double>& values) {
    std::string text;
    for (std::size_t i = 0; i < values.size(); ++i)
      text += fmt::format("{}\"{:g}\" {}", i ? ", " : "", values[i], i);
    return "(" + text + ")";
  };
  std::ostringstream gp;
  gp << "# Generated by ncvx plot; edit and run `gnuplot " << script.filename().string() << "`.\n";
  gp << "set encoding utf8\nunset key\nset palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')\n";
  gp << "set title " << gnuplot_label((figure.title.empty() ? figure.name : figure.title) +
                                      (map.method.empty() ? "" : " (" + map.method + ")"))
     << "\n";
  gp << "set xlabel " << gnuplot_label(figure.x_label.empty() ? figure.x : figure.x_label) << "\n";
  gp << "set ylabel " << gnuplot_label(figure.y_label.empty() ? figure.y.front() : figure.y_label) << "\n";
  gp << "set cblabel " << gnuplot_label(figure.value) << "\n";
  gp << "set xtics " << tics(map.xs) << "\nset ytics " << tics(map.ys) << "\n";
  gp << fmt::format("set xrange [-0.5:{}]\nset yrange [-0.5:{}]\n", static_cast<double>(map.xs.size()) - 0.5,
                    static_cast<double>(map.ys.size()) - 0.5);
  if (figure.value == "success") gp << "set cbrange [0:1]\n";
  gp << "set style fill solid 1.0 noborder\n";
  gp << "data = " << gnuplot_string(data.filename().string()) << "\n";
  const std::string plot = map.cells.empty()
                               ? "plot 0 notitle"
                               : "plot data using 1:2:(0.5):(0.5):3 with boxxyerror fc palette, "
                                 "data using 1:2:($3 > 0.6 ? sprintf('%.2f', $3) : '') with labels font ',8' tc rgb 'white', "
                                 "data using 1:2:($3 > 0.6 ? '' : sprintf('%.2f', $3)) with labels font ',8' tc rgb 'black'";
  render(figure, gp, plot, script, out);
}

// ---------------------------------------------------------------- stage: files

/// Writes NAME.dat and NAME.gp and runs gnuplot on them (NAME.png, NAME.svg).
void draw_figure(const FigureSpec& figure, const std::vector<Series>& series, const fs::path& out) {
  const fs::path data = out / (figure.name + ".dat");
  const fs::path script = out / (figure.name + ".gp");
  {
    std::ofstream stream(data);
    stream.precision(17);
    for (const auto& s : series) {
      stream << "# " << one_line(s.label) << "\n# x median q1 q3\n";
      for (const auto& [x, q] : s.points) stream << x << " " << q.median << " " << q.low << " " << q.high << "\n";
      stream << "\n\n";
    }
  }
  std::ostringstream gp;
  const std::string y_label = !figure.y_label.empty() ? figure.y_label
                              : figure.y.size() == 1  ? figure.y.front()
                                                      : std::string("value");
  const std::string x_label = !figure.x_label.empty() ? figure.x_label : figure.x;
  gp << "# Generated by ncvx plot; edit and run `gnuplot " << script.filename().string() << "`.\n";
  gp << "set encoding utf8\nset key outside top center horizontal box font ',9' maxrows 4\n"
     << "set grid lc rgb '#dddddd'\nset autoscale xfix\n";
  gp << "set title " << gnuplot_label(figure.title.empty() ? figure.name : figure.title) << "\n";
  gp << "set xlabel " << gnuplot_label(x_label) << "\nset ylabel " << gnuplot_label(y_label) << "\n";
  if (figure.log_x) gp << "set logscale x\nset format x '10^{%L}'\n";
  if (figure.log_y) gp << "set logscale y\nset format y '10^{%L}'\n";
  if (figure.reverse_x) gp << "set xrange [*:*] reverse\n";
  gp << "set style fill transparent solid 0.2 noborder\n";
  gp << "data = " << gnuplot_string(data.filename().string()) << "\n";
  std::string plot = "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const std::size_t color = i % 8 + 1;
    const bool summary_figure = figure.x != "iteration";
    if (series[i].band) plot += fmt::format("data index {} using 1:3:4 with filledcurves lc {} notitle, ", i, color);
    plot += fmt::format("data index {} using 1:2 with {} lc {} lw 2 title {}, ", i,
                        summary_figure ? "linespoints pt 7 ps 0.8" : "lines", color, gnuplot_label(series[i].label));
  }
  if (series.empty() || std::all_of(series.begin(), series.end(), [](const Series& s) { return s.points.empty(); }))
    plot = "plot 0 notitle, ";
  plot.resize(plot.size() - 2);
  render(figure, gp, plot, script, out);
}

}  // namespace

bool gnuplot_available() { return detail::program_on_path("gnuplot"); }

PlotResult plot_results(const fs::path& directory, const std::vector<std::string>& only) {
  if (!gnuplot_available())
    throw Error("gnuplot is not installed; `apt-get install gnuplot-nox` (scripts/setup.sh does it).");
  const std::vector<FigureSpec> figures =
      figures_to_draw(load_config_file((directory / "config.resolved.yaml").string()), only);
  const Table summary = read_csv(directory / "summary.csv");
  const Runs runs = read_runs(summary);
  std::optional<Table> metrics;  // read when a trajectory figure needs it

  const fs::path out = directory / "figures";
  fs::create_directories(out);
  PlotResult result;
  result.notes = summary.damaged;
  std::ofstream notes(out / "notes.txt");
  for (const FigureSpec& figure : figures) {
    std::string note;
    std::vector<Series> series;
    if (figure.kind == "heatmap") {
      const Heatmap map = heatmap_cells(figure, runs, summary);
      draw_heatmap(figure, map, out);
      result.files.push_back(out / (figure.name + ".png"));
      result.files.push_back(out / (figure.name + ".svg"));
      const std::string text = fmt::format("{} cells of mean {} over {} x {}", map.cells.size(), figure.value,
                                           figure.x, figure.y.front());
      result.notes.push_back(figure.name + ": " + text);
      notes << figure.name << ": " << text << "\n";
      continue;
    }
    if (figure.x == "iteration") {
      if (!metrics) {
        metrics = read_csv(directory / "metrics.csv");
        result.notes.insert(result.notes.end(), metrics->damaged.begin(), metrics->damaged.end());
      }
      series = trajectory_series(figure, runs, *metrics);
    } else {
      series = summary_series(figure, runs, summary, note);
    }
    draw_figure(figure, series, out);
    result.files.push_back(out / (figure.name + ".png"));
    result.files.push_back(out / (figure.name + ".svg"));
    if (!note.empty()) {
      result.notes.push_back(figure.name + ": " + note);
      notes << figure.name << ": " << note << "\n";
    }
  }
  return result;
}

}  // namespace ncvx
