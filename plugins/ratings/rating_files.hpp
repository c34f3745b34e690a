#pragma once
// Reading rating files: (row, column, value) observations of a matrix,
// streamed (a block of the file at a time, never the whole file as text).
//
//   tsv       user item rating [timestamp ...], tabs or blanks       (MovieLens 100k u.data)
//   csv       userId,movieId,rating[,timestamp] with a header        (MovieLens latest ratings.csv)
//   dat       user::item::rating::timestamp                           (MovieLens 1M/10M ratings.dat)
//   triplets  row col value, blanks                                   (LIBMF, and most tools' text)
//   mtx       Matrix Market coordinate (real, integer or pattern; general or symmetric):
//             1-based indices and the shape from its size line
//   npz       a scipy.sparse matrix saved by scipy.sparse.save_npz (coo, csr or csc;
//             stored or deflated; indices and shape as saved)
//
// In the text layouts ids are words. With `ids: remap` they are numbered in
// order of first appearance (rows: users, columns: items); with `zero_based`
// or `one_based` they are indices, and the shape is one past the largest.
// Matrix Market and npz files carry indices and a shape of their own.
// A repeated (row, column) keeps its first position and its last value.
// Malformed input is refused with the file, the line (or the array) and the
// reason, before anything large is allocated from it.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ncvx_ratings {

struct Rating {
  std::int32_t row, column;
  double value;
};

/// Ids to indices, one side (users or items): in order of first appearance,
/// or as indices. Canonical decimal ids take a fast path; any word works.
class IdMap {
 public:
  enum class Mode { remap, zero_based, one_based };
  explicit IdMap(Mode mode = Mode::remap) : mode_(mode) {}

  /// The index of `id`; an empty result (-1) with `why` set when it is not valid.
  std::int64_t index(std::string_view id, std::string& why);
  /// Rows (or columns): ids seen, or one past the largest index.
  std::int64_t size() const { return size_; }
  /// Grows the size to at least `size` (a Matrix Market or npz shape).
  void cover(std::int64_t size) { size_ = std::max(size_, size); }
  /// Sizes the fast path's table for a file of `bytes` (at most one entry
  /// for every two bytes, between 2^16 and 2^24); only before the first id,
  /// so that an id keeps one way to its index.
  void fit_table_to(std::uint64_t bytes) {
    if (size_ == 0 && small_.empty())
      table_limit_ = static_cast<std::int64_t>(std::clamp<std::uint64_t>(bytes / 2, 1u << 16, 1u << 24));
  }

 private:
  Mode mode_;
  std::int64_t size_ = 0;
  std::int64_t table_limit_ = std::int64_t{1} << 24;
  std::vector<std::int32_t> small_;  // canonical decimal ids below table_limit_ -> index (-1: unseen)
  std::unordered_map<std::string, std::int32_t> words_;
};

struct RatingFile {
  std::vector<Rating> ratings;  ///< file order, duplicates merged
  std::vector<double> times;    ///< with keep_times: each rating's timestamp (NaN: none) or file position
};

struct ReadOptions {
  std::string format = "auto";  ///< auto: from the extension, else the first line
  bool keep_times = false;
};

/// Appends the ratings of `file` (duplicates merged within the file), with
/// ids numbered through `users` and `items` (shared with another file: a
/// separate test set). Throws std::runtime_error naming the file and line.
RatingFile read_rating_file(const std::string& file, const ReadOptions& options, IdMap& users, IdMap& items);

/// The format `auto` resolves to for a file, from its extension or first line.
std::string detect_format(const std::string& file);

/// Merges repeated (row, column) pairs of a rows x cols matrix: the first
/// position, the last value (and time). Memory while it runs: a bit per
/// position when that takes at most 8 bytes a rating, else 4 bytes a rating
/// and 8 a row (two 8-byte keys a rating when there are more rows than
/// ratings).
void merge_duplicates(RatingFile& file, std::int64_t rows, std::int64_t cols);

/// npz (npz_ratings.cpp): appends the stored entries of a scipy.sparse .npz.
void read_npz(const std::string& file, RatingFile& out, IdMap& users, IdMap& items);

[[noreturn]] void refuse(const std::string& file, std::size_t line, const std::string& why);

}  // namespace ncvx_ratings
