// Spectral initialization (PAPER.md section 3):
//
//   M = A*(y),   (lambda_i, v_i) the k largest eigenpairs of M,
//   U_0 = [v_1 ... v_k] diag(sqrt(max(lambda_i, 0))).
//
// Since E M = X* for the built-in models, U_0 U_0^T is close to X* when
// there are enough measurements. Solvers:
//   dense        M formed (one pass over A), all eigenpairs (Eigen)
//   lanczos      M formed, the k largest by Lanczos (Spectra), O(n^2) per product
//   matrix_free  Lanczos with x -> A*(y) x through the operator, M never formed
//                (large completion problems: O(|Omega|) per product)
//   auto         dense when k > n/4, lanczos up to n = form_limit, else matrix_free

#include <algorithm>
#include <cmath>

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <Spectra/SymEigsSolver.h>
#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

/// x -> A*(y) x, in the shape Spectra's solvers expect.
class AdjointOperator {
 public:
  using Scalar = double;
  AdjointOperator(const ncvx::MeasurementOperator& measurement, const Vector& observations)
      : measurement_(measurement), observations_(observations) {}
  Index rows() const { return measurement_.dimension(); }
  Index cols() const { return measurement_.dimension(); }
  void perform_op(const double* in, double* out) const {
    const Matrix x = Eigen::Map<const Matrix>(in, rows(), 1);
    Matrix y;
    measurement_.adjoint_apply(observations_, x, y);
    Eigen::Map<Matrix>(out, rows(), 1) = y;
  }

 private:
  const ncvx::MeasurementOperator& measurement_;
  const Vector& observations_;
};

/// The k largest eigenpairs of a symmetric operator by Lanczos (Spectra).
template <class Operator>
void largest(Operator op, Index k, Index subspace, Vector& values, Matrix& vectors) {
  Spectra::SymEigsSolver<Operator> lanczos(op, k, subspace);
  lanczos.init();
  lanczos.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
  if (lanczos.info() != Spectra::CompInfo::Successful)
    throw std::runtime_error("the Lanczos eigensolver did not converge; try solver: dense");
  values = lanczos.eigenvalues();
  vectors = lanczos.eigenvectors();
}

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

  Matrix initialize(const ncvx::InitializationData& data, Index width,
                    ncvx::RandomStream&) const override {
    const Index n = data.measurement.dimension();
    const Index k = std::min(width, n);
    std::string solver = solver_;
    if (solver == "auto") solver = 4 * k > n ? "dense" : n <= form_limit_ ? "lanczos" : "matrix_free";
    if (k + 1 >= n) solver = "dense";  // Lanczos needs k < n - 1
    const Index subspace = std::min(n, std::max<Index>(2 * k + 1, k + 20));
    Vector values;
    Matrix vectors;
    if (solver == "dense") {
      Eigen::SelfAdjointEigenSolver<Matrix> eigen(data.measurement.adjoint(data.observations));
      if (eigen.info() != Eigen::Success) throw std::runtime_error("the dense eigensolver did not converge");
      // Ascending order: the k largest are the last k, reversed.
      values = eigen.eigenvalues().tail(k).reverse();
      vectors = eigen.eigenvectors().rightCols(k).rowwise().reverse();
    } else if (solver == "lanczos") {
      const Matrix M = data.measurement.adjoint(data.observations);
      largest(Spectra::DenseSymMatProd<double>(M), k, subspace, values, vectors);
    } else {
      largest(AdjointOperator(data.measurement, data.observations), k, subspace, values, vectors);
    }
    Matrix factor = Matrix::Zero(n, width);
    factor.leftCols(k) = vectors * values.cwiseMax(0.0).cwiseSqrt().asDiagonal();
    return factor;
  }

 private:
  std::string solver_;
  Index form_limit_;
};

}  // namespace

NCVX_PLUGIN(Spectral, "spectral",
            "U_0 = V_k diag(sqrt(max(lambda_k, 0))) from the top-k eigenpairs of A*(y)",
            NCVX_VERSION_STRING)
