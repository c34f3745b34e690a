// Symmetric matrix completion, PAPER.md section 2.
//
// Each entry (i, j) with i <= j is observed independently with probability
// p; observing it reveals both (i, j) and (j, i). One measurement per
// observed pair omega = (i, j):
//
//   A(Z)_omega = Z_ii / sqrt(p)                 if i == j,
//   A(Z)_omega = sqrt(2) Z_ij / sqrt(p)         if i <  j,
//
// i.e. the entries of svec(Z) (isometric packing) on Omega, divided by
// sqrt(p). Then |A(Z)|^2 = |P_Omega(Z)|_F^2 / p with P_Omega the symmetric
// mask, E[A*A] = identity, and the squared-loss objective is
// f(U) = |P_Omega(U U^T - X*)|_F^2 / (4p). The adjoint is
//
//   A*(v) = sum_omega v_omega w_omega (e_i e_j^T + e_j e_i^T) / 2   (i < j),
//           v_omega w_omega e_i e_i^T                              (i == j),
//
// with w_omega the weight above. Every operation costs O(|Omega| k), never n^2;
// `evaluate` (the objective's hot path) is one pass over Omega.
// Omega is drawn in packed order by geometric skipping (O(|Omega|) draws).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <thread>

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
  CompletionOperator(Index n, std::vector<Observation> observed) : n_(n), observed_(std::move(observed)) {}

  Index dimension() const override { return n_; }
  Index measurements() const override { return static_cast<Index>(observed_.size()); }

  void forward(const Matrix& X, Vector& out) const override {
    out.resize(measurements());
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      out(static_cast<Index>(o)) = w * X(std::min(i, j), std::max(i, j));
    }
  }

  void forward_factored(const Matrix& U, Vector& out) const override {
    const Matrix rows = U.transpose();  // column c is row c of U, contiguous
    out.resize(measurements());
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      out(static_cast<Index>(o)) = w * rows.col(i).dot(rows.col(j));
    }
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    const Matrix rows = M.transpose();
    Matrix result = Matrix::Zero(M.cols(), n_);
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      const double coefficient = v(static_cast<Index>(o)) * w;
      if (i == j) {
        result.col(i) += coefficient * rows.col(i);
      } else {
        result.col(i) += 0.5 * coefficient * rows.col(j);
        result.col(j) += 0.5 * coefficient * rows.col(i);
      }
    }
    out = result.transpose();
  }

  /// One pass over Omega per factor: residuals of a block of observations,
  /// their loss, then their contributions to A*(l'(r)) U. Omega is cut into
  /// segments fixed by |Omega| and n, each with its own accumulator, added in
  /// segment order; large passes run the segments on all cores.
  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const Index total = measurements();
    const Index segments = std::clamp<Index>(
        std::min<Index>((total + 65535) / 65536, std::max<Index>(1, (Index{1} << 23) / (8 * n_))), 1, 8);
    const Index threads = ncvx::threads_for_pass(observed_.size() * sizeof(Observation));
    for (ncvx::FactorEvaluation& item : items) {
      const Matrix rows = item.factor->transpose();  // column c is row c of U
      const Index k = rows.rows();
      const bool gradient = item.adjoint_times_factor != nullptr;
      std::vector<Matrix> accumulators(static_cast<std::size_t>(segments));
      std::vector<double> values(static_cast<std::size_t>(segments), 0.0);
      auto run_segment = [&](Index s) {
        const Index first = total * s / segments, last = total * (s + 1) / segments;
        Matrix& G = accumulators[static_cast<std::size_t>(s)];
        if (gradient) G = Matrix::Zero(k, n_);
        constexpr Index kBlock = 256;
        Vector residual(kBlock), derivative(kBlock);
        for (Index start = first; start < last; start += kBlock) {
          const Index count = std::min(kBlock, last - start);
          for (Index b = 0; b < count; ++b) {
            const auto& [i, j, w] = observed_[static_cast<std::size_t>(start + b)];
            residual(b) = w * rows.col(i).dot(rows.col(j)) - observations(start + b);
          }
          values[static_cast<std::size_t>(s)] +=
              loss.evaluate(residual.head(count), derivative.head(count));
          if (!gradient) continue;
          for (Index b = 0; b < count; ++b) {
            const auto& [i, j, w] = observed_[static_cast<std::size_t>(start + b)];
            const double coefficient = derivative(b) * w;
            if (i == j) {
              G.col(i) += coefficient * rows.col(i);
            } else {
              G.col(i) += 0.5 * coefficient * rows.col(j);
              G.col(j) += 0.5 * coefficient * rows.col(i);
            }
          }
        }
      };
      ncvx::for_each_piece(segments, threads, run_segment);
      double value = 0.0;
      for (double part : values) value += part;
      item.value = value;
      if (gradient) {
        for (Index s = 1; s < segments; ++s) accumulators[0] += accumulators[static_cast<std::size_t>(s)];
        *item.adjoint_times_factor = accumulators[0].transpose();
      }
    }
  }

  Matrix adjoint(const Vector& v) const override {
    Matrix result = Matrix::Zero(n_, n_);
    for (std::size_t o = 0; o < observed_.size(); ++o) {
      const auto& [i, j, w] = observed_[o];
      const double coefficient = v(static_cast<Index>(o)) * w;
      if (i == j) {
        result(i, i) += coefficient;
      } else {
        result(i, j) += 0.5 * coefficient;
        result(j, i) += 0.5 * coefficient;
      }
    }
    return result;
  }

 private:
  Index n_;
  std::vector<Observation> observed_;
};

class MatrixCompletion final : public ncvx::MeasurementModel {
 public:
  explicit MatrixCompletion(const ncvx::ParameterValues& values) : p_(values.real("p")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("p", 0.3, "probability that each entry (i <= j) is observed")
                .above(0.0)
                .at_most(1.0)};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(Index n, ncvx::RandomStream& random) const override {
    const std::int64_t total = static_cast<std::int64_t>(n) * (n + 1) / 2;
    std::vector<Observation> observed;
    observed.reserve(static_cast<std::size_t>(p_ * static_cast<double>(total) * 1.05) + 16);
    const double diagonal_weight = 1.0 / std::sqrt(p_);
    const double off_diagonal_weight = M_SQRT2 / std::sqrt(p_);
    const double log_miss = std::log1p(-p_);  // -inf when p = 1: every gap is 0
    std::int64_t position = -1;
    std::int64_t column = 0, column_start = 0;  // packed index of (0, column)
    while (true) {
      const double gap = p_ >= 1.0 ? 0.0 : std::floor(std::log(random.uniform_positive()) / log_miss);
      if (gap >= static_cast<double>(total)) break;
      position += static_cast<std::int64_t>(gap) + 1;
      if (position >= total) break;
      while (position >= column_start + column + 1) {  // column j holds j + 1 entries
        column_start += column + 1;
        ++column;
      }
      const auto row = static_cast<std::int32_t>(position - column_start);
      observed.push_back({row, static_cast<std::int32_t>(column),
                          row == column ? diagonal_weight : off_diagonal_weight});
    }
    return std::make_unique<CompletionOperator>(n, std::move(observed));
  }

  bool isometric_in_expectation() const override { return true; }

  std::size_t required_bytes(Index n) const override {
    return static_cast<std::size_t>(p_ * static_cast<double>(n) * static_cast<double>(n + 1) / 2.0 *
                                    sizeof(Observation));
  }

 private:
  double p_;
};

}  // namespace

NCVX_PLUGIN(MatrixCompletion, "matrix_completion",
            "symmetric entry sampling with probability p, A(Z) = svec(Z)_Omega / sqrt(p); E[A*A] = I",
            NCVX_VERSION_STRING)
