// Rank-one (quadratic) measurements:
//
//   symmetric    A(X)_i = a_i^T X a_i / sqrt(m)      (real phase retrieval when X* = x x^T)
//   rectangular  A(X)_i = a_i^T X b_i / sqrt(m)
//
// with a_i in R^{n1}, b_i in R^{n2} i.i.d. N(0, I), drawn row by row (all
// a_i, then all b_i). Then f = 1/4 |A(X) - y|^2 = 1/(4m) sum_i (a_i^T X a_i - y_i)^2,
// the loss of Wirtinger flow and of gradient descent for phase retrieval.
// E|A(Z)|^2 = |Z|_F^2 for the rectangular model; for the symmetric one
// E|A(Z)|^2 = 2|Z|_F^2 + trace(Z)^2, and E A*(A(X*)) = 2 X* + trace(X*) I:
// not an isometry (spectral initializations for phase retrieval correct for it).
//
// Nothing n x n is formed on the hot path: with the m x n1 matrix A (rows
// a_i) and P = A U, Q = A V (or B V),
//
//   A(U U^T)_i = |P_i|^2 / sqrt(m),   A*(d) U = A^T diag(d) P / sqrt(m),
//   A(U V^T)_i = <P_i, Q_i> / sqrt(m), A*(d) V = A^T diag(d) Q / sqrt(m),
//                                      A*(d)^T U = B^T diag(d) P / sqrt(m),
//
// O(m n k) per evaluation, in one read of A (and B): `evaluate` dots a block
// of rows with U (and V), takes the loss, and adds the block, still in cache,
// into the adjoint products (rank_one_kernel.hpp).

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <ncvx/device_form.hpp>
#include <ncvx/memory.hpp>
#include <ncvx/parallel.hpp>
#include <ncvx/plugin.hpp>

#include "../common/huge_page_array.hpp"
#include "rank_one_kernel.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;
using Rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowsView = Eigen::Map<const Rows, Eigen::Aligned64>;

/// The a_i (or b_i) as the rows of a row-major m x n array, on 2 MiB pages
/// where the system allows (huge_page_array.hpp): the kernel reads each row
/// once per pass.
using MeasurementRows = ncvx::HugePageRows<double>;

class RankOneOperator final : public ncvx::MeasurementOperator, public ncvx::DeviceDescribed {
 public:
  /// `right` is empty for a symmetric shape (b_i = a_i).
  RankOneOperator(const ncvx::MatrixShape& shape, MeasurementRows left, MeasurementRows right)
      : shape_(shape),
        left_(std::move(left)),
        right_(std::move(right)),
        scale_(1.0 / std::sqrt(static_cast<double>(left_.rows()))) {}

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return left_.rows(); }

  /// The rows a_i (and b_i), as a device backend reads them.
  ncvx::DeviceForm device_form() const override {
    ncvx::DeviceForm form;
    form.layout = ncvx::DeviceForm::Layout::rank_one_rows;
    form.shape = shape_;
    form.measurements = left_.rows();
    form.length = left_.cols();
    form.rows_double = left_.data();
    form.rows_right = right_.rows() > 0 ? right_.data() : nullptr;
    form.scale = scale_;
    return form;
  }

  void forward(const Matrix& X, Vector& out) const override {
    out = scale_ * ((a() * X).array() * b().array()).rowwise().sum().matrix();
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override {
    const Matrix P = a() * F.left();
    if (F.symmetric()) {
      out = scale_ * P.rowwise().squaredNorm();
    } else {
      const Matrix Q = b() * F.right();
      out = scale_ * (P.array() * Q.array()).rowwise().sum().matrix();
    }
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out.noalias() = a().transpose() * ((scale_ * v).asDiagonal() * (b() * M));
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out.noalias() = b().transpose() * ((scale_ * v).asDiagonal() * (a() * M));
  }

  Matrix adjoint(const Vector& v) const override { return a().transpose() * (scale_ * v).asDiagonal() * b(); }

  /// One pass over the rows (rank_one_kernel.hpp), cut into segments fixed by
  /// m and n (never by the thread count), each with its own accumulators,
  /// added in segment order; large passes run the segments on all cores.
  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const Index m = left_.rows(), n1 = left_.cols(), n2 = b().cols();
    const Index segments = std::clamp<Index>(
        std::min<Index>((m + 511) / 512, std::max<Index>(1, (Index{1} << 23) / (8 * (n1 + n2)))), 1, 16);
    const std::size_t bytes = (left_.size() + right_.size()) * sizeof(double);
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const Index k = F.width();
      const bool gradient = item.adjoint_products != nullptr;
      std::vector<const double*> u(static_cast<std::size_t>(k)), v(u.size());
      for (Index j = 0; j < k; ++j) {
        u[static_cast<std::size_t>(j)] = F.left().col(j).data();
        v[static_cast<std::size_t>(j)] = F.symmetric() ? u[static_cast<std::size_t>(j)] : F.right().col(j).data();
      }
      std::vector<Matrix> left_sums(static_cast<std::size_t>(segments)), right_sums(left_sums.size());
      std::vector<double> values(left_sums.size(), 0.0);
      ncvx::for_each_piece(segments, ncvx::threads_for_pass(bytes), [&](Index s) {
        Matrix& GL = left_sums[static_cast<std::size_t>(s)];
        Matrix& GR = right_sums[static_cast<std::size_t>(s)];
        std::vector<double*> gl, gr;
        if (gradient) {
          GL = Matrix::Zero(n1, k);
          for (Index j = 0; j < k; ++j) gl.push_back(GL.col(j).data());
          if (!F.symmetric()) {
            GR = Matrix::Zero(n2, k);
            for (Index j = 0; j < k; ++j) gr.push_back(GR.col(j).data());
          }
        }
        const ncvx::rank_one::Pass pass{a().data(),
                                        b().data(),
                                        n1,
                                        n2,
                                        scale_,
                                        u.data(),
                                        v.data(),
                                        k,
                                        gradient ? gl.data() : nullptr,
                                        gradient && !F.symmetric() ? gr.data() : nullptr};
        const Index first = m * s / segments, last = m * (s + 1) / segments;
        values[static_cast<std::size_t>(s)] =
            ncvx::rank_one::fused_pass(pass, first, last, observations.data() + first, loss);
      });
      double value = 0.0;
      for (double part : values) value += part;
      item.value = value;
      if (!gradient) continue;
      ncvx::FactorSet& out = *item.adjoint_products;
      out.resize(F.shape());
      for (std::size_t s = 1; s < left_sums.size(); ++s) left_sums[0] += left_sums[s];
      out.left() = left_sums[0];
      if (!F.symmetric()) {
        for (std::size_t s = 1; s < right_sums.size(); ++s) right_sums[0] += right_sums[s];
        out.right() = right_sums[0];
      }
    }
  }

 private:
  static RowsView view(const MeasurementRows& rows) {
    return RowsView(rows.data(), rows.rows(), rows.cols());
  }
  RowsView a() const { return view(left_); }
  RowsView b() const { return view(shape_.symmetric ? left_ : right_); }

  ncvx::MatrixShape shape_;
  MeasurementRows left_, right_;
  double scale_;
};

class RankOne final : public ncvx::MeasurementModel {
 public:
  explicit RankOne(const ncvx::ParameterValues& values) : m_(values.integer("m")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements").at_least(1)};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(const ncvx::MeasurementSetting& setting,
                                                    ncvx::RandomStream& random) const override {
    if (setting.observed)
      throw std::invalid_argument("rank_one measures a ground truth; a data problem is measured by matrix_completion");
    const ncvx::MatrixShape& shape = setting.shape;
    MeasurementRows left = draw(shape.rows, random);
    MeasurementRows right = shape.symmetric ? MeasurementRows() : draw(shape.cols, random);
    return std::make_unique<RankOneOperator>(shape, std::move(left), std::move(right));
  }

  bool isometric_in_expectation(const ncvx::MatrixShape& shape) const override { return !shape.symmetric; }

  std::size_t required_bytes(const ncvx::MatrixShape& shape) const override {
    const std::size_t columns = ncvx::saturating_add(static_cast<std::size_t>(shape.rows),
                                                     shape.symmetric ? 0 : static_cast<std::size_t>(shape.cols));
    return ncvx::saturating_product({static_cast<std::size_t>(m_), columns, sizeof(double)});
  }

 private:
  /// m x n, row by row: row i is a_i.
  MeasurementRows draw(Index n, ncvx::RandomStream& random) const {
    MeasurementRows rows(m_, n);
    for (Index i = 0; i < m_; ++i) {
      double* row = rows.row(i);
      for (Index j = 0; j < n; ++j) row[j] = random.normal();
    }
    return rows;
  }

  Index m_;
};

}  // namespace

NCVX_PLUGIN(RankOne, "rank_one",
            "rank-one measurements A(X)_i = a_i^T X a_i / sqrt(m) (phase retrieval), or a_i^T X b_i / sqrt(m)",
            NCVX_VERSION_STRING)
