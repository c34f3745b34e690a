#pragma once
// What a device backend prepares on the host before a trajectory starts,
// shared by the CUDA and the emulated backends: the refusals, the factors in
// the device's row-major layout, and for the entries layout the incidence
// lists through which A*(d) is applied row by row in a fixed order
// (device_math.hpp).

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <ncvx/device_form.hpp>
#include <ncvx/factor_set.hpp>
#include <ncvx/study/device_backend.hpp>

namespace ncvx::device {

/// Row a's incidences are [start[a], start[a + 1]): partner row b, entry e, coefficient.
struct Incidences {
  std::vector<std::int64_t> start;
  std::vector<std::int32_t> partner;
  std::vector<std::int64_t> entry;
  std::vector<double> coefficient;
};

/// The incidences of the rows of one gradient block (`left`: G_L's rows, else
/// G_R's), in measurement order within a row. Rectangular: (i_e <- j_e, w_e)
/// for G_L, (j_e <- i_e, w_e) for G_R; symmetric: both (i_e <- j_e) and
/// (j_e <- i_e) with w_e / 2, for either block.
inline Incidences incidences(const DeviceForm& form, bool left) {
  const bool symmetric = form.shape.symmetric;
  const Index rows = left || symmetric ? form.shape.rows : form.shape.cols;
  Incidences list;
  list.start.assign(static_cast<std::size_t>(rows + 1), 0);
  const std::size_t count = form.rows.size();
  auto each = [&](auto&& visit) {
    for (std::size_t e = 0; e < count; ++e) {
      const std::int32_t i = form.rows[e], j = form.columns[e];
      const double weight = i == j ? form.diagonal_weight : form.off_diagonal_weight;
      if (symmetric) {
        visit(i, j, e, 0.5 * weight);
        visit(j, i, e, 0.5 * weight);
      } else if (left) {
        visit(i, j, e, weight);
      } else {
        visit(j, i, e, weight);
      }
    }
  };
  each([&](std::int32_t a, std::int32_t, std::size_t, double) { ++list.start[static_cast<std::size_t>(a) + 1]; });
  for (std::size_t a = 0; a < static_cast<std::size_t>(rows); ++a) list.start[a + 1] += list.start[a];
  const auto total = static_cast<std::size_t>(list.start.back());
  list.partner.resize(total);
  list.entry.resize(total);
  list.coefficient.resize(total);
  std::vector<std::int64_t> next(list.start.begin(), list.start.end() - 1);
  each([&](std::int32_t a, std::int32_t b, std::size_t e, double coefficient) {
    const auto slot = static_cast<std::size_t>(next[static_cast<std::size_t>(a)]++);
    list.partner[slot] = b;
    list.entry[slot] = static_cast<std::int64_t>(e);
    list.coefficient[slot] = coefficient;
  });
  return list;
}

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// M (n x k) in the device's layout: row-major, in T.
template <class T>
std::vector<T> row_major(const Matrix& M) {
  std::vector<T> out(static_cast<std::size_t>(M.size()));
  Eigen::Map<RowMajor<T>>(out.data(), M.rows(), M.cols()) = M.cast<T>();
  return out;
}

/// M from the device's layout (M's size is kept).
template <class T>
void from_row_major(const T* data, Matrix& M) {
  M = Eigen::Map<const RowMajor<T>>(data, M.rows(), M.cols()).template cast<double>();
}

/// Why a backend cannot run this form and spec ("" when it can); a backend
/// built without Random123 cannot regenerate an operator.
inline std::string refuses(const DeviceForm& form, const DeviceRunSpec&) {
#ifdef NCVX_HAVE_RANDOM123
  constexpr bool have_philox = true;
#else
  constexpr bool have_philox = false;
#endif
  if (form.layout == DeviceForm::Layout::regenerated_rows && !have_philox)
    return "the regenerated operator needs Random123 (Debian librandom123-dev) when the backend is built";
  if (form.layout == DeviceForm::Layout::dense_rows && !form.rows_double && !form.rows_single)
    return "the operator described no rows";
  if (form.layout == DeviceForm::Layout::entries && form.rows.size() != static_cast<std::size_t>(form.measurements))
    return "the operator described a different number of entries than measurements";
  return "";
}

}  // namespace ncvx::device
