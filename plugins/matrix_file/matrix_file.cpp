// A ground truth read from a file:
//
//   .npy           a 2-D NumPy array (float64, float32, int64, int32, uint8; C or Fortran order)
//   .mtx           MatrixMarket, `array` or `coordinate` (real or integer; general or symmetric)
//   .csv .txt      rows of numbers separated by commas or blanks (# starts a comment)
//   .png .jpg .jpeg .bmp .pgm .gif
//                  a grayscale image (color is averaged to gray by the decoder), pixel
//                  values / 255: the classic low-rank image completion case
//
// X* is the matrix itself, or its best rank-r approximation when `rank` > 0
// (truncated SVD, or eigendecomposition when `symmetric`), then scaled by
// `normalization` (spectral: sigma_1 = 1, so the usual step sizes apply). The
// file is read, and X* factored, once, when the problem is created; every
// seed measures the same X*. A symmetric matrix (`symmetric: true`) is
// checked and fitted by X = U U^T or U V^T; otherwise the problem is
// rectangular and fitted by X = U V^T.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <filesystem>

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

#ifdef NCVX_WITH_STB
#include <stb_image.h>
#endif

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

[[noreturn]] void bad(const std::string& file, const std::string& why) {
  throw std::runtime_error(file + ": " + why);
}

/// The largest matrix a file may hold: 2^31 entries, and (with the copies
/// reading and factoring it takes, about four) what memory can hold. Checked
/// from the sizes a header states, before anything is allocated or read.
void check_size(const std::string& file, std::uint64_t rows, std::uint64_t cols, const std::string& where) {
  const std::size_t entries = ncvx::saturating_multiply(rows, cols);
  if (rows < 1 || cols < 1 || entries > (std::size_t{1} << 31))
    bad(file, where + "states a " + std::to_string(rows) + " x " + std::to_string(cols) +
                  " matrix; a ground truth read from a file is 1 x 1 to 2^31 entries");
  const std::size_t needed = ncvx::saturating_multiply(entries, 4 * sizeof(double));
  const ncvx::MemoryAvailable available = ncvx::available_memory();
  if (available.bytes > 0 && needed > available.bytes)
    bad(file, where + "states a " + std::to_string(rows) + " x " + std::to_string(cols) + " matrix, which needs " +
                  ncvx::describe_bytes(needed) + " to read and factor; " + ncvx::describe_bytes(available.bytes) +
                  " is available (" + available.limited_by + ")");
}

/// A non-negative integer written in decimal (at most 18 digits), or false.
bool parse_count(const std::string& text, std::uint64_t& value) {
  const auto first = text.find_first_not_of(" \t"), last = text.find_last_not_of(" \t");
  if (first == std::string::npos) return false;
  const std::string digits = text.substr(first, last - first + 1);
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  value = std::stoull(digits);
  return true;
}

std::uint64_t file_size(const std::string& file) {
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  return error ? 0 : size;
}

std::string lower_extension(const std::string& file) {
  std::string extension = std::filesystem::path(file).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

// ---------------------------------------------------------------- .npy

Matrix read_npy(const std::string& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) bad(file, "cannot open the file");
  char magic[6];
  stream.read(magic, 6);
  if (!stream || std::memcmp(magic, "\x93NUMPY", 6) != 0) bad(file, "not a .npy file (no \\x93NUMPY magic)");
  unsigned char version[2];
  stream.read(reinterpret_cast<char*>(version), 2);
  std::size_t header_length = 0;
  if (!stream || version[0] < 1 || version[0] > 3) bad(file, "not a .npy file of version 1, 2 or 3");
  if (version[0] == 1) {
    unsigned char bytes[2];
    stream.read(reinterpret_cast<char*>(bytes), 2);
    header_length = bytes[0] | (static_cast<std::size_t>(bytes[1]) << 8);
  } else {
    unsigned char bytes[4];
    stream.read(reinterpret_cast<char*>(bytes), 4);
    header_length = bytes[0] | (static_cast<std::size_t>(bytes[1]) << 8) | (static_cast<std::size_t>(bytes[2]) << 16) |
                    (static_cast<std::size_t>(bytes[3]) << 24);
  }
  if (!stream || header_length > (1u << 20)) bad(file, "damaged .npy header");
  std::string header(header_length, '\0');
  stream.read(header.data(), static_cast<std::streamsize>(header_length));
  auto field = [&](const std::string& key) {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) bad(file, "the .npy header has no '" + key + "'");
    return header.substr(header.find(':', at) + 1);
  };
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  const bool fortran = field("fortran_order").find("True") < field("fortran_order").find(',');
  std::string shape = field("shape");
  shape = shape.substr(shape.find('(') + 1, shape.find(')') - shape.find('(') - 1);
  std::vector<std::uint64_t> dims;
  std::stringstream parts(shape);
  for (std::string part; std::getline(parts, part, ',');) {
    if (part.find_first_not_of(" \t") == std::string::npos) continue;  // (3,) leaves an empty part
    std::uint64_t value = 0;
    if (!parse_count(part, value)) bad(file, "the .npy shape (" + shape + ") is not a list of sizes");
    dims.push_back(value);
  }
  if (dims.size() != 2) bad(file, "a .npy matrix must be 2-dimensional (shape (" + shape + "))");
  check_size(file, dims[0], dims[1], "the .npy header ");
  const auto count = static_cast<std::size_t>(dims[0] * dims[1]);
  std::size_t item = 0;
  if (descr == "<f8" || descr == "<i8") item = 8;
  else if (descr == "<f4" || descr == "<i4") item = 4;
  else if (descr == "|u1") item = 1;
  else bad(file, "unsupported .npy type '" + descr + "' (float64, float32, int64, int32 or uint8)");
  const std::uint64_t data_offset = static_cast<std::uint64_t>(stream.tellg());
  const std::uint64_t size = file_size(file);
  if (size < data_offset || size - data_offset < count * item)
    bad(file, "the .npy data is shorter than its shape says (" + std::to_string(count * item) + " bytes for (" +
                  shape + ") of " + descr + "; the file has " + std::to_string(size - std::min(size, data_offset)) +
                  ")");
  std::vector<double> values(count);
  auto read_all = [&](auto sample) {
    using T = decltype(sample);
    std::vector<T> raw(count);
    stream.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size() * sizeof(T)));
    if (!stream) bad(file, "the .npy data is shorter than its shape says");
    for (std::size_t i = 0; i < raw.size(); ++i) values[i] = static_cast<double>(raw[i]);
  };
  if (descr == "<f8") read_all(double{});
  else if (descr == "<f4") read_all(float{});
  else if (descr == "<i8") read_all(std::int64_t{});
  else if (descr == "<i4") read_all(std::int32_t{});
  else read_all(std::uint8_t{});
  const auto rows = static_cast<Index>(dims[0]), cols = static_cast<Index>(dims[1]);
  Matrix X(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) X(i, j) = values[static_cast<std::size_t>(fortran ? j * rows + i : i * cols + j)];
  return X;
}

// ---------------------------------------------------------------- MatrixMarket

Matrix read_matrix_market(const std::string& file) {
  std::ifstream stream(file);
  if (!stream) bad(file, "cannot open the file");
  std::string banner;
  std::getline(stream, banner);
  std::string lowered = banner;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lowered.rfind("%%matrixmarket matrix", 0) != 0) bad(file, "not a MatrixMarket file (no %%MatrixMarket banner)");
  const bool coordinate = lowered.find("coordinate") != std::string::npos;
  const bool symmetric = lowered.find("symmetric") != std::string::npos;
  if (lowered.find("complex") != std::string::npos || lowered.find("pattern") != std::string::npos)
    bad(file, "only real or integer MatrixMarket matrices are supported");
  std::string line;
  std::size_t number = 1;
  do {
    ++number;
    if (!std::getline(stream, line)) bad(file, "no size line");
  } while (line.empty() || line[0] == '%');
  // The size line: rows cols [entries], checked before anything is allocated.
  std::istringstream size(line);
  std::string words[3];
  size >> words[0] >> words[1] >> words[2];
  std::uint64_t rows = 0, cols = 0, entries = 0;
  if (!parse_count(words[0], rows) || !parse_count(words[1], cols) || (coordinate && !parse_count(words[2], entries)))
    bad(file, std::to_string(number) + ": the size line '" + line.substr(0, 80) + "' is not rows cols" +
                  (coordinate ? " entries" : ""));
  check_size(file, rows, cols, std::to_string(number) + ": the size line ");
  // Each value takes at least two bytes ("0\n"), each entry six ("1 1 0\n").
  const std::uint64_t bytes = file_size(file);
  const std::uint64_t promised =
      coordinate ? entries : (symmetric ? rows * (rows + 1) / 2 : rows * cols);
  if (ncvx::saturating_multiply(promised, coordinate ? 6 : 2) > bytes)
    bad(file, std::to_string(number) + ": the size line promises " + std::to_string(promised) + (coordinate ? " entries" : " values") +
                  ", more than a file of " + std::to_string(bytes) + " bytes can hold");
  // The ground truth is dense: a coordinate file of a large, nearly empty
  // matrix is a sparse matrix (observed entries: the ratings problem), and
  // would fill memory with zeros and its SVD with work (a reader-fuzzer
  // finding: 698 x 3667 from 3 entries, 24 s under ASan).
  if (coordinate && rows * cols > (std::uint64_t{1} << 16) && rows * cols / 1024 > entries)
    bad(file, std::to_string(number) + ": the size line states a " + std::to_string(rows) + " x " +
                  std::to_string(cols) + " matrix of " + std::to_string(entries) +
                  " entries; a dense ground truth of more than 2^16 entries holds at least one entry in 1024 (for "
                  "observed entries of a sparse matrix, use the ratings problem)");
  Matrix X = Matrix::Zero(static_cast<Index>(rows), static_cast<Index>(cols));
  auto where = [&] { return std::to_string(number) + ": "; };
  if (coordinate) {
    for (std::uint64_t e = 0; e < entries; ++e) {
      do {
        ++number;
        if (!std::getline(stream, line)) bad(file, where() + "the file ends after " + std::to_string(e) + " of " +
                                                       std::to_string(entries) + " entries");
      } while (line.empty() || line[0] == '%');
      std::istringstream fields(line);
      std::uint64_t i = 0, j = 0;
      std::string first, second;
      double value;
      if (!(fields >> first >> second >> value) || !parse_count(first, i) || !parse_count(second, j))
        bad(file, where() + "'" + line.substr(0, 80) + "' is not `row column value`");
      if (i < 1 || i > rows || j < 1 || j > cols)
        bad(file, where() + "entry (" + first + ", " + second + ") is outside the " + std::to_string(rows) + " x " +
                      std::to_string(cols) + " matrix");
      X(static_cast<Index>(i - 1), static_cast<Index>(j - 1)) = value;
      if (symmetric) X(static_cast<Index>(j - 1), static_cast<Index>(i - 1)) = value;
    }
  } else {
    for (Index j = 0; j < X.cols(); ++j)
      for (Index i = symmetric ? j : 0; i < X.rows(); ++i) {
        double value;
        if (!(stream >> value)) bad(file, "fewer values than the size line says");
        X(i, j) = value;
        if (symmetric) X(j, i) = value;
      }
  }
  return X;
}

// ---------------------------------------------------------------- text

Matrix read_text(const std::string& file) {
  std::ifstream stream(file);
  if (!stream) bad(file, "cannot open the file");
  if (file_size(file) > (std::uint64_t{4} << 30))
    bad(file, "a text matrix of more than 4 GiB; write it as .npy (numpy.save), which is read without parsing");
  std::vector<std::vector<double>> rows;
  std::string line;
  for (int number = 1; std::getline(stream, line); ++number) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    for (char& c : line)
      if (c == ',' || c == ';' || c == '\t') c = ' ';
    std::istringstream fields(line);
    std::vector<double> row;
    std::string field;
    while (fields >> field) {
      char* end = nullptr;
      const double value = std::strtod(field.c_str(), &end);
      if (end != field.c_str() + field.size())
        bad(file, "line " + std::to_string(number) + ": '" + field + "' is not a number");
      row.push_back(value);
    }
    if (row.empty()) continue;
    if (!rows.empty() && row.size() != rows.front().size())
      bad(file, "line " + std::to_string(number) + " has " + std::to_string(row.size()) + " values, the first row " +
                    std::to_string(rows.front().size()));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) bad(file, "no numbers");
  Matrix X(static_cast<Index>(rows.size()), static_cast<Index>(rows.front().size()));
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) X(i, j) = rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)];
  return X;
}

// ---------------------------------------------------------------- images

Matrix read_image(const std::string& file) {
#ifdef NCVX_WITH_STB
  int width = 0, height = 0, channels = 0;
  unsigned char* pixels = stbi_load(file.c_str(), &width, &height, &channels, 1);
  if (!pixels) bad(file, std::string("cannot decode the image: ") + stbi_failure_reason());
  Matrix X(height, width);
  for (int i = 0; i < height; ++i)
    for (int j = 0; j < width; ++j) X(i, j) = pixels[static_cast<std::size_t>(i) * width + j] / 255.0;
  stbi_image_free(pixels);
  return X;
#else
  bad(file, "this build of matrix_file has no image support; install libstb-dev and rebuild ncvx");
#endif
}

Matrix read_matrix(const std::string& file, std::string format) {
  if (format == "auto") {
    const std::string extension = lower_extension(file);
    if (extension == ".npy") format = "npy";
    else if (extension == ".mtx") format = "mtx";
    else if (extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp" ||
             extension == ".pgm" || extension == ".gif")
      format = "image";
    else format = "text";
  }
  if (format == "npy") return read_npy(file);
  if (format == "mtx") return read_matrix_market(file);
  if (format == "image") return read_image(file);
  return read_text(file);
}

class MatrixFile final : public ncvx::Problem {
 public:
  explicit MatrixFile(const ncvx::ParameterValues& values) {
    const std::string& file = values.text("file");
    if (file.empty()) throw std::invalid_argument("matrix_file needs `file`: the matrix to reconstruct");
    const Matrix X = read_matrix(file, values.choice("format"));
    if (!X.allFinite()) bad(file, "the matrix has non-finite entries");
    const bool symmetric = values.boolean("symmetric");
    if (symmetric && (X.rows() != X.cols() || (X - X.transpose()).norm() > 1e-12 * X.norm()))
      bad(file, "symmetric: true, but the matrix is not symmetric");
    const Index rank = values.integer("rank");
    if (rank > std::min(X.rows(), X.cols()))
      bad(file, "rank = " + std::to_string(rank) + " exceeds the matrix's smaller side " +
                    std::to_string(std::min(X.rows(), X.cols())));
    ncvx::GroundTruth truth = ncvx::GroundTruth::from_dense(X, symmetric, rank);
    // Normalization: rescale sigma, keep the factors.
    const std::string& normalization = values.choice("normalization");
    const Vector& sigma = truth.values();
    const double divisor = normalization == "spectral"    ? sigma(0)
                           : normalization == "trace"     ? sigma.sum()
                           : normalization == "frobenius" ? sigma.norm()
                                                          : 1.0;
    truth_ = truth.positive_semidefinite() ? ncvx::GroundTruth::positive_semidefinite(truth.left(), sigma / divisor)
                                           : ncvx::GroundTruth(truth.left(), sigma / divisor, truth.right());
    shape_ = symmetric ? ncvx::MatrixShape::square_symmetric(X.rows()) : ncvx::MatrixShape::rectangular(X.rows(), X.cols());
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::path("file", "the matrix: .npy, .mtx, .csv/.txt, or a grayscale image"),
        ncvx::ParameterSpec::choice("format", "auto", {"auto", "npy", "mtx", "text", "image"},
                                    "file format (auto: from the extension)"),
        ncvx::ParameterSpec::integer("rank", 0, "keep the best rank-r approximation (0: the whole matrix)")
            .at_least(0),
        ncvx::ParameterSpec::boolean("symmetric", false, "the matrix is symmetric (fit X = U U^T possible)"),
        ncvx::ParameterSpec::choice("normalization", "spectral", {"spectral", "trace", "frobenius", "none"},
                                    "scale of X*: sigma_1 = 1, sum sigma = 1, |X*|_F = 1, or as read"),
    };
  }

  ncvx::ProblemDescription describe() const override { return {shape_, true, false, false, truth_.rank()}; }

  ncvx::ProblemData sample(ncvx::RandomStream&) const override {
    ncvx::ProblemData data;
    data.ground_truth = truth_;
    return data;
  }

  std::size_t required_bytes() const override {
    return static_cast<std::size_t>((truth_.rows() + truth_.cols()) * truth_.rank()) * 2 * sizeof(double);
  }

 private:
  ncvx::MatrixShape shape_;
  ncvx::GroundTruth truth_;
};

}  // namespace

NCVX_PLUGIN(MatrixFile, "matrix_file",
            "X* read from a file (.npy, MatrixMarket, CSV, or a grayscale image), optionally its best rank-r "
            "approximation",
            NCVX_VERSION_STRING)
