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
// Evaluation (the hot path, `evaluate`): one pass over S for K factors. Rows
// are read in blocks of four; the residuals of the block are known right
// after its dot products, the loss gives their derivatives, and the block's
// rows, still in cache, are added into the adjoint accumulators. The kernels
// (sensing_kernels.hpp) fix the order of every sum, so each factor's numbers
// are the same whether it is evaluated alone or with others, and whichever
// thread evaluates it: several factors are split over the cores.

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

#include <ncvx/plugin.hpp>

#include "sensing_kernels.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

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

class GaussianOperator final : public ncvx::MeasurementOperator {
 public:
  GaussianOperator(Index n, RowMajorMatrix sensing) : n_(n), sensing_(std::move(sensing)) {}

  Index dimension() const override { return n_; }
  Index measurements() const override { return sensing_.rows(); }

  void forward(const Matrix& X, Vector& out) const override { out.noalias() = sensing_ * pack(X); }

  void forward_factored(const Matrix& U, Vector& out) const override {
    out.noalias() = sensing_ * pack_factored(U);
  }

  void adjoint_apply(const Vector& v, const Matrix& M, Matrix& out) const override {
    const Matrix W = adjoint(v);
    out.noalias() = W * M;
  }

  Matrix adjoint(const Vector& v) const override {
    const Vector packed = sensing_.transpose() * v;
    return unpack(packed, n_);
  }

  void evaluate(const Vector& observations, const ncvx::Loss& loss,
                std::span<ncvx::FactorEvaluation> items) const override {
    const std::size_t count = items.size();
    std::vector<Vector> packed(count), adjoint(count);
    std::vector<const double*> x(count);
    std::vector<double*> w(count, nullptr);
    for (std::size_t j = 0; j < count; ++j) {
      packed[j] = pack_factored(*items[j].factor);
      x[j] = packed[j].data();
      items[j].value = 0.0;
      if (items[j].adjoint_times_factor) {
        adjoint[j] = Vector::Zero(sensing_.cols());
        w[j] = adjoint[j].data();
      }
    }
    ncvx::kernels::BlockLoss block_loss = [&](std::size_t j, const double* residual, double* derivative,
                                             Index rows) {
      items[j].value += loss.evaluate(Eigen::Map<const Vector>(residual, rows),
                                      Eigen::Map<Vector>(derivative, rows));
    };
    // Factors are independent: with several, split them over the cores (each
    // factor's sums are the same whichever thread computes them).
    const std::size_t threads =
        std::min<std::size_t>(count, std::max(1u, std::thread::hardware_concurrency()));
    if (threads <= 1) {
      ncvx::kernels::fused_pass(sensing_.data(), sensing_.rows(), sensing_.cols(), observations.data(), x, w,
                                block_loss);
    } else {
      std::vector<std::thread> workers;
      std::vector<std::exception_ptr> errors(threads);
      for (std::size_t t = 0; t < threads; ++t) {
        const std::size_t first = count * t / threads, last = count * (t + 1) / threads;
        workers.emplace_back([&, t, first, last] {
          try {
            const std::vector<const double*> part_x(x.begin() + first, x.begin() + last);
            const std::vector<double*> part_w(w.begin() + first, w.begin() + last);
            const ncvx::kernels::BlockLoss part_loss = [&, first](std::size_t j, const double* residual,
                                                                   double* derivative, Index rows) {
              block_loss(first + j, residual, derivative, rows);
            };
            ncvx::kernels::fused_pass(sensing_.data(), sensing_.rows(), sensing_.cols(), observations.data(),
                                      part_x, part_w, part_loss);
          } catch (...) {
            errors[t] = std::current_exception();
          }
        });
      }
      for (auto& worker : workers) worker.join();
      for (const auto& error : errors)
        if (error) std::rethrow_exception(error);
    }
    for (std::size_t j = 0; j < count; ++j)
      if (items[j].adjoint_times_factor)
        items[j].adjoint_times_factor->noalias() = unpack(adjoint[j], n_) * *items[j].factor;
  }

 private:
  Index n_;
  RowMajorMatrix sensing_;
};

class GaussianSensing final : public ncvx::MeasurementModel {
 public:
  explicit GaussianSensing(const ncvx::ParameterValues& values) : m_(values.integer("m")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::integer("m", 1000, "number of measurements").at_least(1)};
  }

  std::unique_ptr<ncvx::MeasurementOperator> sample(Index n, ncvx::RandomStream& random) const override {
    RowMajorMatrix sensing(m_, packed_size(n));
    const double deviation = 1.0 / std::sqrt(static_cast<double>(m_));
    for (Index i = 0; i < sensing.rows(); ++i)
      for (Index p = 0; p < sensing.cols(); ++p) sensing(i, p) = deviation * random.normal();
    return std::make_unique<GaussianOperator>(n, std::move(sensing));
  }

  bool isometric_in_expectation() const override { return true; }
  bool shares_passes() const override { return true; }

  std::size_t required_bytes(Index n) const override {
    return static_cast<std::size_t>(m_) * static_cast<std::size_t>(packed_size(n)) * sizeof(double);
  }

 private:
  Index m_;
};

}  // namespace

NCVX_PLUGIN(GaussianSensing, "gaussian_sensing",
            "GOE sensing A(Z)_i = <A_i, Z>/sqrt(m), A_i = (G_i + G_i^T)/2; E|A(Z)|^2 = |Z|_F^2",
            NCVX_VERSION_STRING)
