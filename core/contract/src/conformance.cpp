#include "ncvx/conformance.hpp"

#include <cmath>

#include <fmt/format.h>

#include "conformance_kit.hpp"

namespace ncvx {

using namespace detail;

const char* to_string(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::passed: return "pass";
    case CheckOutcome::failed: return "FAIL";
    case CheckOutcome::skipped: return "skip";
  }
  return "?";
}

namespace {

/// A path parameter without a default cannot be checked without a file.
std::string missing_path(const LoadedPlugin& plugin, const ParameterValues& values) {
  for (const auto& spec : plugin.info().parameters)
    if (spec.type == ParameterType::path && values.text(spec.name).empty())
      return fmt::format("needs a file: `ncvx check {} {}=PATH`", plugin.info().name, spec.name);
  return "";
}

}  // namespace

std::vector<ConformanceCheck> check_plugin(const LoadedPlugin& plugin, const ParameterValues& overrides,
                                           const ConformanceOptions& options) {
  ParameterValues values = ParameterValues::defaults(plugin.info().parameters);
  for (const auto& [name, value] : overrides.all()) values.set(name, value);
  Checks checks;
  if (const std::string missing = missing_path(plugin, values); !missing.empty()) {
    checks.skip("created with its parameters", missing);
    return checks.take();
  }
  switch (plugin.info().kind) {
    case PluginKind::problem: check_problem(plugin, values, options, checks); break;
    case PluginKind::corruption: check_corruption(plugin, values, options, checks); break;
    case PluginKind::measurement: check_measurement(plugin, values, options, checks); break;
    case PluginKind::loss: check_loss(plugin, values, options, checks); break;
    case PluginKind::initializer: check_initializer(plugin, values, options, checks); break;
    case PluginKind::optimizer: check_optimizer(plugin, values, options, checks); break;
    case PluginKind::metric: check_metric(plugin, values, options, checks); break;
    case PluginKind::factorization: check_factorization(plugin, values, options, checks); break;
  }
  return checks.take();
}

bool all_passed(const std::vector<ConformanceCheck>& checks) {
  for (const auto& check : checks)
    if (check.outcome == CheckOutcome::failed) return false;
  return !checks.empty();
}

std::string conformance_table(const std::vector<ConformanceCheck>& checks) {
  auto number = [](double value) { return std::isnan(value) ? std::string("-") : fmt::format("{:.3g}", value); };
  std::vector<std::vector<std::string>> rows = {{"check", "result", "measured", "tolerance", "detail"}};
  for (const auto& check : checks)
    rows.push_back({check.name, to_string(check.outcome), number(check.measured), number(check.tolerance),
                    check.detail});
  std::vector<std::size_t> widths(5, 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < 4; ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string table;
  for (const auto& row : rows)
    table += fmt::format("{:<{}}  {:<{}}  {:>{}}  {:>{}}  {}\n", row[0], widths[0], row[1], widths[1], row[2],
                         widths[2], row[3], widths[3], row[4]);
  return table;
}

}  // namespace ncvx
