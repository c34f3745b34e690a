// Spectral initialization:
//
//   M = A*(y),   symmetric: (lambda_i, v_i) the k largest eigenpairs of M,
//                U_0 = [v_1 ... v_k] diag(sqrt(max(lambda_i, 0)))   (V_0 = U_0 for X = U V^T);
//                rectangular: (sigma_i, p_i, q_i) the k largest singular triplets of M,
//                U_0 = P diag(sqrt(sigma)),  V_0 = Q diag(sqrt(sigma)).
//
// Since E M = X* for the isometric models, U_0 V_0^T is close to X* when
// there are enough measurements. Columns beyond min(n1, n2) are zero. Solvers
// (for a rectangular M, on the Gram matrix M M^T or M^T M of the smaller side):
//   dense        M formed (one pass over A), all eigenpairs (Eigen)
//   lanczos      M formed, the k largest by Lanczos (Spectra), O(n^2) per product
//   matrix_free  Lanczos with x -> A*(y) x through the operator, M never formed
//                (large completion problems: O(|Omega|) per product)
//   auto         dense when k > n/4, lanczos up to n = form_limit, else matrix_free

#include <algorithm>
#include <cmath>

#include <ncvx/plugin.hpp>

#include "../common/dense_solvers.hpp"
#include "../common/lanczos.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

/// x -> M M^T x (or M^T M x) through the operator, M = A*(y): the Gram matrix
/// of the smaller side of a rectangular M, never formed.
class GramOperator final : public ncvx::solvers::SymmetricOperator {
 public:
  GramOperator(const ncvx::MeasurementOperator& measurement, const Vector& observations, bool rows_side)
      : measurement_(measurement), observations_(observations), rows_side_(rows_side) {}
  Index size() const override { return rows_side_ ? measurement_.rows() : measurement_.cols(); }
  void apply(const double* in, double* out) const override {
    const Matrix x = Eigen::Map<const Matrix>(in, size(), 1);
    Matrix middle, result;
    if (rows_side_) {
      measurement_.adjoint_transpose_apply(observations_, x, middle);  // M^T x
      measurement_.adjoint_apply(observations_, middle, result);       // M M^T x
    } else {
      measurement_.adjoint_apply(observations_, x, middle);
      measurement_.adjoint_transpose_apply(observations_, middle, result);
    }
    Eigen::Map<Matrix>(out, size(), 1) = result;
  }

 private:
  const ncvx::MeasurementOperator& measurement_;
  const Vector& observations_;
  bool rows_side_;
};

constexpr const char* kTryDense = "; try solver: dense";

class Spectral final : public ncvx::Initializer {
 public:
  explicit Spectral(const ncvx::ParameterValues& values)
      : solver_(values.choice("solver")), form_limit_(values.integer("form_limit")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::choice("solver", "auto", {"auto", "dense", "lanczos", "matrix_free"},
                                    "eigensolver: dense (Eigen), lanczos (Spectra on the formed "
                                    "A*(y)), matrix_free (Spectra through the operator) or auto"),
        ncvx::ParameterSpec::integer("form_limit", 4000,
                                     "auto forms A*(y) as an n x n matrix up to this n").at_least(1),
    };
  }

  ncvx::FactorSet initialize(const ncvx::InitializationData& data, const ncvx::FactorShape& shape,
                             ncvx::RandomStream&) const override {
    if (data.measurement.symmetric()) {
      const Matrix U = symmetric(data, shape.width);
      if (shape.symmetric) return ncvx::FactorSet(U);
      return ncvx::FactorSet(U, U);
    }
    return rectangular(data, shape.width);
  }

 private:
  /// U_0 from the top eigenpairs of a symmetric M.
  Matrix symmetric(const ncvx::InitializationData& data, Index width) const {
    const Index n = data.measurement.rows();
    const Index k = std::min(width, n);
    std::string solver = solver_;
    if (solver == "auto") solver = 4 * k > n ? "dense" : n <= form_limit_ ? "lanczos" : "matrix_free";
    if (k + 1 >= n) solver = "dense";  // Lanczos needs k < n - 1
    Vector values;
    Matrix vectors;
    if (solver == "dense") {
      const auto eigen = ncvx::solvers::symmetric_eigen(data.measurement.adjoint(data.observations));
      if (!eigen.converged) throw std::runtime_error("the dense eigensolver did not converge");
      // Ascending order: the k largest are the last k, reversed.
      values = eigen.values.tail(k).reverse();
      vectors = eigen.vectors.rightCols(k).rowwise().reverse();
    } else if (solver == "lanczos") {
      const Matrix M = data.measurement.adjoint(data.observations);
      ncvx::solvers::largest(ncvx::solvers::DenseSymmetric(M), k, values, vectors, kTryDense);
    } else {
      ncvx::solvers::largest(ncvx::lanczos::AdjointOperator(data.measurement, data.observations), k, values, vectors,
                             kTryDense);
    }
    Matrix factor = Matrix::Zero(n, width);
    factor.leftCols(k) = vectors * values.cwiseMax(0.0).cwiseSqrt().asDiagonal();
    return factor;
  }

  /// U_0 = P diag(sqrt(sigma)), V_0 = Q diag(sqrt(sigma)) from the top singular triplets of M.
  ncvx::FactorSet rectangular(const ncvx::InitializationData& data, Index width) const {
    const Index n1 = data.measurement.rows(), n2 = data.measurement.cols();
    const Index small = std::min(n1, n2);
    const Index k = std::min(width, small);
    std::string solver = solver_;
    if (solver == "auto") solver = 4 * k > small ? "dense" : std::max(n1, n2) <= form_limit_ ? "lanczos" : "matrix_free";
    if (k + 1 >= small) solver = "dense";
    Vector sigma;
    Matrix P, Q;
    if (solver == "dense") {
      const auto svd = ncvx::solvers::thin_svd(data.measurement.adjoint(data.observations));
      sigma = svd.singular.head(k);
      P = svd.U.leftCols(k);
      Q = svd.V.leftCols(k);
    } else {
      // Lanczos on the Gram matrix of the smaller side: eigenvalues sigma^2.
      const bool rows_side = n1 <= n2;
      Vector squares;
      Matrix vectors;
      if (solver == "lanczos") {
        const Matrix M = data.measurement.adjoint(data.observations);
        const Matrix gram = rows_side ? Matrix(M * M.transpose()) : Matrix(M.transpose() * M);
        ncvx::solvers::largest(ncvx::solvers::DenseSymmetric(gram), k, squares, vectors, kTryDense);
      } else {
        ncvx::solvers::largest(GramOperator(data.measurement, data.observations, rows_side), k, squares, vectors,
                               kTryDense);
      }
      sigma = squares.cwiseMax(0.0).cwiseSqrt();
      // The other side: M^T p_i / sigma_i (or M q_i / sigma_i); zero where sigma_i = 0.
      Matrix other;
      if (rows_side) data.measurement.adjoint_transpose_apply(data.observations, vectors, other);
      else data.measurement.adjoint_apply(data.observations, vectors, other);
      for (Index i = 0; i < k; ++i) other.col(i) *= sigma(i) > 0 ? 1.0 / sigma(i) : 0.0;
      P = rows_side ? vectors : other;
      Q = rows_side ? other : vectors;
    }
    Matrix U = Matrix::Zero(n1, width), V = Matrix::Zero(n2, width);
    U.leftCols(k) = P * sigma.cwiseSqrt().asDiagonal();
    V.leftCols(k) = Q * sigma.cwiseSqrt().asDiagonal();
    return ncvx::FactorSet(std::move(U), std::move(V));
  }

  std::string solver_;
  Index form_limit_;
};

}  // namespace

NCVX_PLUGIN(Spectral, "spectral",
            "U_0 = V_k diag(sqrt(max(lambda_k, 0))) from the top-k eigenpairs of A*(y) (rectangular: "
            "U_0 = P sqrt(Sigma), V_0 = Q sqrt(Sigma) from its top-k singular triplets)",
            NCVX_VERSION_STRING)
