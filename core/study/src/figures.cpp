// The `figures:` section of a configuration (plot.hpp): each figure checked
// key by key, with the file, line and column of a mistake.

#include <algorithm>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/study/output.hpp"
#include "ncvx/study/plot.hpp"

namespace ncvx {

namespace {

const std::vector<std::string> kFigureKeys = {"name",  "title", "x",   "y",         "log_x",  "log_y",
                                              "methods", "fit", "reference", "x_label", "y_label",
                                              "reverse_x", "kind", "statistic", "value"};

[[noreturn]] void fail(const SourceLocation& where, const std::string& message) {
  throw ConfigError(where.describe() + ": " + message);
}

std::string scalar(const ConfigNode& node, const std::string& what) {
  if (!node.is_scalar()) fail(node.location, what + " must be a single value.");
  return node.scalar;
}

bool boolean(const ConfigNode& node, const std::string& what) {
  const std::string text = scalar(node, what);
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail(node.location, fmt::format("{} = '{}' is not a boolean (true or false).", what, text));
}

std::vector<std::string> names(const ConfigNode& node, const std::string& what) {
  if (node.is_scalar()) return {node.scalar};
  if (!node.is_sequence()) fail(node.location, what + " is a name or a list of names.");
  std::vector<std::string> result;
  for (const auto& item : node.items) result.push_back(scalar(item, what));
  return result;
}

std::string one_of(const ConfigNode& node, const std::string& what,
                   const std::vector<std::string>& choices) {
  const std::string text = scalar(node, what);
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return text;
  const std::string guess = nearest(text, choices);
  fail(node.location, fmt::format("{} = '{}' is not one of {{{}}}{}", what, text,
                                  fmt::join(choices, ", "),
                                  guess.empty() ? "." : "; did you mean '" + guess + "'?"));
}

/// `text` with control characters as spaces, to quote it in a message.
std::string one_line(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
  return text;
}

}  // namespace

std::vector<FigureSpec> default_figures() {
  FigureSpec test;
  test.name = "test_error";
  test.title = "Test error";
  test.y = {"test_error"};
  FigureSpec train;
  train.name = "train_loss";
  train.title = "Training loss";
  train.y = {"train_loss"};
  return {test, train};
}

std::vector<FigureSpec> parse_figures(const ConfigNode& node) {
  if (!node.is_sequence())
    fail(node.location, "figures is a list of figures, each with a name, x and y.");
  std::vector<FigureSpec> figures;
  for (const auto& item : node.items) {
    if (!item.is_mapping()) fail(item.location, "each figure is a mapping with name, x and y.");
    FigureSpec figure;
    for (const auto& entry : item.entries) {
      if (std::find(kFigureKeys.begin(), kFigureKeys.end(), entry.key) == kFigureKeys.end()) {
        const std::string guess = nearest(entry.key, kFigureKeys);
        fail(entry.key_location,
             fmt::format("unknown key '{}' in a figure{} Valid keys: {}.", entry.key,
                         guess.empty() ? "." : "; did you mean '" + guess + "'?",
                         fmt::join(kFigureKeys, ", ")));
      }
      const ConfigNode& value = entry.value;
      const std::string what = "figure." + entry.key;
      if (entry.key == "name") figure.name = scalar(value, what);
      else if (entry.key == "title") figure.title = scalar(value, what);
      else if (entry.key == "x") figure.x = scalar(value, what);
      else if (entry.key == "y") figure.y = names(value, what);
      else if (entry.key == "log_x") figure.log_x = boolean(value, what);
      else if (entry.key == "log_y") figure.log_y = boolean(value, what);
      else if (entry.key == "reverse_x") figure.reverse_x = boolean(value, what);
      else if (entry.key == "methods") figure.methods = names(value, what);
      else if (entry.key == "fit") figure.fit = one_of(value, what, {"none", "power", "log_linear"});
      else if (entry.key == "reference") {
        figure.references.clear();
        const ConfigNode listed = value.is_sequence() ? value : [&] {
          ConfigNode list;
          list.kind = ConfigNode::Kind::sequence;
          list.items.push_back(value);
          return list;
        }();
        for (const auto& reference : listed.items) figure.references.push_back(scalar(reference, what));
      }
      else if (entry.key == "kind") figure.kind = one_of(value, what, {"line", "heatmap"});
      else if (entry.key == "statistic") figure.statistic = one_of(value, what, {"median", "mean"});
      else if (entry.key == "value") figure.value = scalar(value, what);
      else if (entry.key == "x_label") figure.x_label = scalar(value, what);
      else if (entry.key == "y_label") figure.y_label = scalar(value, what);
    }
    if (figure.name.empty() || figure.name != safe_file_name(figure.name))
      fail(item.location, fmt::format("a figure needs a `name` of letters, digits, '.', '-' and '_', not starting "
                                      "with '.' (its file name){}.",
                                      figure.name.empty() ? "" : "; '" + one_line(figure.name) + "' is not one"));
    for (const auto& other : figures)
      if (other.name == figure.name)
        fail(item.location, fmt::format("two figures are named '{}'.", figure.name));
    if (!figure.trajectory() && figure.y.size() != 1)
      fail(item.location, "a summary figure (x other than iteration or seconds) plots one y column.");
    if (figure.kind == "heatmap" && (figure.trajectory() || figure.y.size() != 1 || !item.find("y")))
      fail(item.location, "a heatmap needs x and y: two swept axes (e.g. x: problem.m, y: problem.rank), and "
                          "value: the summary column its cells show.");
    figures.push_back(std::move(figure));
  }
  return figures;
}

}  // namespace ncvx
