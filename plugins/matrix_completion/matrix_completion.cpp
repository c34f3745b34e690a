// Matrix completion, symmetric or rectangular.
//
// Symmetric shape: each entry (i, j) with i <= j is observed independently
// with probability p; observing it reveals both (i, j) and (j, i). One
// measurement per observed pair omega = (i, j):
//
//   A(Z)_omega = Z_ii / sqrt(p)                          if i == j,
//   A(Z)_omega = sqrt(2) (Z_ij + Z_ji) / (2 sqrt(p))     if i <  j,
//
// i.e. the entries of svec(Z) (isometric packing) on Omega, divided by
// sqrt(p). Then |A(Z)|^2 = |P_Omega(Z)|_F^2 / p for symmetric Z, with P_Omega
// the symmetric mask, E[A*A] = identity, and the squared-loss objective is
// f(U) = |P_Omega(U U^T - X*)|_F^2 / (4p). The adjoint is
//
//   A*(v) = sum_omega v_omega w_omega (e_i e_j^T + e_j e_i^T) / 2   (i < j),
//           v_omega w_omega e_i e_i^T                              (i == j),
//
// with w_omega the weight above.
//
// Rectangular shape (n1 x n2): each entry (i, j) is observed with
// probability p, A(Z)_omega = Z_ij / sqrt(p), A*(v) = sum_omega v_omega
// e_i e_j^T / sqrt(p); again E[A*A] = identity.
//
// `scaling: entries` measures the entries themselves, A(Z)_omega = Z_ij
// (weight 1, also for a symmetric shape's pairs): the scale on which a
// likelihood's link acts (1-bit, counts), the same for every p. Not isometric.
//
// A data problem gives the observed entries itself (`ratings`, a matrix with
// missing values): the operator then measures exactly those, in tile
// order, with p estimated as |Omega| / (number of entries, or of pairs i <= j).
//
// Every operation costs O(|Omega| k), never n1 n2; `evaluate` (the
// objective's hot path) is one pass over Omega per factor set, for U U^T,
// U V^T and symmetric shapes fitted by U V^T alike. Omega is drawn in
// column-major (packed) order by geometric skipping (O(|Omega|) draws) and
// stored in tiles of 512 x 512 entries, larger when Omega is sparse
// (completion_kernels.hpp): 4 bytes per observation; a data problem's entries
// are sorted into that order.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include <ncvx/device_form.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "../common/buffer_pool.hpp"
#include "completion_kernels.hpp"
#include "observed.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

using ncvx::completion::Observed;

class CompletionOperator final : public ncvx::MeasurementOperator, public ncvx::DeviceDescribed {
 public:
  CompletionOperator(const ncvx::MatrixShape& shape, Observed observed)
      : shape_(shape), observed_(std::move(observed)) {}

  /// The observed entries in measurement order, for a device backend.
  ncvx::DeviceForm device_form() const override {
    ncvx::DeviceForm form;
    form.layout = ncvx::DeviceForm::Layout::entries;
    form.shape = shape_;
    form.measurements = measurements();
    form.rows.resize(static_cast<std::size_t>(measurements()));
    form.columns.resize(form.rows.size());
    for_each([&](Index o, Index i, Index j, double) {
      form.rows[static_cast<std::size_t>(o)] = static_cast<std::int32_t>(i);
      form.columns[static_cast<std::size_t>(o)] = static_cast<std::int32_t>(j);
    });
    form.diagonal_weight = observed_.diagonal_weight;
    form.off_diagonal_weight = observed_.off_diagonal_weight;
    return form;
  }

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return static_cast<Index>(observed_.offsets.size()); }

  void forward(const Matrix& X, Vector& out) const override {
    out.resize(measurements());
    for_each([&](Index o, Index i, Index j, double w) {
      out(o) = shape_.symmetric && i != j ? w * 0.5 * (X(i, j) + X(j, i)) : w * X(i, j);
    });
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override {
    const Matrix left = F.left().transpose(), right = F.right().transpose();  // rows of U, V as columns
    out.resize(measurements());
    for_each([&](Index o, Index i, Index j, double w) { out(o) = w * entry(left, right, i, j, F.symmetric()); });
  }

  void forward_entries(const ncvx::MatrixEntries& entries, Vector& out) const override {
    std::unordered_map<std::uint64_t, Index> position;
    position.reserve(observed_.offsets.size());
    for_each([&](Index o, Index i, Index j, double) { position[key(i, j)] = o; });
    out = Vector::Zero(measurements());
    for (std::size_t e = 0; e < entries.size(); ++e) {
      Index i = entries.rows[e], j = entries.columns[e];
      if (shape_.symmetric && i > j) std::swap(i, j);
      if (const auto it = position.find(key(i, j)); it != position.end())
        out(it->second) = observed_.weight(i, j) * entries.values[e];
    }
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out = apply_adjoint(v, M, false);
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out = apply_adjoint(v, M, !shape_.symmetric);
  }

  /// One pass over Omega per factor set (completion_kernels.hpp): residuals
  /// of a block of observations, their loss, then their contributions to the
  /// adjoint products. Omega is cut into segments fixed by |Omega| and the
  /// shape, each with its own accumulators, added in segment order; large
  /// passes run the segments on all cores.
  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const Index total = measurements();
    const Index segments = segment_count();
    const Index threads = threads_for_pass();
    const ncvx::completion::TiledOmega omega = observed_.tiled();
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const bool one_factor = F.symmetric();
      const Index k = F.width();
      const Index stride = 4 * ((k + 3) / 4);
      const bool gradient = item.adjoint_products != nullptr;
      const std::size_t left_size = static_cast<std::size_t>(shape_.rows * stride);
      const std::size_t right_size = one_factor ? 0 : static_cast<std::size_t>(shape_.cols * stride);
      // The padded rows of U (and V), and each segment's accumulators, in
      // buffers kept between evaluations.
      ncvx::BufferPool::Buffer factors(pool_, left_size + right_size);
      padded_rows(F.left(), stride, factors.data());
      if (!one_factor) padded_rows(F.right(), stride, factors.data() + left_size);
      const std::size_t per_segment = gradient ? left_size + right_size : 0;
      ncvx::BufferPool::Buffer sums(pool_, static_cast<std::size_t>(segments) * per_segment);
      std::vector<double> values(static_cast<std::size_t>(segments), 0.0);
      const auto factoring = one_factor        ? ncvx::completion::Factoring::one_factor
                             : shape_.symmetric ? ncvx::completion::Factoring::symmetric_two_factors
                                                : ncvx::completion::Factoring::two_factors;
      ncvx::for_each_piece(segments, threads, [&](Index s) {
        double* const GL = gradient ? sums.data() + static_cast<std::size_t>(s) * per_segment : nullptr;
        if (gradient) std::fill(GL, GL + per_segment, 0.0);
        const double* const left = factors.data();
        const ncvx::completion::PaddedRows rows{left, one_factor ? left : left + left_size, GL,
                                                gradient && !one_factor ? GL + left_size : nullptr, stride};
        values[static_cast<std::size_t>(s)] = ncvx::completion::segment_pass(
            omega, total * s / segments, total * (s + 1) / segments, observations.data(), factoring, rows, loss);
      });
      double value = 0.0;
      for (double part : values) value += part;
      item.value = value;
      if (gradient) {
        item.adjoint_products->resize(F.shape());
        item.adjoint_products->left() =
            summed_rows(sums.data(), segments, per_segment, shape_.rows, k, stride);
        if (!one_factor)
          item.adjoint_products->right() =
              summed_rows(sums.data() + left_size, segments, per_segment, shape_.cols, k, stride);
      }
    }
  }

  Matrix adjoint(const Vector& v) const override {
    Matrix result = Matrix::Zero(shape_.rows, shape_.cols);
    for_each([&](Index o, Index i, Index j, double w) {
      const double coefficient = v(o) * w;
      if (!shape_.symmetric || i == j) {
        result(i, j) += coefficient;
      } else {
        result(i, j) += 0.5 * coefficient;
        result(j, i) += 0.5 * coefficient;
      }
    });
    return result;
  }

 private:
  /// f(o, i, j, w) for every observation, in measurement order.
  template <class Function>
  void for_each(Function&& f) const {
    for_range(0, measurements(), std::forward<Function>(f));
  }

  /// f(o, i, j, w) for the observations first .. last - 1, in order.
  template <class Function>
  void for_range(Index first, Index last, Function&& f) const {
    if (first >= last) return;
    const auto& tiles = observed_.tiles;
    auto tile = static_cast<std::size_t>(
        std::upper_bound(tiles.begin(), tiles.end(), first,
                         [](Index o, const ncvx::completion::Tile& t) { return o < t.first; }) -
        tiles.begin() - 1);
    for (Index o = first; o < last; ++tile) {
      const Index end = std::min<Index>(last, tiles[tile + 1].first);
      for (; o < end; ++o) {
        const auto& offset = observed_.offsets[static_cast<std::size_t>(o)];
        const Index i = tiles[tile].row_base + offset.row, j = tiles[tile].column_base + offset.column;
        f(o, i, j, observed_.weight(i, j));
      }
    }
  }

  /// Omega is cut into this many segments, fixed by |Omega| and the shape (never
  /// by the thread count), each summed into its own accumulator.
  Index segment_count() const {
    const Index side = std::max(shape_.rows, shape_.cols);
    return std::clamp<Index>(
        std::min<Index>((measurements() + 65535) / 65536, std::max<Index>(1, (Index{1} << 23) / (8 * side))), 1, 8);
  }

  Index threads_for_pass() const {
    return ncvx::threads_for_pass(observed_.offsets.size() * sizeof(ncvx::completion::TileOffsets));
  }

  static std::uint64_t key(Index i, Index j) {
    return (static_cast<std::uint64_t>(i) << 32) | static_cast<std::uint64_t>(j);
  }

  /// The rows of a factor, each padded with zeros to `stride` numbers.
  static void padded_rows(const Matrix& factor, Index stride, double* rows) {
    std::fill(rows, rows + factor.rows() * stride, 0.0);
    for (Index c = 0; c < factor.cols(); ++c)
      for (Index r = 0; r < factor.rows(); ++r) rows[r * stride + c] = factor(r, c);
  }

  /// The segments' accumulators (n rows of `stride`, the segments `apart`
  /// doubles from one another) added in segment order, as an n x k matrix.
  static Matrix summed_rows(const double* sums, Index segments, std::size_t apart, Index n, Index k,
                            Index stride) {
    const std::size_t size = static_cast<std::size_t>(n * stride);
    std::vector<double> total(sums, sums + size);
    for (Index s = 1; s < segments; ++s)
      for (std::size_t e = 0; e < size; ++e) total[e] += sums[static_cast<std::size_t>(s) * apart + e];
    Matrix result(n, k);
    for (Index c = 0; c < k; ++c)
      for (Index r = 0; r < n; ++r) result(r, c) = total[static_cast<std::size_t>(r * stride + c)];
    return result;
  }

  /// X_ij of the factor set (symmetric shape: (X_ij + X_ji)/2), from the rows of U and V.
  double entry(const Matrix& left, const Matrix& right, Index i, Index j, bool symmetric_factors) const {
    if (symmetric_factors || !shape_.symmetric || i == j) return left.col(i).dot(right.col(j));
    return 0.5 * (left.col(i).dot(right.col(j)) + left.col(j).dot(right.col(i)));
  }

  /// A*(v) M, or A*(v)^T M when `transposed` (rectangular only): one pass
  /// over Omega, segment by segment on all cores, the segments' sums added in
  /// order (the spectral initialization's Lanczos product when M has one column).
  Matrix apply_adjoint(const Vector& v, const Matrix& M, bool transposed) const {
    const Index width = M.cols();
    const Index out_rows = transposed ? shape_.cols : shape_.rows;
    const Matrix rows = M.transpose();  // column r: row r of M, contiguous
    const Index segments = segment_count(), total = measurements();
    std::vector<Matrix> sums(static_cast<std::size_t>(segments));
    ncvx::for_each_piece(segments, threads_for_pass(), [&](Index s) {
      Matrix& sum = sums[static_cast<std::size_t>(s)];
      sum = Matrix::Zero(width, out_rows);
      double* out = sum.data();
      const double* in = rows.data();
      const auto add = [&](Index target, double coefficient, Index source) {
        for (Index c = 0; c < width; ++c) out[target * width + c] += coefficient * in[source * width + c];
      };
      for_range(total * s / segments, total * (s + 1) / segments, [&](Index o, Index i, Index j, double w) {
        const double coefficient = v(o) * w;
        if (!shape_.symmetric) {
          if (transposed) add(j, coefficient, i);
          else add(i, coefficient, j);
        } else if (i == j) {
          add(i, coefficient, i);
        } else {
          add(i, 0.5 * coefficient, j);
          add(j, 0.5 * coefficient, i);
        }
      });
    });
    for (std::size_t s = 1; s < sums.size(); ++s) sums[0] += sums[s];
    return sums[0].transpose();
  }

  ncvx::MatrixShape shape_;
  Observed observed_;
  mutable ncvx::BufferPool pool_;  // the padded factor rows and the segments' accumulators
};

class MatrixCompletion final : public ncvx::MeasurementModel {
 public:
  explicit MatrixCompletion(const ncvx::ParameterValues& values)
      : p_(values.real("p")), isometric_(values.choice("scaling") == "isometric") {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("p", 0.3,
                                      "probability that each entry (i <= j when symmetric) is observed; "
                                      "ignored for a data problem, whose entries are given")
                .above(0.0)
                .at_most(1.0),
            ncvx::ParameterSpec::choice("scaling", "isometric", {"isometric", "entries"},
                                        "A(Z) = Z_Omega / sqrt(p) (E[A*A] = I), or the entries Z_Omega themselves "
                                        "(the scale of a 1-bit or count likelihood's link)")};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    const ncvx::MatrixShape& shape = setting.shape;
    if (setting.observed) return given(shape, *setting.observed, isometric_);
    if (shape.rows > std::numeric_limits<std::int32_t>::max() || shape.cols > std::numeric_limits<std::int32_t>::max())
      throw std::invalid_argument("matrix_completion indexes entries with 32-bit integers: sides up to 2^31 - 1");
    const std::int64_t total = shape.symmetric ? static_cast<std::int64_t>(shape.rows) * (shape.rows + 1) / 2
                                               : static_cast<std::int64_t>(shape.rows) * shape.cols;
    Observed observed(shape, p_, isometric_);
    observed.offsets.reserve(static_cast<std::size_t>(p_ * static_cast<double>(total) * 1.05) + 16);
    const double log_miss = std::log1p(-p_);  // -inf when p = 1: every gap is 0
    std::int64_t position = -1;
    std::int64_t column = 0, column_start = 0;  // position of (0, column)
    while (true) {
      const double gap = p_ >= 1.0 ? 0.0 : std::floor(std::log(random.uniform_positive()) / log_miss);
      if (gap >= static_cast<double>(total)) break;
      position += static_cast<std::int64_t>(gap) + 1;
      if (position >= total) break;
      // Column j holds j + 1 entries (symmetric, upper triangle) or n1 entries.
      while (position >= column_start + (shape.symmetric ? column + 1 : shape.rows)) {
        column_start += shape.symmetric ? column + 1 : shape.rows;
        ++column;
      }
      observed.add(static_cast<std::int32_t>(position - column_start), static_cast<std::int32_t>(column));
    }
    observed.close();
    return std::make_unique<CompletionOperator>(shape, std::move(observed));
  }

  bool isometric_in_expectation(const ncvx::MatrixShape&) const override { return isometric_; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    const double entries = shape.symmetric ? static_cast<double>(shape.rows) * static_cast<double>(shape.rows + 1) / 2
                                           : static_cast<double>(shape.rows) * static_cast<double>(shape.cols);
    const double bytes = p_ * entries * sizeof(ncvx::completion::TileOffsets) +
                         sizeof(ncvx::completion::Tile) * static_cast<double>(shape.rows / 512 + 1) *
                             static_cast<double>(shape.cols / 512 + 1);  // at most, with the smallest side
    return bytes >= 1.8e19 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(bytes);
  }

 private:
  /// The operator on a data problem's entries, in tile order, p estimated from their count.
  static std::unique_ptr<ncvx::MeasurementOperator> given(const ncvx::MatrixShape& shape,
                                                          const ncvx::MatrixEntries& entries, bool isometric) {
    if (entries.size() == 0) throw std::invalid_argument("the data problem observed no entries");
    const double total = shape.symmetric ? static_cast<double>(shape.rows) * static_cast<double>(shape.rows + 1) / 2
                                         : static_cast<double>(shape.rows) * static_cast<double>(shape.cols);
    const double p = std::min(1.0, static_cast<double>(entries.size()) / total);
    // Sorted column after column (stable: repeated entries keep their order), then tiled.
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;  // (column, row) while sorting
    pairs.reserve(entries.size());
    for (std::size_t e = 0; e < entries.size(); ++e) {
      std::int32_t i = entries.rows[e], j = entries.columns[e];
      if (shape.symmetric && i > j) std::swap(i, j);
      pairs.emplace_back(j, i);
    }
    std::stable_sort(pairs.begin(), pairs.end());
    Observed observed(shape, p, isometric);
    observed.offsets.reserve(pairs.size());
    for (const auto& [j, i] : pairs) observed.add(i, j);
    observed.close();
    return std::make_unique<CompletionOperator>(shape, std::move(observed));
  }

  double p_;
  bool isometric_;
};

}  // namespace

NCVX_PLUGIN(MatrixCompletion, "matrix_completion",
            "entry sampling with probability p (or a data problem's entries), A(Z) = Z_Omega / sqrt(p) "
            "(svec for symmetric shapes); E[A*A] = I",
            NCVX_VERSION_STRING)
