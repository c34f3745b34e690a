#include "config_values.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx::detail {

void fail(const SourceLocation& where, const std::string& message) {
  throw ConfigError(where.describe() + ": " + message);
}

std::string listing(const std::vector<std::string>& names) {
  return names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", "));
}

void unknown_key(const ConfigEntry& entry, const std::string& section,
                 const std::vector<std::string>& valid) {
  const std::string guess = nearest(entry.key, valid);
  fail(entry.key_location,
       fmt::format("unknown key '{}' in {}{} Valid keys: {}.", entry.key, section,
                   guess.empty() ? "." : "; did you mean '" + guess + "'?", listing(valid)));
}

void require_mapping(const ConfigNode& node, const std::string& what) {
  if (!node.is_mapping())
    fail(node.location, fmt::format("{} must be a mapping of keys to values.", what));
}

std::string describe_spec(const ParameterSpec& spec) {
  std::string constraint = spec.constraint();
  return fmt::format("{}{}{}", to_string(spec.type), constraint.empty() ? "" : ", " + constraint,
                     spec.description.empty() ? "" : "; " + spec.description);
}

std::string component_name(const ConfigNode& node) {
  if (node.is_scalar()) return node.scalar;
  if (const ConfigNode* name = node.is_mapping() ? node.find("name") : nullptr; name && name->is_scalar())
    return name->scalar;
  return "";
}

std::string render_value(const ConfigNode& node) {
  if (node.is_scalar()) return node.scalar;
  std::string text = node.to_yaml();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

namespace {

/// A YAML number (including .inf, .nan and numbers below the smallest normal
/// double, which are kept); false for text or a value beyond the double range.
bool parse_real(const std::string& text, double& out) {
  std::string t = text;
  if (t == ".inf" || t == ".Inf" || t == ".INF" || t == "+.inf") t = "inf";
  if (t == "-.inf" || t == "-.Inf" || t == "-.INF") t = "-inf";
  if (t == ".nan" || t == ".NaN" || t == ".NAN") t = "nan";
  if (t.empty() || std::isspace(static_cast<unsigned char>(t.front()))) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return false;
  // ERANGE: overflow (inf from finite text) is refused; underflow (a subnormal or 0) is the value.
  return errno == 0 || (errno == ERANGE && std::isfinite(out)) ||
         (errno == ERANGE && t.find("inf") != std::string::npos);
}

}  // namespace

// One case per parameter type, each a few lines: they read best side by side
// in one switch, so this function is longer than most.
ParameterValue parse_value(const ConfigNode& node, const ParameterSpec& spec, const std::string& qualified) {
  auto wrong = [&](const std::string& expected) {
    std::string shown = node.is_scalar() ? "'" + node.scalar + "'"
                        : node.is_mapping() ? std::string("a mapping")
                        : node.is_sequence() ? std::string("a list")
                                             : std::string("empty");
    fail(node.location, fmt::format("{} = {} is not {} ({}).", qualified, shown, expected,
                                    describe_spec(spec)));
  };
  if (spec.type == ParameterType::real_list) {
    if (!node.is_sequence()) wrong("a list of real numbers");
    std::vector<double> list;
    for (const auto& item : node.items) {
      double number;
      if (!item.is_scalar() || item.quoted || !parse_real(item.scalar, number) || !std::isfinite(number))
        fail(item.location, fmt::format("{}: every element is a finite real number ({}).", qualified,
                                        describe_spec(spec)));
      if (!spec.admits_number(number))
        fail(item.location, fmt::format("{} has the element {}, out of range. Violated constraint: "
                                        "{} {} ({}).",
                                        qualified, item.scalar, spec.name, spec.constraint(),
                                        spec.description));
      list.push_back(number);
    }
    if (list.empty()) wrong("a non-empty list of real numbers");
    return list;
  }
  if (!node.is_scalar()) {
    wrong(spec.type == ParameterType::choice ? "a name" : std::string("a ") + to_string(spec.type) +
                                                              " value");
  }
  ParameterValue value;
  switch (spec.type) {
    case ParameterType::real: {
      double number;
      if (node.quoted || !parse_real(node.scalar, number)) wrong("a real number");
      if (std::isnan(number)) wrong("a real number (NaN is not a value)");
      if (std::isinf(number)) wrong("a finite real number (infinity is not a value)");
      value = number;
      break;
    }
    case ParameterType::integer: {
      double number;
      if (node.quoted || !parse_real(node.scalar, number) || !std::isfinite(number) ||
          number != std::floor(number) || std::fabs(number) > 9.0e15)
        wrong("an integer");
      value = static_cast<std::int64_t>(number);
      break;
    }
    case ParameterType::boolean: {
      const std::string& t = node.scalar;
      if (t == "true" || t == "True" || t == "yes" || t == "on") value = true;
      else if (t == "false" || t == "False" || t == "no" || t == "off") value = false;
      else wrong("a boolean (true or false)");
      break;
    }
    case ParameterType::choice: {
      value = node.scalar;
      if (!spec.admits(value)) {
        const std::string guess = nearest(node.scalar, spec.choices);
        fail(node.location, fmt::format("{} = '{}' is not one of {{{}}}{}.", qualified, node.scalar,
                                        listing(spec.choices),
                                        guess.empty() ? "" : "; did you mean '" + guess + "'?"));
      }
      return value;
    }
    case ParameterType::text: return node.scalar;
    case ParameterType::path: {
      // Relative paths were made absolute against the configuration's folder (experiment.cpp).
      std::error_code error;
      if (!node.scalar.empty() && !std::filesystem::is_regular_file(node.scalar, error))
        fail(node.location, fmt::format("{} = '{}': no such file.", qualified, node.scalar));
      return node.scalar;
    }
    case ParameterType::real_list: break;  // handled above
  }
  if (!spec.admits(value))
    fail(node.location, fmt::format("{} = {} is out of range. Violated constraint: {} {} ({}).",
                                    qualified, node.scalar, spec.name, spec.constraint(),
                                    spec.description));
  return value;
}

ParameterValues validate_parameters(const ConfigNode* mapping, const std::vector<ParameterSpec>& specs,
                                    const std::string& section, const std::vector<std::string>& reserved) {
  ParameterValues values = ParameterValues::defaults(specs);
  if (!mapping) return values;
  require_mapping(*mapping, section);
  std::vector<std::string> valid = reserved;
  for (const auto& spec : specs) valid.push_back(spec.name);
  for (const auto& entry : mapping->entries) {
    if (std::find(reserved.begin(), reserved.end(), entry.key) != reserved.end()) continue;
    const ParameterSpec* spec = nullptr;
    for (const auto& candidate : specs)
      if (candidate.name == entry.key) spec = &candidate;
    if (!spec) unknown_key(entry, section, valid);
    values.set(spec->name, parse_value(entry.value, *spec, section + "." + entry.key));
  }
  return values;
}

ComponentChoice validate_component(const ConfigNode& node, PluginKind kind, const std::string& section,
                                   const PluginRegistry& plugins) {
  ComponentChoice choice;
  choice.kind = kind;
  const ConfigNode* name_node = nullptr;
  if (node.is_scalar()) {
    name_node = &node;
  } else if (node.is_mapping()) {
    name_node = node.find("name");
    if (!name_node)
      fail(node.location, fmt::format("{} needs a `name` (the {} plugin to use); available: {}.",
                                      section, to_string(kind), listing(plugins.names(kind))));
    if (!name_node->is_scalar())
      fail(name_node->location, fmt::format("{}.name must be a plugin name.", section));
  } else {
    fail(node.location,
         fmt::format("{} must be a plugin name or a mapping with `name` and parameters.", section));
  }
  choice.name = name_node->scalar;
  const LoadedPlugin* plugin = nullptr;
  try {
    plugin = &plugins.find(kind, choice.name);
  } catch (const PluginError& error) {
    fail(name_node->location, error.what());
  }
  // The core's own keys of a section: its name, and a problem's validation split.
  const std::vector<std::string> reserved =
      kind == PluginKind::problem ? std::vector<std::string>{"name", "validation"} : std::vector<std::string>{"name"};
  choice.values = validate_parameters(node.is_mapping() ? &node : nullptr, plugin->info().parameters,
                                      section + " `" + choice.name + "`", reserved);
  return choice;
}

}  // namespace ncvx::detail
