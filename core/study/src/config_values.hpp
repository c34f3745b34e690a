#pragma once
// Validation of configuration values against declared parameters, shared by
// the experiment loader's stages (internal to the core).

#include <string>
#include <vector>

#include "ncvx/study/config_tree.hpp"
#include "ncvx/study/experiment.hpp"
#include "ncvx/parameters.hpp"

namespace ncvx::detail {

[[noreturn]] void fail(const SourceLocation& where, const std::string& message);
std::string listing(const std::vector<std::string>& names);
[[noreturn]] void unknown_key(const ConfigEntry& entry, const std::string& section,
                              const std::vector<std::string>& valid);
void require_mapping(const ConfigNode& node, const std::string& what);

/// "real, > 0; step size mu"
std::string describe_spec(const ParameterSpec& spec);

/// One value of the declared type and range, or a ConfigError at the node.
ParameterValue parse_value(const ConfigNode& node, const ParameterSpec& spec, const std::string& qualified);

/// Validates the entries of `mapping` against `specs`; keys in `reserved` are
/// handled by the caller. Missing parameters take their defaults.
ParameterValues validate_parameters(const ConfigNode* mapping, const std::vector<ParameterSpec>& specs,
                                    const std::string& section,
                                    const std::vector<std::string>& reserved = {});

/// A plugin name, or a mapping with `name` and that plugin's parameters.
ComponentChoice validate_component(const ConfigNode& node, PluginKind kind, const std::string& section,
                                   const PluginRegistry& plugins);

/// The name a component node gives (scalar or `name:`), or "" if it gives none.
std::string component_name(const ConfigNode& node);

/// The scalar rendering of a node (a flat list as "[a, b]"), for labels.
std::string render_value(const ConfigNode& node);

}  // namespace ncvx::detail
