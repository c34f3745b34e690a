// A ratings file: (row, column, value) observations and no ground truth.
//
// The file is read once, streamed (rating_files.hpp: MovieLens u.data,
// ratings.csv and ratings.dat, LIBMF triplets, Matrix Market coordinate,
// scipy.sparse .npz), ids numbered in order of first appearance (or kept as
// indices), so the matrix is users x items.
//
// The held-out (test) set, scored by heldout_rmse:
//   split: random   a uniformly random `heldout` fraction, drawn per seed
//                   from the stream (seed, "ground_truth");
//   split: last     each user's last `per_user` ratings (by the timestamp
//                   column when there is one, else by position in the file),
//                   keeping at least one rating per user observed; the same
//                   for every seed;
//   split: file     the ratings of `test_file` (its ids numbered after the
//                   training file's, so a test-only item is a column that no
//                   observation reaches).
// With `center`, the mean of the observed ratings is subtracted from every
// value, so X = U V^T models deviations from it and heldout_rmse is the RMSE
// of mean + U V^T.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <ncvx/plugin.hpp>

#include "rating_files.hpp"

namespace {

using ncvx::Index;
using ncvx_ratings::IdMap;
using ncvx_ratings::Rating;

IdMap::Mode id_mode(const std::string& name) {
  return name == "zero_based" ? IdMap::Mode::zero_based
         : name == "one_based" ? IdMap::Mode::one_based
                               : IdMap::Mode::remap;
}

class Ratings final : public ncvx::Problem {
 public:
  explicit Ratings(const ncvx::ParameterValues& values)
      : split_(values.choice("split")), heldout_(values.real("heldout")),
        per_user_(values.integer("per_user")), center_(values.boolean("center")) {
    const std::string& file = values.text("file");
    if (file.empty()) throw std::invalid_argument("ratings needs `file`: the ratings to complete");
    const std::string& test_file = values.text("test_file");
    if (split_ == "file" && test_file.empty())
      throw std::invalid_argument("split: file needs `test_file`, the held-out ratings");
    if (split_ != "file" && !test_file.empty())
      throw std::invalid_argument("test_file is read with split: file (split is '" + split_ + "')");
    IdMap users(id_mode(values.choice("ids"))), items(id_mode(values.choice("ids")));
    // The layout, resolved once per file (`auto`: from the extension or the first line).
    const std::string& chosen = values.choice("format");
    auto layout_of = [&](const std::string& path) { return chosen == "auto" ? ncvx_ratings::detect_format(path) : chosen; };
    auto indexed = [](const std::string& layout) { return layout == "mtx" || layout == "npz"; };
    ncvx_ratings::ReadOptions options;
    options.format = layout_of(file);
    options.keep_times = split_ == "last";
    auto read = ncvx_ratings::read_rating_file(file, options, users, items);
    if (read.ratings.empty()) throw std::runtime_error(file + ": no ratings");
    ratings_ = std::move(read.ratings);
    times_ = std::move(read.times);
    if (split_ == "file") {
      const std::string format = options.format;
      options.format = layout_of(test_file);
      if (indexed(format) != indexed(options.format))
        throw std::invalid_argument("test_file is " + options.format + " and file is " + format +
                                    ": both must carry indices (mtx, npz) or both ids (text layouts)");
      test_ = ncvx_ratings::read_rating_file(test_file, options, users, items).ratings;
      if (test_.empty()) throw std::runtime_error(test_file + ": no ratings");
    }
    users_ = static_cast<Index>(users.size());
    items_ = static_cast<Index>(items.size());
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::path("file", "the ratings: user item rating [timestamp] per line, .mtx or .npz"),
        ncvx::ParameterSpec::choice("format", "auto", {"auto", "tsv", "csv", "dat", "triplets", "mtx", "npz"},
                                    "tsv (tabs or blanks), csv with a header, dat (::), triplets (LIBMF), mtx "
                                    "(Matrix Market coordinate), npz (scipy.sparse), or auto"),
        ncvx::ParameterSpec::choice("ids", "remap", {"remap", "zero_based", "one_based"},
                                    "text ids: numbered in order of first appearance, or indices"),
        ncvx::ParameterSpec::choice("split", "random", {"random", "last", "file"},
                                    "held-out set: a random fraction per seed, each user's last ratings, or "
                                    "test_file"),
        ncvx::ParameterSpec::real("heldout", 0.2, "split: random: fraction of the ratings held out (per seed)")
            .at_least(0.0)
            .below(1.0),
        ncvx::ParameterSpec::integer("per_user", 1, "split: last: ratings held out per user").at_least(1),
        ncvx::ParameterSpec::path("test_file", "split: file: the held-out ratings (same layout)"),
        ncvx::ParameterSpec::boolean("center", true, "subtract the mean observed rating"),
    };
  }

  ncvx::ProblemDescription describe() const override {
    const bool heldout = split_ == "random" ? heldout_ > 0 : true;
    return {ncvx::MatrixShape::rectangular(users_, items_), false, true, heldout, 0};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    const std::size_t total = ratings_.size();
    const std::vector<bool> is_heldout = split_ == "random" ? random_split(random)
                                         : split_ == "last" ? last_split()
                                                            : std::vector<bool>(total, false);
    double mean = 0.0;
    std::size_t observed = 0;
    for (std::size_t e = 0; e < total; ++e)
      if (!is_heldout[e]) {
        mean += ratings_[e].value;
        ++observed;
      }
    mean = center_ ? mean / static_cast<double>(std::max<std::size_t>(1, observed)) : 0.0;
    ncvx::ProblemData data;
    data.observed.emplace();
    data.observed->reserve(observed);
    if (describe().heldout) data.heldout.emplace();
    for (std::size_t e = 0; e < total; ++e) {
      const Rating& t = ratings_[e];
      (is_heldout[e] ? *data.heldout : *data.observed).add(t.row, t.column, t.value - mean);
    }
    for (const Rating& t : test_) data.heldout->add(t.row, t.column, t.value - mean);
    if (data.observed->size() == 0) throw std::runtime_error("every rating was held out; lower `heldout`");
    return data;
  }

  std::size_t required_bytes() const override { return (ratings_.size() + test_.size()) * 3 * sizeof(Rating); }

 private:
  /// A uniform random subset of round(heldout * N) ratings (partial Fisher-Yates).
  std::vector<bool> random_split(ncvx::RandomStream& random) const {
    const std::size_t total = ratings_.size();
    const auto held = static_cast<std::size_t>(std::llround(heldout_ * static_cast<double>(total)));
    std::vector<std::size_t> order(total);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = 0; i < held; ++i) {
      const auto j = std::min(total - 1, i + static_cast<std::size_t>(random.uniform() * static_cast<double>(total - i)));
      std::swap(order[i], order[j]);
    }
    std::vector<bool> is_heldout(total, false);
    for (std::size_t i = 0; i < held; ++i) is_heldout[order[i]] = true;
    return is_heldout;
  }

  /// Each user's last per_user ratings (by time, then position), at least one kept.
  std::vector<bool> last_split() const {
    const std::size_t total = ratings_.size();
    std::vector<std::size_t> order(total);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (ratings_[a].row != ratings_[b].row) return ratings_[a].row < ratings_[b].row;
      return times_[a] < times_[b];
    });
    std::vector<bool> is_heldout(total, false);
    for (std::size_t begin = 0; begin < total;) {
      std::size_t end = begin;
      while (end < total && ratings_[order[end]].row == ratings_[order[begin]].row) ++end;
      const std::size_t count = end - begin;
      const std::size_t held = std::min<std::size_t>(static_cast<std::size_t>(per_user_), count - 1);
      for (std::size_t k = end - held; k < end; ++k) is_heldout[order[k]] = true;
      begin = end;
    }
    return is_heldout;
  }

  std::string split_;
  double heldout_;
  std::int64_t per_user_;
  bool center_;
  std::vector<Rating> ratings_, test_;
  std::vector<double> times_;
  Index users_ = 0, items_ = 0;
};

}  // namespace

NCVX_PLUGIN(Ratings, "ratings",
            "(user, item, rating) observations from a file (MovieLens, LIBMF, Matrix Market, scipy .npz), a held-out "
            "split (random, each user's last, or a test file), no ground truth (heldout_rmse)",
            NCVX_VERSION_STRING)
