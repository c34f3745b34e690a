// A small orthogonal start:
//
//   U_0 = scale * Q,   Q in R^{n1 x k} with orthonormal columns (rows when k > n1)
//                      from the QR factorization of a Gaussian matrix,
//   V_0 likewise (n2 x k, drawn after Q) for X = U V^T.
//
// Like small_random, but every direction of the start has the same size, so
// X_0 = scale^2 Q Q^T is a scaled projection (the identity when k = n).

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;

/// A rows x width matrix with orthonormal columns (or rows, when width > rows).
Matrix orthonormal(Index rows, Index width, ncvx::RandomStream& random) {
  const bool tall = width <= rows;
  Matrix gaussian(tall ? rows : width, tall ? width : rows);
  random.fill_normal(gaussian);
  Eigen::HouseholderQR<Matrix> qr(gaussian);
  const Matrix Q = qr.householderQ() * Matrix::Identity(gaussian.rows(), gaussian.cols());
  return tall ? Q : Matrix(Q.transpose());
}

class Orthogonal final : public ncvx::Initializer {
 public:
  explicit Orthogonal(const ncvx::ParameterValues& values) : scale_(values.real("scale")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("scale", 1e-3, "U_0 = scale Q").above(0.0)};
  }

  ncvx::FactorSet initialize(const ncvx::InitializationData&, const ncvx::FactorShape& shape,
                             ncvx::RandomStream& random) const override {
    Matrix U = scale_ * orthonormal(shape.rows, shape.width, random);
    if (shape.symmetric) return ncvx::FactorSet(std::move(U));
    Matrix V = scale_ * orthonormal(shape.cols, shape.width, random);
    return ncvx::FactorSet(std::move(U), std::move(V));
  }

 private:
  double scale_;
};

}  // namespace

NCVX_PLUGIN(Orthogonal, "orthogonal", "U_0 = scale Q, Q with orthonormal columns (random)", NCVX_VERSION_STRING)
