// The CUDA device backend (device_backend.hpp): the host side, compiled by
// the C++ compiler, turns an operator's description and the factors into the
// plain arrays of cuda_trajectory.hpp and runs the kernels of
// cuda_kernels.cu. Built only where CMake finds nvcc; loaded at run time.

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/device_math.hpp"
#include "../common/device_plan.hpp"
#include "cuda_trajectory.hpp"

namespace {

using ncvx::DeviceForm;
using ncvx::DeviceRunSpec;
using ncvx::FactorSet;

class CudaTrajectory final : public ncvx::DeviceTrajectory {
 public:
  CudaTrajectory(const DeviceForm& form, const ncvx::Vector& observations, const FactorSet& start,
                 const DeviceRunSpec& spec) {
    // Everything the Problem points to lives until the upload below returns.
    ncvx::cuda::Problem problem;
    problem.layout = static_cast<int>(form.layout);
    problem.symmetric = form.shape.symmetric;
    problem.two_factors = !start.symmetric();
    problem.single = spec.single;
    problem.rows = start.left().rows();
    problem.cols = problem.two_factors ? start.right().rows() : problem.rows;
    problem.measurements = form.measurements;
    problem.length = form.length;
    problem.width = start.width();
    problem.rows_double = form.rows_double;
    problem.rows_single = form.rows_single;
    problem.key0 = form.key[0];
    problem.key1 = form.key[1];
    problem.rows_right = form.rows_right;
    problem.scale = form.scale;
    ncvx::device::Incidences left_list, right_list;
    if (form.layout == DeviceForm::Layout::entries) {
      problem.entry_rows = form.rows.data();
      problem.entry_columns = form.columns.data();
      problem.diagonal_weight = form.diagonal_weight;
      problem.off_diagonal_weight = form.off_diagonal_weight;
      left_list = ncvx::device::incidences(form, true);
      problem.left_start = left_list.start.data();
      problem.left_partner = left_list.partner.data();
      problem.left_entry = left_list.entry.data();
      problem.left_coefficient = left_list.coefficient.data();
      problem.left_incidences = static_cast<std::int64_t>(left_list.partner.size());
      if (problem.two_factors && !problem.symmetric) {
        right_list = ncvx::device::incidences(form, false);
        problem.right_start = right_list.start.data();
        problem.right_partner = right_list.partner.data();
        problem.right_entry = right_list.entry.data();
        problem.right_coefficient = right_list.coefficient.data();
        problem.right_incidences = static_cast<std::int64_t>(right_list.partner.size());
      }
    }
    const std::vector<double> left = ncvx::device::row_major<double>(start.left());
    const std::vector<double> right =
        problem.two_factors ? ncvx::device::row_major<double>(start.right()) : std::vector<double>{};
    problem.observations = observations.data();
    problem.left = left.data();
    problem.right = problem.two_factors ? right.data() : nullptr;
    problem.loss = static_cast<int>(spec.loss);
    problem.delta = spec.delta;
    problem.update = static_cast<int>(spec.update);
    problem.step = spec.step;
    problem.momentum = spec.momentum;
    trajectory_ = std::make_unique<ncvx::cuda::Trajectory>(problem);
  }

  void step() override { trajectory_->step(); }
  bool finite() override { return trajectory_->finite(); }
  double value() override { return trajectory_->value(); }

  void download(FactorSet& factors) override {
    std::vector<double> left(static_cast<std::size_t>(factors.left().size()));
    std::vector<double> right(factors.symmetric() ? 0 : static_cast<std::size_t>(factors.right().size()));
    trajectory_->download(left.data(), right.data());
    ncvx::device::from_row_major(left.data(), factors.left());
    if (!factors.symmetric()) ncvx::device::from_row_major(right.data(), factors.right());
  }

 private:
  std::unique_ptr<ncvx::cuda::Trajectory> trajectory_;
};

class CudaBackend final : public ncvx::DeviceBackend {
 public:
  CudaBackend() { description_ = ncvx::cuda::describe_device(available_); }
  std::string device() const override { return description_; }
  bool available() const override { return available_; }

  std::string refuses(const DeviceForm& form, const DeviceRunSpec& spec) const override {
    return ncvx::device::refuses(form, spec);
  }

  double copy_rate(std::size_t bytes) const override { return ncvx::cuda::copy_rate(bytes); }

  std::unique_ptr<ncvx::DeviceTrajectory> start(const DeviceForm& form, const ncvx::Vector& observations,
                                                const FactorSet& initial, const DeviceRunSpec& spec) const override {
    return std::make_unique<CudaTrajectory>(form, observations, initial, spec);
  }

 private:
  std::string description_;
  bool available_ = false;
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int ncvx_device_backend_abi() { return ncvx::kDeviceBackendAbi; }

extern "C" __attribute__((visibility("default"))) const ncvx::DeviceBackend* ncvx_device_backend() {
  static const CudaBackend backend;
  return &backend;
}
