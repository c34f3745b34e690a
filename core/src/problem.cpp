#include "ncvx/problem.hpp"

#include <cmath>

#include "ncvx/errors.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

std::vector<ParameterSpec> ProblemSpec::parameters() {
  return {
      ParameterSpec::integer("n", 40, "side of the symmetric ground truth X* (n x n)").at_least(1),
      ParameterSpec::integer("rank", 2, "rank r of X*").at_least(1),
      ParameterSpec::real("condition_number", 2.0, "kappa = sigma_1 / sigma_r").at_least(1.0),
      ParameterSpec::choice("spectrum", "linear", {"linear", "geometric"},
                            "spacing of sigma_1 = 1 ... sigma_r = 1/kappa"),
      ParameterSpec::real("noise", 0.0, "standard deviation of additive Gaussian noise on y")
          .at_least(0.0),
  };
}

ProblemSpec ProblemSpec::from(const ParameterValues& values) {
  ProblemSpec spec;
  spec.dimension = values.integer("n");
  spec.rank = values.integer("rank");
  spec.condition_number = values.real("condition_number");
  spec.spectrum = values.choice("spectrum");
  spec.noise = values.real("noise");
  if (spec.rank > spec.dimension)
    throw Error("problem.rank = " + std::to_string(spec.rank) + " exceeds problem.n = " +
                std::to_string(spec.dimension) + ". Violated constraint: rank <= n.");
  return spec;
}

Vector spectrum_of(const ProblemSpec& spec) {
  Vector sigma(spec.rank);
  const double kappa = spec.condition_number;
  for (Index i = 0; i < spec.rank; ++i) {
    const double t = spec.rank == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(spec.rank - 1);
    sigma(i) = spec.spectrum == "geometric" ? std::pow(kappa, -t) : 1.0 + t * (1.0 / kappa - 1.0);
  }
  return sigma;
}

ProblemInstance::ProblemInstance(const ProblemSpec& spec,
                                 std::shared_ptr<const MeasurementOperator> measurement,
                                 std::uint64_t seed)
    : spec_(spec), measurement_(std::move(measurement)) {
  if (measurement_->dimension() != spec.dimension)
    throw Error("the measurement operator measures " + std::to_string(measurement_->dimension()) +
                " x " + std::to_string(measurement_->dimension()) + " matrices but problem.n = " +
                std::to_string(spec.dimension));
  RandomStream truth(seed, "ground_truth");
  Matrix gaussian(spec.dimension, spec.rank);
  truth.fill_normal(gaussian);
  Eigen::HouseholderQR<Matrix> qr(gaussian);
  eigenvectors_ = qr.householderQ() * Matrix::Identity(spec.dimension, spec.rank);
  eigenvalues_ = spectrum_of(spec);
  factor_ = eigenvectors_ * eigenvalues_.cwiseSqrt().asDiagonal();

  measurement_->forward_factored(factor_, observations_);
  if (spec.noise > 0.0) {
    RandomStream noise(seed, "noise");
    Vector xi(observations_.size());
    noise.fill_normal(xi);
    observations_ += spec.noise * xi;
  }
}

double ProblemInstance::test_error(const Matrix& factor) const {
  const Index k = factor.cols(), r = factor_.cols();
  Matrix stacked(dimension(), k + r);
  stacked << factor, factor_;
  Matrix triangular;
  if (stacked.rows() >= stacked.cols()) {
    Eigen::HouseholderQR<Matrix> qr(stacked);
    triangular = qr.matrixQR().topRows(k + r).triangularView<Eigen::Upper>();
  } else {
    triangular = stacked;  // n < k + r: B J B^T is cheapest formed directly
  }
  Vector signs(k + r);
  signs << Vector::Ones(k), -Vector::Ones(r);
  const Matrix difference = triangular * signs.asDiagonal() * triangular.transpose();
  return difference.norm() / ground_truth_norm();
}

}  // namespace ncvx
