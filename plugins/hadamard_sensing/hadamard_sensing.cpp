// Structured random sensing: a subsampled randomized Walsh-Hadamard transform
// on both sides (Krahmer & Ward, "New and improved Johnson-Lindenstrauss
// embeddings via the restricted isometry property", SIAM J. Math. Anal. 2011),
//
//   Y = H_1 D_1 X D_2 H_2^T,      A(X)_i = s * c_{(r_i, c_i)}(Y),   i = 1..m,
//
// with X zero-padded to p_1 x p_2 (the next powers of two), H the orthonormal
// Walsh-Hadamard matrix (H H^T = I), D random +-1 signs, and m coordinates
// drawn uniformly and independently from the N coordinates c of Y:
//
//   rectangular  c_(r,c)(Y) = Y_rc,                N = p_1 p_2
//   symmetric    D_1 = D_2, H_1 = H_2, so Y is symmetric; c_(r,r) = Y_rr and
//                c_(r,c) = sqrt(2) Y_rc (r < c),   N = p (p + 1) / 2
//
// and s = sqrt(N / m). X -> c(Y) is an isometry (on symmetric matrices for the
// symmetric model) and each coordinate is drawn with probability 1/N, so
// E[A*A] = identity, like Gaussian sensing. The operator stores O(m + n)
// numbers (the sampled coordinates, their adjacency and the signs) instead of
// m n^2, and for factors costs O((n_1 + n_2) k log n + m k) per evaluation:
//
//   A(U V^T)_i = s <P_{r_i}, Q_{c_i}>,      P = H_1 D_1 U,  Q = H_2 D_2 V   (fast transforms)
//   A*(v) M = D_1 H_1 W,   W_r = s sum_{i: r_i = r} v_i Q_{c_i}  (+ the mirrored term when symmetric)
//
// P, Q and W live in slices of 32 columns that stay in cache while a pass
// works on them (hadamard_kernels.hpp).
//
// so n = 1 024 - 4 096 runs where a dense Gaussian operator needs hundreds of GB.
// It satisfies the RIP for low-rank matrices when m is of order n r polylog(n).

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include <ncvx/memory.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "../common/buffer_pool.hpp"
#include "hadamard_kernels.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

Index next_power_of_two(Index n) {
  Index p = 1;
  while (p < n) p *= 2;
  return p;
}

using ncvx::hadamard::Adjacency;
using ncvx::hadamard::kSlice;

/// A p x k matrix as slices (see hadamard_kernels.hpp): slice s holds columns
/// first .. first + count - 1 (first = 32 s) of every row, row after row, in one
/// contiguous block at data + first p, so a pass reads and writes a row's piece
/// of a slice in one place and a slice (512 KiB at p = 2048) stays in cache
/// while all m coordinates read it. (Rows of a column-major matrix would put a
/// slice's pieces 8p bytes apart, competing for the same cache sets.)
struct Slices {
  Index rows = 0, width = 0;
  double* data = nullptr;

  Index slices() const { return (width + kSlice - 1) / kSlice; }
  Index count(Index slice) const { return std::min(kSlice, width - slice * kSlice); }
  double* block(Index slice) const { return data + slice * kSlice * rows; }
};

/// visit(r, c) for the n x count entries shared by a column-major matrix and
/// a slice (rows of `count`), eight rows at a time: a column's eight entries
/// are one cache line, the slice's eight rows are contiguous.
template <class Visit>
void each_entry(Index n, Index count, Visit&& visit) {
  for (Index top = 0; top < n; top += 8) {
    const Index bottom = std::min(n, top + 8);
    for (Index c = 0; c < count; ++c)
      for (Index r = top; r < bottom; ++r) visit(r, c);
  }
}

/// Target row x's entries in coordinate order: the adjacency of the sampled
/// sparse matrix for the pairs (target_i, source_i) (and (source_i, target_i)
/// too when `mirror`, for i with target_i != source_i).
Adjacency adjacency(const std::vector<int>& targets, const std::vector<int>& sources, Index rows, bool mirror) {
  Adjacency a;
  a.start.assign(static_cast<std::size_t>(rows + 1), 0);
  auto each = [&](auto&& visit) {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      visit(targets[i], sources[i], i);
      if (mirror && targets[i] != sources[i]) visit(sources[i], targets[i], i);
    }
  };
  each([&](int target, int, std::size_t) { ++a.start[static_cast<std::size_t>(target) + 1]; });
  for (std::size_t x = 0; x < static_cast<std::size_t>(rows); ++x) a.start[x + 1] += a.start[x];
  a.source.resize(static_cast<std::size_t>(a.start.back()));
  a.coordinate.resize(a.source.size());
  std::vector<int> next(a.start.begin(), a.start.end() - 1);
  each([&](int target, int source, std::size_t i) {
    const auto e = static_cast<std::size_t>(next[static_cast<std::size_t>(target)]++);
    a.source[e] = source;
    a.coordinate[e] = static_cast<int>(i);
  });
  a.source.resize(a.source.size() + ncvx::hadamard::kLookAhead, 0);  // read ahead of the last entry, unused
  return a;
}

class HadamardOperator final : public ncvx::MeasurementOperator {
 public:
  HadamardOperator(const ncvx::MatrixShape& shape, Vector left_signs, Vector right_signs, std::vector<int> rows,
                   std::vector<int> cols, double scale)
      : shape_(shape), left_signs_(std::move(left_signs)), right_signs_(std::move(right_signs)),
        rows_(std::move(rows)), cols_(std::move(cols)), scale_(scale) {
    // The symmetric model's E_i adds to rows r and c; the rectangular one's
    // A* adds to rows r (of W = S Q) or columns c (of S^T P).
    to_rows_ = adjacency(rows_, cols_, padded_rows(), shape_.symmetric);
    if (!shape_.symmetric) to_cols_ = adjacency(cols_, rows_, padded_cols(), false);
  }

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return static_cast<Index>(rows_.size()); }

  void forward(const Matrix& X, Vector& out) const override {
    // Y = H_1 D_1 X~ D_2 H_2^T: transform the columns, then the rows.
    Matrix left = transformed(X, left_signs_);                       // H_1 D_1 X~  (p_1 x n_2)
    Matrix both = transformed(Matrix(left.transpose()), right());    // H_2 D_2 (H_1 D_1 X~)^T = Y^T
    // Coordinate (r, c) of Y; the symmetric model reads (Y_rc + Y_cr) / 2, so
    // that A(X) = A((X + X^T) / 2) for any square X.
    out.resize(measurements());
    for (Index i = 0; i < measurements(); ++i) {
      const Index r = rows_[static_cast<std::size_t>(i)], c = cols_[static_cast<std::size_t>(i)];
      out(i) = weight(i) * (shape_.symmetric ? 0.5 * (both(c, r) + both(r, c)) : both(c, r));
    }
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override {
    const Transformed T(*this, F);
    products(T.P, T.Q, out);
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    ncvx::BufferPool::Buffer buffer(pool_, buffer_size(padded_cols(), M.cols()));
    back(v, slices_of(M, right(), buffer.data()), to_rows_, left_signs_, shape_.rows, out);
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    if (shape_.symmetric) {
      adjoint_apply(v, M, out);
      return;
    }
    ncvx::BufferPool::Buffer buffer(pool_, buffer_size(padded_rows(), M.cols()));
    back(v, slices_of(M, left_signs_, buffer.data()), to_cols_, right(), shape_.cols, out);
  }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    Vector residual, derivative(observations.size());
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const Transformed T(*this, F);
      const Slices &P = T.P, &Q = T.Q;
      products(P, Q, residual);
      residual -= observations;
      item.value = loss.evaluate_observed(residual, observations, derivative);
      if (!item.adjoint_products) continue;
      ncvx::FactorSet& out = *item.adjoint_products;
      out.resize(F.shape());
      back(derivative, Q, to_rows_, left_signs_, shape_.rows, out.left());
      if (!F.symmetric()) back(derivative, P, shape_.symmetric ? to_rows_ : to_cols_, right(), shape_.cols, out.right());
    }
  }

 private:
  /// P = H_1 D_1 U and Q = H_2 D_2 V as slices in buffers of the pool (Q is P
  /// for U U^T), held while the object lives.
  struct Transformed {
    ncvx::BufferPool::Buffer left;
    std::optional<ncvx::BufferPool::Buffer> right;
    Slices P, Q;

    Transformed(const HadamardOperator& A, const ncvx::FactorSet& F)
        : left(A.pool_, buffer_size(A.padded_rows(), F.width())),
          right(F.symmetric() ? std::nullopt
                              : std::make_optional<ncvx::BufferPool::Buffer>(
                                    A.pool_, buffer_size(A.padded_cols(), F.width()))),
          P(slices_of(F.left(), A.left_signs_, left.data())),
          Q(F.symmetric() ? P : slices_of(F.right(), A.right(), right->data())) {}
  };

  const Vector& right() const { return shape_.symmetric ? left_signs_ : right_signs_; }
  Index padded_rows() const { return left_signs_.size(); }
  Index padded_cols() const { return right().size(); }

  /// Coordinate i is off the diagonal of the symmetric model (weight s sqrt(2), E_i halved).
  bool off_diagonal(Index i) const {
    return shape_.symmetric && rows_[static_cast<std::size_t>(i)] != cols_[static_cast<std::size_t>(i)];
  }
  /// s, times sqrt(2) for an off-diagonal coordinate of the symmetric model.
  double weight(Index i) const { return off_diagonal(i) ? scale_ * std::sqrt(2.0) : scale_; }

  static std::size_t buffer_size(Index p, Index k) { return static_cast<std::size_t>(p * k); }

  /// Threads for passes over a p x k matrix (transforms, gathers).
  static Index threads_for_matrix(Index p, Index k) {
    return ncvx::threads_for_pass(static_cast<std::size_t>(p * k) * sizeof(double) * 4);
  }

  /// H D M~ for M (n x k) zero-padded to the signs' length p (p x k), dense:
  /// the reference path of forward().
  static Matrix transformed(const Matrix& M, const Vector& signs) {
    Matrix block = Matrix::Zero(signs.size(), M.cols());
    block.topRows(M.rows()) = signs.head(M.rows()).asDiagonal() * M;
    const double normalization = 1.0 / std::sqrt(static_cast<double>(block.rows()));
    ncvx::for_each_piece(block.cols(), threads_for_matrix(block.rows(), block.cols()), [&](Index column) {
      ncvx::hadamard::transform_slice(block.col(column).data(), block.rows(), 1, normalization);
    });
    return block;
  }

  /// H D M~ as slices in `data` (p k doubles): the rows of H D M~ as the
  /// sampled coordinates read them. Threads split the slices.
  static Slices slices_of(const Matrix& M, const Vector& signs, double* data) {
    const Slices S{signs.size(), M.cols(), data};
    const Index n = M.rows(), p = S.rows;
    const double normalization = 1.0 / std::sqrt(static_cast<double>(p));
    ncvx::for_each_piece(S.slices(), threads_for_matrix(p, M.cols()), [&](Index slice) {
      const Index first = slice * kSlice, count = S.count(slice);
      double* block = S.block(slice);
      const double* columns = M.data() + first * n;
      const double* sign = signs.data();
      each_entry(n, count, [&](Index r, Index c) { block[r * count + c] = sign[r] * columns[c * n + r]; });
      std::fill(block + n * count, block + p * count, 0.0);
      ncvx::hadamard::transform_slice(block, p, count, normalization);
    });
    return S;
  }

  /// Threads for a pass over the m sampled coordinates with k-vectors.
  Index threads_for(Index k) const {
    return ncvx::threads_for_pass(static_cast<std::size_t>(measurements()) * static_cast<std::size_t>(k) * 16);
  }

  /// out_i = weight_i Y_{r_i c_i} for Y = P Q^T (P: p_1 x k, Q: p_2 x k, as
  /// slices); the symmetric model reads (Y_rc + Y_cr) / 2, which is Y_rc when Q
  /// is P (X = U U^T). Each dot product is summed slice by slice (fixed
  /// slices), and each thread writes its own coordinates' entries: any thread
  /// count, the same numbers.
  void products(const Slices& P, const Slices& Q, Vector& out) const {
    const bool mirrored = shape_.symmetric && P.data != Q.data;
    out.setZero(measurements());
    // One range of coordinates per thread, each reading every slice once (a
    // coordinate's sum does not depend on the ranges).
    const Index pieces = std::min(measurements(), threads_for(P.width));
    ncvx::for_each_piece(pieces, pieces, [&](Index block) {
      const Index begin = block * measurements() / pieces, end = (block + 1) * measurements() / pieces;
      for (Index slice = 0; slice < P.slices(); ++slice)
        ncvx::hadamard::slice_products(P.block(slice), Q.block(slice), P.count(slice), rows_.data(), cols_.data(),
                                       mirrored, begin, end, out.data());
      for (Index i = begin; i < end; ++i) out(i) *= weight(i);
    });
  }

  /// out = the first n rows of D H W, W = S(v) Q (p x k) for the sampled sparse
  /// matrix S(v) = sum_i v_i weight_i E_i in the adjacency's direction (the
  /// symmetric model's E_i is (e_r e_c^T + e_c e_r^T) / 2 off the diagonal).
  /// Every entry of W is summed in coordinate order; threads take whole
  /// slices, each through the gather, the transform and the copy out.
  void back(const Vector& v, const Slices& Q, const Adjacency& adjacency, const Vector& signs, Index n,
            Matrix& out) const {
    const Index k = Q.width, p = signs.size();
    std::vector<double> coefficient(adjacency.coordinate.size());
    for (std::size_t e = 0; e < coefficient.size(); ++e) {
      const Index i = adjacency.coordinate[e];
      const double a = weight(i) * v(i);
      coefficient[e] = off_diagonal(i) ? 0.5 * a : a;
    }
    out.resize(n, k);
    const double normalization = 1.0 / std::sqrt(static_cast<double>(p));
    const Index threads = std::min(Q.slices(), threads_for_matrix(p, k));
    const Index per_slice = p * kSlice;
    ncvx::BufferPool::Buffer buffers(pool_, static_cast<std::size_t>(threads * per_slice));
    // Thread t takes slices t, t + threads, ...: one slice buffer each.
    ncvx::for_each_piece(threads, threads, [&](Index t) {
      double* w = buffers.data() + t * per_slice;
      for (Index slice = t; slice < Q.slices(); slice += threads) {
        const Index first = slice * kSlice, count = Q.count(slice);
        ncvx::hadamard::slice_gather(Q.block(slice), count, adjacency, coefficient.data(), w);
        ncvx::hadamard::transform_slice(w, p, count, normalization);
        double* columns = out.data() + first * n;
        const double* sign = signs.data();
        each_entry(n, count, [&](Index r, Index c) { columns[c * n + r] = sign[r] * w[r * count + c]; });
      }
    });
  }

  ncvx::MatrixShape shape_;
  Vector left_signs_, right_signs_;
  std::vector<int> rows_, cols_;  // sampled coordinates, sorted
  double scale_;
  Adjacency to_rows_, to_cols_;   // S's rows (both directions when symmetric), and S^T's
  mutable ncvx::BufferPool pool_;
};

class HadamardSensing final : public ncvx::MeasurementModel {
 public:
  explicit HadamardSensing(const ncvx::ParameterValues& values) : m_(values.integer("m")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements (sampled transform coordinates)")
                .at_least(1)
                .at_most(1073741823.0)};  // 2m adjacency entries indexed by int
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    if (setting.observed)
      throw std::invalid_argument("hadamard_sensing measures a ground truth; a data problem is measured by "
                                  "matrix_completion");
    const ncvx::MatrixShape& shape = setting.shape;
    const Index p1 = next_power_of_two(shape.rows), p2 = shape.symmetric ? p1 : next_power_of_two(shape.cols);
    if (p1 > (Index{1} << 30) || p2 > (Index{1} << 30)) throw std::invalid_argument("the matrix is too large");
    auto signs = [&](Index p) {
      Vector s(p);
      for (Index i = 0; i < p; ++i) s(i) = random.uniform() < 0.5 ? -1.0 : 1.0;
      return s;
    };
    Vector left = signs(p1);
    Vector right = shape.symmetric ? Vector() : signs(p2);
    // Coordinates: symmetric, the upper triangle (r <= c) of p x p, N = p(p+1)/2; else p_1 p_2.
    const double count = shape.symmetric ? 0.5 * static_cast<double>(p1) * static_cast<double>(p1 + 1)
                                         : static_cast<double>(p1) * static_cast<double>(p2);
    std::vector<std::pair<int, int>> coordinates(static_cast<std::size_t>(m_));
    for (auto& [r, c] : coordinates) {
      if (shape.symmetric) {
        // Uniform over the upper triangle: a uniform (a, b) of p x p, folded to
        // r <= c. A pair r < c is hit twice as often as a diagonal entry, so
        // half of the off-diagonal draws are rejected.
        for (;;) {
          const auto a = static_cast<int>(random.uniform() * static_cast<double>(p1));
          const auto b = static_cast<int>(random.uniform() * static_cast<double>(p1));
          if (a != b && random.uniform() >= 0.5) continue;
          r = std::min(a, b);
          c = std::max(a, b);
          break;
        }
      } else {
        r = static_cast<int>(random.uniform() * static_cast<double>(p1));
        c = static_cast<int>(random.uniform() * static_cast<double>(p2));
      }
    }
    std::sort(coordinates.begin(), coordinates.end());  // row order: the gather walks W row by row
    std::vector<int> rows, cols;
    rows.reserve(coordinates.size());
    cols.reserve(coordinates.size());
    for (const auto& [r, c] : coordinates) {
      rows.push_back(r);
      cols.push_back(c);
    }
    return std::make_unique<HadamardOperator>(shape, std::move(left), std::move(right), std::move(rows),
                                              std::move(cols), std::sqrt(count / static_cast<double>(m_)));
  }

  bool isometric_in_expectation(const ncvx::MatrixShape&) const override { return true; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    // Per coordinate its row and column, and two entries of the adjacencies
    // (source and coordinate); per padded row a sign and an adjacency start.
    const auto p = static_cast<std::size_t>(next_power_of_two(std::max(shape.rows, shape.cols)));
    return ncvx::saturating_add(ncvx::saturating_product({static_cast<std::size_t>(m_), 6 * sizeof(int)}),
                                ncvx::saturating_product({2 * p, sizeof(double) + sizeof(int)}));
  }

 private:
  Index m_;
};

}  // namespace

NCVX_PLUGIN(HadamardSensing, "hadamard_sensing",
            "structured sensing A(X)_i = s (H D X D' H^T)_(r_i, c_i): random signs, Walsh-Hadamard transforms, m "
            "sampled coordinates; O(m + n) storage",
            NCVX_VERSION_STRING)
