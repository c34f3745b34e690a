// A ratings file: (row, column, value) triples and no ground truth.
//
// Layouts (`format: auto` tells them apart by the first line):
//   tsv   user <tab> item <tab> rating [<tab> timestamp]      (MovieLens 100k u.data)
//   csv   userId,movieId,rating[,timestamp] with a header line (MovieLens latest)
//   also  user::item::rating::timestamp                        (MovieLens 1M/10M .dat)
// Ids are any words; they are remapped to 0-based row (user) and column
// (item) indices in order of first appearance, so the matrix is
// users x items. Extra columns are ignored; a repeated (user, item) keeps the
// last rating.
//
// Each run's seed splits the triples: a uniformly random `heldout` fraction
// (drawn from the stream (seed, "ground_truth")) is held out, the rest is
// observed (`matrix_completion` measures exactly those). With `center`, the
// mean of the observed ratings is subtracted from every value, so X = U V^T
// models deviations from it and heldout_rmse is the RMSE of mean + U V^T.

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;

struct Triple {
  std::int32_t row, column;
  double value;
};

[[noreturn]] void bad(const std::string& file, std::size_t line, const std::string& why) {
  throw std::runtime_error(file + ":" + std::to_string(line) + ": " + why);
}

class Ratings final : public ncvx::Problem {
 public:
  explicit Ratings(const ncvx::ParameterValues& values)
      : heldout_(values.real("heldout")), center_(values.boolean("center")) {
    const std::string& file = values.text("file");
    if (file.empty()) throw std::invalid_argument("ratings needs `file`: the ratings to complete");
    read(file, values.choice("format"));
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::path("file", "the ratings: user item rating [timestamp] per line"),
        ncvx::ParameterSpec::choice("format", "auto", {"auto", "tsv", "csv", "dat"},
                                    "tsv (tabs or blanks), csv with a header, dat (::), or auto"),
        ncvx::ParameterSpec::real("heldout", 0.2, "fraction of the ratings held out (per seed)")
            .at_least(0.0)
            .below(1.0),
        ncvx::ParameterSpec::boolean("center", true, "subtract the mean observed rating"),
    };
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::rectangular(users_, items_), false, true, heldout_ > 0, 0};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    // A uniform random subset of round(heldout * N) triples (partial Fisher-Yates).
    const std::size_t total = triples_.size();
    const auto held = static_cast<std::size_t>(std::llround(heldout_ * static_cast<double>(total)));
    std::vector<std::size_t> order(total);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < held; ++i) {
      const auto j = std::min(total - 1, i + static_cast<std::size_t>(random.uniform() * static_cast<double>(total - i)));
      std::swap(order[i], order[j]);
    }
    std::vector<bool> is_heldout(total, false);
    for (std::size_t i = 0; i < held; ++i) is_heldout[order[i]] = true;
    double mean = 0.0;
    if (center_) {
      for (std::size_t e = 0; e < total; ++e)
        if (!is_heldout[e]) mean += triples_[e].value;
      mean /= static_cast<double>(std::max<std::size_t>(1, total - held));
    }
    ncvx::ProblemData data;
    data.observed.emplace();
    data.observed->reserve(total - held);
    if (heldout_ > 0) data.heldout.emplace();
    for (std::size_t e = 0; e < total; ++e) {
      const Triple& t = triples_[e];
      (is_heldout[e] ? *data.heldout : *data.observed).add(t.row, t.column, t.value - mean);
    }
    if (data.observed->size() == 0) throw std::runtime_error("every rating was held out; lower `heldout`");
    return data;
  }

  std::size_t required_bytes() const override { return triples_.size() * 3 * sizeof(Triple); }

 private:
  void read(const std::string& file, std::string format) {
    std::ifstream stream(file);
    if (!stream) throw std::runtime_error(file + ": cannot open the file");
    std::unordered_map<std::string, std::int32_t> users, items;
    std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> seen;
    std::string line;
    std::size_t number = 0;
    bool first = true;  // the first data line may be a header
    auto index = [](std::unordered_map<std::string, std::int32_t>& ids, const std::string& id) {
      const auto [it, added] = ids.try_emplace(id, static_cast<std::int32_t>(ids.size()));
      return it->second;
    };
    while (std::getline(stream, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line[0] == '#' || line[0] == '%') continue;
      if (format == "auto")
        format = line.find("::") != std::string::npos ? "dat" : line.find(',') != std::string::npos ? "csv" : "tsv";
      std::vector<std::string> fields;
      if (format == "dat") {
        for (std::size_t at = 0;;) {
          const auto next = line.find("::", at);
          fields.push_back(line.substr(at, next - at));
          if (next == std::string::npos) break;
          at = next + 2;
        }
      } else {
        std::string text = line;
        if (format == "csv") std::replace(text.begin(), text.end(), ',', ' ');
        std::istringstream split(text);
        for (std::string field; split >> field;) fields.push_back(field);
      }
      if (fields.size() < 3) bad(file, number, "expected user, item and rating, found " + std::to_string(fields.size()) + " fields");
      char* end = nullptr;
      const double value = std::strtod(fields[2].c_str(), &end);
      const bool header = first;
      first = false;
      if (end != fields[2].c_str() + fields[2].size() || fields[2].empty()) {
        if (header) continue;  // userId,movieId,rating,timestamp
        bad(file, number, "rating '" + fields[2] + "' is not a number");
      }
      if (!std::isfinite(value)) bad(file, number, "rating is not finite");
      const std::int32_t row = index(users, fields[0]), column = index(items, fields[1]);
      if (const auto it = seen.find({row, column}); it != seen.end()) {
        triples_[it->second].value = value;
        continue;
      }
      seen.emplace(std::make_pair(row, column), triples_.size());
      triples_.push_back({row, column, value});
    }
    if (triples_.empty()) throw std::runtime_error(file + ": no ratings");
    users_ = static_cast<Index>(users.size());
    items_ = static_cast<Index>(items.size());
  }

  double heldout_;
  bool center_;
  std::vector<Triple> triples_;
  Index users_ = 0, items_ = 0;
};

}  // namespace

NCVX_PLUGIN(Ratings, "ratings",
            "(user, item, rating) triples from a file, a seeded held-out split, no ground truth (heldout_rmse)",
            NCVX_VERSION_STRING)
