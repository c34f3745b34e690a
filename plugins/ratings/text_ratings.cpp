// The text layouts of rating_files.hpp, streamed a block at a time.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

#include "rating_files.hpp"

namespace ncvx_ratings {

namespace {

constexpr std::int64_t kLargestIndex = std::numeric_limits<std::int32_t>::max() - 1;
constexpr std::size_t kBlock = std::size_t{1} << 22;   // 4 MiB read at a time
constexpr std::size_t kLongestLine = std::size_t{1} << 20;

std::string shown(std::string_view text) {
  std::string out(text.substr(0, 40));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return out + (text.size() > 40 ? "..." : "");
}

/// Lines of a file, read in blocks: each line without its '\n' (and '\r').
class LineReader {
 public:
  explicit LineReader(const std::string& file) : file_(file), stream_(std::fopen(file.c_str(), "rb"), &std::fclose) {
    if (!stream_) throw std::runtime_error(file + ": cannot open the file");
    buffer_.resize(kBlock);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool next(std::string_view& line) {
    while (true) {
      const char* start = buffer_.data() + begin_;
      if (const void* end = std::memchr(start, '\n', end_ - begin_)) {
        const auto length = static_cast<std::size_t>(static_cast<const char*>(end) - start);
        begin_ += length + 1;
        return take(start, length, line);
      }
      if (done_) {
        if (begin_ == end_) return false;
        const std::size_t length = end_ - begin_;
        begin_ = end_;
        return take(start, length, line);
      }
      refill();
    }
  }
  std::size_t number() const { return number_; }
  /// Bytes of the lines handed out so far, and read but not handed out yet.
  std::uint64_t consumed() const { return read_ - (end_ - begin_); }
  std::uint64_t buffered() const { return end_ - begin_; }
  std::uint64_t bytes_left() const {
    std::error_code ignored;
    const auto size = std::filesystem::file_size(file_, ignored);
    return size > read_ ? size - read_ : 0;
  }

 private:
  bool take(const char* start, std::size_t length, std::string_view& line) {
    ++number_;
    if (length > kLongestLine) refuse(file_, number_, "a line longer than 1 MiB");
    if (length > 0 && start[length - 1] == '\r') --length;
    line = std::string_view(start, length);
    return true;
  }
  void refill() {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (end_ == buffer_.size()) {
      if (buffer_.size() >= kLongestLine + kBlock) refuse(file_, number_ + 1, "a line longer than 1 MiB");
      buffer_.resize(buffer_.size() * 2);
    }
    const std::size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, stream_.get());
    if (std::ferror(stream_.get())) throw std::runtime_error(file_ + ": a read error");
    end_ += got;
    read_ += got;
    done_ = got == 0;
  }

  std::string file_;
  // Closed by its owner even when the constructor throws (a damaged file must not leak a descriptor).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0, end_ = 0, number_ = 0;
  std::uint64_t read_ = 0;
  bool done_ = false;
};

/// How a line's fields are separated.
enum class Separator { blanks, comma, colons };

Separator separator_of(const std::string& layout) {
  return layout == "csv" ? Separator::comma : layout == "dat" ? Separator::colons : Separator::blanks;
}

/// Up to four fields of a line; returns how many.
std::size_t split(std::string_view line, Separator layout, std::string_view (&fields)[4]) {
  std::size_t count = 0;
  auto trim = [](std::string_view field) {
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    return field;
  };
  if (layout != Separator::blanks) {
    const std::string_view separator = layout == Separator::comma ? "," : "::";
    for (std::size_t at = 0; count < 4;) {
      const std::size_t next = line.find(separator, at);
      fields[count++] = trim(line.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
      if (next == std::string_view::npos) break;
      at = next + separator.size();
    }
    return count;
  }
  for (std::size_t at = 0; count < 4;) {  // blanks and tabs
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
    if (at == line.size()) break;
    std::size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    fields[count++] = line.substr(at, end - at);
    at = end;
  }
  return count;
}

bool parse_real(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool parse_count(std::string_view text, std::int64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() && value >= 0;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Matrix Market coordinate: header, comments, size line, entries.
void read_matrix_market(LineReader& lines, const std::string& file, RatingFile& out, IdMap& users, IdMap& items) {
  std::string_view line;
  if (!lines.next(line) || lower(line.substr(0, 14)) != "%%matrixmarket")
    refuse(file, 1, "a Matrix Market file starts with %%MatrixMarket");
  std::string_view words[4];
  const std::string header(line.substr(14));
  if (split(header, Separator::blanks, words) != 4 || lower(words[0]) != "matrix")
    refuse(file, 1, "expected '%%MatrixMarket matrix coordinate <real|integer|pattern> <general|symmetric>'");
  if (lower(words[1]) != "coordinate")
    refuse(file, 1, "a Matrix Market '" + lower(words[1]) +
                        "' file is a dense matrix, not observed entries; read it with the matrix_file problem");
  const std::string field = lower(words[2]), symmetry = lower(words[3]);
  if (field != "real" && field != "integer" && field != "pattern" && field != "double")
    refuse(file, 1, "Matrix Market values '" + field + "' are not supported (real, integer or pattern)");
  if (symmetry != "general" && symmetry != "symmetric")
    refuse(file, 1, "Matrix Market symmetry '" + symmetry + "' is not supported (general or symmetric)");
  std::int64_t rows = -1, cols = -1, entries = -1;
  while (lines.next(line)) {
    if (line.empty() || line.front() == '%') continue;
    std::string_view size[4];
    if (split(line, Separator::blanks, size) != 3 || !parse_count(size[0], rows) || !parse_count(size[1], cols) ||
        !parse_count(size[2], entries))
      refuse(file, lines.number(), "expected the size line 'rows columns entries'");
    break;
  }
  if (entries < 0) refuse(file, lines.number(), "no size line");
  if (rows > kLargestIndex || cols > kLargestIndex)
    refuse(file, lines.number(), "a matrix of more than 2^31 - 2 rows or columns");
  if (symmetry == "symmetric" && rows != cols) refuse(file, lines.number(), "a symmetric matrix that is not square");
  if (rows > 0 && cols > 0 && entries / rows > cols) refuse(file, lines.number(), "more entries than the matrix has");
  users.cover(rows);
  items.cover(cols);
  // Reserved from what the file can hold (an entry takes at least 4 bytes), not from its claim.
  out.ratings.reserve(out.ratings.size() +
                      static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(entries),
                                                                       lines.bytes_left() / 4 + 1)));
  const bool pattern = field == "pattern";
  std::int64_t seen = 0;
  while (lines.next(line)) {
    if (line.empty() || line.front() == '%') continue;
    std::string_view fields[4];
    const std::size_t count = split(line, Separator::blanks, fields);
    std::int64_t i = 0, j = 0;
    double value = 1.0;
    if (count < (pattern ? 2u : 3u) || !parse_count(fields[0], i) || !parse_count(fields[1], j))
      refuse(file, lines.number(), pattern ? "expected 'row column'" : "expected 'row column value'");
    if (i < 1 || i > rows || j < 1 || j > cols)
      refuse(file, lines.number(), "entry (" + std::to_string(i) + ", " + std::to_string(j) + ") is outside the " +
                                       std::to_string(rows) + " x " + std::to_string(cols) + " matrix (1-based)");
    if (!pattern && (!parse_real(fields[2], value) || !std::isfinite(value)))
      refuse(file, lines.number(), "value '" + shown(fields[2]) + "' is not a finite number");
    if (++seen > entries)
      refuse(file, lines.number(), "more entries than the size line's " + std::to_string(entries));
    const auto row = static_cast<std::int32_t>(i - 1), column = static_cast<std::int32_t>(j - 1);
    out.ratings.push_back({row, column, value});
    if (symmetry == "symmetric" && i != j) out.ratings.push_back({column, row, value});
  }
  if (seen != entries)
    refuse(file, lines.number(), "the size line says " + std::to_string(entries) + " entries; the file has " +
                                     std::to_string(seen));
}

/// Grows the ratings to what the rest of the file holds at the lines' mean
/// length so far (one reallocation, not a doubling that may hold twice the
/// ratings).
void reserve_for_the_rest(RatingFile& out, const LineReader& lines) {
  const double per_line = static_cast<double>(lines.consumed()) / static_cast<double>(std::max<std::size_t>(1, lines.number()));
  const double more = static_cast<double>(lines.bytes_left() + lines.buffered()) / std::max(per_line, 1.0);
  const auto wanted = static_cast<std::size_t>(1.02 * (static_cast<double>(out.ratings.size()) + more)) + 1024;
  out.ratings.reserve(std::max(wanted, out.ratings.size() + out.ratings.size() / 8));
  if (!out.times.empty() || out.times.capacity() > 0) out.times.reserve(out.ratings.capacity());
}

}  // namespace

void refuse(const std::string& file, std::size_t line, const std::string& why) {
  throw std::runtime_error(file + ":" + std::to_string(line) + ": " + why);
}

std::int64_t IdMap::index(std::string_view id, std::string& why) {
  std::int64_t value = -1;
  const bool digits = !id.empty() && id.size() <= 18 &&
                      std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) std::from_chars(id.data(), id.data() + id.size(), value);
  if (mode_ != Mode::remap) {
    if (!digits) {
      why = "id '" + shown(id) + "' is not an index (ids: " + (mode_ == Mode::one_based ? "one_based" : "zero_based") +
            ")";
      return -1;
    }
    if (mode_ == Mode::one_based && value-- == 0) {
      why = "index 0 in a file of 1-based indices (ids: one_based)";
      return -1;
    }
    if (value > kLargestIndex) {
      why = "index " + std::string(id) + " is larger than 2^31 - 2";
      return -1;
    }
    size_ = std::max(size_, value + 1);
    return value;
  }
  if (size_ > kLargestIndex) {
    why = "more than 2^31 - 2 distinct ids";
    return -1;
  }
  // Canonical decimal ids (no leading zero) below the table's limit through a table; any other word through a map.
  if (digits && (id.size() == 1 || id.front() != '0') && value < table_limit_) {
    const auto at = static_cast<std::size_t>(value);
    if (at >= small_.size())
      small_.resize(std::max(at + 1, std::min(2 * small_.size(), static_cast<std::size_t>(table_limit_))), -1);
    if (small_[at] < 0) small_[at] = static_cast<std::int32_t>(size_++);
    return small_[at];
  }
  const auto [it, added] = words_.try_emplace(std::string(id), static_cast<std::int32_t>(size_));
  if (added) ++size_;
  return it->second;
}

std::string detect_format(const std::string& file) {
  const std::string extension = lower(std::filesystem::path(file).extension().string());
  if (extension == ".mtx") return "mtx";
  if (extension == ".npz") return "npz";
  LineReader lines(file);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    if (lower(line.substr(0, 14)) == "%%matrixmarket") return "mtx";
    if (line.front() == '#' || line.front() == '%') continue;
    return line.find("::") != std::string_view::npos ? "dat" : line.find(',') != std::string_view::npos ? "csv" : "tsv";
  }
  return "tsv";
}

RatingFile read_rating_file(const std::string& file, const ReadOptions& options, IdMap& users, IdMap& items) {
  const std::string format = options.format == "auto" ? detect_format(file) : options.format;
  RatingFile out;
  if (format == "npz") {
    read_npz(file, out, users, items);
  } else {
    LineReader lines(file);
    if (format == "mtx") {
      read_matrix_market(lines, file, out, users, items);
    } else {
      std::error_code ignored;
      const auto bytes = std::filesystem::file_size(file, ignored);
      users.fit_table_to(bytes);
      items.fit_table_to(bytes);
      const Separator layout = separator_of(format);
      std::string_view line;
      bool first = true;  // the first data line may be a header
      while (lines.next(line)) {
        if (line.empty() || line.front() == '#' || line.front() == '%') continue;
        std::string_view fields[4];
        const std::size_t count = split(line, layout, fields);
        if (count < 3)
          refuse(file, lines.number(),
                 "expected user, item and rating, found " + std::to_string(count) + " field" + (count == 1 ? "" : "s"));
        double value = 0;
        const bool header = first;
        first = false;
        if (!parse_real(fields[2], value)) {
          if (header) continue;  // userId,movieId,rating,timestamp
          refuse(file, lines.number(), "rating '" + shown(fields[2]) + "' is not a number");
        }
        if (!std::isfinite(value)) refuse(file, lines.number(), "rating is not finite");
        std::string why;
        const std::int64_t row = users.index(fields[0], why);
        const std::int64_t column = row < 0 ? -1 : items.index(fields[1], why);
        if (column < 0) refuse(file, lines.number(), why);
        if (out.ratings.size() == out.ratings.capacity() && out.ratings.size() >= 65536)
          reserve_for_the_rest(out, lines);
        out.ratings.push_back({static_cast<std::int32_t>(row), static_cast<std::int32_t>(column), value});
        if (options.keep_times) {
          double time = std::nan("");
          if (count < 4 || !parse_real(fields[3], time)) time = static_cast<double>(out.ratings.size());
          out.times.push_back(time);
        }
      }
    }
  }
  if (options.keep_times && out.times.size() != out.ratings.size())  // mtx and npz: file order
    for (std::size_t i = out.times.size(); i < out.ratings.size(); ++i) out.times.push_back(static_cast<double>(i));
  merge_duplicates(out, users.size(), items.size());
  return out;
}

namespace {

std::uint64_t key_of(const Rating& rating) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(rating.row)) << 32 |
         static_cast<std::uint32_t>(rating.column);
}

/// The keys that occur more than once (sorted, each once): through a bitset
/// of the rows x columns positions when that takes at most 8 bytes a rating,
/// else by sorting each row's columns (4 bytes a rating, and 8 a row, when
/// there are no more rows than ratings), else by a radix sort of the keys
/// (16 bits a pass; 16 bytes a rating).
std::vector<std::uint64_t> repeated_keys(const std::vector<Rating>& ratings, std::int64_t rows, std::int64_t cols) {
  const std::size_t n = ratings.size();
  std::vector<std::uint64_t> repeated;
  const auto positions = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
  if (rows > 0 && cols > 0 && positions / static_cast<std::uint64_t>(rows) == static_cast<std::uint64_t>(cols) &&
      positions / 64 <= n) {
    std::vector<std::uint64_t> seen(positions / 64 + 1, 0);
    for (const Rating& rating : ratings) {
      const std::uint64_t at = static_cast<std::uint64_t>(rating.row) * static_cast<std::uint64_t>(cols) +
                               static_cast<std::uint64_t>(rating.column);
      std::uint64_t& word = seen[at / 64];
      const std::uint64_t bit = std::uint64_t{1} << (at % 64);
      if (word & bit) repeated.push_back(key_of(rating));
      word |= bit;
    }
    std::sort(repeated.begin(), repeated.end());
    repeated.erase(std::unique(repeated.begin(), repeated.end()), repeated.end());
    return repeated;
  }
  if (rows > 0 && static_cast<std::uint64_t>(rows) <= n) {
    // Each row's columns side by side (a counting sort, 4 bytes a rating), then each row sorted.
    std::vector<std::uint64_t> end(static_cast<std::size_t>(rows) + 1, 0);
    for (const Rating& rating : ratings) ++end[static_cast<std::size_t>(rating.row) + 1];
    for (std::size_t r = 1; r < end.size(); ++r) end[r] += end[r - 1];
    std::vector<std::int32_t> columns(n);
    for (const Rating& rating : ratings) columns[end[static_cast<std::size_t>(rating.row)]++] = rating.column;
    std::uint64_t begin = 0;  // end[r] is now the end of row r
    for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) {
      std::sort(columns.begin() + static_cast<std::ptrdiff_t>(begin), columns.begin() + static_cast<std::ptrdiff_t>(end[r]));
      for (std::uint64_t i = begin + 1; i < end[r]; ++i)
        if (columns[i] == columns[i - 1] && (i == begin + 1 || columns[i - 1] != columns[i - 2]))
          repeated.push_back(key_of({static_cast<std::int32_t>(r), columns[i], 0.0}));
      begin = end[r];
    }
    return repeated;  // sorted: rows in order, columns sorted within each
  }
  std::vector<std::uint64_t> keys(n), buffer(n);
  for (std::size_t i = 0; i < n; ++i) keys[i] = key_of(ratings[i]);
  for (int shift = 0; shift < 64; shift += 16) {
    std::vector<std::size_t> count(65537, 0);
    for (const std::uint64_t key : keys) ++count[((key >> shift) & 0xffff) + 1];
    for (std::size_t d = 1; d < count.size(); ++d) count[d] += count[d - 1];
    for (const std::uint64_t key : keys) buffer[count[(key >> shift) & 0xffff]++] = key;
    keys.swap(buffer);
  }
  for (std::size_t i = 1; i < n; ++i)
    if (keys[i] == keys[i - 1] && (repeated.empty() || repeated.back() != keys[i])) repeated.push_back(keys[i]);
  return repeated;
}

}  // namespace

void merge_duplicates(RatingFile& file, std::int64_t rows, std::int64_t cols) {
  std::vector<Rating>& ratings = file.ratings;
  const std::size_t n = ratings.size();
  if (n < 2) return;
  const std::vector<std::uint64_t> repeated = repeated_keys(ratings, rows, cols);
  if (repeated.empty()) return;
  // Only the repeated keys go through a map: the first position keeps the last value.
  std::unordered_map<std::uint64_t, std::size_t> first;
  first.reserve(repeated.size());
  for (const std::uint64_t key : repeated) first.emplace(key, n);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t key = key_of(ratings[i]);
    if (const auto it = first.find(key); it != first.end()) {
      std::size_t& at = it->second;
      if (at != n) {
        ratings[at].value = ratings[i].value;
        if (!file.times.empty()) file.times[at] = file.times[i];
        continue;
      }
      at = kept;
    }
    ratings[kept] = ratings[i];
    if (!file.times.empty()) file.times[kept] = file.times[i];
    ++kept;
  }
  ratings.resize(kept);
  if (!file.times.empty()) file.times.resize(kept);
}

}  // namespace ncvx_ratings
