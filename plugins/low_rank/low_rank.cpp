// A random rectangular ground truth of rank r:
//
//   X* = P diag(sigma) Q^T in R^{n1 x n2},   P, Q orthonormal from the QR
//                                            factorizations of Gaussian n1 x r
//                                            and n2 x r matrices (P drawn first),
//
// with sigma from `spectrum` and `normalization` as for low_rank_psd
// (../common/generated_truth.hpp), or spectrum: wishart, X* = G H^T for Gaussian G
// (n1 x r) and H (n2 x r), P, Q and sigma from its SVD before normalization.
// The observations get Gaussian noise of standard deviation `noise`.
//
// It is fitted by X = U V^T (methods' factorization: asymmetric, the default
// for a rectangular problem).

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

#include "../common/generated_truth.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;


class LowRank final : public ncvx::Problem {
 public:
  explicit LowRank(const ncvx::ParameterValues& values)
      : values_(values), n1_(values.integer("n1")), n2_(values.integer("n2")), noise_(values.real("noise")) {
    ncvx::spectrum::validate(values, std::min(n1_, n2_));
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    std::vector<ncvx::ParameterSpec> specs = {
        ncvx::ParameterSpec::integer("n1", 40, "rows of X* (n1 x n2)").at_least(1).at_most(2147483647),
        ncvx::ParameterSpec::integer("n2", 30, "columns of X*").at_least(1).at_most(2147483647)};
    for (auto& spec : ncvx::spectrum::parameters()) specs.push_back(std::move(spec));
    specs.push_back(ncvx::ParameterSpec::real("noise", 0.0, "standard deviation of additive Gaussian noise on y")
                        .at_least(0.0));
    return specs;
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::rectangular(n1_, n2_), true, false, false, values_.integer("rank")};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    const Index r = values_.integer("rank");
    const std::string& normalization = values_.choice("normalization");
    ncvx::ProblemData data;
    if (values_.choice("spectrum") == "wishart") {
      // G = Q_G R_G, H = Q_H R_H, R_G R_H^T = W S Z^T: X* = (Q_G W) S (Q_H Z)^T.
      Matrix G(n1_, r), H(n2_, r);
      random.fill_normal(G);
      random.fill_normal(H);
      const Eigen::HouseholderQR<Matrix> qr_g(G), qr_h(H);
      const Matrix Rg = qr_g.matrixQR().topRows(r).triangularView<Eigen::Upper>();
      const Matrix Rh = qr_h.matrixQR().topRows(r).triangularView<Eigen::Upper>();
      const Eigen::JacobiSVD<Matrix> svd(Rg * Rh.transpose(), Eigen::ComputeFullU | Eigen::ComputeFullV);
      const Matrix Qg = qr_g.householderQ() * Matrix::Identity(n1_, r);
      const Matrix Qh = qr_h.householderQ() * Matrix::Identity(n2_, r);
      data.ground_truth = ncvx::GroundTruth(Qg * svd.matrixU(),
                                            ncvx::spectrum::normalize(svd.singularValues(), normalization),
                                            Qh * svd.matrixV());
    } else {
      Matrix P = ncvx::spectrum::orthonormal(n1_, r, random);
      Matrix Q = ncvx::spectrum::orthonormal(n2_, r, random);
      data.ground_truth = ncvx::GroundTruth(
          std::move(P), ncvx::spectrum::normalize(ncvx::spectrum::generate(values_), normalization), std::move(Q));
    }
    return data;
  }

  void add_noise(Vector& observations, ncvx::RandomStream& random) const override {
    ncvx::spectrum::add_gaussian_noise(observations, noise_, random);
  }

  std::size_t required_bytes() const override {
    return ncvx::saturating_product({ncvx::saturating_add(static_cast<std::size_t>(n1_), static_cast<std::size_t>(n2_)),
                                     static_cast<std::size_t>(values_.integer("rank")), 2 * sizeof(double)});
  }

 private:
  ncvx::ParameterValues values_;
  Index n1_, n2_;
  double noise_;
};

}  // namespace

NCVX_PLUGIN(LowRank, "low_rank",
            "random rectangular X* = P diag(sigma) Q^T (n1 x n2, rank r; spectra as low_rank_psd), fitted by "
            "X = U V^T",
            NCVX_VERSION_STRING)
