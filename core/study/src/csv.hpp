#pragma once
// Reading the CSV files of a results folder (internal to the core): quoted
// fields as written by csv_field, and rows of a damaged file (cut, or with a
// wrong number of fields) skipped and reported with the file and line. And
// the pieces of the comparison table shown for them.

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ncvx::detail {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each with as many fields as the header
  std::vector<std::string> damaged;            // "file:line: why" of skipped rows

  int column(const std::string& name) const;
};

std::vector<std::string> split_csv_line(const std::string& line);

/// Throws Error when the file cannot be read or has no header.
Table read_csv(const std::filesystem::path& file);

/// The number a field holds, NaN for "" or text.
double to_number(const std::string& text);

/// The median of the finite values (NaN if none).
double median_of(std::vector<double> values);

/// `value` in `format`, or "-" for NaN (no value).
std::string shown(double value, const char* format);

/// The status cell of a table row: "budget" when all `runs` share it, else "3 budget 1 diverged".
std::string status_counts(const std::map<std::string, int>& statuses, std::size_t runs);

/// A text table: the first column left-aligned, the others right-aligned, a rule under the header.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& cells);

}  // namespace ncvx::detail
