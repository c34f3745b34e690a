#include "ncvx/study/report.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "folder_summary.hpp"
#include "spread.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/study/config_tree.hpp"
#include "ncvx/study/journal.hpp"
#include "sweep_folder.hpp"

namespace ncvx {

extern const char* const kReportTemplate;  // report/report.html, embedded at build time

namespace fs = std::filesystem;

namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned value = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += alphabet[(value >> shift) & 63];
  }
  if (i < bytes.size()) {
    unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) value |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(value >> 18) & 63];
    out += alphabet[(value >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(value >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// The page's title: the experiment's name, with the folder's.
std::string report_name(const fs::path& directory, const std::string& config) {
  std::string name = directory.filename().empty() ? directory.parent_path().filename().string()
                                                  : directory.filename().string();
  try {
    const ConfigNode tree = parse_config_text(config, {(directory / "config.resolved.yaml").string(), 0, 0, ""});
    if (const ConfigNode* given = tree.find("name"); given && given->is_scalar() && given->scalar != name)
      name = given->scalar + " (" + name + ")";
  } catch (const Error&) {
  }
  return name;
}

/// The folder's run.table (how tables show a spread), "quartiles" when it gives none.
std::string table_style_of(const fs::path& directory, const std::string& config) {
  try {
    const ConfigNode tree = parse_config_text(config, {(directory / "config.resolved.yaml").string(), 0, 0, ""});
    const ConfigNode* run = tree.find("run");
    const ConfigNode* table = run && run->is_mapping() ? run->find("table") : nullptr;
    if (table && table->is_scalar()) {
      detail::table_style(table->scalar);  // one of the styles, or the default below
      return table->scalar;
    }
  } catch (const Error&) {
  }
  return "quartiles";
}

/// The comparison table, sortable by a click on a column's header.
std::string comparison_section(const FolderSummary& summary, const std::string& style) {
  const bool train = summary.error != "train_loss";
  std::string html = "<h2>Comparison</h2>\n<p>" + html_escape(detail::spread_legend(detail::table_style(style))) +
                     " over the seeds that converged or used their budget" +
                     (summary.success_column ? "; success: successes/runs [95 % Wilson interval]" : "") +
                     "; iterations and seconds: medians. Click a column to sort.</p>\n"
                     "<table id=\"comparison\"><thead><tr><th>method</th>";
  for (const auto& axis : summary.axes) html += "<th>" + html_escape(axis) + "</th>";
  html += "<th>seeds</th><th>final " + html_escape(summary.error) + "</th><th>best " + html_escape(summary.error) +
          "</th>";
  if (train) html += "<th>final train_loss</th>";
  if (summary.success_column) html += "<th>success</th>";
  html += "<th>iterations</th><th>seconds</th><th>status</th></tr></thead>\n<tbody>\n";
  for (const auto& row : summary.rows) {
    html += "<tr><td>" + html_escape(row.method) + "</td>";
    for (const auto& value : row.values) html += "<td>" + html_escape(value) + "</td>";
    for (const auto& cell : row_cells(row, train, summary.success_column, style))
      html += "<td>" + html_escape(cell) + "</td>";
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

/// Every figure of DIR/figures, inline.
std::string figures_section(const fs::path& directory) {
  const fs::path figures = directory / "figures";
  std::vector<fs::path> images;
  if (fs::is_directory(figures))
    for (const auto& entry : fs::directory_iterator(figures))
      if (entry.path().extension() == ".png") images.push_back(entry.path());
  std::sort(images.begin(), images.end());
  std::string html = fmt::format("<h2>Figures</h2>\n<p>{} figure{}{}</p>\n", images.size(),
                                 images.size() == 1 ? "" : "s",
                                 images.empty() ? " (draw them with <code>ncvx plot</code>)" : "");
  for (const auto& image : images)
    html += "<figure><img class=\"figure\" alt=\"" + html_escape(image.stem().string()) +
            "\" src=\"data:image/png;base64," + base64(read_file(image)) + "\"><figcaption>" +
            html_escape(image.stem().string()) + "</figcaption></figure>\n";
  return html;
}

/// The runs that did not count, and the notes on damaged rows.
std::string problems_section(const FolderSummary& summary, const std::vector<std::string>& notes) {
  std::string html = fmt::format("<h2>Runs that failed or diverged</h2>\n<p>{} run{}</p>\n", summary.problems.size(),
                                 summary.problems.size() == 1 ? "" : "s");
  if (!summary.problems.empty()) {
    html += "<table id=\"problems\"><thead><tr><th>run</th><th>status and message</th></tr></thead><tbody>\n";
    for (const auto& [run, why] : summary.problems)
      html += "<tr class=\"failed\"><td>" + html_escape(run) + "</td><td style=\"text-align:left\">" +
              html_escape(why) + "</td></tr>\n";
    html += "</tbody></table>\n";
  }
  for (const auto& note : notes) html += "<p class=\"failed\">" + html_escape(note) + "</p>\n";
  return html;
}

/// The template with each {{key}} replaced by its (escaped, or built from escaped parts) text.
std::string fill(std::string_view page, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string html;
  for (std::size_t at = 0; at < page.size();) {
    const std::size_t open = page.find("{{", at);
    if (open == std::string_view::npos) {
      html += page.substr(at);
      break;
    }
    const std::size_t close = page.find("}}", open);
    html += page.substr(at, open - at);
    const std::string_view key = page.substr(open + 2, close - open - 2);
    for (const auto& [name, value] : values)
      if (name == key) html += value;
    at = close + 2;
  }
  return html;
}

}  // namespace

fs::path write_report(const fs::path& directory, const fs::path& out, const PluginRegistry* plugins) {
  std::vector<std::string> notes;
  const FolderSummary summary = summarize_folder(directory, notes, plugins);
  const std::string config = read_file(directory / "config.resolved.yaml");
  const std::string content = comparison_section(summary, table_style_of(directory, config)) + figures_section(directory) +
                              problems_section(summary, notes) + "<h2>Resolved configuration</h2>\n<pre>" +
                              html_escape(config) + "</pre>\n";
  const std::string html =
      fill(kReportTemplate, {{"name", html_escape(report_name(directory, config))}, {"content", content}});
  const fs::path file = out.empty() ? directory / "report.html" : out;
  write_atomically(file, html);
  return file;
}

}  // namespace ncvx
