#include "ncvx/study/config_tree.hpp"

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

/// Converts a yaml-cpp tree, refusing what could hurt: an alias that refers to
/// itself (unbounded nesting), aliases that multiply each other (unbounded
/// expansion), and tags that would change what a value means.
class Converter {
 public:
  Converter(std::string file, std::string origin) : file_(std::move(file)), origin_(std::move(origin)) {}

  ConfigNode convert(const YAML::Node& yaml, int depth = 0) {
    ConfigNode node;
    node.location = location_of(yaml.Mark());
    if (depth > kMaxConfigDepth)
      throw ConfigError(fmt::format("{}: the configuration nests deeper than {} levels (an alias that refers "
                                    "to itself?).",
                                    node.location.describe(), kMaxConfigDepth));
    if (++nodes_ > kMaxConfigNodes)
      throw ConfigError(fmt::format("{}: the configuration expands to more than {} values (aliases that "
                                    "repeat each other?); write the values out.",
                                    node.location.describe(), kMaxConfigNodes));
    const std::string& tag = yaml.Tag();
    switch (yaml.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: node.kind = ConfigNode::Kind::null; break;
      case YAML::NodeType::Scalar:
        node.kind = ConfigNode::Kind::scalar;
        node.scalar = yaml.Scalar();
        // "!": written in quotes (or as a block); !!str: a string whatever it looks like.
        node.quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
        check_tag(tag, node, {"?", "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                              "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"});
        break;
      case YAML::NodeType::Sequence:
        node.kind = ConfigNode::Kind::sequence;
        check_tag(tag, node, {"?", "!", "tag:yaml.org,2002:seq"});
        for (const auto& item : yaml) node.items.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        node.kind = ConfigNode::Kind::mapping;
        check_tag(tag, node, {"?", "!", "tag:yaml.org,2002:map"});
        for (const auto& pair : yaml) {
          const SourceLocation key_location = location_of(pair.first.Mark());
          if (!pair.first.IsScalar())
            throw ConfigError(key_location.describe() + ": mapping keys must be plain names.");
          const std::string key = pair.first.Scalar();
          if (node.find_entry(key))
            throw ConfigError(fmt::format("{}: duplicate key '{}'.", key_location.describe(), key));
          node.entries.push_back({key, key_location, convert(pair.second, depth + 1)});
        }
        break;
    }
    return node;
  }

 private:
  SourceLocation location_of(const YAML::Mark& mark) const {
    SourceLocation location;
    location.file = file_;
    location.origin = origin_;
    if (mark.line >= 0) {
      location.line = mark.line + 1;
      location.column = mark.column + 1;
    }
    return location;
  }

  static void check_tag(const std::string& tag, const ConfigNode& node, std::initializer_list<const char*> allowed) {
    for (const char* known : allowed)
      if (tag == known) return;
    std::string shown = tag;
    if (shown.rfind("tag:yaml.org,2002:", 0) == 0) shown = "!!" + shown.substr(18);
    throw ConfigError(fmt::format("{}: the tag '{}' is not understood here; write the value without it (or "
                                  "quote it: a quoted value is text).",
                                  node.location.describe(), shown));
  }

  std::string file_, origin_;
  std::size_t nodes_ = 0;
};

/// The line (1-based) where a second YAML document starts, or 0. Documents
/// are separated by a line starting with "---" (the first document may open
/// with one) or closed by "..."; lines of a block scalar that start so are
/// rare enough in a configuration to be refused too. (yaml-cpp's LoadAll is
/// not used: it loops forever on some malformed input.)
int second_document_line(const std::string& text) {
  bool content = false, ended = false;
  int number = 0;
  for (std::size_t at = 0; at <= text.size();) {
    const auto end = std::min(text.find('\n', at), text.size());
    const std::string_view line(text.data() + at, end - at);
    ++number;
    at = end + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    const bool marker = line.rfind("---", 0) == 0 && (line.size() == 3 || line[3] == ' ' || line[3] == '\t' ||
                                                      line[3] == '\r');
    const bool finish = line.rfind("...", 0) == 0 && (line.size() == 3 || line[3] == ' ' || line[3] == '\r');
    if ((marker && (content || ended)) || (!marker && !finish && ended)) return number;
    if (finish) ended = true;
    else if (!marker || line.find_first_not_of(" \t\r", 3) != std::string_view::npos) content = true;
  }
  return 0;
}

/// The single document of a YAML text (a second one is an error, not ignored).
YAML::Node single_document(const std::string& text, const std::string& where) {
  if (text.size() > kMaxConfigBytes)
    throw ConfigError(fmt::format("{}: {} bytes; a configuration is at most {} bytes.", where, text.size(),
                                  kMaxConfigBytes));
  if (const int line = second_document_line(text))
    throw ConfigError(fmt::format("{}:{}:1: a second YAML document (after --- or ...); an experiment is one "
                                  "document.",
                                  where, line));
  return YAML::Load(text);
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
    const YAML::Node yaml = single_document(buffer.str(), path);
    ConfigNode root = Converter(path, "").convert(yaml);
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
    return Converter(origin.file, origin.origin).convert(single_document(text, origin.describe()));
  } catch (const YAML::Exception& error) {
    throw ConfigError(fmt::format("{}: YAML syntax error: {}.", origin.describe(), error.msg));
  }
}

// The walk down a key path, step by step with the refusal of each step next to
// it, reads best as one function.
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
      if (!next && !part.empty() && part.size() <= 9 && part.find_first_not_of("0123456789") == std::string::npos) {
        const std::size_t index = std::stoul(part);  // at most 9 digits: no overflow
        if (index < node->items.size()) next = &node->items[index];
      }
      if (!next) {
        std::vector<std::string> labels;
        for (auto& item : node->items)
          if (const auto* label = item.is_mapping() ? item.find("label") : nullptr)
            labels.push_back(label->scalar);
        const std::string guess = nearest(part, labels);
        throw ConfigError(fmt::format("{}: no entry '{}' in the list at '{}'{} Entries are named by label{} or "
                                      "by index 0 to {}.",
                                      origin.describe(), part, fmt::join(parts.begin(), parts.begin() + i, "."),
                                      guess.empty() ? "." : "; did you mean '" + guess + "'?",
                                      labels.empty() ? "" : " (" + fmt::format("{}", fmt::join(labels, ", ")) + ")",
                                      node->items.empty() ? 0 : node->items.size() - 1));
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
