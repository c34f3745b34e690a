#pragma once
// Figures drawn by gnuplot (internal to the study): for each figure its data
// (NAME.dat) and script (NAME.gp) beside NAME.png and NAME.svg. Nothing from
// a configuration or a results folder is ever run: every text reaches gnuplot
// as a single-quoted, one-line string constant, marked noenhanced where it is
// a label, and gnuplot is started without a shell.

#include <filesystem>
#include <vector>

#include "plot_series.hpp"

namespace ncvx::detail {

/// `text` on one line: control characters (a newline, a NUL) become spaces.
std::string one_line(const std::string& text);

/// `text` as a gnuplot string constant shown as written and never interpreted.
std::string gnuplot_string(const std::string& text);

/// Writes NAME.dat and NAME.gp for a line figure and runs gnuplot on them.
void draw_figure(const FigureSpec& figure, const std::vector<Series>& series, const std::filesystem::path& out);

/// Writes NAME.dat and NAME.gp for a heatmap (cells at the indices of the
/// axis values, labelled with the values and the cell's mean) and runs gnuplot.
void draw_heatmap(const FigureSpec& figure, const Heatmap& map, const std::filesystem::path& out);

}  // namespace ncvx::detail
