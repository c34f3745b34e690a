#include "ncvx/runner.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "ncvx/diagnostics.hpp"
#include "ncvx/errors.hpp"
#include "ncvx/lockstep.hpp"
#include "ncvx/plugin_registry.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::converged: return "converged";
    case RunStatus::budget: return "budget";
    case RunStatus::diverged: return "diverged";
    case RunStatus::failed: return "failed";
  }
  return "?";
}

const std::vector<std::string>& core_metric_names() {
  static const std::vector<std::string> names = {"train_loss", "test_error"};
  return names;
}

namespace {

/// Bytes of memory the system can still give us (MemAvailable), or 0 if unknown.
std::size_t available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::size_t kilobytes = 0;
  std::string unit;
  while (meminfo >> key >> kilobytes >> unit)
    if (key == "MemAvailable:") return kilobytes * 1024;
  return 0;
}

std::string gibibytes(std::size_t bytes) {
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

/// The shared problem instance of a group of runs, built by the first run
/// that needs it and released when the last one is done.
struct InstanceSlot {
  std::mutex mutex;
  bool built = false;
  std::shared_ptr<const ProblemInstance> instance;
  double spectral_lambda_r = std::nan("");
  std::string error;
  std::size_t remaining = 0;
};

/// lambda_r(A*(y)) for moderate n (dense eigenvalues), NaN otherwise.
double spectral_lambda_r(const ProblemInstance& instance) {
  if (instance.dimension() > 1000) return std::nan("");
  const Matrix M = instance.measurement().adjoint(instance.observations());
  const Eigen::SelfAdjointEigenSolver<Matrix> solver(M, Eigen::EigenvaluesOnly);
  const Vector& values = solver.eigenvalues();  // ascending
  return values(values.size() - instance.spec().rank);
}

std::shared_ptr<const ProblemInstance> build_instance(const RunSpec& run, const PluginRegistry& plugins) {
  const LoadedPlugin& plugin = plugins.find(PluginKind::measurement, run.measurement.name);
  // The operator's size was checked against the available memory before any run started.
  const auto model = plugin.create_measurement(run.measurement.values);
  RandomStream random(run.seed, "measurement");
  std::shared_ptr<const MeasurementOperator> measurement = plugin.hold(plugin.guard(
      "sampling the measurement operator", [&] { return model->sample(run.problem.dimension, random); }));
  return std::make_shared<const ProblemInstance>(run.problem, std::move(measurement), run.seed);
}

/// The optimizer's `step` parameter, when it declares a real one.
double step_of(const RunSpec& run, const PluginRegistry& plugins) {
  for (const auto& spec : plugins.find(PluginKind::optimizer, run.method.optimizer.name).info().parameters)
    if (spec.name == "step" && spec.type == ParameterType::real)
      return run.method.optimizer.values.real("step");
  return std::nan("");
}

void execute(const RunSpec& run, const Experiment& experiment, const ProblemInstance& instance,
             const PluginRegistry& plugins, std::size_t columns, RunResult& result,
             Lockstep* lockstep) {
  const LoadedPlugin& loss_plugin = plugins.find(PluginKind::loss, run.loss.name);
  const LoadedPlugin& init_plugin = plugins.find(PluginKind::initializer, run.method.initializer.name);
  const LoadedPlugin& optimizer_plugin = plugins.find(PluginKind::optimizer, run.method.optimizer.name);
  const auto loss = loss_plugin.create_loss(run.loss.values);
  const auto initializer = init_plugin.create_initializer(run.method.initializer.values);
  const auto optimizer = optimizer_plugin.create_optimizer(run.method.optimizer.values);
  std::vector<std::pair<const LoadedPlugin*, std::shared_ptr<Metric>>> metrics;
  for (const auto& choice : experiment.metrics) {
    const LoadedPlugin& plugin = plugins.find(PluginKind::metric, choice.name);
    metrics.emplace_back(&plugin, plugin.create_metric(choice.values));
  }

  const MeasurementOperator& A = instance.measurement();
  const Vector& y = instance.observations();
  Objective objective(A, *loss, y);
  objective.join(lockstep);
  const Index n = instance.dimension(), width = run.method.width;
  const double step = step_of(run, plugins);
  result.predicted_iterations_per_decade = std::log(10.0) / std::log1p(step * result.spectral_lambda_r);
  const double sigma_r = instance.eigenvalues()(instance.eigenvalues().size() - 1);
  result.predicted_iterations_per_decade_sigma_r = std::log(10.0) / std::log1p(step * sigma_r);

  // Stage 1: the initial factor.
  RandomStream random(run.seed, "init");
  Matrix U = init_plugin.guard("initializing", [&] {
    return initializer->initialize(InitializationData{A, y}, width, random);
  });
  if (U.rows() != n || U.cols() != width)
    throw PluginError(fmt::format("{} returned a {} x {} factor; expected n x width = {} x {}.",
                                  init_plugin.describe(), U.rows(), U.cols(), n, width));
  const Matrix initial = U;

  // Reference scale for divergence: f(0) = sum_i l(-y_i), no pass over A needed.
  Vector derivative(y.size());
  const double loss_at_zero = loss_plugin.guard("evaluating", [&] {
    return loss->evaluate(-y, derivative);
  });

  auto log = [&](Index iteration) {
    const double train_loss = loss_plugin.guard("evaluating", [&] { return objective.value(U); });
    const double test_error = instance.test_error(U);
    std::vector<double> row(columns, std::nan(""));
    row[0] = train_loss;
    row[1] = test_error;
    if (U.allFinite()) {
      const MetricContext context{instance, objective, U, initial, iteration, step};
      std::size_t column = core_metric_names().size();
      for (auto& [plugin, metric] : metrics) {
        const std::size_t count = metric->columns().size();
        plugin->guard("evaluating", [&] { metric->evaluate(context, row.data() + column); });
        column += count;
      }
    }
    result.logged_iterations.push_back(iteration);
    result.metrics.push_back(std::move(row));
    result.final_train_loss = train_loss;
    result.final_test_error = test_error;
    if (result.logged_iterations.size() == 1 || test_error < result.best_test_error) {
      result.best_test_error = test_error;
      result.best_test_error_iteration = iteration;
    }
    return train_loss;
  };

  // Phase boundaries, checked at every iteration until both are found.
  auto track_phases = [&](Index iteration) {
    if (result.alignment_iteration >= 0 && result.fit_iteration >= 0) return;
    const SignalNoise split = signal_noise(instance.eigenvectors(), U, /*with_noise=*/false);
    if (result.alignment_iteration < 0 && split.alignment <= experiment.phases.alignment_below)
      result.alignment_iteration = iteration;
    if (result.fit_iteration < 0 && split.signal * split.signal >= experiment.phases.fit_fraction * sigma_r)
      result.fit_iteration = iteration;
  };

  if (!U.allFinite()) {
    result.status = RunStatus::diverged;
    result.message = "the initial factor is not finite";
    return;
  }
  const double initial_loss = log(0);
  track_phases(0);
  const double divergence_limit =
      run.settings.divergence_factor * std::max(initial_loss, loss_at_zero);
  const RunSettings& settings = run.settings;

  auto converged = [&] {
    return (settings.test_error_below > 0 && result.final_test_error <= settings.test_error_below) ||
           (settings.train_loss_below > 0 && result.final_train_loss <= settings.train_loss_below);
  };

  // Stage 2: the loop.
  result.status = converged() ? RunStatus::converged : RunStatus::budget;
  for (Index t = 0; t < settings.iterations && result.status != RunStatus::converged; ++t) {
    optimizer_plugin.guard("stepping", [&] { optimizer->step(objective, U, t); });
    result.iterations = t + 1;
    const bool last = t + 1 == settings.iterations;
    if (!U.allFinite()) {
      result.status = RunStatus::diverged;
      result.message = fmt::format("the iterate became non-finite at iteration {}; try a smaller step", t + 1);
      break;  // logged below, as the final iterate
    }
    track_phases(t + 1);
    if ((t + 1) % settings.log_every != 0 && !last) continue;
    const double train_loss = log(t + 1);
    if (!std::isfinite(train_loss) || train_loss > divergence_limit) {
      result.status = RunStatus::diverged;
      result.message = fmt::format("the training loss reached {:.3g} at iteration {} (limit {:.3g}); "
                                   "try a smaller step",
                                   train_loss, t + 1, divergence_limit);
      break;
    }
    if (converged()) result.status = RunStatus::converged;
  }
  // The final iterate is always logged.
  if (result.logged_iterations.back() != result.iterations) log(result.iterations);

  // Convergence: the first logged iteration within the tolerance of the best.
  for (std::size_t row = 0; row < result.metrics.size(); ++row)
    if (result.metrics[row][1] <= (1 + experiment.phases.convergence_within) * result.best_test_error) {
      result.convergence_iteration = result.logged_iterations[row];
      break;
    }
}

}  // namespace

ExperimentResults run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                 const RunOptions& options) {
  const std::size_t count = experiment.runs.size();
  ExperimentResults output;
  output.columns = core_metric_names();
  for (const auto& choice : experiment.metrics) {
    const LoadedPlugin& plugin = plugins.find(PluginKind::metric, choice.name);
    const auto metric = plugin.create_metric(choice.values);
    for (const auto& column : plugin.guard("naming its columns", [&] { return metric->columns(); }))
      output.columns.push_back(column);
  }
  std::vector<RunResult>& results = output.runs;
  results.resize(count);
  std::map<std::string, InstanceSlot> slots;
  for (const auto& run : experiment.runs) ++slots[run.instance_key].remaining;

  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

  // Work items: single runs, or groups of runs that advance in lockstep.
  std::vector<std::vector<std::size_t>> items;
  {
    std::map<std::string, std::vector<std::size_t>> groups;
    std::vector<std::string> order;
    for (std::size_t i = 0; i < count; ++i) {
      const RunSpec& run = experiment.runs[i];
      std::string key = run.instance_key + " loss=" + run.loss.name;
      for (const auto& [name, value] : run.loss.values.all()) key += " " + name + "=" + to_string(value);
      if (!groups.count(key)) order.push_back(key);
      groups[key].push_back(i);
    }
    // Per group, before anything is allocated: refuse an operator that cannot
    // fit, and decide whether the group's runs advance in lockstep.
    const std::size_t available = available_memory();
    for (const auto& key : order) {
      const std::vector<std::size_t>& group = groups[key];
      const RunSpec& first = experiment.runs[group.front()];
      const auto model = plugins.find(PluginKind::measurement, first.measurement.name)
                             .create_measurement(first.measurement.values);
      const std::size_t needed = model->required_bytes(first.problem.dimension);
      if (needed > 0 && available > 0 && needed > available - available / 10)
        throw Error(fmt::format("measurement `{}` at n = {} needs {} for its operator, but only {} of "
                                "memory is available; reduce the problem size or the number of "
                                "measurements (or use a more compact storage).",
                                first.measurement.name, first.problem.dimension, gibibytes(needed),
                                gibibytes(available)));
      const bool together = options.lockstep > 1 && group.size() > 1 && model->shares_passes() &&
                            needed >= (std::size_t{16} << 20);
      const std::size_t size = together ? options.lockstep : 1;
      for (std::size_t at = 0; at < group.size(); at += size)
        items.emplace_back(group.begin() + static_cast<std::ptrdiff_t>(at),
                           group.begin() + static_cast<std::ptrdiff_t>(std::min(at + size, group.size())));
    }
  }
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(items.size(), 1)));

  std::mutex report_mutex;
  // Runs one run; with a lockstep, as one of its participants.
  auto run_one = [&](std::size_t i, Lockstep* lockstep, const ProblemInstance* instance,
                     const std::string& instance_error, std::chrono::steady_clock::time_point start) {
    const RunSpec& run = experiment.runs[i];
    RunResult& result = results[i];
    result.id = run.id;
    if (!instance) {
      result.status = RunStatus::failed;
      result.message = "building the problem instance failed: " + instance_error;
    } else {
      try {
        execute(run, experiment, *instance, plugins, output.columns.size(), result, lockstep);
      } catch (const std::exception& error) {
        result.status = RunStatus::failed;
        result.message = error.what();
      }
    }
    if (lockstep) lockstep->leave();
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.on_run_finished) {
      std::lock_guard lock(report_mutex);
      options.on_run_finished(run, result);
    }
  };

  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t w = next++; w < items.size(); w = next++) {
      const std::vector<std::size_t>& item = items[w];
      const RunSpec& first = experiment.runs[item.front()];
      InstanceSlot& slot = slots.at(first.instance_key);
      const auto start = std::chrono::steady_clock::now();
      std::shared_ptr<const ProblemInstance> instance;
      {
        std::lock_guard lock(slot.mutex);
        if (!slot.built) {
          slot.built = true;
          try {
            slot.instance = build_instance(first, plugins);
            slot.spectral_lambda_r = spectral_lambda_r(*slot.instance);
          } catch (const std::exception& error) {
            slot.error = error.what();
          }
        }
        instance = slot.instance;
      }
      for (std::size_t i : item) results[i].spectral_lambda_r = slot.spectral_lambda_r;

      if (item.size() == 1 || !instance) {
        for (std::size_t i : item) run_one(i, nullptr, instance.get(), slot.error, start);
      } else {
        // One participant thread per run; the lockstep's loss is the group's.
        std::shared_ptr<Loss> loss;
        try {
          loss = plugins.find(PluginKind::loss, first.loss.name).create_loss(first.loss.values);
        } catch (const std::exception& error) {
          for (std::size_t i : item) run_one(i, nullptr, nullptr, error.what(), start);
        }
        if (loss) {
          Lockstep lockstep(instance->measurement(), *loss, instance->observations(), item.size());
          std::vector<std::thread> participants;
          for (std::size_t i : item)
            participants.emplace_back([&, i] { run_one(i, &lockstep, instance.get(), slot.error, start); });
          for (auto& participant : participants) participant.join();
        }
      }
      instance.reset();
      {
        std::lock_guard lock(slot.mutex);
        slot.remaining -= item.size();
        if (slot.remaining == 0) slot.instance.reset();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return output;
}

}  // namespace ncvx
