// Truncated spectral initialization for phase retrieval and other quadratic
// measurements (Candès, Li & Soltanolkotabi 2015; Chen & Candès 2015):
//
//   T = { i : |y_i| <= truncation * mean_j |y_j| },     M = A*(y 1_T),
//   v_1 .. v_k   the top-k eigenvectors of M,
//   U_0 = [c_1 v_1 ... c_k v_k],   c_j^2 = max(0, <A(v_j v_j^T), y> / |A(v_j v_j^T)|^2).
//
// Truncation drops the few largest observations, whose heavy tail (y_i =
// (a_i^T x)^2 is chi-square) otherwise spoils the top eigenvector at small m;
// `truncation: 0` keeps them all (Wirtinger flow's plain spectral start). The
// norm c_j is the one that fits y best along v_j in least squares, a choice
// that needs no knowledge of the model: for real phase retrieval with enough
// measurements it matches the classical estimate |x|^2 ~ mean_i y_i, and it
// is exact when v_j is.
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
  explicit TruncatedSpectral(const ncvx::ParameterValues& values) : truncation_(values.real("truncation")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("truncation", 9.0,
                                      "keep y_i with |y_i| <= truncation * mean|y| (alpha_y^2 = 9 in Chen & Candès; "
                                      "0: keep every y_i)")
                .at_least(0.0)};
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
    if (!A.symmetric()) return rectangular(A, y, kept, shape.width);
    const Index n = A.rows();
    const Index k = std::min(shape.width, n);
    Matrix vectors;
    if (k + 1 >= n || n <= 200) {
      const auto eigen = ncvx::solvers::symmetric_eigen(A.adjoint(kept));
      if (!eigen.converged) throw std::runtime_error("the dense eigensolver did not converge");
      vectors = eigen.vectors.rightCols(k).rowwise().reverse();
    } else {
      Vector values;
      ncvx::solvers::largest(ncvx::lanczos::AdjointOperator(A, kept), k, values, vectors);
    }
    Matrix U = Matrix::Zero(n, shape.width);
    Vector measured;
    for (Index j = 0; j < k; ++j) {
      const Matrix v = vectors.col(j);
      A.forward_factored(ncvx::FactorSet(v), measured);
      const double squared = measured.squaredNorm();
      const double fitted = squared > 0 ? std::max(0.0, measured.dot(y) / squared) : 0.0;
      U.col(j) = std::sqrt(fitted) * vectors.col(j);
    }
    if (shape.symmetric) return ncvx::FactorSet(std::move(U));
    Matrix V = U;
    return ncvx::FactorSet(std::move(U), std::move(V));
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
};

}  // namespace

NCVX_PLUGIN(TruncatedSpectral, "truncated_spectral",
            "U_0 = top eigenvectors of A*(y 1{|y| <= t mean|y|}), each scaled to fit y (phase retrieval)",
            NCVX_VERSION_STRING)
