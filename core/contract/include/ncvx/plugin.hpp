#pragma once
// Writing a plugin: implement one interface (Problem, Corruption,
// MeasurementModel, Loss, Initializer, Optimizer, Metric or Factorization), give the class a constructor from
// ParameterValues and a static `parameters()`, and register it once:
//
//   class SquaredLoss final : public ncvx::Loss {
//    public:
//     explicit SquaredLoss(const ncvx::ParameterValues&) {}
//     static std::vector<ncvx::ParameterSpec> parameters() { return {}; }
//     double evaluate(ncvx::ConstVectorView r, ncvx::VectorView d) const override {
//       d = 0.5 * r;
//       return 0.25 * r.squaredNorm();
//     }
//   };
//   NCVX_PLUGIN(SquaredLoss, "squared", "l(r) = r^2/4: f(U) = 1/4 |A(UU^T) - y|^2", "1.0.0")
//
// Build it with ncvx_add_plugin() (cmake/NcvxPlugin.cmake). The macro exports
// exactly two C entry points: `ncvx_plugin_abi` (the ABI record, read first)
// and `ncvx_plugin_definition` (kind, name, parameters, factory).

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ncvx/abi.hpp"
#include "ncvx/corruption.hpp"
#include "ncvx/factorization.hpp"
#include "ncvx/initializer.hpp"
#include "ncvx/loss.hpp"
#include "ncvx/measurement_model.hpp"
#include "ncvx/metric.hpp"
#include "ncvx/optimizer.hpp"
#include "ncvx/parameters.hpp"
#include "ncvx/problem.hpp"

namespace ncvx {

enum class PluginKind { problem, corruption, measurement, loss, initializer, optimizer, metric, factorization };

/// "problem", "corruption", "measurement", "loss", "initializer", "optimizer", "metric", "factorization".
const char* to_string(PluginKind kind);

struct PluginInfo {
  PluginKind kind = PluginKind::loss;
  std::string name;
  std::string summary;
  std::string version;
  std::vector<ParameterSpec> parameters;
};

/// What `ncvx_plugin_definition` returns: the description and exactly one
/// factory, the one matching `info.kind`.
struct PluginDefinition {
  PluginInfo info;
  std::unique_ptr<Problem> (*create_problem)(const ParameterValues&) = nullptr;
  std::unique_ptr<Corruption> (*create_corruption)(const ParameterValues&) = nullptr;
  std::unique_ptr<MeasurementModel> (*create_measurement)(const ParameterValues&) = nullptr;
  std::unique_ptr<Loss> (*create_loss)(const ParameterValues&) = nullptr;
  std::unique_ptr<Initializer> (*create_initializer)(const ParameterValues&) = nullptr;
  std::unique_ptr<Optimizer> (*create_optimizer)(const ParameterValues&) = nullptr;
  std::unique_ptr<Metric> (*create_metric)(const ParameterValues&) = nullptr;
  std::unique_ptr<Factorization> (*create_factorization)(const ParameterValues&) = nullptr;
};

template <class Plugin>
PluginDefinition define_plugin(std::string name, std::string summary, std::string version) {
  PluginDefinition definition;
  definition.info.name = std::move(name);
  definition.info.summary = std::move(summary);
  definition.info.version = std::move(version);
  definition.info.parameters = Plugin::parameters();
  if constexpr (std::is_base_of_v<Problem, Plugin>) {
    definition.info.kind = PluginKind::problem;
    definition.create_problem = [](const ParameterValues& values) -> std::unique_ptr<Problem> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<Corruption, Plugin>) {
    definition.info.kind = PluginKind::corruption;
    definition.create_corruption = [](const ParameterValues& values) -> std::unique_ptr<Corruption> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<MeasurementModel, Plugin>) {
    definition.info.kind = PluginKind::measurement;
    definition.create_measurement = [](const ParameterValues& values) -> std::unique_ptr<MeasurementModel> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<Loss, Plugin>) {
    definition.info.kind = PluginKind::loss;
    definition.create_loss = [](const ParameterValues& values) -> std::unique_ptr<Loss> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<Initializer, Plugin>) {
    definition.info.kind = PluginKind::initializer;
    definition.create_initializer = [](const ParameterValues& values) -> std::unique_ptr<Initializer> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<Metric, Plugin>) {
    definition.info.kind = PluginKind::metric;
    definition.create_metric = [](const ParameterValues& values) -> std::unique_ptr<Metric> {
      return std::make_unique<Plugin>(values);
    };
  } else if constexpr (std::is_base_of_v<Factorization, Plugin>) {
    definition.info.kind = PluginKind::factorization;
    definition.create_factorization = [](const ParameterValues& values) -> std::unique_ptr<Factorization> {
      return std::make_unique<Plugin>(values);
    };
  } else {
    static_assert(std::is_base_of_v<Optimizer, Plugin>,
                  "a plugin class derives from Problem, Corruption, MeasurementModel, Loss, "
                  "Initializer, Optimizer, Metric or Factorization");
    definition.info.kind = PluginKind::optimizer;
    definition.create_optimizer = [](const ParameterValues& values) -> std::unique_ptr<Optimizer> {
      return std::make_unique<Plugin>(values);
    };
  }
  return definition;
}

}  // namespace ncvx

#define NCVX_PLUGIN_EXPORT __attribute__((visibility("default")))

#define NCVX_PLUGIN(PluginClass, NAME, SUMMARY, VERSION)                                  \
  extern "C" NCVX_PLUGIN_EXPORT const ncvx_abi_record* ncvx_plugin_abi() {                \
    static const ncvx_abi_record record = NCVX_ABI_RECORD_INITIALIZER;                   \
    return &record;                                                                       \
  }                                                                                       \
  extern "C" NCVX_PLUGIN_EXPORT const ::ncvx::PluginDefinition* ncvx_plugin_definition() { \
    static const ::ncvx::PluginDefinition definition =                                    \
        ::ncvx::define_plugin<PluginClass>(NAME, SUMMARY, VERSION);                       \
    return &definition;                                                                   \
  }
