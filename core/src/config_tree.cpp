#include "ncvx/config_tree.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "ncvx/errors.hpp"

namespace ncvx {

std::string SourceLocation::describe() const {
  if (!origin.empty()) return origin;
  if (line > 0) return fmt::format("{}:{}:{}", file, line, column);
  return file.empty() ? std::string("<unknown>") : file;
}

ConfigNode ConfigNode::make_scalar(std::string text, SourceLocation location) {
  ConfigNode node;
  node.kind = Kind::scalar;
  node.scalar = std::move(text);
  node.location = std::move(location);
  return node;
}

ConfigNode ConfigNode::make_mapping(SourceLocation location) {
  ConfigNode node;
  node.kind = Kind::mapping;
  node.location = std::move(location);
  return node;
}

const ConfigEntry* ConfigNode::find_entry(const std::string& key) const {
  for (const auto& entry : entries)
    if (entry.key == key) return &entry;
  return nullptr;
}

const ConfigNode* ConfigNode::find(const std::string& key) const {
  const auto* entry = find_entry(key);
  return entry ? &entry->value : nullptr;
}

ConfigNode* ConfigNode::find(const std::string& key) {
  for (auto& entry : entries)
    if (entry.key == key) return &entry.value;
  return nullptr;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value, SourceLocation key_location) {
  for (auto& entry : entries)
    if (entry.key == key) {
      entry.value = std::move(value);
      return entry.value;
    }
  entries.push_back({key, std::move(key_location), std::move(value)});
  return entries.back().value;
}

namespace {

bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  if (text.find_first_of(":#{}[],&*!|>'\"%@`\n") != std::string::npos) return true;
  return text.front() == ' ' || text.back() == ' ' ||
         (text.front() == '-' && text.size() > 1 && !std::isdigit(static_cast<unsigned char>(text[1])));
}

std::string render_scalar(const ConfigNode& node) {
  if (!node.quoted && !needs_quotes(node.scalar)) return node.scalar;
  std::string out = "\"";
  for (char c : node.scalar) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

bool is_flat(const ConfigNode& node) {
  if (node.is_sequence()) {
    for (const auto& item : node.items)
      if (!item.is_scalar()) return false;
    return true;
  }
  return node.kind != ConfigNode::Kind::mapping || node.entries.empty();
}

std::string render_flat(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::null: return "null";
    case ConfigNode::Kind::scalar: return render_scalar(node);
    case ConfigNode::Kind::mapping: return "{}";
    case ConfigNode::Kind::sequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items.size(); ++i)
        out += (i ? ", " : "") + render_scalar(node.items[i]);
      return out + "]";
    }
  }
  return "";
}

void render(const ConfigNode& node, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (node.is_mapping()) {
    for (const auto& entry : node.entries) {
      if (is_flat(entry.value)) {
        out += pad + entry.key + ": " + render_flat(entry.value) + "\n";
      } else {
        out += pad + entry.key + ":\n";
        render(entry.value, indent + 2, out);
      }
    }
  } else if (node.is_sequence()) {
    for (const auto& item : node.items) {
      if (is_flat(item)) {
        out += pad + "- " + render_flat(item) + "\n";
      } else {
        std::string inner;
        render(item, indent + 2, inner);
        // Put the first line after the dash.
        out += pad + "- " + inner.substr(static_cast<std::size_t>(indent) + 2);
      }
    }
  } else {
    out += pad + render_flat(node) + "\n";
  }
}

ConfigNode convert(const YAML::Node& yaml, const std::string& file, const std::string& origin) {
  auto location_of = [&](const YAML::Mark& mark) {
    SourceLocation location;
    location.file = file;
    location.origin = origin;
    if (mark.line >= 0) {
      location.line = mark.line + 1;
      location.column = mark.column + 1;
    }
    return location;
  };
  ConfigNode node;
  node.location = location_of(yaml.Mark());
  switch (yaml.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: node.kind = ConfigNode::Kind::null; break;
    case YAML::NodeType::Scalar:
      node.kind = ConfigNode::Kind::scalar;
      node.scalar = yaml.Scalar();
      node.quoted = yaml.Tag() == "!";
      break;
    case YAML::NodeType::Sequence:
      node.kind = ConfigNode::Kind::sequence;
      for (const auto& item : yaml) node.items.push_back(convert(item, file, origin));
      break;
    case YAML::NodeType::Map:
      node.kind = ConfigNode::Kind::mapping;
      for (const auto& pair : yaml) {
        const SourceLocation key_location = location_of(pair.first.Mark());
        if (!pair.first.IsScalar())
          throw ConfigError(key_location.describe() + ": mapping keys must be plain names.");
        const std::string key = pair.first.Scalar();
        if (node.find_entry(key))
          throw ConfigError(fmt::format("{}: duplicate key '{}'.", key_location.describe(), key));
        node.entries.push_back({key, key_location, convert(pair.second, file, origin)});
      }
      break;
  }
  return node;
}

}  // namespace

std::string ConfigNode::to_yaml(int indent) const {
  std::string out;
  render(*this, indent, out);
  return out;
}

ConfigNode load_config_file(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) throw ConfigError(fmt::format("{}: cannot open the configuration file.", path));
  std::stringstream buffer;
  buffer << stream.rdbuf();
  try {
    const YAML::Node yaml = YAML::Load(buffer.str());
    ConfigNode root = convert(yaml, path, "");
    if (root.kind == ConfigNode::Kind::null) root = ConfigNode::make_mapping(root.location);
    if (!root.is_mapping())
      throw ConfigError(fmt::format("{}: the configuration must be a mapping of sections "
                                    "(problem, measurement, loss, methods, run).",
                                    root.location.describe()));
    return root;
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}:{}:{}: YAML syntax error: {}.", path, error.mark.line + 1,
                                  error.mark.column + 1, error.msg));
  }
}

ConfigNode parse_config_text(const std::string& text, const SourceLocation& origin) {
  try {
    return convert(YAML::Load(text), origin.file, origin.origin);
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}: YAML syntax error: {}.", origin.describe(), error.msg));
  }
}

void apply_override(ConfigNode& root, const std::string& assignment) {
  SourceLocation origin;
  origin.origin = fmt::format("command-line override `{}`", assignment);
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw ConfigError(origin.describe() + ": an override is written key.path=value.");
  const std::string path = assignment.substr(0, equals);
  ConfigNode value = parse_config_text(assignment.substr(equals + 1), origin);
  if (value.kind == ConfigNode::Kind::null) value = ConfigNode::make_scalar("", origin);

  std::vector<std::string> parts;
  std::stringstream splitter(path);
  for (std::string part; std::getline(splitter, part, '.');) parts.push_back(part);

  ConfigNode* node = &root;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (node->is_sequence()) {
      // Method entries by label, or any sequence by index.
      ConfigNode* next = nullptr;
      for (auto& item : node->items)
        if (const auto* label = item.is_mapping() ? item.find("label") : nullptr;
            label && label->is_scalar() && label->scalar == part)
          next = &item;
      if (!next && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos) {
        const std::size_t index = std::stoul(part);
        if (index < node->items.size()) next = &node->items[index];
      }
      if (!next) {
        std::vector<std::string> labels;
        for (auto& item : node->items)
          if (const auto* label = item.is_mapping() ? item.find("label") : nullptr)
            labels.push_back(label->scalar);
        const std::string guess = nearest(part, labels);
        throw ConfigError(fmt::format("{}: no entry '{}' in the list at '{}'{}.", origin.describe(),
                                      part, fmt::join(parts.begin(), parts.begin() + i, "."),
                                      guess.empty() ? "" : "; did you mean '" + guess + "'?"));
      }
      if (last) {
        *next = std::move(value);
        return;
      }
      node = next;
      continue;
    }
    if (node->kind == ConfigNode::Kind::null || node->is_scalar()) {
      // `init: spectral` overridden by `init.name=...`: a scalar component name
      // becomes {name: ...} so parameters can be added next to it.
      ConfigNode mapping = ConfigNode::make_mapping(origin);
      if (node->is_scalar()) mapping.set("name", *node, node->location);
      *node = std::move(mapping);
    }
    if (last) {
      node->set(part, std::move(value), origin);
      return;
    }
    ConfigNode* next = node->find(part);
    if (!next) next = &node->set(part, ConfigNode::make_mapping(origin), origin);
    node = next;
  }
}

}  // namespace ncvx
