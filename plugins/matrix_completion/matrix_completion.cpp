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
// A data problem gives the observed entries itself (`ratings`, a matrix with
// missing values): the operator then measures exactly those, in their order,
// with p estimated as |Omega| / (number of entries, or of pairs i <= j).
//
// Every operation costs O(|Omega| k), never n1 n2; `evaluate` (the
// objective's hot path) is one pass over Omega per factor set, for U U^T,
// U V^T and symmetric shapes fitted by U V^T alike. Omega is drawn in
// column-major (packed) order by geometric skipping (O(|Omega|) draws).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

struct Observation {
  std::int32_t row;
  std::int32_t column;
  double weight;
};

class CompletionOperator final : public ncvx::MeasurementOperator {
 public:
  CompletionOperator(const ncvx::MatrixShape& shape, std::vector<Observation> observed)
      : shape_(shape), observed_(std::move(observed)) {}

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return static_cast<Index>(observed_.size()); }

  void forward(const Matrix& X, Vector& out) const override {
    out.resize(measurements());
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      out(static_cast<Index>(o)) = shape_.symmetric && i != j ? w * 0.5 * (X(i, j) + X(j, i)) : w * X(i, j);
    }
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override {
    const Matrix left = F.left().transpose(), right = F.right().transpose();  // rows of U, V as columns
    out.resize(measurements());
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      out(static_cast<Index>(o)) = w * entry(left, right, i, j, F.symmetric());
    }
  }

  void forward_entries(const ncvx::MatrixEntries& entries, Vector& out) const override {
    std::unordered_map<std::uint64_t, std::size_t> position;
    position.reserve(observed_.size());
    for (std::size_t o = 0; o < observed_.size(); ++o) position[key(observed_[o].row, observed_[o].column)] = o;
    out = Vector::Zero(measurements());
    for (std::size_t e = 0; e < entries.size(); ++e) {
      std::int32_t i = entries.rows[e], j = entries.columns[e];
      if (shape_.symmetric && i > j) std::swap(i, j);
      if (const auto it = position.find(key(i, j)); it != position.end())
        out(static_cast<Index>(it->second)) = observed_[it->second].weight * entries.values[e];
    }
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out = apply_adjoint(v, M, false);
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out = apply_adjoint(v, M, !shape_.symmetric);
  }

  /// One pass over Omega per factor set: residuals of a block of observations,
  /// their loss, then their contributions to the adjoint products. Omega is
  /// cut into segments fixed by |Omega| and the shape, each with its own
  /// accumulators, added in segment order; large passes run the segments on
  /// all cores.
  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const Index total = measurements();
    const Index side = std::max(shape_.rows, shape_.cols);
    const Index segments = std::clamp<Index>(
        std::min<Index>((total + 65535) / 65536, std::max<Index>(1, (Index{1} << 23) / (8 * side))), 1, 8);
    const Index threads = ncvx::threads_for_pass(observed_.size() * sizeof(Observation));
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const bool symmetric_factors = F.symmetric();
      const Matrix left = F.left().transpose();  // column c is row c of U
      const Matrix right = symmetric_factors ? Matrix() : Matrix(F.right().transpose());
      const Matrix& R = symmetric_factors ? left : right;
      const Index k = left.rows();
      const bool gradient = item.adjoint_products != nullptr;
      std::vector<Matrix> left_sums(static_cast<std::size_t>(segments)), right_sums(left_sums.size());
      std::vector<double> values(static_cast<std::size_t>(segments), 0.0);
      auto run_segment = [&](Index s) {
        const Index first = total * s / segments, last = total * (s + 1) / segments;
        Matrix& GL = left_sums[static_cast<std::size_t>(s)];
        Matrix& GR = right_sums[static_cast<std::size_t>(s)];
        if (gradient) {
          GL = Matrix::Zero(k, shape_.rows);
          if (!symmetric_factors) GR = Matrix::Zero(k, shape_.cols);
        }
        constexpr Index kBlock = 256;
        Vector residual(kBlock), derivative(kBlock);
        for (Index start = first; start < last; start += kBlock) {
          const Index count = std::min(kBlock, last - start);
          for (Index b = 0; b < count; ++b) {
            const auto& [i, j, w] = observed_[static_cast<std::size_t>(start + b)];
            residual(b) = w * entry(left, R, i, j, symmetric_factors) - observations(start + b);
          }
          values[static_cast<std::size_t>(s)] += loss.evaluate(residual.head(count), derivative.head(count));
          if (!gradient) continue;
          for (Index b = 0; b < count; ++b) {
            const auto& [i, j, w] = observed_[static_cast<std::size_t>(start + b)];
            const double coefficient = derivative(b) * w;
            if (symmetric_factors) {  // A*(d) U
              if (i == j) {
                GL.col(i) += coefficient * left.col(i);
              } else {
                GL.col(i) += 0.5 * coefficient * left.col(j);
                GL.col(j) += 0.5 * coefficient * left.col(i);
              }
            } else if (!shape_.symmetric) {  // A*(d) V and A*(d)^T U
              GL.col(i) += coefficient * right.col(j);
              GR.col(j) += coefficient * left.col(i);
            } else if (i == j) {  // symmetric A*(d): W V and W U
              GL.col(i) += coefficient * right.col(i);
              GR.col(i) += coefficient * left.col(i);
            } else {
              GL.col(i) += 0.5 * coefficient * right.col(j);
              GL.col(j) += 0.5 * coefficient * right.col(i);
              GR.col(i) += 0.5 * coefficient * left.col(j);
              GR.col(j) += 0.5 * coefficient * left.col(i);
            }
          }
        }
      };
      ncvx::for_each_piece(segments, threads, run_segment);
      double value = 0.0;
      for (double part : values) value += part;
      item.value = value;
      if (gradient) {
        item.adjoint_products->resize(F.shape());
        for (Index s = 1; s < segments; ++s) left_sums[0] += left_sums[static_cast<std::size_t>(s)];
        item.adjoint_products->left() = left_sums[0].transpose();
        if (!symmetric_factors) {
          for (Index s = 1; s < segments; ++s) right_sums[0] += right_sums[static_cast<std::size_t>(s)];
          item.adjoint_products->right() = right_sums[0].transpose();
        }
      }
    }
  }

  Matrix adjoint(const Vector& v) const override {
    Matrix result = Matrix::Zero(shape_.rows, shape_.cols);
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      const double coefficient = v(static_cast<Index>(o)) * w;
      if (!shape_.symmetric || i == j) {
        result(i, j) += coefficient;
      } else {
        result(i, j) += 0.5 * coefficient;
        result(j, i) += 0.5 * coefficient;
      }
    }
    return result;
  }

 private:
  static std::uint64_t key(std::int32_t i, std::int32_t j) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(i)) << 32) | static_cast<std::uint32_t>(j);
  }

  /// X_ij of the factor set (symmetric shape: (X_ij + X_ji)/2), from the rows of U and V.
  double entry(const Matrix& left, const Matrix& right, std::int32_t i, std::int32_t j, bool symmetric_factors) const {
    if (symmetric_factors || !shape_.symmetric || i == j) return left.col(i).dot(right.col(j));
    return 0.5 * (left.col(i).dot(right.col(j)) + left.col(j).dot(right.col(i)));
  }

  /// A*(v) M, or A*(v)^T M when `transposed` (rectangular only).
  Matrix apply_adjoint(const Vector& v, const Matrix& M, bool transposed) const {
    const Matrix rows = M.transpose();
    Matrix result = Matrix::Zero(M.cols(), transposed ? shape_.cols : shape_.rows);
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      const double coefficient = v(static_cast<Index>(o)) * w;
      if (!shape_.symmetric) {
        if (transposed) result.col(j) += coefficient * rows.col(i);
        else result.col(i) += coefficient * rows.col(j);
      } else if (i == j) {
        result.col(i) += coefficient * rows.col(i);
      } else {
        result.col(i) += 0.5 * coefficient * rows.col(j);
        result.col(j) += 0.5 * coefficient * rows.col(i);
      }
    }
    return result.transpose();
  }

  ncvx::MatrixShape shape_;
  std::vector<Observation> observed_;
};

class MatrixCompletion final : public ncvx::MeasurementModel {
 public:
  explicit MatrixCompletion(const ncvx::ParameterValues& values) : p_(values.real("p")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("p", 0.3,
                                      "probability that each entry (i <= j when symmetric) is observed; "
                                      "ignored for a data problem, whose entries are given")
                .above(0.0)
                .at_most(1.0)};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    const ncvx::MatrixShape& shape = setting.shape;
    if (setting.observed) return given(shape, *setting.observed);
    if (shape.rows > std::numeric_limits<std::int32_t>::max() || shape.cols > std::numeric_limits<std::int32_t>::max())
      throw std::invalid_argument("matrix_completion indexes entries with 32-bit integers: sides up to 2^31 - 1");
    const std::int64_t total = shape.symmetric ? static_cast<std::int64_t>(shape.rows) * (shape.rows + 1) / 2
                                               : static_cast<std::int64_t>(shape.rows) * shape.cols;
    std::vector<Observation> observed;
    observed.reserve(static_cast<std::size_t>(p_ * static_cast<double>(total) * 1.05) + 16);
    const double diagonal_weight = 1.0 / std::sqrt(p_);
    const double off_diagonal_weight = shape.symmetric ? M_SQRT2 / std::sqrt(p_) : diagonal_weight;
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
      const auto row = static_cast<std::int32_t>(position - column_start);
      observed.push_back({row, static_cast<std::int32_t>(column),
                          row == column ? diagonal_weight : off_diagonal_weight});
    }
    return std::make_unique<CompletionOperator>(shape, std::move(observed));
  }

  bool isometric_in_expectation(const ncvx::MatrixShape&) const override { return true; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    const double entries = shape.symmetric ? static_cast<double>(shape.rows) * static_cast<double>(shape.rows + 1) / 2
                                           : static_cast<double>(shape.rows) * static_cast<double>(shape.cols);
    const double bytes = p_ * entries * sizeof(Observation);
    return bytes >= 1.8e19 ? std::numeric_limits<std::size_t>::max() : static_cast<std::size_t>(bytes);
  }

 private:
  /// The operator on a data problem's entries, in their order, p estimated from their count.
  static std::unique_ptr<ncvx::MeasurementOperator> given(const ncvx::MatrixShape& shape,
                                                          const ncvx::MatrixEntries& entries) {
    if (entries.size() == 0) throw std::invalid_argument("the data problem observed no entries");
    const double total = shape.symmetric ? static_cast<double>(shape.rows) * static_cast<double>(shape.rows + 1) / 2
                                         : static_cast<double>(shape.rows) * static_cast<double>(shape.cols);
    const double p = std::min(1.0, static_cast<double>(entries.size()) / total);
    std::vector<Observation> observed;
    observed.reserve(entries.size());
    for (std::size_t e = 0; e < entries.size(); ++e) {
      std::int32_t i = entries.rows[e], j = entries.columns[e];
      if (shape.symmetric && i > j) std::swap(i, j);
      const double weight = shape.symmetric && i != j ? M_SQRT2 / std::sqrt(p) : 1.0 / std::sqrt(p);
      observed.push_back({i, j, weight});
    }
    return std::make_unique<CompletionOperator>(shape, std::move(observed));
  }

  double p_;
};

}  // namespace

NCVX_PLUGIN(MatrixCompletion, "matrix_completion",
            "entry sampling with probability p (or a data problem's entries), A(Z) = Z_Omega / sqrt(p) "
            "(svec for symmetric shapes); E[A*A] = I",
            NCVX_VERSION_STRING)
