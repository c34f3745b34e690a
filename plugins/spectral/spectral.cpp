// Spectral initialization (PAPER.md section 3):
//
//   M = A*(y),   (lambda_i, v_i) the k largest eigenpairs of M,
//   U_0 = [v_1 ... v_k] diag(sqrt(max(lambda_i, 0))).
//
// Since E M = X* for the built-in models, U_0 U_0^T is close to X* when
// there are enough measurements. The eigenproblem is solved densely
// (Eigen's SelfAdjointEigenSolver on the formed M) or matrix-free with
// Spectra's Lanczos solver, applying x -> A*(y) x through the operator,
// which never forms M (large completion problems).

#include <algorithm>
#include <cmath>

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

class Spectral final : public ncvx::Initializer {
 public:
  explicit Spectral(const ncvx::ParameterValues& values)
      : solver_(values.choice("solver")), dense_limit_(values.integer("dense_limit")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::choice("solver", "auto", {"auto", "dense", "lanczos"},
                                    "eigensolver: dense (Eigen), lanczos (Spectra, matrix-free) "
                                    "or auto"),
        ncvx::ParameterSpec::integer("dense_limit", 2000,
                                     "auto uses the dense solver up to this n (or when k > n/4)")
            .at_least(1),
    };
  }

  Matrix initialize(const ncvx::InitializationData& data, Index width,
                    ncvx::RandomStream&) const override {
    const Index n = data.measurement.dimension();
    const Index k = std::min(width, n);
    Vector values;
    Matrix vectors;
    const bool dense = solver_ == "dense" || k + 1 >= n ||
                       (solver_ == "auto" && (n <= dense_limit_ || 4 * k > n));
    if (dense) {
      Eigen::SelfAdjointEigenSolver<Matrix> solver(data.measurement.adjoint(data.observations));
      if (solver.info() != Eigen::Success) throw std::runtime_error("the dense eigensolver did not converge");
      // Ascending order: the k largest are the last k, reversed.
      values = solver.eigenvalues().tail(k).reverse();
      vectors = solver.eigenvectors().rightCols(k).rowwise().reverse();
    } else {
      AdjointOperator op(data.measurement, data.observations);
      const Index subspace = std::min(n, std::max<Index>(2 * k + 1, k + 20));
      Spectra::SymEigsSolver<AdjointOperator> solver(op, k, subspace);
      solver.init();
      solver.compute(Spectra::SortRule::LargestAlge, 1000, 1e-12);
      if (solver.info() != Spectra::CompInfo::Successful)
        throw std::runtime_error("the Lanczos eigensolver did not converge; try solver: dense");
      values = solver.eigenvalues();
      vectors = solver.eigenvectors();
    }
    Matrix factor = Matrix::Zero(n, width);
    factor.leftCols(k) = vectors * values.cwiseMax(0.0).cwiseSqrt().asDiagonal();
    return factor;
  }

 private:
  std::string solver_;
  Index dense_limit_;
};

}  // namespace

NCVX_PLUGIN(Spectral, "spectral",
            "U_0 = V_k diag(sqrt(max(lambda_k, 0))) from the top-k eigenpairs of A*(y)",
            NCVX_VERSION_STRING)
