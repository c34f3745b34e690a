// scipy.sparse .npz files (scipy.sparse.save_npz): a zip archive of .npy
// arrays, `format` (b'coo', b'csr' or b'csc'), `shape`, `data` and either
// `row`/`col` (coo) or `indices`/`indptr` (csr, csc). Members are stored or
// deflated (zlib); each is read from its offset and inflated on its own, and
// every size the archive claims is checked against the file and the memory
// before it is allocated.

#include <zlib.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

#include <ncvx/memory.hpp>

#include "rating_files.hpp"

namespace ncvx_ratings {

namespace {

std::uint64_t little(const unsigned char* at, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | at[i];
  return value;
}

class Archive {
 public:
  explicit Archive(const std::string& file) : file_(file), stream_(std::fopen(file.c_str(), "rb"), &std::fclose) {
    if (!stream_) throw std::runtime_error(file + ": cannot open the file");
    size_ = std::filesystem::file_size(file);
    read_directory();
  }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  bool has(const std::string& name) const { return members_.count(name) > 0; }

  /// The member NAME.npy, inflated.
  std::vector<unsigned char> member(const std::string& name) {
    const auto it = members_.find(name);
    if (it == members_.end()) bad("has no array '" + name.substr(0, name.size() - 4) + "'");
    const Member& m = it->second;
    unsigned char local[30];
    read_at(m.offset, local, 30);
    if (little(local, 4) != 0x04034b50) bad("the member " + name + " has no local header");
    const std::uint64_t start = m.offset + 30 + little(local + 26, 2) + little(local + 28, 2);
    if (start > size_ || m.compressed > size_ - start) bad("the member " + name + " runs past the end of the file");
    // Deflate expands at most 1032:1; more is a damaged or hostile archive.
    if (m.method == 0 ? m.size != m.compressed : m.size / 1032 > m.compressed + 1)
      bad("the member " + name + " claims " + std::to_string(m.size) + " bytes from " +
          std::to_string(m.compressed) + " stored");
    if (const auto available = ncvx::available_memory(); available.bytes > 0 && m.size > available.bytes / 2)
      bad("the member " + name + " needs " + ncvx::describe_bytes(m.size) + "; " +
          ncvx::describe_bytes(available.bytes) + " are available");
    std::vector<unsigned char> stored(m.compressed);
    read_at(start, stored.data(), stored.size());
    if (m.method == 0) return stored;
    std::vector<unsigned char> out(m.size);
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) bad("zlib could not start");
    z.next_in = stored.data();
    z.avail_in = static_cast<uInt>(stored.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int result = inflate(&z, Z_FINISH);
    const bool whole = result == Z_STREAM_END && z.total_out == out.size();
    inflateEnd(&z);
    if (!whole) bad("the member " + name + " does not inflate to its stated size (damaged)");
    return out;
  }

  [[noreturn]] void bad(const std::string& why) const { throw std::runtime_error(file_ + ": " + why); }

 private:
  struct Member {
    std::uint64_t offset = 0, compressed = 0, size = 0;
    unsigned method = 0;
  };

  void read_at(std::uint64_t offset, unsigned char* out, std::size_t bytes) {
    if (offset > size_ || bytes > size_ - offset) bad("a zip record runs past the end of the file (damaged)");
    if (std::fseek(stream_.get(), static_cast<long>(offset), SEEK_SET) != 0 ||
        std::fread(out, 1, bytes, stream_.get()) != bytes)
      bad("a read error");
  }

  void read_directory() {
    if (size_ < 22) bad("not a .npz file (too short for a zip archive)");
    const std::uint64_t tail = std::min<std::uint64_t>(size_, 65557);
    std::vector<unsigned char> end(tail);
    read_at(size_ - tail, end.data(), end.size());
    std::size_t at = tail - 22 + 1;
    do --at;
    while (at > 0 && little(end.data() + at, 4) != 0x06054b50);
    if (little(end.data() + at, 4) != 0x06054b50) bad("not a .npz file (no zip directory)");
    const std::uint64_t entries = little(end.data() + at + 10, 2), length = little(end.data() + at + 12, 4),
                        offset = little(end.data() + at + 16, 4);
    if (entries == 0xffff || offset == 0xffffffff) bad("a zip64 archive (over 4 GiB) is not supported; save a smaller matrix per file");
    if (entries > 64) bad("a zip archive of " + std::to_string(entries) + " members is not a scipy.sparse .npz");
    if (offset > size_ || length > size_ - offset)  // before allocating what the record claims
      bad("the zip directory claims " + std::to_string(length) + " bytes at " + std::to_string(offset) +
          ", past the end of the file (damaged)");
    std::vector<unsigned char> directory(length);
    read_at(offset, directory.data(), directory.size());
    for (std::size_t p = 0, e = 0; e < entries; ++e) {
      if (p + 46 > directory.size() || little(&directory[p], 4) != 0x02014b50) bad("a damaged zip directory");
      Member m;
      m.method = static_cast<unsigned>(little(&directory[p + 10], 2));
      m.compressed = little(&directory[p + 20], 4);
      m.size = little(&directory[p + 24], 4);
      m.offset = little(&directory[p + 42], 4);
      const std::size_t name = little(&directory[p + 28], 2), extra = little(&directory[p + 30], 2),
                        comment = little(&directory[p + 32], 2);
      if (p + 46 + name + extra + comment > directory.size()) bad("a damaged zip directory");
      const std::string member(reinterpret_cast<const char*>(&directory[p + 46]), name);
      // Zip64 sizes (numpy writes them when an array passes 4 GiB): in the extra field.
      for (std::size_t x = p + 46 + name; x + 4 <= p + 46 + name + extra;) {
        const std::size_t id = little(&directory[x], 2), bytes = little(&directory[x + 2], 2);
        if (x + 4 + bytes > p + 46 + name + extra) break;
        if (id == 1) {
          std::size_t y = x + 4;
          for (std::uint64_t* field : {&m.size, &m.compressed, &m.offset})
            if (*field == 0xffffffff && y + 8 <= x + 4 + bytes) {
              *field = little(&directory[y], 8);
              y += 8;
            }
        }
        x += 4 + bytes;
      }
      if (m.method != 0 && m.method != 8) bad("the member " + member + " is compressed other than by deflate");
      members_[member] = m;
      p += 46 + name + extra + comment;
    }
  }

  std::string file_;
  // Closed by its owner even when the constructor throws (a damaged file must not leak a descriptor).
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream_;
  std::uint64_t size_ = 0;
  std::map<std::string, Member> members_;
};

/// A 1-D (or 0-D) array of a .npy member, as doubles or as integers.
struct Array {
  std::string type;               // numpy descr, e.g. "<i4", "|S3"
  int kind = 0;                   // its position in kTypes
  std::uint64_t count = 0;        // elements
  const unsigned char* data = nullptr;
  std::size_t item = 0;

  double real(std::uint64_t i) const {
    const unsigned char* at = data + i * item;
    auto as = [&](auto value) {
      std::memcpy(&value, at, sizeof(value));
      return static_cast<double>(value);
    };
    switch (kind) {
      case 0: return as(double{});
      case 1: return as(float{});
      case 2: return as(std::int64_t{});
      case 3: return as(std::int32_t{});
      case 4: return as(std::int16_t{});
      case 5: return as(std::uint32_t{});
      case 6: return as(std::uint16_t{});
      case 7: case 8: return as(std::uint8_t{});
      default: return as(std::int8_t{});
    }
  }
  std::int64_t integer(std::uint64_t i) const { return static_cast<std::int64_t>(real(i)); }
};

Array parse_npy(const std::vector<unsigned char>& bytes, const std::string& name, const Archive& archive,
                bool numeric) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    archive.bad("the array '" + name + "' is not a .npy array");
  const bool wide = bytes[6] >= 2;
  const std::size_t length = wide ? little(&bytes[8], 4) : little(&bytes[8], 2), start = wide ? 12 : 10;
  if (start + length > bytes.size()) archive.bad("the array '" + name + "' has a damaged header");
  const std::string header(reinterpret_cast<const char*>(&bytes[start]), length);
  auto field = [&](const std::string& key) {
    const auto at = header.find("'" + key + "':");
    if (at == std::string::npos) archive.bad("the array '" + name + "' has no '" + key + "' in its header");
    return header.substr(at + key.size() + 3);
  };
  Array array;
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  array.type = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    if (field("shape").find(',') < field("shape").find(')') - 1)  // only matters for 2-D
      archive.bad("the array '" + name + "' is in Fortran order");
  std::string shape = field("shape");
  shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
  array.count = 1;
  std::size_t dimensions = 0;
  for (std::size_t at = 0; at < shape.size();) {
    const std::size_t comma = std::min(shape.find(',', at), shape.size());
    const std::string part = shape.substr(at, comma - at);
    if (part.find_first_not_of(' ') != std::string::npos) {
      ++dimensions;
      const std::uint64_t size = std::strtoull(part.c_str(), nullptr, 10);
      if (size != 0 && array.count > (std::uint64_t{1} << 40) / size) archive.bad("the array '" + name + "' is too large");
      array.count *= size;
    }
    at = comma + 1;
  }
  if (dimensions > 1) archive.bad("the array '" + name + "' has " + std::to_string(dimensions) + " dimensions, not 1");
  static const std::pair<const char*, std::size_t> types[] = {{"<f8", 8}, {"<f4", 4}, {"<i8", 8}, {"<i4", 4},
                                                              {"<i2", 2}, {"<u4", 4}, {"<u2", 2}, {"|u1", 1},
                                                              {"|b1", 1}, {"|i1", 1}};
  if (numeric) {
    array.kind = -1;
    for (int k = 0; k < 10; ++k)
      if (array.type == types[k].first) {
        array.kind = k;
        array.item = types[k].second;
      }
    if (array.kind < 0)
      archive.bad("the array '" + name + "' has the unsupported type '" + array.type +
                  "' (float64, float32, int64, int32, int16, uint32, uint16, uint8, int8 or bool)");
  } else {
    array.item = 1;
    array.count = bytes.size() - start - length;
  }
  if (array.count * array.item > bytes.size() - start - length)
    archive.bad("the array '" + name + "' is shorter than its shape says");
  array.data = bytes.data() + start + length;
  return array;
}

}  // namespace

void read_npz(const std::string& file, RatingFile& out, IdMap& users, IdMap& items) {
  Archive archive(file);
  const auto format_bytes = archive.member("format.npy");
  const Array format_array = parse_npy(format_bytes, "format", archive, false);
  std::string format;  // b'coo' (|S3) or 'coo' (<U3: four bytes a character)
  for (std::uint64_t i = 0; i < format_array.count; ++i)
    if (format_array.data[i] >= 'a' && format_array.data[i] <= 'z') format += static_cast<char>(format_array.data[i]);
  if (format != "coo" && format != "csr" && format != "csc")
    archive.bad("a sparse format '" + format + "' (coo, csr or csc are read; convert with .tocoo())");
  const auto shape_bytes = archive.member("shape.npy");
  const Array shape = parse_npy(shape_bytes, "shape", archive, true);
  if (shape.count != 2) archive.bad("the shape is not two sizes");
  const std::int64_t rows = shape.integer(0), cols = shape.integer(1);
  if (rows < 0 || cols < 0 || rows > std::numeric_limits<std::int32_t>::max() - 1 ||
      cols > std::numeric_limits<std::int32_t>::max() - 1)
    archive.bad("the shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") is not that of a matrix of "
                "at most 2^31 - 2 rows and columns");
  users.cover(rows);
  items.cover(cols);
  const auto data_bytes = archive.member("data.npy");
  const Array data = parse_npy(data_bytes, "data", archive, true);
  auto add = [&](std::int64_t i, std::int64_t j, std::uint64_t k) {
    if (i < 0 || i >= rows || j < 0 || j >= cols)
      archive.bad("entry " + std::to_string(k) + " at (" + std::to_string(i) + ", " + std::to_string(j) +
                  ") is outside the " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix");
    const double value = data.real(k);
    if (!std::isfinite(value)) archive.bad("entry " + std::to_string(k) + " is not finite");
    out.ratings.push_back({static_cast<std::int32_t>(i), static_cast<std::int32_t>(j), value});
  };
  if (format == "coo") {
    const auto row_bytes = archive.member(archive.has("row.npy") ? "row.npy" : "rows.npy");
    const auto col_bytes = archive.member(archive.has("col.npy") ? "col.npy" : "cols.npy");
    const Array row = parse_npy(row_bytes, "row", archive, true), col = parse_npy(col_bytes, "col", archive, true);
    if (row.count != data.count || col.count != data.count)
      archive.bad("row, col and data have different lengths (" + std::to_string(row.count) + ", " +
                  std::to_string(col.count) + ", " + std::to_string(data.count) + ")");
    out.ratings.reserve(out.ratings.size() + data.count);
    for (std::uint64_t k = 0; k < data.count; ++k) add(row.integer(k), col.integer(k), k);
    return;
  }
  const auto indices_bytes = archive.member("indices.npy"), pointer_bytes = archive.member("indptr.npy");
  const Array indices = parse_npy(indices_bytes, "indices", archive, true);
  const Array pointer = parse_npy(pointer_bytes, "indptr", archive, true);
  const std::int64_t outer = format == "csr" ? rows : cols;
  if (static_cast<std::int64_t>(pointer.count) != outer + 1 || indices.count != data.count)
    archive.bad("indptr has " + std::to_string(pointer.count) + " entries for " + std::to_string(outer) +
                (format == "csr" ? " rows" : " columns") + ", or indices and data differ in length");
  out.ratings.reserve(out.ratings.size() + data.count);
  for (std::int64_t o = 0; o < outer; ++o) {
    const std::int64_t begin = pointer.integer(static_cast<std::uint64_t>(o)),
                       end = pointer.integer(static_cast<std::uint64_t>(o + 1));
    if (begin < 0 || end < begin || static_cast<std::uint64_t>(end) > data.count)
      archive.bad("indptr is not increasing within the data (at " + std::to_string(o) + ")");
    for (std::int64_t k = begin; k < end; ++k) {
      const std::int64_t inner = indices.integer(static_cast<std::uint64_t>(k));
      if (format == "csr") add(o, inner, static_cast<std::uint64_t>(k));
      else add(inner, o, static_cast<std::uint64_t>(k));
    }
  }
}

}  // namespace ncvx_ratings
