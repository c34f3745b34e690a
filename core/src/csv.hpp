#pragma once
// Reading the CSV files of a results folder (internal to the core): quoted
// fields as written by csv_field, and rows of a damaged file (cut, or with a
// wrong number of fields) skipped and reported with the file and line.

#include <filesystem>
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

}  // namespace ncvx::detail
