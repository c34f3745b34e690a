#pragma once
// Whole trajectories on a device (`backend: cuda` in a method; docs/gpu.md).
//
// A device backend is a shared library, built only where its compiler exists
// (the CUDA one where CMake finds nvcc), loaded at run time like a plugin:
// the CPU build never links it. It runs a method's iterations with the factors
// resident on the device,
//
//   r = A(X(F)) - y,   f = sum_i l(r_i),   G = the gradient blocks (objective.hpp),
//   gd        F <- F - mu G
//   momentum  F <- F - mu G + beta (F - F_prev)   (heavy_ball; nesterov: G at F + beta (F - F_prev))
//
// for the operator layouts of device_form.hpp, the losses squared, l1 and
// huber, and X = U U^T or U V^T. The run loop stays the core's: it asks for
// the iterate only when a metric or the log needs it, and for f from the
// device. `precision: single` runs the operator, the factors and the
// arithmetic in float (half the bytes); `double` keeps the operator's own
// storage and computes in double.
//
// The library exports `ncvx_device_backend_abi` (returning kDeviceBackendAbi;
// anything else is refused with that sentence) and `ncvx_device_backend`
// (returning the backend). NCVX_DEVICE_BACKEND=FILE loads FILE instead of the
// build's CUDA backend: the tests run the whole path through the emulated
// backend, which does the same arithmetic on the host.

#include <memory>
#include <string>

#include "ncvx/device_form.hpp"
#include "ncvx/factor_set.hpp"

namespace ncvx {

inline constexpr int kDeviceBackendAbi = 1;

/// What a device run does: the method in the terms the device knows.
struct DeviceRunSpec {
  enum class Loss { squared, l1, huber };
  enum class Update { gd, heavy_ball, nesterov };
  Loss loss = Loss::squared;
  double delta = 0.0;  ///< huber's
  Update update = Update::gd;
  double step = 0.0, momentum = 0.0;
  bool single = false;  ///< precision: single
};

/// One trajectory with its factors on the device.
class DeviceTrajectory {
 public:
  virtual ~DeviceTrajectory() = default;
  /// F_{t+1} from F_t (the first call is t = 0: F_{-1} = F_0).
  virtual void step() = 0;
  /// Whether every entry of the iterate is finite.
  virtual bool finite() = 0;
  /// f at the current iterate (one forward pass on the device).
  virtual double value() = 0;
  /// The current iterate, into `factors` (its shape is the start's).
  virtual void download(FactorSet& factors) = 0;
};

class DeviceBackend {
 public:
  virtual ~DeviceBackend() = default;
  /// The device, as a sentence ("NVIDIA H200, sm_90, 139 GiB"), or why there
  /// is none: `available` tells which.
  virtual std::string device() const = 0;
  virtual bool available() const = 0;
  /// Why this operator layout, shape or precision cannot run here ("" when it can).
  virtual std::string refuses(const DeviceForm& form, const DeviceRunSpec& spec) const = 0;
  /// The device memory's copy rate in bytes per second (read plus written),
  /// the median of repeated device-to-device copies of `bytes`: the
  /// benchmarks' floor for memory-bound passes.
  virtual double copy_rate(std::size_t bytes) const = 0;
  /// Uploads the operator, y and F_0; the trajectory owns its device memory.
  virtual std::unique_ptr<DeviceTrajectory> start(const DeviceForm& form, const Vector& observations,
                                                  const FactorSet& initial, const DeviceRunSpec& spec) const = 0;
};

/// The build's device backend (or NCVX_DEVICE_BACKEND's), loaded once; null
/// when there is none, with the reason in `why`.
const DeviceBackend* device_backend(std::string& why);

struct MethodSpec;

/// The device's terms for a method that passed read_method_device's checks.
DeviceRunSpec device_run_spec(const MethodSpec& method);

}  // namespace ncvx
