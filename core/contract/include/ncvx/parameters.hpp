#pragma once
// Declared parameters of a plugin (or of a core section such as `problem`).
//
// A plugin declares each parameter once: name, type, default, admissible
// range and a one-line description. The core validates a YAML mapping
// against the declarations (unknown names, wrong types, out-of-range values
// are errors with file:line:column) and hands the plugin a ParameterValues in
// which every declared parameter has a value of the declared type, so plugin
// code never parses or checks anything itself.
//
//   std::vector<ParameterSpec> parameters() {
//     return {ParameterSpec::real("step", 0.1, "step size mu").above(0.0)};
//   }
//   GradientDescent(const ParameterValues& values) : step_(values.real("step")) {}
//
// Types: real, integer, boolean, choice (one of a list of names), text (any
// string), path (a file: relative paths are resolved against the folder of
// the configuration file, and the file must exist) and real_list (a YAML list
// of reals, e.g. singular values; a sweep over it is a list of lists).

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ncvx {

enum class ParameterType { real, integer, boolean, choice, text, path, real_list };

/// "real", "integer", "boolean", "choice", "text", "path", "real list".
const char* to_string(ParameterType type);

using ParameterValue = std::variant<double, std::int64_t, bool, std::string, std::vector<double>>;

/// Renders a value the way it would be written in YAML ("[1, 0.5]" for a list).
std::string to_string(const ParameterValue& value);

struct ParameterSpec {
  std::string name;
  ParameterType type = ParameterType::real;
  ParameterValue default_value = 0.0;
  std::string description;
  // Numeric range; a bound is exclusive when its flag is set.
  double minimum = -std::numeric_limits<double>::infinity();
  double maximum = std::numeric_limits<double>::infinity();
  bool minimum_exclusive = false;
  bool maximum_exclusive = false;
  std::vector<std::string> choices;  // only for ParameterType::choice

  static ParameterSpec real(std::string name, double default_value, std::string description);
  static ParameterSpec integer(std::string name, std::int64_t default_value,
                               std::string description);
  static ParameterSpec boolean(std::string name, bool default_value, std::string description);
  static ParameterSpec choice(std::string name, std::string default_value,
                              std::vector<std::string> choices, std::string description);
  static ParameterSpec text(std::string name, std::string default_value, std::string description);
  /// A file; the default "" means "not given" (the plugin decides whether that is an error).
  static ParameterSpec path(std::string name, std::string description);
  /// A list of reals; the numeric range applies to every element.
  static ParameterSpec real_list(std::string name, std::vector<double> default_value,
                                 std::string description);

  ParameterSpec& at_least(double bound);
  ParameterSpec& above(double bound);
  ParameterSpec& at_most(double bound);
  ParameterSpec& below(double bound);

  /// The admissible set in words, e.g. "> 0", "in [0, 1]", "one of {a, b}"; empty if any.
  std::string constraint() const;

  /// Whether `value` (already of the declared type) satisfies the constraint.
  bool admits(const ParameterValue& value) const;
  /// Whether a number lies in the declared range.
  bool admits_number(double number) const;
};

/// A complete, validated assignment of values to declared parameters.
class ParameterValues {
 public:
  ParameterValues() = default;

  /// Values of the declared defaults.
  static ParameterValues defaults(const std::vector<ParameterSpec>& specs);

  void set(const std::string& name, ParameterValue value);
  bool contains(const std::string& name) const;
  const ParameterValue& get(const std::string& name) const;

  // Typed access; throws std::logic_error naming the parameter on a type mismatch
  // or an undeclared name (a plugin bug, never a user error).
  double real(const std::string& name) const;
  std::int64_t integer(const std::string& name) const;
  bool boolean(const std::string& name) const;
  const std::string& choice(const std::string& name) const;
  /// A text or path parameter (a path is absolute once validated).
  const std::string& text(const std::string& name) const;
  const std::vector<double>& real_list(const std::string& name) const;

  const std::map<std::string, ParameterValue>& all() const { return values_; }

 private:
  std::map<std::string, ParameterValue> values_;
};

}  // namespace ncvx
