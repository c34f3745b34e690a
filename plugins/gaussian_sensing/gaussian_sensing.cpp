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

#include <ncvx/memory.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "sensing_kernels.hpp"

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

template <class T>
class GaussianOperator final : public ncvx::MeasurementOperator {
 public:
  using Storage = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  GaussianOperator(const ncvx::MatrixShape& shape, Storage sensing) : shape_(shape), sensing_(std::move(sensing)) {}

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
    std::vector<Vector> packed(count);
    std::vector<const double*> x(count);
    std::vector<bool> wanted(count);
    for (std::size_t j = 0; j < count; ++j) {
      packed[j] = vectorize(*items[j].factors, shape_);
      x[j] = packed[j].data();
      wanted[j] = items[j].adjoint_products != nullptr;
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
      if (!items[j].adjoint_products) continue;
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
    }
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

  ncvx::MatrixShape shape_;
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

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    if (setting.observed)
      throw std::invalid_argument("gaussian_sensing measures a ground truth; a data problem (observed entries) "
                                  "is measured by matrix_completion");
    if (single_) return draw<float>(setting.shape, random);
    return draw<double>(setting.shape, random);
  }

  bool isometric_in_expectation(const ncvx::MatrixShape&) const override { return true; }
  bool shares_passes() const override { return true; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    // Saturating: absurd sizes give SIZE_MAX, never an overflowed small number.
    const auto n1 = static_cast<std::size_t>(shape.rows), n2 = static_cast<std::size_t>(shape.cols);
    const std::size_t row = shape.symmetric ? ncvx::saturating_multiply(n1, n1 + 1) / 2 : ncvx::saturating_multiply(n1, n2);
    return ncvx::saturating_product({static_cast<std::size_t>(m_), row, single_ ? sizeof(float) : sizeof(double)});
  }

 private:
  /// Entries N(0, 1/m) drawn in double, row by row, then stored as T: single
  /// storage holds the double draw rounded to float.
  template <class T>
  std::unique_ptr<ncvx::MeasurementOperator> draw(const ncvx::MatrixShape& shape, ncvx::RandomStream& random) const {
    typename GaussianOperator<T>::Storage sensing(m_, row_length(shape));
    const double deviation = 1.0 / std::sqrt(static_cast<double>(m_));
    for (Index i = 0; i < sensing.rows(); ++i)
      for (Index p = 0; p < sensing.cols(); ++p) sensing(i, p) = static_cast<T>(deviation * random.normal());
    return std::make_unique<GaussianOperator<T>>(shape, std::move(sensing));
  }

  Index m_;
  bool single_;
};

}  // namespace

NCVX_PLUGIN(GaussianSensing, "gaussian_sensing",
            "Gaussian sensing A(Z)_i = <A_i, Z>/sqrt(m): GOE A_i = (G_i + G_i^T)/2, or i.i.d. G_i for "
            "rectangular shapes; E|A(Z)|^2 = |Z|_F^2",
            NCVX_VERSION_STRING)
