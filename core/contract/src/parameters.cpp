#include "ncvx/parameters.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace ncvx {

const char* to_string(ParameterType type) {
  switch (type) {
    case ParameterType::real: return "real";
    case ParameterType::integer: return "integer";
    case ParameterType::boolean: return "boolean";
    case ParameterType::choice: return "choice";
    case ParameterType::text: return "text";
    case ParameterType::path: return "path";
    case ParameterType::real_list: return "real list";
  }
  return "?";
}

namespace {
std::string format_number(double value) {
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == std::floor(value) && std::fabs(value) < 1e16) return fmt::format("{:.0f}", value);
  return fmt::format("{:g}", value);
}
}  // namespace

std::string to_string(const ParameterValue& value) {
  struct Visitor {
    std::string operator()(double v) const {
      // Shortest text that reads back to the same double.
      return fmt::format("{}", v);
    }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return v; }
    std::string operator()(const std::vector<double>& v) const {
      std::string text = "[";
      for (std::size_t i = 0; i < v.size(); ++i) text += (i ? ", " : "") + fmt::format("{}", v[i]);
      return text + "]";
    }
  };
  return std::visit(Visitor{}, value);
}

ParameterSpec ParameterSpec::real(std::string name, double default_value, std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::real;
  spec.default_value = default_value;
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::integer(std::string name, std::int64_t default_value,
                                     std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::integer;
  spec.default_value = default_value;
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::boolean(std::string name, bool default_value, std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::boolean;
  spec.default_value = default_value;
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::choice(std::string name, std::string default_value,
                                    std::vector<std::string> choices, std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::choice;
  spec.default_value = std::move(default_value);
  spec.choices = std::move(choices);
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::text(std::string name, std::string default_value, std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::text;
  spec.default_value = std::move(default_value);
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::path(std::string name, std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::path;
  spec.default_value = std::string();
  spec.description = std::move(description);
  return spec;
}

ParameterSpec ParameterSpec::real_list(std::string name, std::vector<double> default_value,
                                       std::string description) {
  ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = ParameterType::real_list;
  spec.default_value = std::move(default_value);
  spec.description = std::move(description);
  return spec;
}

ParameterSpec& ParameterSpec::at_least(double bound) {
  minimum = bound;
  minimum_exclusive = false;
  return *this;
}
ParameterSpec& ParameterSpec::above(double bound) {
  minimum = bound;
  minimum_exclusive = true;
  return *this;
}
ParameterSpec& ParameterSpec::at_most(double bound) {
  maximum = bound;
  maximum_exclusive = false;
  return *this;
}
ParameterSpec& ParameterSpec::below(double bound) {
  maximum = bound;
  maximum_exclusive = true;
  return *this;
}

std::string ParameterSpec::constraint() const {
  if (type == ParameterType::choice) {
    std::string text = "one of {";
    for (std::size_t i = 0; i < choices.size(); ++i) text += (i ? ", " : "") + choices[i];
    return text + "}";
  }
  if (type == ParameterType::boolean) return "true or false";
  if (type == ParameterType::text) return "";
  if (type == ParameterType::path) return "an existing file";
  const bool has_min = std::isfinite(minimum), has_max = std::isfinite(maximum);
  const std::string each = type == ParameterType::real_list ? "each " : "";
  if (has_min && has_max)
    return each + fmt::format("in {}{}, {}{}", minimum_exclusive ? "(" : "[", format_number(minimum),
                       format_number(maximum), maximum_exclusive ? ")" : "]");
  if (has_min) return each + fmt::format("{} {}", minimum_exclusive ? ">" : ">=", format_number(minimum));
  if (has_max) return each + fmt::format("{} {}", maximum_exclusive ? "<" : "<=", format_number(maximum));
  return "";
}

bool ParameterSpec::admits(const ParameterValue& value) const {
  if (type == ParameterType::choice) {
    const auto* text = std::get_if<std::string>(&value);
    if (!text) return false;
    for (const auto& c : choices)
      if (c == *text) return true;
    return false;
  }
  if (type == ParameterType::boolean) return std::holds_alternative<bool>(value);
  if (type == ParameterType::text || type == ParameterType::path)
    return std::holds_alternative<std::string>(value);
  if (type == ParameterType::real_list) {
    const auto* list = std::get_if<std::vector<double>>(&value);
    if (!list) return false;
    for (double element : *list)
      if (!admits_number(element)) return false;
    return true;
  }
  double number;
  if (const auto* r = std::get_if<double>(&value)) {
    number = *r;
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    number = static_cast<double>(*i);
  } else {
    return false;
  }
  return admits_number(number);
}

bool ParameterSpec::admits_number(double number) const {
  if (std::isnan(number)) return false;
  if (minimum_exclusive ? !(number > minimum) : !(number >= minimum)) return false;
  if (maximum_exclusive ? !(number < maximum) : !(number <= maximum)) return false;
  return true;
}

ParameterValues ParameterValues::defaults(const std::vector<ParameterSpec>& specs) {
  ParameterValues values;
  for (const auto& spec : specs) values.set(spec.name, spec.default_value);
  return values;
}

void ParameterValues::set(const std::string& name, ParameterValue value) {
  values_[name] = std::move(value);
}

bool ParameterValues::contains(const std::string& name) const { return values_.count(name) > 0; }

const ParameterValue& ParameterValues::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end())
    throw std::logic_error(fmt::format("parameter '{}' was not declared by the plugin", name));
  return it->second;
}

namespace {
template <class T>
const T& typed(const ParameterValues& values, const std::string& name, const char* type) {
  const auto* value = std::get_if<T>(&values.get(name));
  if (!value)
    throw std::logic_error(
        fmt::format("parameter '{}' is read as {} but declared with another type", name, type));
  return *value;
}
}  // namespace

double ParameterValues::real(const std::string& name) const {
  return typed<double>(*this, name, "real");
}
std::int64_t ParameterValues::integer(const std::string& name) const {
  return typed<std::int64_t>(*this, name, "integer");
}
bool ParameterValues::boolean(const std::string& name) const {
  return typed<bool>(*this, name, "boolean");
}
const std::string& ParameterValues::choice(const std::string& name) const {
  return typed<std::string>(*this, name, "choice");
}
const std::string& ParameterValues::text(const std::string& name) const {
  return typed<std::string>(*this, name, "text");
}
const std::vector<double>& ParameterValues::real_list(const std::string& name) const {
  return typed<std::vector<double>>(*this, name, "real list");
}

}  // namespace ncvx
