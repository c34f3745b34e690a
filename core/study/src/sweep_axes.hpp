#pragma once
// Sweeps: finding the axes of a configuration tree (lists where one value is
// expected), grouping them into dimensions (cartesian or zipped), and
// substituting one point of the sweep into a copy of the tree. Internal to
// the core; the rules are documented in experiment.hpp.

#include <string>
#include <vector>

#include "ncvx/study/config_tree.hpp"
#include "ncvx/plugin.hpp"

namespace ncvx {
class PluginRegistry;
}

namespace ncvx::detail {

/// A place in the tree that names a plugin: `problem`, `measurement`, `loss`,
/// `corruptions[i]`, `metrics[i]`, and `init`, `optimizer`, `loss` of each method.
struct ComponentSite {
  std::vector<std::string> path;  ///< segments into the tree (list items by index)
  PluginKind kind;
  std::string axis;               ///< sweep name prefix: "problem", "methods.small.init"
  std::string column;             ///< summary column prefix: "problem", "init"
  int method = -1;                ///< the method index, or -1
  std::string default_name;       ///< the plugin when the node is absent ("" : none)
};

std::vector<ComponentSite> component_sites(const ConfigNode& root, const std::vector<std::string>& labels);

/// The node at `path`, or nullptr.
ConfigNode* at(ConfigNode& root, const std::vector<std::string>& path);
const ConfigNode* at(const ConfigNode& root, const std::vector<std::string>& path);

struct Axis {
  std::vector<std::string> path;  // segments into the tree; methods by index
  std::string name;               // "problem.n", "methods.small.init.scale"
  std::string column;             // summary column: "problem.n", "init.scale"
  int method = -1;                // -1: global; else the method index
  std::size_t length = 0;
  SourceLocation location;
};

struct Dimension {
  std::vector<std::size_t> axes;  // indices into the axes vector
  std::size_t length = 0;
  int method = -1;
};

std::vector<Axis> find_axes(const ConfigNode& root, const std::vector<std::string>& labels,
                            const PluginRegistry& plugins);
std::vector<Dimension> make_dimensions(const ConfigNode& root, const std::vector<Axis>& axes);

/// Every combination of the given dimensions (the last one varies fastest).
std::vector<std::vector<std::size_t>> combinations(const std::vector<const Dimension*>& dims);

/// Replaces each axis of `dims` by its `choice`-th value, recording the swept values.
struct SweptValueRecord {
  std::string axis;
  std::string value;
};
void substitute(ConfigNode& tree, const std::vector<Axis>& axes, const std::vector<const Dimension*>& dims,
                const std::vector<std::size_t>& choice, std::vector<SweptValueRecord>& swept);

}  // namespace ncvx::detail
