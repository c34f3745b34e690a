#pragma once
// A metric: extra columns of metrics.csv, evaluated at every logged
// iteration t from the iterate U_t and what the run knows.
//
// Unlike initializers and optimizers, a metric may look at the ground truth
// (it is a diagnostic, not a method): the context gives the problem instance
// (X* = Q diag(sigma) Q^T, A, y), the composed objective, U_t and U_0.
//
//   class FactorNorm final : public ncvx::Metric {            // |U_t| (spectral)
//    public:
//     std::vector<std::string> columns() const override { return {"factor_norm"}; }
//     void evaluate(const ncvx::MetricContext& c, double* values) override {
//       values[0] = Eigen::JacobiSVD<ncvx::Matrix>(c.factor).singularValues()(0);
//     }
//   };
//
// One Metric object serves one run, so it may keep state between calls
// (calls come in increasing iteration order, starting at t = 0). Columns
// with no value at some iteration are NaN (written "nan"). The cost is paid
// only when a configuration selects the metric (`metrics: [...]`).

#include <string>
#include <vector>

#include "ncvx/objective.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

struct MetricContext {
  const ProblemInstance& instance;
  const Objective& objective;
  const Matrix& factor;          // U_t
  const Matrix& initial_factor;  // U_0
  Index iteration;               // t
  /// The optimizer's `step` parameter when it declares one (NaN otherwise).
  double step;
};

class Metric {
 public:
  virtual ~Metric();

  /// Column names (fixed for the object's life), e.g. {"signal", "noise"}.
  virtual std::vector<std::string> columns() const = 0;
  /// Writes columns().size() values.
  virtual void evaluate(const MetricContext& context, double* values) = 0;
};

}  // namespace ncvx
