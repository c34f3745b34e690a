#pragma once
// Error types. Messages are complete sentences meant for the researcher:
// what is wrong, where, and what would fix it.

#include <stdexcept>
#include <string>
#include <vector>

namespace ncvx {

/// Base of every error ncvx reports to the user.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A configuration problem: the message starts with "file:line:column: ".
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// A plugin that cannot be loaded or that failed while being created or used.
class PluginError : public Error {
 public:
  using Error::Error;
};

/// The closest candidate to `word` by edit distance, or "" if none is close
/// enough to be a plausible typo.
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

/// Levenshtein distance.
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace ncvx
