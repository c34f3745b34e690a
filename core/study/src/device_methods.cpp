// A method's `backend` and `precision` keys (device_backend.hpp). A device
// run is refused when the configuration is loaded, at the key's
// file:line:column, unless everything it names runs on the device:
//
//   factorization  uu, uv
//   optimizer      gd (a constant step: no relative step, line search or row bound), momentum
//   loss           squared, l1, huber
//   measurement    gaussian_sensing (stored in double or float, or regenerated), matrix_completion,
//                  rank_one
//
// and the build has a device backend and the machine a device. Nothing runs
// before that is settled.

#include <algorithm>

#include <fmt/format.h>

#include "config_stages.hpp"
#include "config_values.hpp"
#include "ncvx/study/device_backend.hpp"

namespace ncvx {

DeviceRunSpec device_run_spec(const MethodSpec& method) {
  DeviceRunSpec spec;
  spec.single = method.precision == "single";
  const std::string& loss = method.loss.name;
  spec.loss = loss == "l1" ? DeviceRunSpec::Loss::l1 : loss == "huber" ? DeviceRunSpec::Loss::huber
                                                                        : DeviceRunSpec::Loss::squared;
  if (loss == "huber") spec.delta = method.loss.values.real("delta");
  spec.step = method.optimizer.values.real("step");
  if (method.optimizer.name == "momentum") {
    spec.momentum = method.optimizer.values.real("momentum");
    spec.update = method.optimizer.values.choice("variant") == "nesterov" ? DeviceRunSpec::Update::nesterov
                                                                          : DeviceRunSpec::Update::heavy_ball;
  }
  return spec;
}

namespace detail {

namespace {

bool one_of(const std::string& name, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* candidate) { return name == candidate; });
}

}  // namespace

void read_method_device(const ConfigNode& node, const std::string& section, const ComponentChoice& measurement,
                        MethodSpec& method) {
  const ConfigNode* backend = node.find("backend");
  const ConfigNode* precision = node.find("precision");
  if (backend) {
    const ParameterSpec spec =
        ParameterSpec::choice("backend", "cpu", {"cpu", "cuda"}, "where the iterations run");
    method.backend = std::get<std::string>(parse_value(*backend, spec, section + " backend"));
  }
  if (precision) {
    const ParameterSpec spec = ParameterSpec::choice("precision", "double", {"double", "single"},
                                                     "the device's arithmetic: double, or float throughout");
    method.precision = std::get<std::string>(parse_value(*precision, spec, section + " precision"));
  }
  if (!method.on_device()) {
    if (method.precision == "single")
      fail(precision->location,
           fmt::format("{}: precision: single is the device's float arithmetic (backend: cuda); on the CPU, keep the "
                       "operator in float with measurement.storage: single (the arithmetic stays double)",
                       section));
    return;
  }
  const SourceLocation& where = backend->location;
  std::string why;
  if (!device_backend(why)) fail(where, fmt::format("{}: {}", section, why));
  auto refuse = [&](const std::string& what) {
    fail(where, fmt::format("{}: backend: cuda runs {}; use backend: cpu for this method", section, what));
  };
  if (!one_of(method.factorization.name, {"uu", "uv"}))
    refuse(fmt::format("X = U U^T and X = U V^T, not factorization `{}`", method.factorization.name));
  const ComponentChoice& optimizer = method.optimizer;
  if (optimizer.name == "gd") {
    if (optimizer.values.boolean("relative") || optimizer.values.boolean("line_search") ||
        optimizer.values.real("row_norm_bound") > 0)
      refuse("gd with a constant step (relative, line_search and row_norm_bound stay off)");
  } else if (optimizer.name != "momentum") {
    refuse(fmt::format("the optimizers gd and momentum, not `{}`", optimizer.name));
  }
  if (!one_of(method.loss.name, {"squared", "l1", "huber"}))
    refuse(fmt::format("the losses squared, l1 and huber, not `{}`", method.loss.name));
  if (!one_of(measurement.name, {"gaussian_sensing", "matrix_completion", "rank_one"}))
    refuse(fmt::format("the measurements gaussian_sensing, matrix_completion and rank_one, not `{}`",
                       measurement.name));
}

}  // namespace detail

}  // namespace ncvx
