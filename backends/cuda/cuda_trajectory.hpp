#pragma once
// The CUDA side of a device trajectory, in plain types (no Eigen, no ncvx
// headers) so that only this and cuda_kernels.cu go through nvcc; the host
// side (cuda_backend.cpp) turns the operator's description and the factors
// into these arrays.

#include <cstdint>
#include <memory>
#include <string>

namespace ncvx::cuda {

/// A trajectory's data, on the host; copied to the device by Trajectory.
struct Problem {
  int layout = 0;  ///< 0 dense rows, 1 regenerated rows, 2 entries, 3 rank-one rows (DeviceForm::Layout)
  bool symmetric = false, two_factors = false, single = false;
  std::int64_t rows = 0, cols = 0, measurements = 0, length = 0, width = 0;
  const double* rows_double = nullptr;  ///< dense rows (one of the two)
  const float* rows_single = nullptr;
  std::uint64_t key0 = 0, key1 = 0;
  const double* rows_right = nullptr;  ///< rank-one rows: the b_i (null: b_i = a_i, in rows_double)
  double scale = 1.0;
  const std::int32_t* entry_rows = nullptr;  ///< entries: (i_e, j_e)
  const std::int32_t* entry_columns = nullptr;
  double diagonal_weight = 1.0, off_diagonal_weight = 1.0;
  /// entries: incidence lists of G_L's rows and (rectangular, two factors) G_R's
  const std::int64_t* left_start = nullptr;
  const std::int32_t* left_partner = nullptr;
  const std::int64_t* left_entry = nullptr;
  const double* left_coefficient = nullptr;
  std::int64_t left_incidences = 0;
  const std::int64_t* right_start = nullptr;
  const std::int32_t* right_partner = nullptr;
  const std::int64_t* right_entry = nullptr;
  const double* right_coefficient = nullptr;
  std::int64_t right_incidences = 0;
  const double* observations = nullptr;  ///< y (m)
  const double* left = nullptr;          ///< F_0, row-major rows x width
  const double* right = nullptr;         ///< cols x width, two factors only
  int loss = 0;                          ///< device_math.hpp's LossKind
  double delta = 0.0;
  int update = 0;                        ///< UpdateKind
  double step = 0.0, momentum = 0.0;
};

class Trajectory {
 public:
  explicit Trajectory(const Problem& problem);  ///< throws std::runtime_error with the CUDA error's text
  ~Trajectory();
  void step();
  bool finite();
  double value();
  /// The iterate, row-major, into left (rows x width) and right (cols x width).
  void download(double* left, double* right);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// "NVIDIA H200, sm_90, 139 GiB" with `available`, or why no device answers.
std::string describe_device(bool& available);

/// Bytes read plus written per second by device-to-device copies of `bytes`
/// (the median of ten, after one to warm up), timed with CUDA events.
double copy_rate(std::size_t bytes);

}  // namespace ncvx::cuda
