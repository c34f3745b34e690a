// ncvx merge DIR ... --out DIR | compare DIR ... | report DIR [--out FILE] | plot DIR [--figure NAME ...]

#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "ncvx/study/compare.hpp"
#include "ncvx/study/merge.hpp"
#include "ncvx/study/plot.hpp"
#include "ncvx/study/report.hpp"

namespace ncvx::cli {

namespace fs = std::filesystem;

void draw_figures(const fs::path& directory, const std::vector<std::string>& only) {
  const PlotResult plotted = plot_results(directory, only);
  for (const auto& note : plotted.notes) std::cout << note << "\n";
  std::cout << fmt::format("figures: {} ({} figure{}: {} images, PNG and SVG, each with its data .dat and gnuplot "
                           "script .gp)\n",
                           (directory / "figures").string(), plotted.figures, plotted.figures == 1 ? "" : "s",
                           plotted.files.size());
}

Command add_merge(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("merge", "join the results folders of a sweep's shards into one");
  auto folders = std::make_shared<std::vector<std::string>>();
  auto out = std::make_shared<std::string>();
  command->add_option("folders", *folders, "the shards' results folders")->required();
  command->add_option("--out,-o", *out, "the merged results folder")->required()->type_name("DIR");
  return {command, [&tool, folders, out] {
    merge_folders({folders->begin(), folders->end()}, *out, tool.plugins());
    std::cout << "merged: " << *out << "\n";
    return 0;
  }};
}

Command add_compare(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("compare", "one comparison table over several results folders");
  auto folders = std::make_shared<std::vector<std::string>>();
  auto style = std::make_shared<std::string>("quartiles");
  command->add_option("folders", *folders, "results folders")->required();
  command->add_option("--table", *style, "each column's spread: quartiles (median [q1, q3]), range (median [min, max]) "
                                         "or mean (mean ± sd)")
      ->check(CLI::IsMember({"quartiles", "range", "mean"}))
      ->capture_default_str();
  auto target = std::make_shared<double>(0.0);
  auto* time_to = command->add_option("--time-to", *target, "compare by wall-clock: the runs that reached this error "
                                                             "and the seconds they took (e.g. --time-to 1e-6)")
                      ->check(CLI::PositiveNumber)
                      ->type_name("ERROR");
  return {command, [&tool, folders, style, target, time_to] {
    std::vector<std::string> notes;
    std::cout << compare_folders({folders->begin(), folders->end()}, notes, *style, &tool.plugins(),
                                 time_to->count() ? std::optional<double>(*target) : std::nullopt);
    for (const auto& note : notes) std::cerr << "warning: " << note << "\n";
    return 0;
  }};
}

Command add_report(CLI::App& app, Tool& tool) {
  auto* command = app.add_subcommand("report", "write a self-contained HTML page of a results folder");
  auto directory = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  command->add_option("directory", *directory, "a results folder")->required()->check(CLI::ExistingDirectory);
  command->add_option("--out,-o", *out, "the page (default DIR/report.html)")->type_name("FILE");
  return {command, [&tool, directory, out] {
    // The figures first, when there are none yet and gnuplot is there to draw them.
    if (!fs::exists(fs::path(*directory) / "figures") && fs::exists(fs::path(*directory) / "summary.csv") &&
        gnuplot_available()) {
      try {
        plot_results(*directory);
      } catch (const std::exception& error) {
        std::cerr << "warning: the figures could not be drawn: " << error.what() << "\n";
      }
    }
    std::cout << "report: " << write_report(*directory, *out, &tool.plugins()).string() << "\n";
    return 0;
  }};
}

Command add_plot(CLI::App& app, Tool&) {
  auto* command = app.add_subcommand("plot", "draw the figures of a results folder (gnuplot)");
  auto directory = std::make_shared<std::string>();
  auto only = std::make_shared<std::vector<std::string>>();
  command->add_option("directory", *directory, "a folder written by `ncvx run`")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--figure,-f", *only, "only this figure (repeatable)");
  return {command, [directory, only] {
    draw_figures(*directory, *only);
    return 0;
  }};
}

}  // namespace ncvx::cli
