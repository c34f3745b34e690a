#include "ncvx/study/plot.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "gnuplot.hpp"
#include "ncvx/errors.hpp"
#include "plot_series.hpp"
#include "process.hpp"

namespace ncvx {

namespace fs = std::filesystem;
using namespace detail;

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

namespace {

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

}  // namespace

bool gnuplot_available() { return detail::program_on_path("gnuplot"); }

PlotResult plot_results(const fs::path& directory, const std::vector<std::string>& only) {
  if (!gnuplot_available())
    throw Error("gnuplot is not installed; `apt-get install gnuplot-nox` (scripts/setup.sh does it).");
  const std::vector<FigureSpec> figures =
      figures_to_draw(load_config_file((directory / "config.resolved.yaml").string()), only);
  const Table summary = read_csv(directory / "summary.csv");
  const Runs runs = read_runs(summary);
  std::optional<Table> metrics, seconds;  // read when a trajectory figure needs them

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
      ++result.figures;
      const std::string text = fmt::format("{} cells of mean {} over {} x {}", map.cells.size(), figure.value,
                                           figure.x, figure.y.front());
      result.notes.push_back(figure.name + ": " + text);
      notes << figure.name << ": " << text << "\n";
      continue;
    }
    if (figure.trajectory()) {
      if (!metrics) {
        metrics = read_csv(directory / "metrics.csv");
        result.notes.insert(result.notes.end(), metrics->damaged.begin(), metrics->damaged.end());
      }
      if (figure.x == "seconds" && !seconds) {
        if (!fs::exists(directory / "seconds.csv"))
          throw Error(fmt::format("figure '{}' plots against seconds, and {} has no seconds.csv (results written "
                                  "before ncvx 0.3 have no time axis; run the sweep again).",
                                  figure.name, directory.string()));
        seconds = read_csv(directory / "seconds.csv");
        result.notes.insert(result.notes.end(), seconds->damaged.begin(), seconds->damaged.end());
      }
      series = trajectory_series(figure, runs, *metrics, figure.x == "seconds" ? &*seconds : nullptr);
    } else {
      series = summary_series(figure, runs, summary, note);
    }
    draw_figure(figure, series, out);
    result.files.push_back(out / (figure.name + ".png"));
    result.files.push_back(out / (figure.name + ".svg"));
    ++result.figures;
    if (!note.empty()) {
      result.notes.push_back(figure.name + ": " + note);
      notes << figure.name << ": " << note << "\n";
    }
  }
  return result;
}

}  // namespace ncvx
