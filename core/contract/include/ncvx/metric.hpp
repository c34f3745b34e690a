#pragma once
// A metric: extra columns of metrics.csv, evaluated at every logged
// iteration t, and optionally per-run columns of summary.csv.
//
// Unlike initializers and optimizers, a metric may look at the ground truth
// (it is a diagnostic, not a method): the context gives the problem instance
// (X* when the problem has one, A, y, held-out entries), the composed
// objective, the factors F_t and F_0.
//
//   class FactorNorm final : public ncvx::Metric {            // |U_t| (spectral)
//    public:
//     std::vector<std::string> columns() const override { return {"factor_norm"}; }
//     void evaluate(const ncvx::MetricContext& c, double* values) override {
//       values[0] = Eigen::JacobiSVD<ncvx::Matrix>(c.factors.left()).singularValues()(0);
//     }
//   };
//
// Three optional members make run-level diagnostics (the phase boundaries of
// the `phases` metric): `observes_every_iteration()` asks for `observe` at
// every iteration (not only the logged ones; keep it cheap), and
// `summary_columns()` / `summarize` write one value per column into the
// run's row of summary.csv when it ends (NaN: the event never happened).
//
// One Metric object serves one run, so it may keep state between calls
// (calls come in increasing iteration order, starting at t = 0). Columns
// with no value at some iteration are NaN (written "nan"). The cost is paid
// only when a configuration selects the metric (`metrics: [...]`). A metric
// that needs what a problem lacks (X*) throws, and the run fails with its
// message.

#include <string>
#include <vector>

#include "ncvx/objective.hpp"
#include "ncvx/problem_instance.hpp"

namespace ncvx {

struct MetricContext {
  const ProblemInstance& instance;
  const Objective& objective;
  /// F_t and F_0 as U U^T's or U V^T's set: for another factorization
  /// (deep, cp) the thin factors {L, R} of its product X = L R^T, so every
  /// metric of X works for every factorization.
  const FactorSet& factors;          // F_t
  const FactorSet& initial_factors;  // F_0
  Index iteration;                   // t
  /// The optimizer's `step` parameter when it declares one (NaN otherwise).
  double step;
  /// The method's own blocks at t (deep: W_1 .. W_D; cp: A, B, C); nullptr:
  /// the same set as `factors` (U U^T and U V^T).
  const FactorSet* blocks = nullptr;
};

class Metric {
 public:
  virtual ~Metric();

  /// Column names of metrics.csv (fixed for the object's life), e.g. {"signal", "noise"}.
  virtual std::vector<std::string> columns() const = 0;
  /// Writes columns().size() values.
  virtual void evaluate(const MetricContext& context, double* values) = 0;

  /// Column names of summary.csv (default: none).
  virtual std::vector<std::string> summary_columns() const;
  /// At the end of the run: writes summary_columns().size() values.
  virtual void summarize(const MetricContext& final_context, double* values);
  /// Whether `observe` is called at every iteration t = 0, 1, ... (default: no).
  virtual bool observes_every_iteration() const;
  virtual void observe(const MetricContext& context);
};

}  // namespace ncvx
