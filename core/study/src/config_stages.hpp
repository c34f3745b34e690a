#pragma once
// The configuration path, stage by stage (internal to the study). Each stage
// is a function of the previous stage's output; load_experiment (experiment.cpp)
// is their composition:
//
//   1. parse     YAML text (+ overrides)           -> ConfigNode       config_tree.hpp
//   2. validate  the tree against plugin declarations -> ValidatedConfig config_sections.cpp
//                (sections, method labels, seeds, metrics, figures, paths)
//   3. expand    sweep axes into global points, each with its methods'
//                points (every component validated at every point)
//                                                   -> ExpandedSweep    sweep_expansion.cpp
//   4. plan      columns, the error, stop rules against the columns, the run
//                ids of each point, the resolved tree -> Experiment      run_plan.cpp
//
// Every refusal is a ConfigError at the offending node (file:line:column).

#include <string>
#include <vector>

#include "ncvx/study/experiment.hpp"

namespace ncvx::detail {

/// Stage 2's output: the tree (paths made absolute, the sections that may be
/// left out added) and what was read from it outside the sweep.
struct ValidatedConfig {
  ConfigNode root;
  std::string source;
  std::string name;
  std::vector<std::string> labels;  ///< the methods' labels, in order
  SeedList seeds;
  std::vector<ComponentChoice> metrics;
  std::vector<FigureSpec> figures;
  std::string table = "quartiles";  ///< run.table
};

/// A global point while it is read: the sweep point, and what the plan still
/// needs of it.
struct GlobalPoint {
  SweepPoint sweep;
  ComponentChoice loss;              ///< the methods' default loss
  ParameterValues run_values;
  std::vector<StopRule> stop_rules;  ///< run.stop as written (checked against the columns in stage 4)
};

/// Stage 3's output.
struct ExpandedSweep {
  std::vector<std::string> axes;      ///< swept axis names, in column order
  std::vector<ProblemChoice> problems;
  std::vector<GlobalPoint> points;
  std::string error;                  ///< run.error as written (one value over the sweep)
};

/// A method's `backend` and `precision` (device_methods.cpp): checked against
/// the build, the device and what a device runs, at the keys' locations.
void read_method_device(const ConfigNode& node, const std::string& section, const ComponentChoice& measurement,
                        MethodSpec& method);

ValidatedConfig validate_configuration(ConfigNode root, const std::string& source, const PluginRegistry& plugins);
ExpandedSweep expand_sweep(const ValidatedConfig& config, const PluginRegistry& plugins);
Experiment plan_runs(ValidatedConfig config, ExpandedSweep sweep, const PluginRegistry& plugins);

}  // namespace ncvx::detail
