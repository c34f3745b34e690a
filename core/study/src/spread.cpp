#include "spread.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx::detail {

const std::vector<std::string>& table_styles() {
  static const std::vector<std::string> styles = {"quartiles", "range", "mean"};
  return styles;
}

TableStyle table_style(const std::string& name) {
  if (name == "quartiles") return TableStyle::quartiles;
  if (name == "range") return TableStyle::range;
  if (name == "mean") return TableStyle::mean;
  throw Error(fmt::format("a table's spread is one of quartiles, range, mean; not '{}'.", name));
}

namespace {

/// The q-quantile of sorted values, interpolated linearly between order statistics.
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return (1 - weight) * sorted[below] + weight * sorted[above];
}

}  // namespace

std::string spread_cell(std::vector<double> values, TableStyle style, const char* format, const char* spread_format) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
  if (values.empty()) return "-";
  std::sort(values.begin(), values.end());
  const auto shown = [&](double value) { return fmt::format(fmt::runtime(format), value); };
  const auto around = [&](double value) { return fmt::format(fmt::runtime(spread_format), value); };
  const std::size_t n = values.size();
  if (style == TableStyle::mean) {
    double mean = 0;
    for (double v : values) mean += v / static_cast<double>(n);
    if (n == 1) return shown(mean);
    double squares = 0;
    for (double v : values) squares += (v - mean) * (v - mean);
    return shown(mean) + " ± " + around(std::sqrt(squares / static_cast<double>(n - 1)));
  }
  const double middle = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  if (n == 1) return shown(middle);
  const double low = style == TableStyle::range ? values.front() : quantile(values, 0.25);
  const double high = style == TableStyle::range ? values.back() : quantile(values, 0.75);
  return fmt::format("{} [{}, {}]", shown(middle), around(low), around(high));
}

std::string success_cell(int successes, int trials) {
  if (trials <= 0) return "-";
  const double n = trials, p = successes / n, z = 1.959963984540054;
  const double center = (p + z * z / (2 * n)) / (1 + z * z / n);
  const double half = z * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n);
  return fmt::format("{}/{} [{:.2f}, {:.2f}]", successes, trials, std::max(0.0, center - half),
                     std::min(1.0, center + half));
}

std::string spread_legend(TableStyle style) {
  switch (style) {
    case TableStyle::quartiles: return "median [first quartile, third quartile]";
    case TableStyle::range: return "median [min, max]";
    case TableStyle::mean: return "mean ± standard deviation";
  }
  return "";
}

}  // namespace ncvx::detail
