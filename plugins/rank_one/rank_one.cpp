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
// two products with an m x n matrix per evaluation: O(m n k).

#include <cmath>
#include <stdexcept>

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

class RankOneOperator final : public ncvx::MeasurementOperator {
 public:
  /// `right` is empty for a symmetric shape (b_i = a_i).
  RankOneOperator(const ncvx::MatrixShape& shape, Matrix left, Matrix right)
      : shape_(shape), left_(std::move(left)), right_(std::move(right)),
        scale_(1.0 / std::sqrt(static_cast<double>(left_.rows()))) {}

  ncvx::MatrixShape shape() const override { return shape_; }
  Index measurements() const override { return left_.rows(); }

  void forward(const Matrix& X, Vector& out) const override {
    out = scale_ * ((left_ * X).array() * b().array()).rowwise().sum().matrix();
  }

  void forward_factored(const ncvx::FactorSet& F, Vector& out) const override {
    const Matrix P = left_ * F.left();
    if (F.symmetric()) {
      out = scale_ * P.rowwise().squaredNorm();
    } else {
      const Matrix Q = b() * F.right();
      out = scale_ * (P.array() * Q.array()).rowwise().sum().matrix();
    }
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out.noalias() = left_.transpose() * ((scale_ * v).asDiagonal() * (b() * M));
  }

  void adjoint_transpose_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    out.noalias() = b().transpose() * ((scale_ * v).asDiagonal() * (left_ * M));
  }

  Matrix adjoint(const Vector& v) const override { return left_.transpose() * (scale_ * v).asDiagonal() * b(); }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    Vector residual, derivative(observations.size());
    for (ncvx::FactorEvaluation& item : items) {
      const ncvx::FactorSet& F = *item.factors;
      const Matrix P = left_ * F.left();
      const Matrix Q = F.symmetric() ? Matrix() : Matrix(b() * F.right());
      residual = F.symmetric() ? Vector(scale_ * P.rowwise().squaredNorm())
                               : Vector(scale_ * (P.array() * Q.array()).rowwise().sum().matrix());
      residual -= observations;
      item.value = loss.evaluate(residual, derivative);
      if (!item.adjoint_products) continue;
      const Vector weights = scale_ * derivative;
      ncvx::FactorSet& out = *item.adjoint_products;
      out.resize(F.shape());
      if (F.symmetric()) {
        out.left().noalias() = left_.transpose() * (weights.asDiagonal() * P);
      } else {
        out.left().noalias() = left_.transpose() * (weights.asDiagonal() * Q);
        out.right().noalias() = b().transpose() * (weights.asDiagonal() * P);
      }
    }
  }

 private:
  const Matrix& b() const { return shape_.symmetric ? left_ : right_; }

  ncvx::MatrixShape shape_;
  Matrix left_, right_;
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
    Matrix left = draw(shape.rows, random);
    Matrix right = shape.symmetric ? Matrix() : draw(shape.cols, random);
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
  Matrix draw(Index n, ncvx::RandomStream& random) const {
    Matrix rows(m_, n);
    for (Index i = 0; i < m_; ++i)
      for (Index j = 0; j < n; ++j) rows(i, j) = random.normal();
    return rows;
  }

  Index m_;
};

}  // namespace

NCVX_PLUGIN(RankOne, "rank_one",
            "rank-one measurements A(X)_i = a_i^T X a_i / sqrt(m) (phase retrieval), or a_i^T X b_i / sqrt(m)",
            NCVX_VERSION_STRING)
