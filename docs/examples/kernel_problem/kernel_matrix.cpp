// A problem plugin: the best rank-r approximation of a kernel matrix,
//
//   K_ij = exp(-(t_i - t_j)^2 / (2 ell^2)),   t_i = i / (n - 1),  i = 0..n-1,
//   X* = the top r eigenpairs of K, normalized to sigma_1 = 1,
//
// a symmetric positive semidefinite ground truth with a fast-decaying
// spectrum (Gaussian kernels are numerically low-rank). No randomness: every
// seed measures the same X*; the measurement and the start still vary.

#include <cmath>
#include <stdexcept>

#include <ncvx/plugin.hpp>

namespace {

class KernelMatrix final : public ncvx::Problem {
 public:
  explicit KernelMatrix(const ncvx::ParameterValues& values)
      : n_(values.integer("n")), rank_(values.integer("rank")), length_(values.real("length")) {
    if (rank_ > n_) throw std::invalid_argument("rank exceeds n");
    ncvx::Matrix K(n_, n_);
    for (ncvx::Index i = 0; i < n_; ++i)
      for (ncvx::Index j = 0; j < n_; ++j) {
        const double difference = static_cast<double>(i - j) / static_cast<double>(n_ - 1);
        K(i, j) = std::exp(-difference * difference / (2 * length_ * length_));
      }
    const ncvx::GroundTruth full = ncvx::GroundTruth::from_dense(K, /*symmetric=*/true, rank_);
    truth_ = ncvx::GroundTruth::positive_semidefinite(full.left(), full.values() / full.values()(0));
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::integer("n", 40, "number of points t_i in [0, 1]").at_least(2),
        ncvx::ParameterSpec::integer("rank", 4, "rank r kept").at_least(1),
        ncvx::ParameterSpec::real("length", 0.3, "length scale ell of the kernel").above(0.0),
    };
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::square_symmetric(n_), /*ground_truth=*/true, false, false, truth_.rank()};
  }

  ncvx::ProblemData sample(ncvx::RandomStream&) const override {
    ncvx::ProblemData data;
    data.ground_truth = truth_;
    return data;
  }

 private:
  ncvx::Index n_, rank_;
  double length_;
  ncvx::GroundTruth truth_;
};

}  // namespace

NCVX_PLUGIN(KernelMatrix, "kernel_matrix", "best rank-r approximation of a Gaussian kernel matrix on [0, 1]",
            "1.0.0")
