// The phase boundaries of gradient descent from a small random start, and
// their predictions, as per-run columns of summary.csv.
//
// With V_X the eigenvectors (left singular vectors) of X*, and U the left factor:
//
//   alignment_iteration   first t with alignment(U_t) <= alignment_below: the
//                         column space of the signal part of U_t within that
//                         angle of X*'s (end of phase I, the spectral phase)
//   fit_iteration         first t with sigma_min(V_X^T U_t)^2 >= fit_fraction sigma_r
//                         (end of phase II, the escape from the saddle at 0)
//   spectral_lambda_r     lambda_r(M), the r-th eigenvalue of M = A*(y) (n <= 1000)
//   predicted_iterations_per_decade          ln(10) / ln(1 + mu lambda_r(M)): phase I
//                         as a power method on I + mu M lasts this many
//                         iterations per decade of 1/alpha
//   predicted_iterations_per_decade_sigma_r  ln(10) / ln(1 + mu sigma_r): the same
//                         with the phase-II growth rate 1 + mu sigma_r
//
// mu is the optimizer's `step` (the predictions are NaN for an optimizer
// without one: they describe gradient descent). Both boundaries are checked
// at every iteration until found (O(n k r) each, small next to a pass over
// A), so they do not depend on log_every. NaN: never reached.

#include <cmath>
#include <stdexcept>

#include <ncvx/diagnostics.hpp>
#include <ncvx/plugin.hpp>

namespace {

class Phases final : public ncvx::Metric {
 public:
  explicit Phases(const ncvx::ParameterValues& values)
      : alignment_below_(values.real("alignment_below")), fit_fraction_(values.real("fit_fraction")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("alignment_below", 0.1, "end of phase I: first t with alignment <= this")
            .above(0.0)
            .at_most(1.0),
        ncvx::ParameterSpec::real("fit_fraction", 0.5,
                                  "end of phase II: first t with sigma_min(V_X^T U)^2 >= this * sigma_r")
            .above(0.0),
    };
  }

  std::vector<std::string> columns() const override { return {}; }
  void evaluate(const ncvx::MetricContext&, double*) override {}

  std::vector<std::string> summary_columns() const override {
    return {"alignment_iteration", "fit_iteration", "spectral_lambda_r", "predicted_iterations_per_decade",
            "predicted_iterations_per_decade_sigma_r"};
  }

  bool observes_every_iteration() const override { return true; }

  void observe(const ncvx::MetricContext& context) override {
    if (alignment_ >= 0 && fit_ >= 0) return;
    const ncvx::GroundTruth& truth = context.instance.ground_truth();
    const ncvx::SignalNoise split = ncvx::signal_noise(truth.left(), context.factors.left(), /*with_noise=*/false);
    const double sigma_r = truth.values()(truth.rank() - 1);
    if (alignment_ < 0 && split.alignment <= alignment_below_) alignment_ = context.iteration;
    if (fit_ < 0 && split.signal * split.signal >= fit_fraction_ * sigma_r) fit_ = context.iteration;
  }

  void summarize(const ncvx::MetricContext& context, double* values) override {
    const ncvx::GroundTruth& truth = context.instance.ground_truth();
    const double lambda_r = spectral_lambda_r(context.instance, truth.rank());
    const double sigma_r = truth.values()(truth.rank() - 1);
    values[0] = alignment_ < 0 ? std::nan("") : static_cast<double>(alignment_);
    values[1] = fit_ < 0 ? std::nan("") : static_cast<double>(fit_);
    values[2] = lambda_r;
    values[3] = std::log(10.0) / std::log1p(context.step * lambda_r);
    values[4] = std::log(10.0) / std::log1p(context.step * sigma_r);
  }

 private:
  /// lambda_r(A*(y)) for moderate n (dense eigenvalues), NaN otherwise.
  static double spectral_lambda_r(const ncvx::ProblemInstance& instance, ncvx::Index r) {
    if (!instance.shape().symmetric || instance.shape().rows > 1000) return std::nan("");
    const ncvx::Matrix M = instance.measurement().adjoint(instance.observations());
    const Eigen::SelfAdjointEigenSolver<ncvx::Matrix> solver(M, Eigen::EigenvaluesOnly);
    const ncvx::Vector& values = solver.eigenvalues();  // ascending
    return values(values.size() - r);
  }

  double alignment_below_, fit_fraction_;
  ncvx::Index alignment_ = -1, fit_ = -1;
};

}  // namespace

NCVX_PLUGIN(Phases, "phases",
            "phase boundaries of GD from small init (alignment, fit) and their predicted rates, in summary.csv",
            NCVX_VERSION_STRING)
