#include "sweep_axes.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "config_values.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"

namespace ncvx::detail {

std::vector<ComponentSite> component_sites(const ConfigNode& root, const std::vector<std::string>& labels) {
  std::vector<ComponentSite> sites;
  sites.push_back({{"problem"}, PluginKind::problem, "problem", "problem", -1, "low_rank_psd"});
  if (const ConfigNode* corruptions = root.find("corruptions"); corruptions && corruptions->is_sequence())
    for (std::size_t i = 0; i < corruptions->items.size(); ++i) {
      // Named by plugin (by position when two corruptions use the same plugin).
      std::string name = component_name(corruptions->items[i]);
      std::size_t same = 0;
      for (const auto& other : corruptions->items) same += component_name(other) == name ? 1 : 0;
      if (name.empty() || same > 1) name = std::to_string(i);
      sites.push_back({{"corruptions", std::to_string(i)}, PluginKind::corruption, "corruptions." + name,
                       "corruptions." + name, -1, ""});
    }
  sites.push_back({{"measurement"}, PluginKind::measurement, "measurement", "measurement", -1, ""});
  sites.push_back({{"loss"}, PluginKind::loss, "loss", "loss", -1, "squared"});
  if (const ConfigNode* methods = root.find("methods"); methods && methods->is_sequence())
    for (std::size_t i = 0; i < methods->items.size() && i < labels.size(); ++i) {
      const std::string prefix = "methods." + labels[i] + ".";
      const int method = static_cast<int>(i);
      sites.push_back({{"methods", std::to_string(i), "init"}, PluginKind::initializer, prefix + "init", "init",
                       method, ""});
      sites.push_back({{"methods", std::to_string(i), "optimizer"}, PluginKind::optimizer,
                       prefix + "optimizer", "optimizer", method, ""});
      sites.push_back({{"methods", std::to_string(i), "loss"}, PluginKind::loss, prefix + "loss", "loss",
                       method, ""});
    }
  if (const ConfigNode* metrics = root.find("metrics"); metrics && metrics->is_sequence())
    for (std::size_t i = 0; i < metrics->items.size(); ++i)
      sites.push_back({{"metrics", std::to_string(i)}, PluginKind::metric, "metrics", "metrics", -1, ""});
  return sites;
}

namespace {

template <class Node>
Node* walk(Node& root, const std::vector<std::string>& path) {
  Node* node = &root;
  for (const auto& part : path) {
    if (node->is_sequence()) {
      if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos)
        return nullptr;
      const std::size_t index = std::stoul(part);
      if (index >= node->items.size()) return nullptr;
      node = &node->items[index];
    } else {
      node = node->find(part);
    }
    if (!node) return nullptr;
  }
  return node;
}

void add_axis(const ConfigNode& node, std::vector<std::string> path, const std::string& name,
              const std::string& column, int method, bool lists_of_lists, std::vector<Axis>& axes) {
  if (node.items.empty()) fail(node.location, fmt::format("the sweep over {} is empty.", name));
  for (const auto& item : node.items)
    if (item.is_sequence() != lists_of_lists)
      fail(item.location, lists_of_lists
                              ? fmt::format("{} takes a list, so a sweep over it is a list of lists.", name)
                              : fmt::format("a sweep over {} lists values, not lists.", name));
  axes.push_back({std::move(path), name, column, method, node.items.size(), node.location});
}

/// Generic: any list below `node` is an axis.
void collect_axes(const ConfigNode& node, std::vector<std::string> path, const std::string& name,
                  const std::string& column, int method, std::vector<Axis>& axes) {
  if (node.is_sequence()) {
    add_axis(node, std::move(path), name, column, method, false, axes);
    return;
  }
  if (!node.is_mapping()) return;
  for (const auto& entry : node.entries) {
    auto child = path;
    child.push_back(entry.key);
    collect_axes(entry.value, child, name + "." + entry.key,
                 column.empty() ? entry.key : column + "." + entry.key, method, axes);
  }
}

/// A component: a list of choices is one axis; in a mapping, a parameter
/// declared as a real list is swept by a list of lists.
void collect_component_axes(const ConfigNode& node, const ComponentSite& site, const PluginRegistry& plugins,
                            std::vector<Axis>& axes) {
  if (node.is_sequence()) {
    add_axis(node, site.path, site.axis, site.column, site.method, false, axes);
    return;
  }
  if (!node.is_mapping()) return;
  std::set<std::string> list_keys;
  std::string name = component_name(node);
  if (name.empty()) name = site.default_name;
  for (const LoadedPlugin* plugin : plugins.plugins())
    if (plugin->info().kind == site.kind && plugin->info().name == name)
      for (const auto& spec : plugin->info().parameters)
        if (spec.type == ParameterType::real_list) list_keys.insert(spec.name);
  for (const auto& entry : node.entries) {
    auto path = site.path;
    path.push_back(entry.key);
    const std::string axis = site.axis + "." + entry.key, column = site.column + "." + entry.key;
    if (list_keys.count(entry.key)) {
      const ConfigNode& value = entry.value;
      if (value.is_sequence() && !value.items.empty() && value.items.front().is_sequence())
        add_axis(value, path, axis, column, site.method, true, axes);
      continue;
    }
    collect_axes(entry.value, path, axis, column, site.method, axes);
  }
}

}  // namespace

ConfigNode* at(ConfigNode& root, const std::vector<std::string>& path) { return walk(root, path); }
const ConfigNode* at(const ConfigNode& root, const std::vector<std::string>& path) { return walk(root, path); }

std::vector<Axis> find_axes(const ConfigNode& root, const std::vector<std::string>& labels,
                            const PluginRegistry& plugins) {
  // Order: global components, run settings, then each method's entries as
  // written (the order of the axes is the order of the runs).
  std::vector<Axis> axes;
  const std::vector<ComponentSite> sites = component_sites(root, labels);
  for (const ComponentSite& site : sites) {
    if (site.method >= 0 || site.kind == PluginKind::metric) continue;  // metrics are never swept
    if (const ConfigNode* node = at(root, site.path)) collect_component_axes(*node, site, plugins, axes);
  }
  if (const ConfigNode* run = root.find("run"); run && run->is_mapping())
    for (const auto& entry : run->entries)
      if (entry.key != "seeds" && entry.key != "table")
        collect_axes(entry.value, {"run", entry.key}, "run." + entry.key, "run." + entry.key, -1, axes);
  if (const ConfigNode* methods = root.find("methods"); methods && methods->is_sequence())
    for (std::size_t i = 0; i < methods->items.size() && i < labels.size(); ++i) {
      const ConfigNode& method = methods->items[i];
      if (!method.is_mapping()) continue;
      for (const auto& entry : method.entries) {
        if (entry.key == "label") continue;
        const auto site = std::find_if(sites.begin(), sites.end(), [&](const ComponentSite& s) {
          return s.method == static_cast<int>(i) && s.path.back() == entry.key;
        });
        if (site != sites.end())
          collect_component_axes(entry.value, *site, plugins, axes);
        else
          collect_axes(entry.value, {"methods", std::to_string(i), entry.key},
                       "methods." + labels[i] + "." + entry.key, entry.key, static_cast<int>(i), axes);
      }
    }
  return axes;
}

std::vector<Dimension> make_dimensions(const ConfigNode& root, const std::vector<Axis>& axes) {
  std::vector<bool> grouped(axes.size(), false);
  std::vector<Dimension> dimensions;
  const ConfigNode* sweep = root.find("sweep");
  if (sweep) {
    require_mapping(*sweep, "sweep");
    for (const auto& entry : sweep->entries)
      if (entry.key != "zip") unknown_key(entry, "sweep", {"zip"});
    if (const ConfigNode* zip = sweep->find("zip")) {
      if (!zip->is_sequence())
        fail(zip->location, "sweep.zip is a list of groups, each a list of swept keys, e.g. "
                            "[[problem.n, measurement.m]].");
      std::vector<std::string> names;
      for (const auto& axis : axes) names.push_back(axis.name);
      for (const auto& group : zip->items) {
        if (!group.is_sequence() || group.items.size() < 2)
          fail(group.location, "each sweep.zip group lists two or more swept keys.");
        Dimension dimension;
        for (const auto& item : group.items) {
          std::size_t index = axes.size();
          for (std::size_t a = 0; a < axes.size(); ++a)
            if (item.is_scalar() && axes[a].name == item.scalar) index = a;
          if (index == axes.size()) {
            const std::string guess = item.is_scalar() ? nearest(item.scalar, names) : "";
            fail(item.location,
                 fmt::format("'{}' in sweep.zip is not a swept key (a key given a list of values){} "
                             "Swept keys: {}.",
                             render_value(item), guess.empty() ? "." : "; did you mean '" + guess + "'?",
                             listing(names)));
          }
          if (grouped[index])
            fail(item.location, fmt::format("'{}' is in more than one zip group.", item.scalar));
          if (!dimension.axes.empty()) {
            const Axis& first = axes[dimension.axes.front()];
            if (axes[index].length != first.length)
              fail(item.location,
                   fmt::format("zipped sweeps must have equal lengths: {} has {} values, {} has {}.",
                               first.name, first.length, axes[index].name, axes[index].length));
            if (axes[index].method != first.method)
              fail(item.location,
                   fmt::format("{} and {} cannot be zipped: one belongs to a method and the other "
                               "does not (or to another method).",
                               first.name, axes[index].name));
          }
          grouped[index] = true;
          dimension.axes.push_back(index);
          dimension.length = axes[index].length;
          dimension.method = axes[index].method;
        }
        dimensions.push_back(dimension);
      }
    }
  }
  for (std::size_t a = 0; a < axes.size(); ++a)
    if (!grouped[a]) dimensions.push_back({{a}, axes[a].length, axes[a].method});
  return dimensions;
}

std::vector<std::vector<std::size_t>> combinations(const std::vector<const Dimension*>& dims) {
  std::vector<std::vector<std::size_t>> result{{}};
  for (const Dimension* dimension : dims) {
    std::vector<std::vector<std::size_t>> next;
    for (const auto& prefix : result)
      for (std::size_t i = 0; i < dimension->length; ++i) {
        auto combination = prefix;
        combination.push_back(i);
        next.push_back(std::move(combination));
      }
    result = std::move(next);
  }
  return result;
}

namespace {
/// How a swept value appears in summary.csv: the scalar as written, a
/// component's name, a list as written, or else its position in the list.
std::string label_of(const ConfigNode& item, std::size_t position) {
  if (item.is_scalar()) return item.scalar;
  if (const std::string name = component_name(item); !name.empty()) return name;
  if (item.is_sequence()) return render_value(item);
  return std::to_string(position);
}
}  // namespace

void substitute(ConfigNode& tree, const std::vector<Axis>& axes, const std::vector<const Dimension*>& dims,
                const std::vector<std::size_t>& choice, std::vector<SweptValueRecord>& swept) {
  for (std::size_t d = 0; d < dims.size(); ++d)
    for (std::size_t a : dims[d]->axes) {
      ConfigNode* node = at(tree, axes[a].path);
      ConfigNode item = node->items[choice[d]];
      swept.push_back({axes[a].column, label_of(item, choice[d])});
      *node = std::move(item);
    }
}

}  // namespace ncvx::detail
