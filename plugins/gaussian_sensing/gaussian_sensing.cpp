// Gaussian sensing, symmetric (GOE) or rectangular:
//
//   symmetric    A(Z)_i = (1/sqrt(m)) <A_i, Z>,  A_i = (G_i + G_i^T) / 2,  (G_i)_jk ~ N(0, 1) i.i.d.,
//                so (A_i)_jj ~ N(0, 1), (A_i)_jk ~ N(0, 1/2) for j != k;
//   rectangular  A(Z)_i = (1/sqrt(m)) <G_i, Z>,  G_i in R^{n1 x n2} with i.i.d. N(0, 1) entries;
//
// in both cases E|A(Z)|^2 = |Z|_F^2 on the shape's matrices.
//
// Storage. With the isometric packing svec(Z) = (Z_jj, sqrt(2) Z_jk for j < k)
// (column-major upper triangle, N = n(n+1)/2 entries), <A_i, Z> = <svec(A_i), svec(Z)>
// and svec(A_i) has i.i.d. N(0, 1) entries; for a rectangular shape vec(Z)
// (column-major, N = n1 n2) plays the same part. The operator is therefore one
// m x N matrix S with i.i.d. N(0, 1/m) entries, stored row-major (row i is
// svec(A_i)/sqrt(m) or vec(G_i)/sqrt(m)), drawn row by row from the stream:
//
//   A(Z) = S svec(Z),   A*(v) = smat(S^T v)     (rectangular: vec and its inverse).
//
// A factor set enters through x = svec(U U^T), svec((U V^T + V U^T)/2) for an
// asymmetric fit of a symmetric shape, or vec(U V^T); the adjoint products are
// W U, or W V and W^T U, with W = A*(l'(r)).
//
// `storage: single` keeps S in float (half the memory and half the bytes per
// pass); entries are widened to double as they are read and all arithmetic
// is double, so the operator is exactly the float-rounded S, consistently in
// every method (y is measured with it too).
//
// `storage: regenerated` stores nothing but a key: every pass generates the
// rows again, four at a time into a buffer that stays in cache, from a
// counter-based generator (Philox4x64-10, Random123): entry (i, p) is a fixed
// function of (key, i, p), so the operator is the same in every pass, method
// and thread, and the passes are the stored operator's, bit for bit. Its
// entries are i.i.d. N(0, 1/m) by the Box-Muller transform of the counter's
// output (another draw than `double`'s, with the same distribution). A pass
// then costs the generation of m N normals instead of a read of 8 m N bytes.
//
// Evaluation (the hot path, `evaluate`): one pass over S for K factors. Rows
// are read in blocks of four; the residuals of the block are known right
// after its dot products, the loss gives their derivatives, and the block's
// rows, still in cache, are added into the adjoint accumulators. The kernels
// (sensing_kernels.hpp) fix the order of every sum, so each factor's numbers
// are the same whether it is evaluated alone or with others. Large passes
// are cut into row segments (fixed by m and N) that run on all cores; their
// accumulators are added in segment order, so no number depends on the
// thread count.

#include <algorithm>
#include <cmath>
#include <thread>
#include <stdexcept>
#include <type_traits>

#include <ncvx/device_form.hpp>
#include <ncvx/memory.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "../common/buffer_pool.hpp"
#include "../common/huge_page_array.hpp"
#include "sensing_kernels.hpp"

#ifdef NCVX_HAVE_RANDOM123
#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#endif

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

Index packed_size(Index n) { return n * (n + 1) / 2; }

/// Length of a stored row for a shape: n(n+1)/2 (svec) or n1 n2 (vec).
Index row_length(const ncvx::MatrixShape& shape) {
  return shape.symmetric ? packed_size(shape.rows) : shape.rows * shape.cols;
}

/// svec of the symmetric matrix X (only its upper triangle is read).
Vector pack(const Matrix& X) {
  const Index n = X.rows();
  Vector packed(packed_size(n));
  Index position = 0;
  for (Index j = 0; j < n; ++j) {
    for (Index i = 0; i < j; ++i) packed(position++) = M_SQRT2 * X(i, j);
    packed(position++) = X(j, j);
  }
  return packed;
}

/// The inverse of pack: a dense symmetric matrix.
Matrix unpack(const Vector& packed, Index n) {
  Matrix X(n, n);
  Index position = 0;
  for (Index j = 0; j < n; ++j) {
    for (Index i = 0; i < j; ++i) X(i, j) = X(j, i) = packed(position++) * M_SQRT1_2;
    X(j, j) = packed(position++);
  }
  return X;
}

/// The vector x the stored rows are dotted with, for the matrix of a factor set.
Vector vectorize(const ncvx::FactorSet& F, const ncvx::MatrixShape& shape) {
  if (!shape.symmetric) {
    const Matrix X = F.left() * F.right().transpose();
    return Eigen::Map<const Vector>(X.data(), X.size());
  }
  Matrix X = Matrix::Zero(shape.rows, shape.rows);
  if (F.symmetric()) {
    X.selfadjointView<Eigen::Upper>().rankUpdate(F.left());  // only the upper triangle of U U^T
  } else {
    const Matrix product = F.left() * F.right().transpose();
    X = 0.5 * (product + product.transpose());
  }
  return pack(X);
}

/// The rows of S held in memory (double or float).
template <class T>
class StoredRows {
 public:
  using Scalar = T;
  static constexpr Index kChunk = 0;  // a segment's rows in one call of the kernel

  StoredRows(Index rows, Index cols) : entries_(rows, cols) {}
  Index rows() const { return entries_.rows(); }
  Index cols() const { return entries_.cols(); }
  std::size_t bytes() const { return entries_.size() * sizeof(T); }
  const T* block(Index first, Index, std::vector<T>&) const { return entries_.row(first); }
  T* row(Index i) { return entries_.row(i); }

  /// The rows as a device backend reads them (device_form.hpp).
  void describe(ncvx::DeviceForm& form) const {
    form.layout = ncvx::DeviceForm::Layout::dense_rows;
    if constexpr (std::is_same_v<T, float>)
      form.rows_single = entries_.data();
    else
      form.rows_double = entries_.data();
  }

 private:
  ncvx::HugePageRows<T> entries_;  // streamed by every pass
};

#ifdef NCVX_HAVE_RANDOM123
/// The rows of S generated again at every pass: S_ip = normal(key, i, p) / sqrt(m)
/// with the four normals of positions 4q .. 4q+3 of row i from one Philox4x64-10
/// call on the counter (i, q) (two Box-Muller pairs).
class RegeneratedRows {
 public:
  using Scalar = double;
  static constexpr Index kChunk = 4;  // rows generated per call of the kernel (a multiple of its blocks)

  RegeneratedRows(Index m, Index length, std::uint64_t key0, std::uint64_t key1)
      : m_(m), length_(length), key_{{key0, key1}}, deviation_(1.0 / std::sqrt(static_cast<double>(m))) {}
  Index rows() const { return m_; }
  Index cols() const { return length_; }
  std::size_t bytes() const { return static_cast<std::size_t>(m_) * static_cast<std::size_t>(length_) * 8; }

  void describe(ncvx::DeviceForm& form) const {
    form.layout = ncvx::DeviceForm::Layout::regenerated_rows;
    form.key = {key_[0], key_[1]};
  }

  const double* block(Index first, Index count, std::vector<double>& buffer) const {
    buffer.resize(static_cast<std::size_t>(count * length_));
    for (Index r = 0; r < count; ++r) row(first + r, buffer.data() + r * length_);
    return buffer.data();
  }

  void row(Index i, double* out) const {
    using Philox = r123::Philox4x64;
    const Philox generate;
    Index p = 0;
    for (std::uint64_t q = 0; p < length_; ++q) {
      const Philox::ctr_type counter{{static_cast<std::uint64_t>(i), q}};
      const Philox::ctr_type bits = generate(counter, key_);
      const r123::double2 first = r123::boxmuller(bits[0], bits[1]);
      const r123::double2 second = r123::boxmuller(bits[2], bits[3]);
      const double normals[4] = {first.x, first.y, second.x, second.y};
      for (int l = 0; l < 4 && p < length_; ++l, ++p) out[p] = deviation_ * normals[l];
    }
  }

 private:
  Index m_, length_;
  r123::Philox4x64::key_type key_;
  double deviation_;
};
#endif

template <class Rows>
class GaussianOperator final : public ncvx::MeasurementOperator, public ncvx::DeviceDescribed {
 public:
  using T = typename Rows::Scalar;

  GaussianOperator(const ncvx::MatrixShape& shape, Rows sensing) : shape_(shape), sensing_(std::move(sensing)) {}

  ncvx::DeviceForm device_form() const override {
    ncvx::DeviceForm form;
    form.shape = shape_;
    form.measurements = sensing_.rows();
    form.length = sensing_.cols();
    sensing_.describe(form);
    return form;
  }

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return sensing_.rows(); }

  void forward(const Matrix& X, Vector& out) const override {
    out = apply(shape_.symmetric ? pack(X) : Vector(Eigen::Map<const Vector>(X.data(), X.size())));
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override { out = apply(vectorize(F, shape_)); }

  /// S x by the kernel's dot products (with y = 0 the residuals are S x).
  Vector apply(const Vector& packed) const {
    const Vector zero = Vector::Zero(sensing_.rows());
    Vector out(sensing_.rows());
    const auto keep = [&](std::size_t, Index row, const double* residual, double* derivative, Index rows) {
      std::copy(residual, residual + rows, out.data() + row);
      std::fill(derivative, derivative + rows, 0.0);
    };
    pass(zero, {packed.data()}, {false}, keep);
    return out;
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    const Matrix W = adjoint(v);
    out.noalias() = W * M;
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    const Matrix W = adjoint(v);
    out.noalias() = W.transpose() * M;
  }

  /// A*(v) = smat(S^T v), as one pass of the kernel: with x = 0 and y = -v
  /// the "residuals" are v, and an identity "loss" passes them on.
  Matrix adjoint(const Vector& v) const override {
    const Vector zero = Vector::Zero(sensing_.cols());
    const Vector negated = -v;
    const auto identity = [](std::size_t, Index, const double* residual, double* derivative, Index rows) {
      std::copy(residual, residual + rows, derivative);
    };
    std::vector<Vector> sums = pass(negated, {zero.data()}, {true}, identity);
    return dense(sums[0]);
  }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const std::size_t count = items.size();
    // The factors' own work before and after the pass (x = svec(U U^T), then
    // W U), one factor per piece on all cores when the pass uses them: each
    // piece computes its own factor's numbers, so none depends on the thread.
    const Index threads = count > 1 ? ncvx::threads_for_pass(sensing_.bytes()) : 1;
    const Index pieces = static_cast<Index>(count);
    std::vector<Vector> packed(count);
    std::vector<const double*> x(count);
    std::vector<bool> wanted(count);
    ncvx::for_each_piece(pieces, threads, [&](Index piece) {
      const auto j = static_cast<std::size_t>(piece);
      packed[j] = vectorize(*items[j].factors, shape_);
    });
    for (std::size_t j = 0; j < count; ++j) {
      x[j] = packed[j].data();
      wanted[j] = items[j].adjoint_products != nullptr;
    }
    // Loss values per segment, added in segment order.
    const Index segments = segment_count(sensing_.rows(), sensing_.cols());
    std::vector<std::vector<double>> values(static_cast<std::size_t>(segments), std::vector<double>(count, 0.0));
    const auto block_loss = [&](std::size_t j, Index row, const double* residual, double* derivative, Index rows) {
      const Index segment = segment_of(row);
      values[static_cast<std::size_t>(segment)][j] +=
          loss.evaluate_observed(Eigen::Map<const Vector>(residual, rows),
                                 Eigen::Map<const Vector>(observations.data() + row, rows),
                                 Eigen::Map<Vector>(derivative, rows));
    };
    std::vector<Vector> sums = pass(observations, x, wanted, block_loss);
    ncvx::for_each_piece(pieces, threads, [&](Index piece) {
      const auto j = static_cast<std::size_t>(piece);
      double value = 0.0;
      for (Index s = 0; s < segments; ++s) value += values[static_cast<std::size_t>(s)][j];
      items[j].value = value;
      if (!items[j].adjoint_products) return;
      const ncvx::FactorSet& F = *items[j].factors;
      ncvx::FactorSet& out = *items[j].adjoint_products;
      out.resize(F.shape());
      const Matrix W = dense(sums[j]);
      if (F.symmetric()) {
        out.left().noalias() = W * F.left();
      } else {
        out.left().noalias() = W * F.right();
        if (shape_.symmetric)
          out.right().noalias() = W * F.left();
        else
          out.right().noalias() = W.transpose() * F.left();
      }
    });
  }

 private:
  /// The n1 x n2 matrix of a stored-length vector (smat, or the inverse of vec).
  Matrix dense(const Vector& w) const {
    if (shape_.symmetric) return unpack(w, shape_.rows);
    return Eigen::Map<const Matrix>(w.data(), shape_.rows, shape_.cols);
  }

  /// The fused pass (sensing_kernels.hpp) over all rows for the vectors x:
  /// returns, for each j with wanted[j], S^T d_j. Rows are cut into segments
  /// fixed by (m, N) alone; each segment has its own accumulators, added in
  /// segment order. Large passes run the segments on all cores: no number
  /// depends on how many. `loss` gets absolute row numbers.
  std::vector<Vector> pass(const Vector& y, const std::vector<const double*>& x, const std::vector<bool>& wanted,
                           const ncvx::kernels::BlockLoss& loss) const {
    const std::size_t count = x.size();
    const Index m = sensing_.rows(), N = sensing_.cols();
    const Index segments = segment_count(m, N);
    // Each segment's accumulators (count x N doubles), in a buffer kept
    // between passes.
    const std::size_t per_segment = count * static_cast<std::size_t>(N);
    ncvx::BufferPool::Buffer accumulators(pool_, static_cast<std::size_t>(segments) * per_segment);
    auto accumulator = [&](Index s, std::size_t j) {
      return accumulators.data() + static_cast<std::size_t>(s) * per_segment +
             j * static_cast<std::size_t>(N);
    };
    auto run_segment = [&](Index s) {
      const Index first = segment_start(s), last = segment_start(s + 1);
      std::vector<double*> w(count, nullptr);
      for (std::size_t j = 0; j < count; ++j)
        if (wanted[j]) {
          w[j] = accumulator(s, j);
          std::fill(w[j], w[j] + N, 0.0);
        }
      // Stored rows: the segment in one call. Regenerated rows: a few rows per
      // call (a multiple of the kernel's blocks, so the sums are the same).
      const Index chunk = Rows::kChunk > 0 ? Rows::kChunk : std::max<Index>(1, last - first);
      std::vector<T> buffer;
      for (Index start = first; start < last; start += chunk) {
        const Index rows = std::min(chunk, last - start);
        const ncvx::kernels::BlockLoss shifted = [&, start](std::size_t j, Index row, const double* residual,
                                                            double* derivative, Index block_rows) {
          loss(j, start + row, residual, derivative, block_rows);
        };
        ncvx::kernels::fused_pass(sensing_.block(start, rows, buffer), rows, N, y.data() + start, x, w, shifted);
      }
    };
    ncvx::for_each_piece(segments, ncvx::threads_for_pass(sensing_.bytes()), run_segment);
    std::vector<Vector> result(count);
    for (std::size_t j = 0; j < count; ++j) {
      if (!wanted[j]) continue;
      result[j] = Eigen::Map<const Vector>(accumulator(0, j), N);
      for (Index s = 1; s < segments; ++s) result[j] += Eigen::Map<const Vector>(accumulator(s, j), N);
    }
    return result;
  }

  Index segment_start(Index s) const {
    const Index segments = segment_count(sensing_.rows(), sensing_.cols());
    return sensing_.rows() * s / segments;
  }
  Index segment_of(Index row) const {
    const Index segments = segment_count(sensing_.rows(), sensing_.cols());
    Index s = row * segments / sensing_.rows();
    while (s + 1 < segments && segment_start(s + 1) <= row) ++s;
    while (s > 0 && segment_start(s) > row) --s;
    return s;
  }

  /// Segments of at least 512 rows, at most 16, and at most 8 MiB of
  /// accumulators per factor.
  static Index segment_count(Index m, Index N) {
    const Index by_rows = (m + 511) / 512;
    const Index by_memory = std::max<Index>(1, (Index{1} << 23) / (8 * N));
    return std::clamp<Index>(std::min({by_rows, by_memory, Index{16}}), 1, m);
  }

  ncvx::MatrixShape shape_;
  Rows sensing_;
  mutable ncvx::BufferPool pool_;  // the segments' accumulators
};

class GaussianSensing final : public ncvx::MeasurementModel {
 public:
  explicit GaussianSensing(const ncvx::ParameterValues& values)
      : m_(values.integer("m")), storage_(values.choice("storage")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements").at_least(1),
            ncvx::ParameterSpec::choice("storage", "double", {"double", "single", "regenerated"},
                                        "the operator in memory (double, or single: half the memory and "
                                        "time, arithmetic stays double) or regenerated at every pass from a "
                                        "counter-based generator (nothing stored)")};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    if (setting.observed)
      throw std::invalid_argument("gaussian_sensing measures a ground truth; a data problem (observed entries) "
                                  "is measured by matrix_completion");
    if (storage_ == "regenerated") {
#ifdef NCVX_HAVE_RANDOM123
      const std::uint64_t key0 = random.next_u64(), key1 = random.next_u64();
      return std::make_unique<GaussianOperator<RegeneratedRows>>(
          setting.shape, RegeneratedRows(m_, row_length(setting.shape), key0, key1));
#else
      throw std::invalid_argument(
          "storage: regenerated needs Random123 (Debian librandom123-dev) when ncvx is built; install it and "
          "rebuild, or use storage: double");
#endif
    }
    if (storage_ == "single") return draw<float>(setting.shape, random);
    return draw<double>(setting.shape, random);
  }

  bool isometric_in_expectation(const ncvx::MatrixShape&) const override { return true; }
  bool shares_passes() const override { return true; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    // Saturating: absurd sizes give SIZE_MAX, never an overflowed small number.
    const auto n1 = static_cast<std::size_t>(shape.rows), n2 = static_cast<std::size_t>(shape.cols);
    const std::size_t row = shape.symmetric ? ncvx::saturating_multiply(n1, n1 + 1) / 2 : ncvx::saturating_multiply(n1, n2);
    if (storage_ == "regenerated") return ncvx::saturating_product({row, 4 * sizeof(double), 16});  // buffers
    return ncvx::saturating_product({static_cast<std::size_t>(m_), row, storage_ == "single" ? sizeof(float) : sizeof(double)});
  }

 private:
  /// Entries N(0, 1/m) drawn in double, row by row, then stored as T: single
  /// storage holds the double draw rounded to float.
  template <class T>
  std::unique_ptr<ncvx::MeasurementOperator> draw(const ncvx::MatrixShape& shape, ncvx::RandomStream& random) const {
    StoredRows<T> sensing(m_, row_length(shape));
    const double deviation = 1.0 / std::sqrt(static_cast<double>(m_));
    for (Index i = 0; i < sensing.rows(); ++i) {
      T* row = sensing.row(i);
      for (Index p = 0; p < sensing.cols(); ++p) row[p] = static_cast<T>(deviation * random.normal());
    }
    return std::make_unique<GaussianOperator<StoredRows<T>>>(shape, std::move(sensing));
  }

  Index m_;
  std::string storage_;
};

}  // namespace

NCVX_PLUGIN(GaussianSensing, "gaussian_sensing",
            "Gaussian sensing A(Z)_i = <A_i, Z>/sqrt(m): GOE A_i = (G_i + G_i^T)/2, or i.i.d. G_i for "
            "rectangular shapes; E|A(Z)|^2 = |Z|_F^2",
            NCVX_VERSION_STRING)
