// A random order-3 tensor of CP rank R:
//
//   T* = sum_r lambda_r a_r (x) b_r (x) c_r   in R^{n1 x n2 x n3},
//
// a_r, b_r, c_r unit vectors (Gaussian, normalized; drawn A, then B, then C,
// column by column) and the weights lambda_r from `spectrum` and
// `normalization` as for low_rank (lambda_1 = 1 by default). The problem is
// its mode-1 unfolding X* = A diag(lambda) (C (.) B)^T, n1 x n2 n3
// (matrix_shape.hpp), so any measurement model measures it: completion of
// sampled entries is tensor completion, Gaussian sensing is <B_i, T*> with
// Gaussian B_i. The ground truth is kept as the compact SVD of the unfolding
// (from the QR factorizations of its two thin factors), and test_error is
// |T - T*|_F / |T*|_F. Fitted by the cp factorization (or uv on the unfolding).

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

#include "../common/generated_truth.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;

class LowRankTensor final : public ncvx::Problem {
 public:
  explicit LowRankTensor(const ncvx::ParameterValues& values)
      : values_(values),
        n1_(values.integer("n1")),
        n2_(values.integer("n2")),
        n3_(values.integer("n3")),
        noise_(values.real("noise")) {
    if (values.choice("spectrum") == "wishart")
      throw std::invalid_argument("spectrum: wishart describes matrices; give the CP weights as linear, geometric, "
                                  "power or list");
    ncvx::spectrum::validate(values, values.integer("rank"));
    if (static_cast<double>(n2_) * static_cast<double>(n3_) > 2147483647.0)
      throw std::invalid_argument("n2 n3 exceeds 2^31 - 1, the columns of the unfolding; choose smaller modes");
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    std::vector<ncvx::ParameterSpec> specs = {
        ncvx::ParameterSpec::integer("n1", 10, "first mode of T* (n1 x n2 x n3)").at_least(1).at_most(1000000),
        ncvx::ParameterSpec::integer("n2", 10, "second mode").at_least(1).at_most(1000000),
        ncvx::ParameterSpec::integer("n3", 10, "third mode").at_least(1).at_most(1000000)};
    for (auto& spec : ncvx::spectrum::parameters()) {
      if (spec.name == "rank") spec = ncvx::ParameterSpec::integer("rank", 3, "CP rank R of T*").at_least(1).at_most(10000);
      specs.push_back(std::move(spec));
    }
    specs.push_back(ncvx::ParameterSpec::real("noise", 0.0, "standard deviation of additive Gaussian noise on y")
                        .at_least(0.0));
    return specs;
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::tensor(n1_, n2_, n3_), true, false, false, 0};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    const Index rank = values_.integer("rank");
    const Matrix A = unit_columns(n1_, rank, random), B = unit_columns(n2_, rank, random),
                 C = unit_columns(n3_, rank, random);
    const Vector weights = ncvx::spectrum::normalize(ncvx::spectrum::generate(values_), values_.choice("normalization"));
    Matrix khatri_rao(n2_ * n3_, rank);  // (C (.) B)(j + n2 l, r) = B(j, r) C(l, r)
    for (Index r = 0; r < rank; ++r)
      Eigen::Map<Matrix>(khatri_rao.col(r).data(), n2_, n3_).noalias() = B.col(r) * C.col(r).transpose();
    // X* = M1 M2^T, M1 = A diag(lambda) = Q1 R1, M2 = C (.) B = Q2 R2, R1 R2^T = W S Z^T.
    const Eigen::HouseholderQR<Matrix> qr1(A * weights.asDiagonal()), qr2(khatri_rao);
    const Index k1 = std::min(n1_, rank), k2 = std::min(n2_ * n3_, rank);
    const Matrix R1 = qr1.matrixQR().topRows(k1).triangularView<Eigen::Upper>();
    const Matrix R2 = qr2.matrixQR().topRows(k2).triangularView<Eigen::Upper>();
    const Eigen::JacobiSVD<Matrix> svd(R1 * R2.transpose(), Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Vector& sigma = svd.singularValues();
    Index kept = 0;
    while (kept < sigma.size() && sigma(kept) > 1e-12 * sigma(0)) ++kept;
    const Matrix Q1 = qr1.householderQ() * Matrix::Identity(n1_, k1);
    const Matrix Q2 = qr2.householderQ() * Matrix::Identity(n2_ * n3_, k2);
    ncvx::ProblemData data;
    data.ground_truth = ncvx::GroundTruth(Q1 * svd.matrixU().leftCols(kept), sigma.head(kept),
                                          Q2 * svd.matrixV().leftCols(kept));
    return data;
  }

  void add_noise(Vector& observations, ncvx::RandomStream& random) const override {
    ncvx::spectrum::add_gaussian_noise(observations, noise_, random);
  }

  std::size_t required_bytes() const override {
    const auto rank = static_cast<std::size_t>(values_.integer("rank"));
    return ncvx::saturating_product(
        {ncvx::saturating_add(static_cast<std::size_t>(n1_),
                              ncvx::saturating_product({static_cast<std::size_t>(n2_), static_cast<std::size_t>(n3_)})),
         rank, 3 * sizeof(double)});
  }

 private:
  static Matrix unit_columns(Index rows, Index rank, ncvx::RandomStream& random) {
    Matrix columns(rows, rank);
    random.fill_normal(columns);
    columns.colwise().normalize();
    return columns;
  }

  ncvx::ParameterValues values_;
  Index n1_, n2_, n3_;
  double noise_;
};

}  // namespace

NCVX_PLUGIN(LowRankTensor, "low_rank_tensor",
            "random order-3 tensor T* = sum_r lambda_r a_r (x) b_r (x) c_r of CP rank R, as its n1 x n2 n3 "
            "unfolding; fitted by cp",
            NCVX_VERSION_STRING)
