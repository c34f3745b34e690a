// The emulated device backend: the device trajectory's arithmetic
// (device_math.hpp) run element by element on the host, in the order the
// kernels' sums use where it matters little and sequentially otherwise. It is
// what the tests load (NCVX_DEVICE_BACKEND) to run the whole `backend: cuda`
// path on a machine without a GPU: the run loop's hand-over, the operator's
// description, the packing and the gradients, and the single precision path
// against the double CPU path. It is not a fast path and is not installed.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "../common/device_math.hpp"
#include "../common/device_plan.hpp"

namespace {

using ncvx::DeviceForm;
using ncvx::DeviceRunSpec;
using ncvx::FactorSet;
using ncvx::Index;
using namespace ncvx::device;

/// One trajectory: T the arithmetic's type, R the stored rows' type.
template <class T, class R>
class EmulatedTrajectory final : public ncvx::DeviceTrajectory {
 public:
  EmulatedTrajectory(const DeviceForm& form, const ncvx::Vector& y, const FactorSet& start, const DeviceRunSpec& spec)
      : form_(form), spec_(spec), two_factors_(!start.symmetric()), k_(start.width()) {
    observations_.resize(static_cast<std::size_t>(y.size()));
    for (Index i = 0; i < y.size(); ++i) observations_[static_cast<std::size_t>(i)] = static_cast<T>(y(i));
    if (form.layout == DeviceForm::Layout::dense_rows) {
      if constexpr (std::is_same_v<R, float>) {
        if (form.rows_single) {
          rows_ = form.rows_single;
        } else {  // a double operator run in single precision: a float copy
          copy_.assign(form.rows_double, form.rows_double + form.measurements * form.length);
          rows_ = copy_.data();
        }
      } else {
        rows_ = form.rows_double;
      }
    }
    if (form.layout == DeviceForm::Layout::entries) {
      left_incidences_ = incidences(form, true);
      if (two_factors_ && !form.shape.symmetric) right_incidences_ = incidences(form, false);
    }
    left_ = row_major<T>(start.left());
    if (two_factors_) right_ = row_major<T>(start.right());
    previous_left_ = left_;
    previous_right_ = right_;
    rows_left_ = start.left().rows();
    rows_right_ = two_factors_ ? start.right().rows() : rows_left_;
  }

  void step() override {
    const T beta = static_cast<T>(spec_.momentum), mu = static_cast<T>(spec_.step);
    const int kind = static_cast<int>(spec_.update);
    if (kind == kNesterov) {  // the gradient at the look-ahead point F + beta (F - F_prev)
      ahead_left_.resize(left_.size());
      ahead_right_.resize(right_.size());
      for (std::size_t a = 0; a < left_.size(); ++a) ahead_left_[a] = look_ahead(left_[a], previous_left_[a], beta);
      for (std::size_t a = 0; a < right_.size(); ++a) ahead_right_[a] = look_ahead(right_[a], previous_right_[a], beta);
      evaluate(ahead_left_.data(), two_factors_ ? ahead_right_.data() : ahead_left_.data(), true);
    } else {
      evaluate(left_.data(), two_factors_ ? right_.data() : left_.data(), true);
    }
    auto update = [&](std::vector<T>& factor, std::vector<T>& previous, const std::vector<T>& ahead,
                      const std::vector<T>& gradient) {
      for (std::size_t a = 0; a < factor.size(); ++a) {
        const T current = factor[a];
        factor[a] = updated(kind, current, previous[a], kind == kNesterov ? ahead[a] : T(0), gradient[a], mu, beta);
        previous[a] = current;
      }
    };
    update(left_, previous_left_, ahead_left_, gradient_left_);
    if (two_factors_) update(right_, previous_right_, ahead_right_, gradient_right_);
  }

  bool finite() override {
    for (const T value : left_)
      if (!std::isfinite(value)) return false;
    for (const T value : right_)
      if (!std::isfinite(value)) return false;
    return true;
  }

  double value() override { return evaluate(left_.data(), two_factors_ ? right_.data() : left_.data(), false); }

  void download(FactorSet& factors) override {
    from_row_major(left_.data(), factors.left());
    if (two_factors_) from_row_major(right_.data(), factors.right());
  }

 private:
  /// f at (L, R), and with `gradient` the blocks into gradient_left_ / _right_.
  double evaluate(const T* left, const T* right, bool gradient) {
    const bool symmetric = form_.shape.symmetric;
    const Index m = form_.measurements;
    derivative_.assign(static_cast<std::size_t>(m), T(0));
    T value = T(0);
    const int kind = static_cast<int>(spec_.loss);
    const T delta = static_cast<T>(spec_.delta);
    if (form_.layout == DeviceForm::Layout::entries) {
      const T diagonal = static_cast<T>(form_.diagonal_weight), off = static_cast<T>(form_.off_diagonal_weight);
      for (Index e = 0; e < m; ++e) {
        const auto slot = static_cast<std::size_t>(e);
        const T r = entry_value(Index{form_.rows[slot]}, Index{form_.columns[slot]}, left, right, k_, symmetric,
                                diagonal, off) - observations_[slot];
        value += loss(kind, delta, r, derivative_[slot]);
      }
      if (!gradient) return static_cast<double>(value);
      apply_incidences(left_incidences_, right, gradient_left_, rows_left_);
      if (two_factors_)
        apply_incidences(symmetric ? left_incidences_ : right_incidences_, left, gradient_right_, rows_right_);
    } else if (form_.layout == DeviceForm::Layout::rank_one_rows) {
      const Index n1 = form_.length, n2 = form_.rows_right ? form_.shape.cols : n1;
      const double* right_rows = form_.rows_right ? form_.rows_right : form_.rows_double;
      const T scale = static_cast<T>(form_.scale);
      projected_left_.assign(static_cast<std::size_t>(m * k_), T(0));
      projected_right_.assign(static_cast<std::size_t>(m * k_), T(0));
      for (Index i = 0; i < m; ++i)
        for (Index c = 0; c < k_; ++c) {
          projected_left_[static_cast<std::size_t>(i * k_ + c)] = project_row(form_.rows_double, i, n1, left, k_, c);
          projected_right_[static_cast<std::size_t>(i * k_ + c)] =
              two_factors_ ? project_row(right_rows, i, n2, right, k_, c)
                           : projected_left_[static_cast<std::size_t>(i * k_ + c)];
        }
      for (Index i = 0; i < m; ++i) {
        T dot = T(0);
        for (Index c = 0; c < k_; ++c)
          dot += projected_left_[static_cast<std::size_t>(i * k_ + c)] * projected_right_[static_cast<std::size_t>(i * k_ + c)];
        value += loss(kind, delta, scale * dot - observations_[static_cast<std::size_t>(i)],
                      derivative_[static_cast<std::size_t>(i)]);
      }
      if (!gradient) return static_cast<double>(value);
      gradient_left_.assign(static_cast<std::size_t>(rows_left_ * k_), T(0));
      for (Index p = 0; p < rows_left_; ++p)
        for (Index c = 0; c < k_; ++c)
          gradient_left_[static_cast<std::size_t>(p * k_ + c)] = rank_one_adjoint(
              form_.rows_double, n1, p, derivative_.data(), projected_right_.data(), m, k_, c, scale);
      if (two_factors_) {
        gradient_right_.assign(static_cast<std::size_t>(rows_right_ * k_), T(0));
        for (Index p = 0; p < rows_right_; ++p)
          for (Index c = 0; c < k_; ++c)
            gradient_right_[static_cast<std::size_t>(p * k_ + c)] =
                rank_one_adjoint(right_rows, n2, p, derivative_.data(), projected_left_.data(), m, k_, c, scale);
      }
    } else {
      const Index length = form_.length;
      x_.resize(static_cast<std::size_t>(length));
      for (Index p = 0; p < length; ++p)
        x_[static_cast<std::size_t>(p)] = dense_x(p, left, right, k_, form_.shape.rows, symmetric);
      for (Index i = 0; i < m; ++i) {
        T sum = T(0);
        for (Index p = 0; p < length; ++p) sum += row_entry(i, p) * x_[static_cast<std::size_t>(p)];
        value += loss(kind, delta, sum - observations_[static_cast<std::size_t>(i)], derivative_[static_cast<std::size_t>(i)]);
      }
      if (!gradient) return static_cast<double>(value);
      w_.assign(static_cast<std::size_t>(length), T(0));
      for (Index i = 0; i < m; ++i)
        for (Index p = 0; p < length; ++p)
          w_[static_cast<std::size_t>(p)] += row_entry(i, p) * derivative_[static_cast<std::size_t>(i)];
      dense_gradient(right, gradient_left_, rows_left_, false);
      if (two_factors_) dense_gradient(left, gradient_right_, rows_right_, !symmetric);
    }
    if (!two_factors_)
      for (T& entry : gradient_left_) entry *= T(2);  // X = U U^T: G = 2 A*(d) U
    return static_cast<double>(value);
  }

  T row_entry(Index i, Index p) const {
    if (form_.layout == DeviceForm::Layout::regenerated_rows) {
#ifdef NCVX_HAVE_RANDOM123
      return static_cast<T>(regenerated_entry(form_.key[0], form_.key[1], i, p,
                                              1.0 / std::sqrt(static_cast<double>(form_.measurements))));
#else
      return T(0);  // refused before a trajectory starts
#endif
    }
    return static_cast<T>(rows_[i * form_.length + p]);
  }

  /// G(a, c) = sum_b W(a, b) M(b, c), or W(b, a) with `transposed`.
  void dense_gradient(const T* partner, std::vector<T>& out, Index rows, bool transposed) {
    const bool symmetric = form_.shape.symmetric;
    const Index inner = transposed ? form_.shape.rows : (symmetric ? form_.shape.rows : form_.shape.cols);
    out.assign(static_cast<std::size_t>(rows * k_), T(0));
    for (Index a = 0; a < rows; ++a)
      for (Index c = 0; c < k_; ++c) {
        T sum = T(0);
        for (Index b = 0; b < inner; ++b)
          sum += (transposed ? dense_adjoint(w_.data(), b, a, form_.shape.rows, symmetric)
                             : dense_adjoint(w_.data(), a, b, form_.shape.rows, symmetric)) *
                 partner[b * k_ + c];
        out[static_cast<std::size_t>(a * k_ + c)] = sum;
      }
  }

  void apply_incidences(const Incidences& list, const T* partner, std::vector<T>& out, Index rows) {
    out.assign(static_cast<std::size_t>(rows * k_), T(0));
    for (Index a = 0; a < rows; ++a)
      for (Index c = 0; c < k_; ++c) {
        T sum = T(0);
        for (auto s = list.start[static_cast<std::size_t>(a)]; s < list.start[static_cast<std::size_t>(a) + 1]; ++s) {
          const auto slot = static_cast<std::size_t>(s);
          sum += static_cast<T>(list.coefficient[slot]) * derivative_[static_cast<std::size_t>(list.entry[slot])] *
                 partner[Index{list.partner[slot]} * k_ + c];
        }
        out[static_cast<std::size_t>(a * k_ + c)] = sum;
      }
  }

  DeviceForm form_;
  DeviceRunSpec spec_;
  bool two_factors_;
  Index k_, rows_left_ = 0, rows_right_ = 0;
  const R* rows_ = nullptr;
  std::vector<R> copy_;
  std::vector<T> observations_, left_, right_, previous_left_, previous_right_, ahead_left_, ahead_right_;
  std::vector<T> gradient_left_, gradient_right_, derivative_, x_, w_, projected_left_, projected_right_;
  Incidences left_incidences_, right_incidences_;
};

class EmulatedBackend final : public ncvx::DeviceBackend {
 public:
  std::string device() const override { return "emulated on the host (the tests' backend)"; }
  bool available() const override { return true; }

  std::string refuses(const DeviceForm& form, const DeviceRunSpec& spec) const override {
    return ncvx::device::refuses(form, spec);
  }

  /// The host's memcpy rate (bytes read plus written), on at most 64 MiB.
  double copy_rate(std::size_t bytes) const override {
    bytes = std::min(bytes, std::size_t{64} << 20);
    std::vector<char> from(bytes, 1), to(bytes, 0);
    std::vector<double> seconds;
    for (int repeat = 0; repeat < 5; ++repeat) {
      const auto started = std::chrono::steady_clock::now();
      std::memcpy(to.data(), from.data(), bytes);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    std::sort(seconds.begin(), seconds.end());
    return 2.0 * static_cast<double>(bytes) / seconds[seconds.size() / 2];
  }

  std::unique_ptr<ncvx::DeviceTrajectory> start(const DeviceForm& form, const ncvx::Vector& observations,
                                                const FactorSet& initial, const DeviceRunSpec& spec) const override {
    if (spec.single) return std::make_unique<EmulatedTrajectory<float, float>>(form, observations, initial, spec);
    if (form.layout == DeviceForm::Layout::dense_rows && form.rows_single)
      return std::make_unique<EmulatedTrajectory<double, float>>(form, observations, initial, spec);
    return std::make_unique<EmulatedTrajectory<double, double>>(form, observations, initial, spec);
  }
};

}  // namespace

extern "C" __attribute__((visibility("default"))) int ncvx_device_backend_abi() { return ncvx::kDeviceBackendAbi; }

extern "C" __attribute__((visibility("default"))) const ncvx::DeviceBackend* ncvx_device_backend() {
  static const EmulatedBackend backend;
  return &backend;
}
