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
// numbers (the sampled coordinates and the signs) instead of m n^2, and for
// factors costs O((n_1 + n_2) k log n + m k) per evaluation:
//
//   A(U V^T)_i = s <P_{r_i}, Q_{c_i}>,      P = H_1 D_1 U,  Q = H_2 D_2 V   (fast transforms, column by column)
//   A*(v) M = D_1 H_1 W,   W_r = s sum_{i: r_i = r} v_i Q_{c_i}  (+ the mirrored term when symmetric)
//
// so n = 1 024 - 4 096 runs where a dense Gaussian operator needs hundreds of GB.
// It satisfies the RIP for low-rank matrices when m is of order n r polylog(n).

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <ncvx/memory.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

Index next_power_of_two(Index n) {
  Index p = 1;
  while (p < n) p *= 2;
  return p;
}

/// In place, every column of `block` (p rows, p a power of two): x <- H x with
/// the orthonormal Walsh-Hadamard matrix H (symmetric, H H = I).
void hadamard_columns(Matrix& block) {
  const Index p = block.rows();
  const double normalization = 1.0 / std::sqrt(static_cast<double>(p));
  const std::size_t bytes = static_cast<std::size_t>(block.size()) * sizeof(double);
  ncvx::for_each_piece(block.cols(), ncvx::threads_for_pass(bytes * 4), [&](Index column) {
    double* x = block.col(column).data();
    for (Index half = 1; half < p; half *= 2)
      for (Index start = 0; start < p; start += 2 * half)
        for (Index i = start; i < start + half; ++i) {
          const double a = x[i], b = x[i + half];
          x[i] = a + b;
          x[i + half] = a - b;
        }
    for (Index i = 0; i < p; ++i) x[i] *= normalization;
  });
}

/// Columns of the sampled passes' blocks handled together: 32 columns of the
/// transformed factors (2 x 512 KiB at p = 2048) stay in cache while all m
/// coordinates read them, where whole random rows (16 KiB each) would not.
constexpr Index kSlice = 32;

/// A p x k matrix as slices: slice s holds columns first .. first + count - 1
/// (first = 32 s) of every row, row after row, in one contiguous block, so the
/// coordinates read and write a row's piece of a slice in one place. (Rows of
/// a column-major matrix would put a slice's pieces 8p bytes apart, competing
/// for the same cache sets.)
struct Slices {
  Index rows = 0, width = 0;
  std::vector<double> data;

  Slices() = default;
  Slices(Index p, Index k) : rows(p), width(k), data(static_cast<std::size_t>(p * k), 0.0) {}
  explicit Slices(const Matrix& M) : rows(M.rows()), width(M.cols()), data(static_cast<std::size_t>(M.size())) {
    for (Index first = 0; first < width; first += kSlice) {
      const Index count = std::min(kSlice, width - first);
      double* block = data.data() + first * rows;
      for (Index c = 0; c < count; ++c) {
        const double* column = M.data() + (first + c) * rows;
        for (Index r = 0; r < rows; ++r) block[r * count + c] = column[r];
      }
    }
  }

  Matrix matrix() const {
    Matrix M(rows, width);
    for (Index first = 0; first < width; first += kSlice) {
      const Index count = std::min(kSlice, width - first);
      const double* block = data.data() + first * rows;
      for (Index c = 0; c < count; ++c) {
        double* column = M.data() + (first + c) * rows;
        for (Index r = 0; r < rows; ++r) column[r] = block[r * count + c];
      }
    }
    return M;
  }
};

class HadamardOperator final : public ncvx::MeasurementOperator {
 public:
  HadamardOperator(const ncvx::MatrixShape& shape, Vector left_signs, Vector right_signs, std::vector<int> rows,
                   std::vector<int> cols, double scale)
      : shape_(shape), left_signs_(std::move(left_signs)), right_signs_(std::move(right_signs)),
        rows_(std::move(rows)), cols_(std::move(cols)), scale_(scale) {}

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
    const Slices P = slices_of(F.left(), left_signs_);
    const Slices Q = F.symmetric() ? Slices() : slices_of(F.right(), right());
    products(P, F.symmetric() ? P : Q, out);
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    const Slices Q = slices_of(M, right());
    out = back(gather(v, Q, /*to_rows=*/true), left_signs_, shape_.rows);
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    if (shape_.symmetric) {
      adjoint_apply(v, M, out);
      return;
    }
    const Slices P = slices_of(M, left_signs_);
    out = back(gather(v, P, /*to_rows=*/false), right(), shape_.cols);
  }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    Vector residual, derivative(observations.size());
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const Slices P = slices_of(F.left(), left_signs_);
      const Slices Q = F.symmetric() ? Slices() : slices_of(F.right(), right());
      const Slices& other = F.symmetric() ? P : Q;
      products(P, other, residual);
      residual -= observations;
      item.value = loss.evaluate(residual, derivative);
      if (!item.adjoint_products) continue;
      ncvx::FactorSet& out = *item.adjoint_products;
      out.resize(F.shape());
      out.left() = back(gather(derivative, other, true), left_signs_, shape_.rows);
      if (!F.symmetric()) out.right() = back(gather(derivative, P, false), right(), shape_.cols);
    }
  }

 private:
  const Vector& right() const { return shape_.symmetric ? left_signs_ : right_signs_; }
  Index padded_rows() const { return left_signs_.size(); }
  Index padded_cols() const { return right().size(); }

  /// s, times sqrt(2) for an off-diagonal coordinate of the symmetric model.
  double weight(Index i) const {
    return shape_.symmetric && rows_[static_cast<std::size_t>(i)] != cols_[static_cast<std::size_t>(i)]
               ? scale_ * std::sqrt(2.0)
               : scale_;
  }

  /// H D M~ for M (n x k) zero-padded to the signs' length p (p x k).
  static Matrix transformed(const Matrix& M, const Vector& signs) {
    Matrix block = Matrix::Zero(signs.size(), M.cols());
    block.topRows(M.rows()) = signs.head(M.rows()).asDiagonal() * M;
    hadamard_columns(block);
    return block;
  }

  /// The first n rows of D H W, for W given as slices.
  static Matrix back(const Slices& slices, const Vector& signs, Index n) {
    Matrix W = slices.matrix();
    hadamard_columns(W);
    return signs.head(n).asDiagonal() * W.topRows(n);
  }

  /// H D M~ as slices: rows r of H D M~ as the sampled coordinates read them.
  static Slices slices_of(const Matrix& M, const Vector& signs) { return Slices(transformed(M, signs)); }

  /// Threads for a pass over the m sampled coordinates with k-vectors.
  Index threads_for(Index k) const {
    return ncvx::threads_for_pass(static_cast<std::size_t>(measurements()) * static_cast<std::size_t>(k) * 16);
  }

  /// out_i = weight_i Y_{r_i c_i} for Y = P Q^T (P, Q: p x k, as slices); the
  /// symmetric model reads (Y_rc + Y_cr) / 2, which is Y_rc when Q is P (X = U U^T).
  /// Each dot product is summed slice by slice (fixed slices), and pieces of
  /// coordinates write their own entries: any thread count, the same numbers.
  void products(const Slices& P, const Slices& Q, Vector& out) const {
    const bool mirrored = shape_.symmetric && &P != &Q;
    const Index k = P.width, p = P.rows;
    out.setZero(measurements());
    constexpr Index piece = 8192;
    const Index pieces = (measurements() + piece - 1) / piece;
    const double* p_data = P.data.data();
    const double* q_data = Q.data.data();
    // Four running sums in a fixed order: vectorizable, and the same numbers
    // on every machine and thread count.
    auto dot = [](const double* a, const double* b, Index count) {
      double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      Index j = 0;
      for (const Index end4 = count / 4 * 4; j < end4; j += 4) {
        s0 += a[j] * b[j];
        s1 += a[j + 1] * b[j + 1];
        s2 += a[j + 2] * b[j + 2];
        s3 += a[j + 3] * b[j + 3];
      }
      for (; j < count; ++j) s0 += a[j] * b[j];
      return (s0 + s1) + (s2 + s3);
    };
    ncvx::for_each_piece(pieces, threads_for(k), [&](Index block) {
      const Index begin = block * piece, end = std::min(measurements(), (block + 1) * piece);
      for (Index first = 0; first < k; first += kSlice) {
        const Index count = std::min(kSlice, k - first);
        const double* a = p_data + first * p;
        const double* b = q_data + first * p;
        for (Index i = begin; i < end; ++i) {
          const Index r = rows_[static_cast<std::size_t>(i)], c = cols_[static_cast<std::size_t>(i)];
          const double partial = dot(a + r * count, b + c * count, count);
          out(i) += mirrored ? 0.5 * (partial + dot(a + c * count, b + r * count, count)) : partial;
        }
      }
      for (Index i = begin; i < end; ++i) out(i) *= weight(i);
    });
  }

  /// The sampled sparse matrix S(v) = sum_i v_i weight_i E_i applied to Q
  /// (p x k, as slices; the result too): to_rows: W = S(v) Q, else W = S(v)^T P.
  /// The symmetric model's E_i is (e_r e_c^T + e_c e_r^T)/2 off the diagonal.
  /// Threads split the slices of W, so every entry is summed in coordinate
  /// order whatever their number.
  Slices gather(const Vector& v, const Slices& Q, bool to_rows) const {
    const Index k = Q.width, p = Q.rows;
    Slices W(to_rows ? padded_rows() : padded_cols(), k);
    const Index out_columns = W.rows;
    std::vector<double> coefficients(static_cast<std::size_t>(measurements()));
    for (Index i = 0; i < measurements(); ++i) coefficients[static_cast<std::size_t>(i)] = weight(i) * v(i);
    const Index slices = (k + kSlice - 1) / kSlice;
    // w[:, to] += a q[:, from] on one slice (a loop the compiler vectorizes).
    auto add = [](double* target, const double* source, double a, Index count) {
      for (Index j = 0; j < count; ++j) target[j] += a * source[j];
    };
    ncvx::for_each_piece(slices, threads_for(k), [&](Index slice) {
      const Index first = slice * kSlice, count = std::min(kSlice, k - first);
      const double* q = Q.data.data() + first * p;
      double* w = W.data.data() + first * out_columns;
      for (Index i = 0; i < measurements(); ++i) {
        const Index r = rows_[static_cast<std::size_t>(i)], c = cols_[static_cast<std::size_t>(i)];
        const double a = coefficients[static_cast<std::size_t>(i)];
        if (shape_.symmetric) {
          if (r == c) {
            add(w + r * count, q + r * count, a, count);
          } else {
            add(w + r * count, q + c * count, 0.5 * a, count);
            add(w + c * count, q + r * count, 0.5 * a, count);
          }
        } else if (to_rows) {
          add(w + r * count, q + c * count, a, count);
        } else {
          add(w + c * count, q + r * count, a, count);
        }
      }
    });
    return W;
  }

  ncvx::MatrixShape shape_;
  Vector left_signs_, right_signs_;
  std::vector<int> rows_, cols_;  // sampled coordinates, sorted
  double scale_;
};

class HadamardSensing final : public ncvx::MeasurementModel {
 public:
  explicit HadamardSensing(const ncvx::ParameterValues& values) : m_(values.integer("m")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements (sampled transform coordinates)")
                .at_least(1)
                .at_most(2147483647.0)};
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
    return ncvx::saturating_add(ncvx::saturating_product({static_cast<std::size_t>(m_), 2 * sizeof(int)}),
                                ncvx::saturating_product({2 * static_cast<std::size_t>(
                                                              next_power_of_two(std::max(shape.rows, shape.cols))),
                                                          sizeof(double)}));
  }

 private:
  Index m_;
};

}  // namespace

NCVX_PLUGIN(HadamardSensing, "hadamard_sensing",
            "structured sensing A(X)_i = s (H D X D' H^T)_(r_i, c_i): random signs, Walsh-Hadamard transforms, m "
            "sampled coordinates; O(m + n) storage",
            NCVX_VERSION_STRING)
