// Truncated spectral initialization for phase retrieval and other quadratic
// measurements (Candès, Li & Soltanolkotabi 2015; Chen & Candès 2015):
//
//   T = { i : |y_i| <= truncation * mean_j |y_j| },     M = A*(y 1_T),
//   v_1 .. v_k   the top-k eigenvectors of M,
//   U_0 = [c_1 v_1 ... c_k v_k],
//   norm: mean            sum_j c_j^2 = n sum_i y_i / sum_i |a_i|^2 (the papers'; an
//                         estimate of tr X* = |x|^2), shared as the positive eigenvalues
//   norm: least_squares   c_j^2 = max(0, <A(v_j v_j^T), y> / |A(v_j v_j^T)|^2)
//
// Truncation drops the few largest observations, whose heavy tail (y_i =
// (a_i^T x)^2 is chi-square) otherwise spoils the top eigenvector at small m;
// `truncation: 0` keeps them all (Wirtinger flow's plain spectral start). The
// least-squares norm falls short of |x| when v_j is only partly aligned with
// x (0.25-0.55 |x|^2 at n = 128, m/n = 4.5-10), which made Wirtinger flow's
// step, relative to |z_0|^2, 2-4 times too long; the papers' norm is the
// default (`auto`: mean for a symmetric operator, least squares for a
// rectangular one, where E y carries no trace).
//
// For a symmetric operator (X = x x^T), eigenvectors by Lanczos through the
// operator (Spectra; M is never formed), or densely for n <= 200; for a
// rectangular one the top singular pairs (p_j, q_j) of the formed M, with
// U_0 = [c_j p_j], V_0 = [+-c_j q_j] fitted the same way.

#include <cmath>
#include <stdexcept>

#include <ncvx/plugin.hpp>

#include "../common/lanczos.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

class TruncatedSpectral final : public ncvx::Initializer {
 public:
  explicit TruncatedSpectral(const ncvx::ParameterValues& values)
      : truncation_(values.real("truncation")), norm_(values.choice("norm")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("truncation", 9.0,
                                      "keep y_i with |y_i| <= truncation * mean|y| (alpha_y^2 = 9 in Chen & Candès; "
                                      "0: keep every y_i)")
                .at_least(0.0),
            ncvx::ParameterSpec::choice("norm", "auto", {"auto", "mean", "least_squares"},
                                        "|U_0|^2: mean (the papers' n sum y / sum |a_i|^2, an estimate of tr X*), "
                                        "least_squares (the fit of y along each eigenvector); auto: mean for a "
                                        "symmetric operator, least_squares for a rectangular one")};
  }

  ncvx::FactorSet initialize(const ncvx::InitializationData& data, const ncvx::FactorShape& shape,
                             ncvx::RandomStream&) const override {
    const ncvx::MeasurementOperator& A = data.measurement;
    const Vector& y = data.observations;
    Vector kept = y;
    if (truncation_ > 0) {
      const double bound = truncation_ * y.cwiseAbs().mean();
      for (Index i = 0; i < kept.size(); ++i)
        if (std::abs(kept(i)) > bound) kept(i) = 0.0;
    }
    if (!A.symmetric()) {
      if (norm_ == "mean")
        throw std::invalid_argument("norm: mean needs a symmetric operator (E y_i carries tr X* only there); use "
                                    "norm: least_squares or auto");
      return rectangular(A, y, kept, shape.width);
    }
    const Index n = A.rows();
    const Index k = std::min(shape.width, n);
    Vector values;
    Matrix vectors;
    if (k + 1 >= n || n <= 200) {
      const auto eigen = ncvx::solvers::symmetric_eigen(A.adjoint(kept));
      if (!eigen.converged) throw std::runtime_error("the dense eigensolver did not converge");
      values = eigen.values.tail(k).reverse();
      vectors = eigen.vectors.rightCols(k).rowwise().reverse();
    } else {
      ncvx::solvers::largest(ncvx::lanczos::AdjointOperator(A, kept), k, values, vectors);
    }
    const Vector squares = norm_ == "least_squares" ? least_squares_norms(A, y, vectors) : mean_norms(A, y, values);
    Matrix U = Matrix::Zero(n, shape.width);
    for (Index j = 0; j < k; ++j) U.col(j) = std::sqrt(squares(j)) * vectors.col(j);
    if (shape.symmetric) return ncvx::FactorSet(std::move(U));
    Matrix V = U;
    return ncvx::FactorSet(std::move(U), std::move(V));
  }

  /// c_j^2 = max(0, <A(v_j v_j^T), y> / |A(v_j v_j^T)|^2): the fit of y along each v_j.
  static Vector least_squares_norms(const ncvx::MeasurementOperator& A, const Vector& y, const Matrix& vectors) {
    Vector squares(vectors.cols());
    Vector measured;
    for (Index j = 0; j < vectors.cols(); ++j) {
      const Matrix v = vectors.col(j);
      A.forward_factored(ncvx::FactorSet(v), measured);
      const double squared = measured.squaredNorm();
      squares(j) = squared > 0 ? std::max(0.0, measured.dot(y) / squared) : 0.0;
    }
    return squares;
  }

  /// The papers' norm: |z_0|^2 = n sum_i y_i / sum_i |a_i|^2 (Candès, Li &
  /// Soltanolkotabi; Chen & Candès), which estimates tr X* = |x|^2; here
  /// n sum_i y_i / sum_i A(I)_i, the same for the rank_one model (A(I)_i =
  /// |a_i|^2 / sqrt(m), y_i = (a_i^T x)^2 / sqrt(m)) and defined for any
  /// symmetric operator. With several columns the estimate of the trace is
  /// shared in proportion to the positive eigenvalues of A*(y 1_T). Where
  /// sum_i A(I)_i is not positive (A sees no trace), the least-squares norms.
  static Vector mean_norms(const ncvx::MeasurementOperator& A, const Vector& y, const Vector& values) {
    Vector identity_measured;
    A.forward(Matrix::Identity(A.rows(), A.cols()), identity_measured);
    const double scale = identity_measured.sum();
    const double trace = scale > 0 ? std::max(0.0, static_cast<double>(A.rows()) * y.sum() / scale) : 0.0;
    const Vector positive = values.cwiseMax(0.0);
    Vector squares = Vector::Zero(values.size());
    if (positive.sum() > 0) squares = trace * positive / positive.sum();
    return squares;
  }

  /// A rectangular operator: the top singular pairs (p_j, q_j) of A*(y 1_T)
  /// (dense), U_0 = [c_j p_j], V_0 = [s_j c_j q_j] with c_j^2 = |<A(p_j q_j^T), y>| /
  /// |A(p_j q_j^T)|^2 and s_j its sign.
  static ncvx::FactorSet rectangular(const ncvx::MeasurementOperator& A, const Vector& y, const Vector& kept,
                                     Index width) {
    const auto svd = ncvx::solvers::thin_svd(A.adjoint(kept));
    const Index k = std::min({width, A.rows(), A.cols()});
    Matrix U = Matrix::Zero(A.rows(), width), V = Matrix::Zero(A.cols(), width);
    Vector measured;
    for (Index j = 0; j < k; ++j) {
      const Matrix p = svd.U.col(j), q = svd.V.col(j);
      A.forward_factored(ncvx::FactorSet(p, q), measured);
      const double squared = measured.squaredNorm();
      const double fitted = squared > 0 ? measured.dot(y) / squared : 0.0;
      U.col(j) = std::sqrt(std::abs(fitted)) * p;
      V.col(j) = (fitted < 0 ? -1.0 : 1.0) * std::sqrt(std::abs(fitted)) * q;
    }
    return ncvx::FactorSet(std::move(U), std::move(V));
  }

 private:
  double truncation_;
  std::string norm_;
};

}  // namespace

NCVX_PLUGIN(TruncatedSpectral, "truncated_spectral",
            "U_0 = top eigenvectors of A*(y 1{|y| <= t mean|y|}), each scaled to fit y (phase retrieval)",
            NCVX_VERSION_STRING)
