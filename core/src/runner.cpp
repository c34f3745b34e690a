#include "ncvx/runner.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "ncvx/errors.hpp"
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

const std::vector<std::string>& metric_names() {
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
  std::string error;
  std::size_t remaining = 0;
};

std::shared_ptr<const ProblemInstance> build_instance(const RunSpec& run, const PluginRegistry& plugins) {
  const LoadedPlugin& plugin = plugins.find(PluginKind::measurement, run.measurement.name);
  const auto model = plugin.create_measurement(run.measurement.values);
  const std::size_t needed = plugin.guard("estimating its memory", [&] {
    return model->required_bytes(run.problem.dimension);
  });
  const std::size_t available = available_memory();
  if (needed > 0 && available > 0 && needed > available - available / 10)
    throw Error(fmt::format("measurement `{}` at n = {} needs {} for its operator, but only {} "
                            "of memory is available; reduce the problem size or the number of "
                            "measurements.",
                            run.measurement.name, run.problem.dimension, gibibytes(needed),
                            gibibytes(available)));
  RandomStream random(run.seed, "measurement");
  std::shared_ptr<const MeasurementOperator> measurement = plugin.hold(plugin.guard(
      "sampling the measurement operator", [&] { return model->sample(run.problem.dimension, random); }));
  return std::make_shared<const ProblemInstance>(run.problem, std::move(measurement), run.seed);
}

bool finite(const Matrix& U) { return U.allFinite(); }

void execute(const RunSpec& run, const ProblemInstance& instance, const PluginRegistry& plugins,
             RunResult& result) {
  const LoadedPlugin& loss_plugin = plugins.find(PluginKind::loss, run.loss.name);
  const LoadedPlugin& init_plugin = plugins.find(PluginKind::initializer, run.method.initializer.name);
  const LoadedPlugin& optimizer_plugin = plugins.find(PluginKind::optimizer, run.method.optimizer.name);
  const auto loss = loss_plugin.create_loss(run.loss.values);
  const auto initializer = init_plugin.create_initializer(run.method.initializer.values);
  const auto optimizer = optimizer_plugin.create_optimizer(run.method.optimizer.values);

  const MeasurementOperator& A = instance.measurement();
  const Vector& y = instance.observations();
  const Objective objective(A, *loss, y);
  const Index n = instance.dimension(), width = run.method.width;

  // Stage 1: the initial factor.
  RandomStream random(run.seed, "init");
  Matrix U = init_plugin.guard("initializing", [&] {
    return initializer->initialize(InitializationData{A, y}, width, random);
  });
  if (U.rows() != n || U.cols() != width)
    throw PluginError(fmt::format("{} returned a {} x {} factor; expected n x width = {} x {}.",
                                  init_plugin.describe(), U.rows(), U.cols(), n, width));

  // Reference scale for divergence: f(0) = sum_i l(-y_i), no pass over A needed.
  Vector derivative(y.size());
  const double loss_at_zero = loss_plugin.guard("evaluating", [&] {
    return loss->evaluate(-y, derivative);
  });

  auto log = [&](Index iteration) {
    const double train_loss = loss_plugin.guard("evaluating", [&] { return objective.value(U); });
    const double test_error = instance.test_error(U);
    result.logged_iterations.push_back(iteration);
    result.metrics.push_back({train_loss, test_error});
    result.final_train_loss = train_loss;
    result.final_test_error = test_error;
    if (result.logged_iterations.size() == 1 || test_error < result.best_test_error) {
      result.best_test_error = test_error;
      result.best_test_error_iteration = iteration;
    }
    return train_loss;
  };

  if (!finite(U)) {
    result.status = RunStatus::diverged;
    result.message = "the initial factor is not finite";
    return;
  }
  const double initial_loss = log(0);
  const double divergence_limit =
      run.settings.divergence_factor * std::max(initial_loss, loss_at_zero);
  const RunSettings& settings = run.settings;

  auto converged = [&] {
    return (settings.test_error_below > 0 && result.final_test_error <= settings.test_error_below) ||
           (settings.train_loss_below > 0 && result.final_train_loss <= settings.train_loss_below);
  };
  if (converged()) {
    result.status = RunStatus::converged;
    return;
  }

  // Stage 2: the loop.
  result.status = RunStatus::budget;
  for (Index t = 0; t < settings.iterations; ++t) {
    optimizer_plugin.guard("stepping", [&] { optimizer->step(objective, U, t); });
    result.iterations = t + 1;
    const bool last = t + 1 == settings.iterations;
    if (!finite(U)) {
      result.status = RunStatus::diverged;
      result.message = fmt::format("the iterate became non-finite at iteration {}; try a smaller step", t + 1);
      break;  // logged below, as the final iterate
    }
    if ((t + 1) % settings.log_every != 0 && !last) continue;
    const double train_loss = log(t + 1);
    if (!std::isfinite(train_loss) || train_loss > divergence_limit) {
      result.status = RunStatus::diverged;
      result.message = fmt::format("the training loss reached {:.3g} at iteration {} (limit {:.3g}); "
                                   "try a smaller step",
                                   train_loss, t + 1, divergence_limit);
      break;
    }
    if (converged()) {
      result.status = RunStatus::converged;
      break;
    }
  }
  // The final iterate is always logged.
  if (result.logged_iterations.back() != result.iterations) log(result.iterations);
}

}  // namespace

std::vector<RunResult> run_experiment(const Experiment& experiment, const PluginRegistry& plugins,
                                      const RunOptions& options) {
  const std::size_t count = experiment.runs.size();
  std::vector<RunResult> results(count);
  std::map<std::string, InstanceSlot> slots;
  for (const auto& run : experiment.runs) ++slots[run.instance_key].remaining;

  unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(count, 1)));

  std::atomic<std::size_t> next{0};
  std::mutex report_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      const RunSpec& run = experiment.runs[i];
      RunResult& result = results[i];
      result.id = run.id;
      InstanceSlot& slot = slots.at(run.instance_key);
      const auto start = std::chrono::steady_clock::now();
      std::shared_ptr<const ProblemInstance> instance;
      {
        std::lock_guard lock(slot.mutex);
        if (!slot.built) {
          slot.built = true;
          try {
            slot.instance = build_instance(run, plugins);
          } catch (const std::exception& error) {
            slot.error = error.what();
          }
        }
        instance = slot.instance;
      }
      if (!instance) {
        result.status = RunStatus::failed;
        result.message = "building the problem instance failed: " + slot.error;
      } else {
        try {
          execute(run, *instance, plugins, result);
        } catch (const std::exception& error) {
          result.status = RunStatus::failed;
          result.message = error.what();
        }
      }
      result.wall_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      instance.reset();
      {
        std::lock_guard lock(slot.mutex);
        if (--slot.remaining == 0) slot.instance.reset();
      }
      if (options.on_run_finished) {
        std::lock_guard lock(report_mutex);
        options.on_run_finished(run, result);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();
  return results;
}

}  // namespace ncvx
