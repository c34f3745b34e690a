#include "ncvx/errors.hpp"

#include <algorithm>
#include <cctype>

namespace ncvx {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  // A plausible typo: at most a third of the longer word changed (at least 2 edits
  // allowed), or one name contains the other.
  const std::size_t longest = std::max(word.size(), best.size());
  const std::size_t allowed = std::max<std::size_t>(2, longest / 3);
  const bool contains = !best.empty() && !word.empty() &&
                        (best.find(word) != std::string::npos || word.find(best) != std::string::npos);
  if (best.empty() || (best_distance > allowed && !contains)) return "";
  return best;
}

}  // namespace ncvx
