#pragma once
// The configuration as a tree of mappings, sequences and scalars in which
// every node remembers where it came from: "file:line:column" for nodes read
// from a YAML file, "command-line override `path=value`" for nodes set with
// `ncvx run CONFIG path=value`. Every configuration error is reported at the
// location of the node it is about.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ncvx {

/// Limits on configuration input, each refusal a ConfigError at its place:
/// nesting depth, values after expanding aliases, and the text's size.
inline constexpr int kMaxConfigDepth = 64;
inline constexpr std::size_t kMaxConfigNodes = 100'000;
inline constexpr std::size_t kMaxConfigBytes = std::size_t{4} << 20;

struct SourceLocation {
  std::string file;    // empty for command-line overrides
  int line = 0;        // 1-based; 0 when unknown
  int column = 0;      // 1-based
  std::string origin;  // "command-line override `run.iterations=10`" when not from a file

  /// "configs/x.yaml:12:5" or the origin.
  std::string describe() const;
};

struct ConfigEntry;

class ConfigNode {
 public:
  enum class Kind { null, scalar, sequence, mapping };

  Kind kind = Kind::null;
  std::string scalar;               // Kind::scalar
  bool quoted = false;              // the scalar was written in quotes
  std::vector<ConfigNode> items;    // Kind::sequence
  std::vector<ConfigEntry> entries; // Kind::mapping, in file order
  SourceLocation location;

  static ConfigNode make_scalar(std::string text, SourceLocation location);
  static ConfigNode make_mapping(SourceLocation location);

  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }

  /// The value of `key` in a mapping, or nullptr.
  const ConfigNode* find(const std::string& key) const;
  ConfigNode* find(const std::string& key);
  const ConfigEntry* find_entry(const std::string& key) const;
  /// Sets (or adds at the end) `key` in a mapping.
  ConfigNode& set(const std::string& key, ConfigNode value, SourceLocation key_location = {});

  /// Renders as YAML (flow style for short sequences).
  std::string to_yaml(int indent = 0) const;
};

struct ConfigEntry {
  std::string key;
  SourceLocation key_location;
  ConfigNode value;
};

/// Reads a YAML file; a syntax error is a ConfigError at file:line:column.
/// Aliases are expanded within the limits above; a tag other than the YAML
/// core schema's, and a second document, are errors; `!!str` makes a value text.
ConfigNode load_config_file(const std::string& path);
/// Parses YAML text (used for override values and tests).
ConfigNode parse_config_text(const std::string& text, const SourceLocation& origin);

/// Applies `path=value` (path with '.' separators; method entries addressed by
/// label, e.g. `methods.small.init.scale=1e-4`, or by index, `methods.0.width=4`).
/// The value is parsed as YAML, so `problem.n=[20,40]` declares a sweep.
void apply_override(ConfigNode& root, const std::string& assignment);

}  // namespace ncvx
