// Gaussian (GOE) sensing, PAPER.md section 2:
//
//   A(Z)_i = (1/sqrt(m)) <A_i, Z>,   A_i = (G_i + G_i^T) / 2,   (G_i)_jk ~ N(0, 1) i.i.d.,
//
// so (A_i)_jj ~ N(0, 1), (A_i)_jk ~ N(0, 1/2) for j != k, and E|A(Z)|^2 = |Z|_F^2
// for symmetric Z.
//
// Storage. With the isometric packing svec(Z) = (Z_jj, sqrt(2) Z_jk for j < k)
// (column-major upper triangle, N = n(n+1)/2 entries), <A_i, Z> = <svec(A_i), svec(Z)>
// and svec(A_i) has i.i.d. N(0, 1) entries. The operator is therefore one
// m x N matrix S with i.i.d. N(0, 1/m) entries, stored row-major (row i is
// svec(A_i)/sqrt(m)), drawn row by row from the stream:
//
//   A(Z) = S svec(Z),   A*(v) = smat(S^T v).
//
// `storage: single` keeps S in float (half the memory and half the bytes per
// pass); entries are widened to double as they are read and all arithmetic
// is double, so the operator is exactly the float-rounded S, consistently in
// every method (y is measured with it too).
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
#include <type_traits>

#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "sensing_kernels.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

Index packed_size(Index n) { return n * (n + 1) / 2; }

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

/// svec(U U^T), forming only the upper triangle.
Vector pack_factored(const Matrix& U) {
  Matrix X = Matrix::Zero(U.rows(), U.rows());
  X.selfadjointView<Eigen::Upper>().rankUpdate(U);
  return pack(X);
}

template <class T>
class GaussianOperator final : public ncvx::MeasurementOperator {
 public:
  using Storage = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  GaussianOperator(Index n, Storage sensing) : n_(n), sensing_(std::move(sensing)) {}

  Index dimension() const override { return n_; }
  Index measurements() const override { return sensing_.rows(); }

  void forward(const Matrix& X, Vector& out) const override { out = apply(pack(X)); }

  void forward_factored(const Matrix& U, Vector& out) const override { out = apply(pack_factored(U)); }

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

  /// A*(v) = smat(S^T v), as one pass of the kernel: with x = 0 and y = -v
  /// the "residuals" are v, and an identity "loss" passes them on.
  Matrix adjoint(const Vector& v) const override {
    const Vector zero = Vector::Zero(sensing_.cols());
    const Vector negated = -v;
    Vector packed;
    const auto identity = [](std::size_t, Index, const double* residual, double* derivative, Index rows) {
      std::copy(residual, residual + rows, derivative);
    };
    std::vector<Vector> sums = pass(negated, {zero.data()}, {true}, identity);
    return unpack(sums[0], n_);
  }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const std::size_t count = items.size();
    std::vector<Vector> packed(count);
    std::vector<const double*> x(count);
    std::vector<bool> wanted(count);
    for (std::size_t j = 0; j < count; ++j) {
      packed[j] = pack_factored(*items[j].factor);
      x[j] = packed[j].data();
      wanted[j] = items[j].adjoint_times_factor != nullptr;
    }
    // Loss values per segment, added in segment order.
    const Index segments = segment_count(sensing_.rows(), sensing_.cols());
    std::vector<std::vector<double>> values(static_cast<std::size_t>(segments), std::vector<double>(count, 0.0));
    const auto block_loss = [&](std::size_t j, Index row, const double* residual, double* derivative, Index rows) {
      const Index segment = segment_of(row);
      values[static_cast<std::size_t>(segment)][j] +=
          loss.evaluate(Eigen::Map<const Vector>(residual, rows), Eigen::Map<Vector>(derivative, rows));
    };
    std::vector<Vector> sums = pass(observations, x, wanted, block_loss);
    for (std::size_t j = 0; j < count; ++j) {
      double value = 0.0;
      for (Index s = 0; s < segments; ++s) value += values[static_cast<std::size_t>(s)][j];
      items[j].value = value;
      if (items[j].adjoint_times_factor)
        items[j].adjoint_times_factor->noalias() = unpack(sums[j], n_) * *items[j].factor;
    }
  }

 private:
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
    std::vector<std::vector<Vector>> adjoint(static_cast<std::size_t>(segments), std::vector<Vector>(count));
    auto run_segment = [&](Index s) {
      const Index first = segment_start(s), last = segment_start(s + 1);
      auto& sums = adjoint[static_cast<std::size_t>(s)];
      std::vector<double*> w(count, nullptr);
      for (std::size_t j = 0; j < count; ++j)
        if (wanted[j]) {
          sums[j] = Vector::Zero(N);
          w[j] = sums[j].data();
        }
      const ncvx::kernels::BlockLoss shifted = [&, first](std::size_t j, Index row, const double* residual,
                                                          double* derivative, Index rows) {
        loss(j, first + row, residual, derivative, rows);
      };
      ncvx::kernels::fused_pass(sensing_.data() + first * N, last - first, N, y.data() + first, x, w, shifted);
    };
    const std::size_t bytes = static_cast<std::size_t>(m) * static_cast<std::size_t>(N) * sizeof(T);
    ncvx::for_each_piece(segments, ncvx::threads_for_pass(bytes), run_segment);
    std::vector<Vector> result(count);
    for (std::size_t j = 0; j < count; ++j) {
      if (!wanted[j]) continue;
      result[j] = std::move(adjoint[0][j]);
      for (Index s = 1; s < segments; ++s) result[j] += adjoint[static_cast<std::size_t>(s)][j];
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

  Index n_;
  Storage sensing_;
};

class GaussianSensing final : public ncvx::MeasurementModel {
 public:
  explicit GaussianSensing(const ncvx::ParameterValues& values)
      : m_(values.integer("m")), single_(values.choice("storage") == "single") {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements").at_least(1),
            ncvx::ParameterSpec::choice("storage", "double", {"double", "single"},
                                        "precision of the stored operator; single halves memory and "
                                        "time, arithmetic stays double")};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(Index n, ncvx::RandomStream& random) const override {
    if (single_) return draw<float>(n, random);
    return draw<double>(n, random);
  }

  bool isometric_in_expectation() const override { return true; }
  bool shares_passes() const override { return true; }

  std::size_t required_bytes(Index n) const override {
    return static_cast<std::size_t>(m_) * static_cast<std::size_t>(packed_size(n)) *
           (single_ ? sizeof(float) : sizeof(double));
  }

 private:
  /// Entries N(0, 1/m) drawn in double, row by row, then stored as T: single
  /// storage holds the double draw rounded to float.
  template <class T>
  std::unique_ptr<ncvx::MeasurementOperator> draw(Index n, ncvx::RandomStream& random) const {
    typename GaussianOperator<T>::Storage sensing(m_, packed_size(n));
    const double deviation = 1.0 / std::sqrt(static_cast<double>(m_));
    for (Index i = 0; i < sensing.rows(); ++i)
      for (Index p = 0; p < sensing.cols(); ++p) sensing(i, p) = static_cast<T>(deviation * random.normal());
    return std::make_unique<GaussianOperator<T>>(n, std::move(sensing));
  }

  Index m_;
  bool single_;
};

}  // namespace

NCVX_PLUGIN(GaussianSensing, "gaussian_sensing",
            "GOE sensing A(Z)_i = <A_i, Z>/sqrt(m), A_i = (G_i + G_i^T)/2; E|A(Z)|^2 = |Z|_F^2",
            NCVX_VERSION_STRING)
