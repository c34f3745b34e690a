#include "ncvx/study/run_loop.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/study/device_backend.hpp"
#include "ncvx/study/lockstep.hpp"

namespace ncvx {

namespace {

/// A uniformly random `fraction` of `observed` (drawn from the stream (seed,
/// "validation"), partial Fisher-Yates) moved out of it, in order: the
/// validation set; the rest keep their order.
MatrixEntries hold_out(MatrixEntries& observed, double fraction, std::uint64_t seed) {
  const std::size_t total = observed.size();
  const auto held = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(total)));
  if (held == 0 || held >= total)
    throw Error(fmt::format("problem.validation = {} holds out {} of the {} observed entries; choose a fraction "
                            "that leaves some to fit and some to validate.",
                            fraction, held, total));
  RandomStream random(seed, "validation");
  std::vector<std::size_t> order(total);
  for (std::size_t i = 0; i < total; ++i) order[i] = i;
  for (std::size_t i = 0; i < held; ++i) {
    const auto j = std::min(total - 1, i + static_cast<std::size_t>(random.uniform() * static_cast<double>(total - i)));
    std::swap(order[i], order[j]);
  }
  std::vector<bool> chosen(total, false);
  for (std::size_t i = 0; i < held; ++i) chosen[order[i]] = true;
  MatrixEntries kept, validation;
  kept.reserve(total - held);
  validation.reserve(held);
  for (std::size_t e = 0; e < total; ++e)
    (chosen[e] ? validation : kept).add(observed.rows[e], observed.columns[e], observed.values[e]);
  observed = std::move(kept);
  return validation;
}

}  // namespace

std::shared_ptr<const ProblemInstance> build_instance(const RunSpec& run, const Experiment& experiment,
                                                      const PluginRegistry& plugins) {
  const ProblemChoice& problem = experiment.problem_of(run);
  const LoadedPlugin& problem_plugin = plugins.find(PluginKind::problem, problem.choice.name);
  RandomStream truth(run.seed, "ground_truth");
  ProblemData data = problem_plugin.guard("drawing an instance", [&] { return problem.model->sample(truth); });
  const MatrixShape& shape = problem.description.shape;
  if (data.ground_truth && (data.ground_truth->rows() != shape.rows || data.ground_truth->cols() != shape.cols))
    throw PluginError(fmt::format("{} returned a {} x {} ground truth for its {} shape.", problem_plugin.describe(),
                                  data.ground_truth->rows(), data.ground_truth->cols(), shape.describe()));
  if (!data.ground_truth && !data.observed)
    throw PluginError(fmt::format("{} returned neither a ground truth nor observed entries.",
                                  problem_plugin.describe()));
  if (data.sparse)
    for (std::size_t e = 0; e < data.sparse->size(); ++e)
      if (data.sparse->rows[e] < 0 || data.sparse->rows[e] >= shape.rows || data.sparse->columns[e] < 0 ||
          data.sparse->columns[e] >= shape.cols)
        throw PluginError(fmt::format("{} returned a sparse entry ({}, {}) outside its {} shape.",
                                      problem_plugin.describe(), data.sparse->rows[e], data.sparse->columns[e],
                                      shape.describe()));
  std::optional<MatrixEntries> validation;
  if (problem.validation > 0 && data.observed) validation = hold_out(*data.observed, problem.validation, run.seed);

  // The operator (the operator's size was checked against the memory before any run started).
  const LoadedPlugin& measurement_plugin = plugins.find(PluginKind::measurement, run.measurement.name);
  const auto model = measurement_plugin.create_measurement(run.measurement.values);
  RandomStream random(run.seed, "measurement");
  const MeasurementSetting setting{shape, data.observed ? &*data.observed : nullptr};
  std::shared_ptr<const MeasurementOperator> measurement = measurement_plugin.hold(
      measurement_plugin.guard("sampling the measurement operator", [&] { return model->sample(setting, random); }));
  const MatrixShape measured = measurement->shape();  // a tensor's operator measures its unfolding
  if (measured.rows != shape.rows || measured.cols != shape.cols || measured.symmetric != shape.symmetric)
    throw PluginError(fmt::format("{} sampled an operator on {} matrices for a problem of shape {}.",
                                  measurement_plugin.describe(), measurement->shape().describe(), shape.describe()));

  // The observations: measured, then the problem's noise, then the corruptions in order.
  Vector observations;
  measurement_plugin.guard("measuring", [&] {
    if (data.ground_truth)
      measurement->forward_factored(data.ground_truth->factors(), observations);
    else
      measurement->forward_entries(*data.observed, observations);
    if (data.sparse && data.sparse->size() > 0) {  // data = X* + S*, the truth X* alone
      Vector sparse;
      measurement->forward_entries(*data.sparse, sparse);
      observations += sparse;
    }
  });
  RandomStream noise(run.seed, "noise");
  problem_plugin.guard("adding its noise", [&] { problem.model->add_noise(observations, noise); });
  for (std::size_t i = 0; i < run.corruptions.size(); ++i) {
    const LoadedPlugin& plugin = plugins.find(PluginKind::corruption, run.corruptions[i].name);
    const auto corruption = plugin.create_corruption(run.corruptions[i].values);
    RandomStream stream(run.seed, fmt::format("corruption.{}", i));
    plugin.guard("corrupting the observations", [&] { corruption->corrupt(observations, stream); });
    if (observations.size() != measurement->measurements())
      throw PluginError(fmt::format("{} changed the number of observations.", plugin.describe()));
  }
  if (!observations.allFinite())
    throw PluginError(fmt::format("the observations of problem `{}` are not finite after {}; no method can fit them",
                                  problem.choice.name,
                                  run.corruptions.empty() ? std::string("measuring") : "its corruptions"));
  auto instance = std::make_shared<ProblemInstance>(problem.description, std::move(data), std::move(measurement),
                                                    std::move(observations));
  if (validation) instance->set_validation(std::move(*validation));
  return instance;
}

namespace {

/// The optimizer's `step` parameter, when it declares a real one.
double step_of(const RunSpec& run, const PluginRegistry& plugins) {
  for (const auto& spec : plugins.find(PluginKind::optimizer, run.method.optimizer.name).info().parameters)
    if (spec.name == "step" && spec.type == ParameterType::real) return run.method.optimizer.values.real("step");
  return std::nan("");
}

double largest_entry(const FactorSet& factors) {
  double largest = 0.0;
  for (std::size_t i = 0; i < factors.size(); ++i)
    if (factors[i].size() > 0) largest = std::max(largest, factors[i].cwiseAbs().maxCoeff());
  return largest;
}

/// The stages of one run, in the order the loop calls them.
class RunLoop {
 public:
  RunLoop(const RunSpec& run, const Experiment& experiment, const ProblemInstance& instance,
          const PluginRegistry& plugins, Lockstep* lockstep, RunResult& result, const ProgressReport& progress)
      : progress_(progress),
        run_(run),
        experiment_(experiment),
        instance_(instance),
        result_(result),
        loss_plugin_(plugins.find(PluginKind::loss, run.method.loss.name)),
        init_plugin_(plugins.find(PluginKind::initializer, run.method.initializer.name)),
        optimizer_plugin_(plugins.find(PluginKind::optimizer, run.method.optimizer.name)),
        factorization_plugin_(plugins.find(PluginKind::factorization, run.method.factorization.name)),
        loss_(loss_plugin_.create_loss(run.method.loss.values)),
        initializer_(init_plugin_.create_initializer(run.method.initializer.values)),
        optimizer_(optimizer_plugin_.create_optimizer(run.method.optimizer.values)),
        factorization_(factorization_plugin_.create_factorization(run.method.factorization.values)),
        objective_(instance.measurement(), *loss_, instance.observations(), factorization_.get()),
        step_(step_of(run, plugins)),
        error_column_(static_cast<std::size_t>(experiment.column(experiment.error))) {
    objective_.join(lockstep);
    for (const auto& choice : experiment.metrics) {
      const LoadedPlugin& plugin = plugins.find(PluginKind::metric, choice.name);
      metrics_.push_back({&plugin, plugin.create_metric(choice.values)});
    }
    check_metric_columns();
    for (const StopRule& rule : run.settings.stop)
      stop_rules_.emplace_back(static_cast<std::size_t>(experiment.column(rule.column)), rule.threshold);
  }

  void run() {
    if (!initialize()) return;
    const RunSettings& settings = run_.settings;
    result_.status = log(0) ? RunStatus::converged : RunStatus::budget;
    observe(0);
    const auto started = std::chrono::steady_clock::now();
    for (Index t = 0; t < settings.iterations && result_.status != RunStatus::converged; ++t) {
      if (settings.max_seconds > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > settings.max_seconds) {
        result_.status = RunStatus::failed;
        result_.message = fmt::format("timeout: stopped at iteration {} after more than run.max_seconds = {} s", t,
                                      settings.max_seconds);
        break;
      }
      const auto step_started = std::chrono::steady_clock::now();
      const bool finite = step(t);
      step_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - step_started).count();
      if (!finite) break;
      report_progress(t + 1);
      observe(t + 1);
      if ((t + 1) % settings.log_every != 0 && t + 1 != settings.iterations) continue;
      const bool converged = log(t + 1);
      if (diverged(t + 1)) break;
      if (converged) result_.status = RunStatus::converged;
    }
    if (result_.logged_iterations.back() != result_.iterations) log(result_.iterations);  // the final iterate
    summarize();
  }

 private:
  /// The iterations done, to whoever watches (an isolated sweep's parent), at most once a second.
  void report_progress(Index iterations) {
    if (!progress_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_report_ < std::chrono::seconds(1)) return;
    last_report_ = now;
    progress_(iterations);
  }

  /// F_0, and the reference scale of divergence f(0) = sum_i l(-y_i) (no pass over A).
  bool initialize() {
    const MatrixShape& shape = instance_.shape();
    const FactorShape wanted = factorization_plugin_.guard(
        "declaring its blocks", [&] { return factorization_->shape(shape, run_.method.width); });
    if (const std::string why = initializer_->refuses(wanted); !why.empty())
      throw PluginError(fmt::format("{}: {}", init_plugin_.describe(), why));
    RandomStream random(run_.seed, "init");
    factors_ = init_plugin_.guard("initializing", [&] {
      return initializer_->initialize(InitializationData{instance_.measurement(), instance_.observations()},
                                      wanted, random);
    });
    if (factors_.shape() != wanted)
      throw PluginError(fmt::format("{} returned factors of shape {} for {}: expected {}.", init_plugin_.describe(),
                                    factors_.describe(), factorization_plugin_.describe(), wanted.describe()));
    if (const std::string why = optimizer_->refuses(wanted); !why.empty())
      throw PluginError(fmt::format("{}: {}", optimizer_plugin_.describe(), why));
    initial_ = factors_;
    initial_product_ = product();
    initial_largest_entry_ = largest_entry_ = largest_entry(factors_);
    const Vector& y = instance_.observations();
    Vector derivative(y.size());
    if (const std::string why = loss_plugin_.guard("checking the observations", [&] { return loss_->refuses(y); });
        !why.empty())
      throw PluginError(fmt::format("{} cannot fit these observations: {}", loss_plugin_.describe(), why));
    const Vector at_zero = -y;
    loss_at_zero_ = loss_plugin_.guard("evaluating", [&] { return loss_->evaluate_observed(at_zero, y, derivative); });
    if (!factors_.all_finite()) {
      result_.status = RunStatus::diverged;
      result_.message = "the initial factor is not finite";
      return false;
    }
    if (run_.method.on_device()) start_device();
    return true;
  }

  /// The trajectory moves to the device (backend: cuda): the operator, y and F_0 go up once.
  void start_device() {
    std::string why;
    const DeviceBackend* backend = device_backend(why);
    if (!backend) throw Error(why);
    const auto* described = dynamic_cast<const DeviceDescribed*>(&instance_.measurement());
    if (!described)
      throw Error(fmt::format("measurement `{}` does not describe its operator to a device backend; run this method "
                              "with backend: cpu",
                              run_.measurement.name));
    const DeviceForm form = described->device_form();
    const DeviceRunSpec spec = device_run_spec(run_.method);
    if (const std::string refused = backend->refuses(form, spec); !refused.empty())
      throw Error(fmt::format("backend: cuda cannot run this method: {}", refused));
    device_ = backend->start(form, instance_.observations(), factors_, spec);
    synced_ = true;
  }

  /// F_t on the host (a device run copies it down when a metric or the log asks).
  void sync() {
    if (!device_ || synced_) return;
    device_->download(factors_);
    synced_ = true;
  }

  /// F_{t+1}; false (diverged) when it is not finite.
  bool step(Index t) {
    if (device_) {
      device_->step();
      result_.iterations = t + 1;
      synced_ = false;
      if (device_->finite()) return true;
      sync();
      result_.status = RunStatus::diverged;
      result_.message = fmt::format("the iterate overflowed or became NaN on the device at iteration {}; try a "
                                    "smaller step",
                                    t + 1);
      return false;
    }
    optimizer_plugin_.guard("stepping", [&] { optimizer_->step(objective_, factors_, t); });
    result_.iterations = t + 1;
    if (factors_.shape() != initial_.shape() ||
        (!factors_.general() && factors_.left().cols() != factors_.right().cols()))
      throw PluginError(fmt::format("{} changed the factors' shape at iteration {} (now {}, it was {}); "
                                    "an optimizer updates the factors in place and keeps their shape.",
                                    optimizer_plugin_.describe(), t, factors_.describe(),
                                    initial_.describe()));
    if (factors_.all_finite()) {
      largest_entry_ = largest_entry(factors_);
      return true;
    }
    result_.status = RunStatus::diverged;
    // Advice only where it applies: an infinite entry, or entries that had grown by
    // orders of magnitude, mark an overflow, the sign of a step too large; NaN from
    // modest entries is produced by a plugin's arithmetic.
    bool overflow = largest_entry_ > 1e20 * std::max(initial_largest_entry_, 1e-300) || largest_entry_ > 1e100;
    for (std::size_t i = 0; i < factors_.size(); ++i) overflow = overflow || factors_[i].array().isInf().any();
    result_.message =
        overflow ? fmt::format("the iterate overflowed at iteration {}; try a smaller step", t + 1)
                 : fmt::format("the iterate became NaN at iteration {} without overflowing: a plugin (the "
                               "optimizer, the loss or the measurement) produced NaN",
                               t + 1);
    return false;
  }

  /// The metrics of this run name the columns they named when the
  /// configuration was loaded (a row has room for those alone).
  void check_metric_columns() const {
    const std::size_t first = experiment_.columns.size() - [&] {
      std::size_t count = 0;
      for (const auto& [plugin, metric] : metrics_) count += metric->columns().size();
      return std::min(count, experiment_.columns.size());
    }();
    std::size_t column = first, summary = 0;
    for (const auto& [plugin, metric] : metrics_) {
      const auto columns = metric->columns(), summaries = metric->summary_columns();
      bool same = column + columns.size() <= experiment_.columns.size() &&
                  summary + summaries.size() <= experiment_.summary_columns.size();
      for (std::size_t i = 0; same && i < columns.size(); ++i) same = columns[i] == experiment_.columns[column + i];
      for (std::size_t i = 0; same && i < summaries.size(); ++i)
        same = summaries[i] == experiment_.summary_columns[summary + i];
      if (!same)
        throw PluginError(fmt::format("{} names other columns in this run than when the configuration was loaded; a "
                                      "metric's columns are fixed by its parameters.",
                                      plugin->describe()));
      column += columns.size();
      summary += summaries.size();
    }
    if (column != experiment_.columns.size() || summary != experiment_.summary_columns.size())
      throw PluginError("the metrics name fewer columns in this run than when the configuration was loaded.");
  }

  MetricContext context(Index iteration) {
    return {instance_, objective_, product(), initial_product_, iteration, step_, &factors_};
  }

  /// F_t as the thin factors of its product X = L R^T (F_t itself for U U^T and U V^T).
  const FactorSet& product() {
    if (factorization_->direct()) return factors_;
    if (product_iteration_ != result_.iterations) {
      product_ = factorization_plugin_.guard("lifting the blocks", [&] { return lifted(*factorization_, factors_); });
      product_iteration_ = result_.iterations;
    }
    return product_;
  }

  void observe(Index iteration) {
    for (auto& [plugin, metric] : metrics_)
      if (metric->observes_every_iteration()) {
        sync();
        plugin->guard("observing", [&, m = metric.get()] { m->observe(context(iteration)); });
      }
  }

  /// One row of metrics.csv; returns whether a stop rule holds.
  bool log(Index iteration) {
    std::vector<double> row(experiment_.columns.size(), std::nan(""));
    sync();
    row[0] = device_ ? device_->value() : loss_plugin_.guard("evaluating", [&] { return objective_.value(factors_); });
    if (const int column = experiment_.column("test_error"); column >= 0)
      row[static_cast<std::size_t>(column)] = instance_.test_error(product());
    if (const int column = experiment_.column("heldout_rmse"); column >= 0)
      row[static_cast<std::size_t>(column)] = instance_.heldout_rmse(product());
    if (const int column = experiment_.column("validation_rmse"); column >= 0)
      row[static_cast<std::size_t>(column)] = instance_.validation_rmse(product());
    if (factors_.all_finite()) {
      std::size_t column = experiment_.columns.size();
      for (auto it = metrics_.rbegin(); it != metrics_.rend(); ++it) column -= it->second->columns().size();
      for (auto& [plugin, metric] : metrics_) {
        const std::size_t count = metric->columns().size();
        plugin->guard("evaluating", [&, m = metric.get()] { m->evaluate(context(iteration), row.data() + column); });
        column += count;
      }
    }
    if (result_.logged_iterations.empty()) initial_loss_ = row[0];
    const double error = row[error_column_];
    if (result_.logged_iterations.empty() || error < result_.best_error) {
      result_.best_error = error;
      result_.best_error_iteration = iteration;
    }
    result_.final_train_loss = row[0];
    result_.final_error = error;
    result_.logged_iterations.push_back(iteration);
    result_.logged_seconds.push_back(step_seconds_);
    result_.metrics.push_back(std::move(row));
    if (validate(iteration)) return true;
    for (const auto& [column, threshold] : stop_rules_)
      if (result_.metrics.back()[column] <= threshold) return true;
    return false;
  }

  /// The iterate the validation set chooses (the lowest validation_rmse so
  /// far), and early stopping: true once it has not improved for
  /// run.patience logged iterations.
  bool validate(Index iteration) {
    const int column = experiment_.column("validation_rmse");
    if (column < 0) return false;
    const std::vector<double>& row = result_.metrics.back();
    const double value = row[static_cast<std::size_t>(column)];
    if (!std::isfinite(value)) return false;
    if (result_.chosen_iteration < 0 || value < best_validation_ - run_.settings.min_delta) {
      best_validation_ = value;
      result_.chosen_iteration = iteration;
      result_.chosen_error = row[error_column_];
      stale_ = 0;
      return false;
    }
    if (run_.settings.patience <= 0 || ++stale_ < run_.settings.patience) return false;
    result_.message = fmt::format("early stopping at iteration {}: validation_rmse has not improved for {} logged "
                                  "iterations; the validation chose iteration {}",
                                  iteration, run_.settings.patience, result_.chosen_iteration);
    return true;
  }

  /// Divergence at a logged iteration: a non-finite or exploding training
  /// loss. The limit is factor * max(f(F_0), f(0)) for a loss that is not
  /// negative at the start (every built-in one); for an objective negative by
  /// nature (a log-likelihood's), growth by factor * |max| above the start.
  bool diverged(Index iteration) {
    const double train_loss = result_.final_train_loss;
    const double start = std::max(initial_loss_, loss_at_zero_);
    const double limit = start >= 0 ? run_.settings.divergence_factor * start
                                    : start + run_.settings.divergence_factor * std::abs(start);
    if (std::isfinite(train_loss) && train_loss <= limit) return false;
    result_.status = RunStatus::diverged;
    if (std::isnan(train_loss))
      result_.message = fmt::format("the training loss is not a number at iteration {} while the iterate is "
                                    "finite: the loss or the measurement produced NaN",
                                    iteration);
    else
      result_.message = fmt::format("the training loss reached {:.3g} at iteration {} (limit {:.3g}); "
                                    "try a smaller step",
                                    train_loss, iteration, limit);
    return true;
  }

  void summarize() {
    sync();
    // Convergence: the first logged iteration within the tolerance of the best.
    for (std::size_t row = 0; row < result_.metrics.size(); ++row)
      if (result_.metrics[row][error_column_] <= (1 + run_.settings.convergence_within) * result_.best_error) {
        result_.convergence_iteration = result_.logged_iterations[row];
        break;
      }
    result_.summary.assign(experiment_.summary_columns.size(), std::nan(""));
    std::size_t column = 0;
    for (auto& [plugin, metric] : metrics_) {
      const std::size_t count = metric->summary_columns().size();
      if (count > 0)
        plugin->guard("summarizing", [&, m = metric.get()] {
          m->summarize(context(result_.iterations), result_.summary.data() + column);
        });
      column += count;
    }
  }

  const ProgressReport& progress_;
  std::chrono::steady_clock::time_point last_report_{};
  const RunSpec& run_;
  const Experiment& experiment_;
  const ProblemInstance& instance_;
  RunResult& result_;
  const LoadedPlugin& loss_plugin_;
  const LoadedPlugin& init_plugin_;
  const LoadedPlugin& optimizer_plugin_;
  const LoadedPlugin& factorization_plugin_;
  std::shared_ptr<Loss> loss_;
  std::shared_ptr<Initializer> initializer_;
  std::shared_ptr<Optimizer> optimizer_;
  std::shared_ptr<Factorization> factorization_;
  Objective objective_;
  double step_;
  std::size_t error_column_;
  std::vector<std::pair<const LoadedPlugin*, std::shared_ptr<Metric>>> metrics_;
  std::vector<std::pair<std::size_t, double>> stop_rules_;
  FactorSet factors_, initial_;
  FactorSet product_, initial_product_;  // their thin factors {L, R} (general factorizations)
  Index product_iteration_ = -1;         // the iteration product_ was lifted at
  double loss_at_zero_ = 0.0;
  double initial_loss_ = 0.0;
  double initial_largest_entry_ = 0.0, largest_entry_ = 0.0;  // max |entry| of F_0 and of the last finite F_t
  double step_seconds_ = 0.0;  // in the optimizer's steps so far (the time axis)
  double best_validation_ = 0.0;  // the lowest validation_rmse so far (chosen_iteration's)
  Index stale_ = 0;               // logged iterations since it last improved
  std::unique_ptr<DeviceTrajectory> device_;  // backend: cuda: the trajectory, its factors on the device
  bool synced_ = true;                        // factors_ is the device's current iterate
};

}  // namespace

void execute_run(const RunSpec& run, const Experiment& experiment, const ProblemInstance& instance,
                 const PluginRegistry& plugins, Lockstep* lockstep, RunResult& result,
                 const ProgressReport& progress) {
  RunLoop(run, experiment, instance, plugins, lockstep, result, progress).run();
}

}  // namespace ncvx
