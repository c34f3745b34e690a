#include "csv.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx::detail {

namespace fs = std::filesystem;

int Table::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

namespace {

/// The next record of a CSV stream: one line, or several when a quoted field
/// holds newlines (csv_field writes a message with newlines that way).
/// `line` counts the lines read; `closed` is false when the stream ended
/// inside a quoted field. False at the end of the stream.
bool next_record(std::istream& stream, std::string& record, std::size_t& line, bool& closed) {
  record.clear();
  closed = true;
  bool any = false;
  for (std::string text; std::getline(stream, text);) {
    ++line;
    if (any) record += '\n';
    any = true;
    record += text;
    for (const char c : text)
      if (c == '"') closed = !closed;
    if (closed) return true;
  }
  return any;
}

}  // namespace

Table read_csv(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(fmt::format("cannot read {}; is this an ncvx results folder?", file.string()));
  Table table;
  std::string record;
  std::size_t line = 0;
  bool closed = true;
  if (next_record(stream, record, line, closed)) table.header = split_csv_line(record);
  if (table.header.size() < 2) throw Error(fmt::format("{} has no header line.", file.string()));
  for (std::size_t first = line + 1; next_record(stream, record, line, closed); first = line + 1) {
    if (record.empty()) continue;
    auto fields = split_csv_line(record);
    if (!closed) {
      table.damaged.push_back(fmt::format("{}:{}: a quoted field that never closes (a damaged or cut row; skipped)",
                                          file.string(), first));
      continue;
    }
    if (fields.size() != table.header.size()) {
      table.damaged.push_back(fmt::format("{}:{}: {} fields where the header has {} (a damaged or cut row; skipped)",
                                          file.string(), first, fields.size(), table.header.size()));
      continue;
    }
    table.rows.push_back(std::move(fields));
  }
  return table;
}

double to_number(const std::string& text) {
  if (text.empty()) return std::nan("");
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() ? std::nan("") : value;
}


double median_of(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

std::string shown(double value, const char* format) {
  return std::isnan(value) ? std::string("-") : fmt::format(fmt::runtime(format), value);
}

std::string status_counts(const std::map<std::string, int>& statuses, std::size_t runs) {
  std::string status;
  for (const auto& [name, count] : statuses)
    status += fmt::format("{}{}", status.empty() ? "" : " ",
                          count == static_cast<int>(runs) ? name : fmt::format("{} {}", count, name));
  return status;
}

std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    widths[c] = header[c].size();
    for (const auto& line : cells) widths[c] = std::max(widths[c], line[c].size());
  }
  auto render = [&](const std::vector<std::string>& line) {
    std::string text;
    for (std::size_t c = 0; c < line.size(); ++c)
      text += c == 0 ? fmt::format("{:<{}}", line[c], widths[c]) : fmt::format("  {:>{}}", line[c], widths[c]);
    return text + "\n";
  };
  std::string table = render(header);
  std::size_t total = 0;
  for (auto w : widths) total += w + 2;
  table += std::string(total - 2, '-') + "\n";
  for (const auto& line : cells) table += render(line);
  return table;
}

}  // namespace ncvx::detail
