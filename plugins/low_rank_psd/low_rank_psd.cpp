// A random symmetric positive semidefinite ground truth of rank r:
//
//   X* = Q diag(sigma) Q^T,   Q (n x r) orthonormal from the QR factorization
//                             of a Gaussian n x r matrix,
//
// with sigma from `spectrum` (linear or geometric between 1 and 1/kappa,
// power i^-decay, a list) and `normalization` (../common/generated_truth.hpp), or
// spectrum: wishart, X* = G G^T for a Gaussian n x r G (Q, sigma from its
// SVD: G = Q S W^T, sigma = S^2) before normalization. The observations get
// Gaussian noise of standard deviation `noise` (from the stream (seed,
// "noise")); other corruptions are their own stage (`corruptions:`).
//
// The default (linear, kappa = 2, spectral normalization) is the setting of
// the small-initialization experiments: sigma_1 = 1, sigma_r = 1/kappa.

#include <stdexcept>

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

#include "../common/generated_truth.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;
using ncvx::Vector;


class LowRankPsd final : public ncvx::Problem {
 public:
  explicit LowRankPsd(const ncvx::ParameterValues& values)
      : values_(values), n_(values.integer("n")), noise_(values.real("noise")) {
    ncvx::spectrum::validate(values, n_);
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    std::vector<ncvx::ParameterSpec> specs = {
        ncvx::ParameterSpec::integer("n", 40, "side of the symmetric ground truth X* (n x n)")
            .at_least(1)
            .at_most(2147483647)};
    for (auto& spec : ncvx::spectrum::parameters()) specs.push_back(std::move(spec));
    specs.push_back(ncvx::ParameterSpec::real("noise", 0.0, "standard deviation of additive Gaussian noise on y")
                        .at_least(0.0));
    return specs;
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::square_symmetric(n_), true, false, false, values_.integer("rank")};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    const Index r = values_.integer("rank");
    ncvx::ProblemData data;
    if (values_.choice("spectrum") == "wishart") {
      Matrix G(n_, r);
      random.fill_normal(G);
      const Eigen::JacobiSVD<Matrix> svd(G, Eigen::ComputeThinU);
      const Vector sigma = svd.singularValues().cwiseAbs2();
      data.ground_truth = ncvx::GroundTruth::positive_semidefinite(
          svd.matrixU(), ncvx::spectrum::normalize(sigma, values_.choice("normalization")));
    } else {
      Matrix Q = ncvx::spectrum::orthonormal(n_, r, random);
      data.ground_truth = ncvx::GroundTruth::positive_semidefinite(
          std::move(Q),
          ncvx::spectrum::normalize(ncvx::spectrum::generate(values_), values_.choice("normalization")));
    }
    return data;
  }

  void add_noise(Vector& observations, ncvx::RandomStream& random) const override {
    ncvx::spectrum::add_gaussian_noise(observations, noise_, random);
  }

  std::size_t required_bytes() const override {
    return ncvx::saturating_product(
        {static_cast<std::size_t>(n_), static_cast<std::size_t>(values_.integer("rank")), 3 * sizeof(double)});
  }

 private:
  ncvx::ParameterValues values_;
  Index n_;
  double noise_;
};

}  // namespace

NCVX_PLUGIN(LowRankPsd, "low_rank_psd",
            "random symmetric PSD X* = Q diag(sigma) Q^T of rank r (linear, geometric, power, list or wishart "
            "spectrum), optional Gaussian noise on y",
            NCVX_VERSION_STRING)
