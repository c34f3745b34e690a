// The kernels of a device trajectory (cuda_trajectory.hpp): every element's
// arithmetic is device_math.hpp's, shared with the emulated backend; here are
// the launches and the sums. Every sum has a fixed order (one block per row
// with a fixed tree, chunks of rows added in chunk order, one block for the
// loss value), so a trajectory's numbers do not change from run to run on
// one device. Simple and correct first: the dense rows take two passes (the
// forward dot products, then the adjoint's column sums over row chunks).

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/device_math.hpp"
#include "cuda_trajectory.hpp"

namespace ncvx::cuda {

namespace {

using ncvx::device::Index;
namespace math = ncvx::device;

constexpr int kThreads = 256;
constexpr Index kChunkRows = 256;  // rows per partial column sum in the adjoint

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
}

void check_launch(const char* what) {
  check(cudaGetLastError(), what);
}

unsigned blocks_for(Index count) {
  const Index blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 16 ? 65535 * 16 : blocks));
}

/// Device memory of `count` T, freed with the object.
template <class T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(Index count) { allocate(count); }
  ~Buffer() {
    if (data_) cudaFree(data_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void allocate(Index count) {
    if (data_) cudaFree(data_);
    data_ = nullptr;
    count_ = count;
    if (count > 0) check(cudaMalloc(&data_, static_cast<std::size_t>(count) * sizeof(T)), "allocating device memory");
  }
  template <class S>
  void upload(const S* host, Index count) {
    allocate(count);
    if (count == 0) return;
    const std::size_t bytes = static_cast<std::size_t>(count) * sizeof(T);
    if constexpr (std::is_same_v<S, T>) {
      check(cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice), "copying to the device");
    } else {
      const std::vector<T> converted(host, host + count);
      check(cudaMemcpy(data_, converted.data(), bytes, cudaMemcpyHostToDevice), "copying to the device");
    }
  }
  void copy_from(const Buffer& other) {
    check(cudaMemcpy(data_, other.data_, static_cast<std::size_t>(count_) * sizeof(T), cudaMemcpyDeviceToDevice),
          "copying on the device");
  }
  T* data() const { return data_; }
  Index size() const { return count_; }

 private:
  T* data_ = nullptr;
  Index count_ = 0;
};

/// The entries of S, stored (in S) or regenerated.
template <class S, class T>
struct StoredRows {
  const S* rows;
  Index length;
  __device__ T operator()(Index i, Index p) const { return static_cast<T>(rows[i * length + p]); }
};

template <class T>
struct RegeneratedRows {
  std::uint64_t key0, key1;
  double deviation;
  __device__ T operator()(Index i, Index p) const {
#ifdef NCVX_HAVE_RANDOM123
    return static_cast<T>(math::regenerated_entry(key0, key1, i, p, deviation));
#else
    return T(0);
#endif
  }
};

/// The block's values summed in a fixed tree (blockDim.x = Threads).
template <class T, int Threads = kThreads>
__device__ T block_sum(T value, T* shared) {
  shared[threadIdx.x] = value;
  __syncthreads();
  for (int half = Threads / 2; half > 0; half /= 2) {
    if (static_cast<int>(threadIdx.x) < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  const T total = shared[0];
  __syncthreads();
  return total;
}

template <class T>
__global__ void dense_x_kernel(T* x, const T* left, const T* right, Index k, Index rows, bool symmetric, Index length) {
  for (Index p = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; p < length;
       p += static_cast<Index>(gridDim.x) * blockDim.x)
    x[p] = math::dense_x(p, left, right, k, rows, symmetric);
}

/// Rank-one rows: out(i, c) = <a_i, F(:, c)> (the projection P = A F).
template <class T>
__global__ void project_kernel(const T* rows, Index length, const T* factor, Index k, Index m, T* out) {
  for (Index slot = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; slot < m * k;
       slot += static_cast<Index>(gridDim.x) * blockDim.x)
    out[slot] = math::project_row(rows, slot / k, length, factor, k, slot % k);
}

template <class T>
__global__ void rank_one_residual(const T* left, const T* right, const T* y, Index m, Index k, T scale, int kind,
                                  T delta, T* derivative, T* values) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < m;
       i += static_cast<Index>(gridDim.x) * blockDim.x) {
    const T r = scale * math::row_dot(left, i, right, i, k) - y[i];
    T d = T(0);
    values[i] = math::loss(kind, delta, r, d);
    derivative[i] = d;
  }
}

/// out(p, c) = factor * (A^T diag(scale d) partner)(p, c).
template <class T>
__global__ void rank_one_gradient(const T* rows, Index length, const T* derivative, const T* partner, Index m,
                                  Index k, T scale, T factor, T* out) {
  for (Index slot = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; slot < length * k;
       slot += static_cast<Index>(gridDim.x) * blockDim.x)
    out[slot] = factor * math::rank_one_adjoint(rows, length, slot / k, derivative, partner, m, k, slot % k, scale);
}

/// One block per row: r_i = <S_i, x> - y_i, d_i = l'(r_i), values_i = l(r_i).
template <class T, class Rows>
__global__ void rows_forward(Rows source, const T* x, const T* y, Index m, Index length, int kind, T delta,
                             T* derivative, T* values) {
  __shared__ T shared[kThreads];
  for (Index i = blockIdx.x; i < m; i += gridDim.x) {
    T sum = T(0);
    for (Index p = threadIdx.x; p < length; p += kThreads) sum += source(i, p) * x[p];
    const T dot = block_sum(sum, shared);
    if (threadIdx.x == 0) {
      T d = T(0);
      values[i] = math::loss(kind, delta, dot - y[i], d);
      derivative[i] = d;
    }
  }
}

/// partial[c * length + p] = sum of S_ip d_i over the rows of chunk c.
template <class T, class Rows>
__global__ void rows_adjoint(Rows source, const T* derivative, Index m, Index length, T* partial) {
  const Index chunk = blockIdx.y;
  const Index first = chunk * kChunkRows, last = first + kChunkRows < m ? first + kChunkRows : m;
  for (Index p = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; p < length;
       p += static_cast<Index>(gridDim.x) * blockDim.x) {
    T sum = T(0);
    for (Index i = first; i < last; ++i) sum += source(i, p) * derivative[i];
    partial[chunk * length + p] = sum;
  }
}

constexpr int kFusedThreads = 512;

/// The dense rows' forward and adjoint in one pass over S (stored rows with
/// length <= kPer * kFusedThreads): a persistent block takes rows blockIdx.x,
/// + gridDim.x, ...; its threads hold the positions p = thread + j
/// kFusedThreads of the row, dot them with x (a fixed tree), and add d_i S_ip
/// into accumulators kept in registers, reading the row a second time from
/// cache rather than memory. Each block writes its accumulators to partial[block]
/// at the end; add_chunks adds the blocks in order.
template <class T, class S, int kPer>
__global__ void __launch_bounds__(kFusedThreads, 1)
    rows_fused(const S* rows, const T* x, const T* y, Index m, Index length, int kind, T delta, T* derivative,
               T* values, T* partial) {
  __shared__ T shared[kFusedThreads];
  T accumulator[kPer];
#pragma unroll
  for (int j = 0; j < kPer; ++j) accumulator[j] = T(0);
  for (Index i = blockIdx.x; i < m; i += gridDim.x) {
    const S* row = rows + i * length;
    T sum = T(0);
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const Index p = threadIdx.x + static_cast<Index>(j) * kFusedThreads;
      if (p < length) sum += static_cast<T>(row[p]) * x[p];
    }
    const T dot = block_sum<T, kFusedThreads>(sum, shared);
    T d = T(0);
    const T value = math::loss(kind, delta, dot - y[i], d);
    if (threadIdx.x == 0) {
      values[i] = value;
      derivative[i] = d;
    }
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const Index p = threadIdx.x + static_cast<Index>(j) * kFusedThreads;
      if (p < length) accumulator[j] += d * static_cast<T>(row[p]);
    }
  }
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const Index p = threadIdx.x + static_cast<Index>(j) * kFusedThreads;
    if (p < length) partial[static_cast<Index>(blockIdx.x) * length + p] = accumulator[j];
  }
}

template <class T>
__global__ void add_chunks(const T* partial, Index chunks, Index length, T* w) {
  for (Index p = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; p < length;
       p += static_cast<Index>(gridDim.x) * blockDim.x) {
    T sum = T(0);
    for (Index c = 0; c < chunks; ++c) sum += partial[c * length + p];
    w[p] = sum;
  }
}

/// out(a, c) = factor * sum_b W(a, b) partner(b, c) (W(b, a) when transposed).
template <class T>
__global__ void dense_gradient(const T* w, const T* partner, T* out, Index rows, Index inner, Index k, Index shape_rows,
                               bool symmetric, bool transposed, T factor) {
  for (Index slot = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; slot < rows * k;
       slot += static_cast<Index>(gridDim.x) * blockDim.x) {
    const Index a = slot / k, c = slot % k;
    T sum = T(0);
    for (Index b = 0; b < inner; ++b)
      sum += (transposed ? math::dense_adjoint(w, b, a, shape_rows, symmetric)
                         : math::dense_adjoint(w, a, b, shape_rows, symmetric)) *
             partner[b * k + c];
    out[slot] = factor * sum;
  }
}

template <class T>
__global__ void entries_forward(const std::int32_t* rows, const std::int32_t* columns, const T* left, const T* right,
                                const T* y, Index m, Index k, bool symmetric, T diagonal, T off, int kind, T delta,
                                T* derivative, T* values) {
  for (Index e = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; e < m;
       e += static_cast<Index>(gridDim.x) * blockDim.x) {
    const T r = math::entry_value(Index{rows[e]}, Index{columns[e]}, left, right, k, symmetric, diagonal, off) - y[e];
    T d = T(0);
    values[e] = math::loss(kind, delta, r, d);
    derivative[e] = d;
  }
}

/// out(a, c) = factor * sum over a's incidences of coefficient d_e partner(b, c), in list order.
template <class T>
__global__ void incidence_gradient(const std::int64_t* start, const std::int32_t* partner_row,
                                   const std::int64_t* entry, const T* coefficient, const T* derivative,
                                   const T* partner, T* out, Index rows, Index k, T factor) {
  for (Index slot = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; slot < rows * k;
       slot += static_cast<Index>(gridDim.x) * blockDim.x) {
    const Index a = slot / k, c = slot % k;
    T sum = T(0);
    for (Index s = start[a]; s < start[a + 1]; ++s)
      sum += coefficient[s] * derivative[entry[s]] * partner[Index{partner_row[s]} * k + c];
    out[slot] = factor * sum;
  }
}

constexpr Index kValueBlocks = 1024;

/// partial[b] = the values of block b's contiguous range, summed in a fixed
/// order; then one block adds the partials (sum_values with count = kValueBlocks).
template <class T>
__global__ void sum_values(const T* values, Index count, T* partial) {
  __shared__ T shared[kThreads];
  const Index first = count * blockIdx.x / gridDim.x, last = count * (blockIdx.x + 1) / gridDim.x;
  T sum = T(0);
  for (Index i = first + threadIdx.x; i < last; i += kThreads) sum += values[i];
  const T all = block_sum(sum, shared);
  if (threadIdx.x == 0) partial[blockIdx.x] = all;
}

template <class T>
__global__ void look_ahead_kernel(T* ahead, const T* factor, const T* previous, Index count, T beta) {
  for (Index a = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; a < count;
       a += static_cast<Index>(gridDim.x) * blockDim.x)
    ahead[a] = math::look_ahead(factor[a], previous[a], beta);
}

/// gd / heavy ball from the factor; Nesterov from the look-ahead point `from`.
template <class T>
__global__ void update_kernel(T* factor, T* previous, const T* from, const T* gradient, Index count, int kind, T mu,
                              T beta) {
  for (Index a = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; a < count;
       a += static_cast<Index>(gridDim.x) * blockDim.x) {
    const T current = factor[a];
    factor[a] = math::updated(kind, current, previous[a], kind == math::kNesterov ? from[a] : T(0), gradient[a], mu,
                              beta);
    previous[a] = current;
  }
}

template <class T>
__global__ void finite_kernel(const T* factor, Index count, int* bad) {
  for (Index a = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; a < count;
       a += static_cast<Index>(gridDim.x) * blockDim.x)
    if (!isfinite(factor[a])) atomicOr(bad, 1);
}

/// The trajectory in arithmetic type T with rows stored in S (dense rows).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void step() = 0;
  virtual bool finite() = 0;
  virtual double value() = 0;
  virtual void download(double* left, double* right) = 0;
};

template <class T, class S>
class TypedEngine final : public Engine {
 public:
  explicit TypedEngine(const Problem& problem) : problem_(problem) {
    const Index k = problem.width;
    left_.upload(problem.left, problem.rows * k);
    previous_left_.upload(problem.left, problem.rows * k);
    gradient_left_.allocate(problem.rows * k);
    ahead_left_.allocate(problem.rows * k);
    if (problem.two_factors) {
      right_.upload(problem.right, problem.cols * k);
      previous_right_.upload(problem.right, problem.cols * k);
      gradient_right_.allocate(problem.cols * k);
      ahead_right_.allocate(problem.cols * k);
    }
    observations_.upload(problem.observations, problem.measurements);
    derivative_.allocate(problem.measurements);
    values_.allocate(problem.measurements);
    total_.allocate(kValueBlocks + 1);
    bad_.allocate(1);
    if (problem.layout == 0) {
      if (problem.rows_single)
        rows_.upload(problem.rows_single, problem.measurements * problem.length);
      else
        rows_.upload(problem.rows_double, problem.measurements * problem.length);
    }
    if (problem.layout == 3) {
      const Index m = problem.measurements;
      rank_left_.upload(problem.rows_double, m * problem.length);
      if (problem.rows_right) rank_right_.upload(problem.rows_right, m * problem.cols);
      projected_left_.allocate(m * problem.width);
      projected_right_.allocate(m * problem.width);
    } else if (problem.layout != 2) {
      x_.allocate(problem.length);
      w_.allocate(problem.length);
      chunks_ = (problem.measurements + kChunkRows - 1) / kChunkRows;
      // One pass for stored rows up to 40 * 512 entries (n = 200 packed), unless NCVX_CUDA_TWO_PASS is set.
      const char* two_pass = std::getenv("NCVX_CUDA_TWO_PASS");
      fused_ = problem.layout == 0 && problem.length <= 40 * kFusedThreads && !(two_pass && *two_pass);
      int processors = 1;
      check(cudaDeviceGetAttribute(&processors, cudaDevAttrMultiProcessorCount, 0), "reading the device");
      fused_blocks_ = std::min<Index>(processors, problem.measurements);
      partial_.allocate(std::max(chunks_, fused_blocks_) * problem.length);
    } else {
      entry_rows_.upload(problem.entry_rows, problem.measurements);
      entry_columns_.upload(problem.entry_columns, problem.measurements);
      left_start_.upload(problem.left_start, problem.rows + 1);
      left_partner_.upload(problem.left_partner, problem.left_incidences);
      left_entry_.upload(problem.left_entry, problem.left_incidences);
      left_coefficient_.upload(problem.left_coefficient, problem.left_incidences);
      if (problem.two_factors && !problem.symmetric) {
        right_start_.upload(problem.right_start, problem.cols + 1);
        right_partner_.upload(problem.right_partner, problem.right_incidences);
        right_entry_.upload(problem.right_entry, problem.right_incidences);
        right_coefficient_.upload(problem.right_coefficient, problem.right_incidences);
      }
    }
    check(cudaDeviceSynchronize(), "uploading a trajectory");
  }

  void step() override {
    const Index k = problem_.width;
    const Index left_count = problem_.rows * k, right_count = problem_.two_factors ? problem_.cols * k : 0;
    const T beta = static_cast<T>(problem_.momentum), mu = static_cast<T>(problem_.step);
    const bool nesterov = problem_.update == math::kNesterov;
    if (nesterov) {
      look_ahead_kernel<<<blocks_for(left_count), kThreads>>>(ahead_left_.data(), left_.data(), previous_left_.data(),
                                                             left_count, beta);
      if (right_count > 0)
        look_ahead_kernel<<<blocks_for(right_count), kThreads>>>(ahead_right_.data(), right_.data(),
                                                                previous_right_.data(), right_count, beta);
      check_launch("the look-ahead point");
      evaluate(ahead_left_.data(), right_count > 0 ? ahead_right_.data() : ahead_left_.data(), true);
    } else {
      evaluate(left_.data(), right_count > 0 ? right_.data() : left_.data(), true);
    }
    update_kernel<<<blocks_for(left_count), kThreads>>>(left_.data(), previous_left_.data(), ahead_left_.data(),
                                                       gradient_left_.data(), left_count, problem_.update, mu, beta);
    if (right_count > 0)
      update_kernel<<<blocks_for(right_count), kThreads>>>(right_.data(), previous_right_.data(), ahead_right_.data(),
                                                          gradient_right_.data(), right_count, problem_.update, mu,
                                                          beta);
    check_launch("the update");
  }

  bool finite() override {
    check(cudaMemset(bad_.data(), 0, sizeof(int)), "clearing a flag");
    finite_kernel<<<blocks_for(left_.size()), kThreads>>>(left_.data(), left_.size(), bad_.data());
    if (problem_.two_factors)
      finite_kernel<<<blocks_for(right_.size()), kThreads>>>(right_.data(), right_.size(), bad_.data());
    check_launch("the finiteness check");
    int bad = 0;
    check(cudaMemcpy(&bad, bad_.data(), sizeof(int), cudaMemcpyDeviceToHost), "reading a flag");
    return bad == 0;
  }

  double value() override {
    evaluate(left_.data(), problem_.two_factors ? right_.data() : left_.data(), false);
    T total = T(0);
    check(cudaMemcpy(&total, total_.data(), sizeof(T), cudaMemcpyDeviceToHost), "reading the loss");
    return static_cast<double>(total);
  }

  void download(double* left, double* right) override {
    copy_out(left_, left);
    if (problem_.two_factors) copy_out(right_, right);
  }

 private:
  static void copy_out(const Buffer<T>& buffer, double* out) {
    std::vector<T> host(static_cast<std::size_t>(buffer.size()));
    check(cudaMemcpy(host.data(), buffer.data(), host.size() * sizeof(T), cudaMemcpyDeviceToHost),
          "copying the iterate");
    for (std::size_t a = 0; a < host.size(); ++a) out[a] = static_cast<double>(host[a]);
  }

  /// f at (left, right) into total_, and with `gradient` the blocks.
  void evaluate(const T* left, const T* right, bool gradient) {
    const Problem& p = problem_;
    const Index k = p.width, m = p.measurements;
    const T delta = static_cast<T>(p.delta);
    if (p.layout == 3) {
      rank_one_evaluate(left, right, gradient);
      return;
    }
    if (p.layout == 2) {
      entries_forward<<<blocks_for(m), kThreads>>>(entry_rows_.data(), entry_columns_.data(), left, right,
                                                  observations_.data(), m, k, p.symmetric,
                                                  static_cast<T>(p.diagonal_weight),
                                                  static_cast<T>(p.off_diagonal_weight), p.loss, delta,
                                                  derivative_.data(), values_.data());
      check_launch("the entries' residuals");
    } else {
      dense_x_kernel<<<blocks_for(p.length), kThreads>>>(x_.data(), left, right, k, p.rows, p.symmetric, p.length);
      check_launch("the packed iterate");
      const unsigned row_blocks = static_cast<unsigned>(m < 65535 * 16 ? m : 65535 * 16);
      if (fused_ && gradient) {
        fused_pass(x_.data(), delta);  // the residuals, d and the adjoint's block partials in one pass
      } else if (p.layout == 0) {
        rows_forward<<<row_blocks, kThreads>>>(StoredRows<S, T>{rows_.data(), p.length}, x_.data(),
                                              observations_.data(), m, p.length, p.loss, delta, derivative_.data(),
                                              values_.data());
      } else {
        rows_forward<<<row_blocks, kThreads>>>(
            RegeneratedRows<T>{p.key0, p.key1, 1.0 / std::sqrt(static_cast<double>(m))}, x_.data(),
            observations_.data(), m, p.length, p.loss, delta, derivative_.data(), values_.data());
      }
      check_launch("the rows' residuals");
    }
    if (!gradient) {
      sum_loss();
      return;
    }
    const T factor = p.two_factors ? T(1) : T(2);  // X = U U^T: G = 2 A*(d) U
    const Index left_count = p.rows * k;
    if (p.layout == 2) {
      incidence_gradient<<<blocks_for(left_count), kThreads>>>(left_start_.data(), left_partner_.data(),
                                                              left_entry_.data(), left_coefficient_.data(),
                                                              derivative_.data(), right, gradient_left_.data(), p.rows,
                                                              k, factor);
      if (p.two_factors) {
        const bool shared = p.symmetric;
        incidence_gradient<<<blocks_for(p.cols * k), kThreads>>>(
            shared ? left_start_.data() : right_start_.data(), shared ? left_partner_.data() : right_partner_.data(),
            shared ? left_entry_.data() : right_entry_.data(),
            shared ? left_coefficient_.data() : right_coefficient_.data(), derivative_.data(), left,
            gradient_right_.data(), p.cols, k, T(1));
      }
      check_launch("the entries' gradient");
      return;
    }
    if (!fused_) {
      const dim3 grid(blocks_for(p.length) > 1024 ? 1024 : blocks_for(p.length), static_cast<unsigned>(chunks_));
      if (p.layout == 0)
        rows_adjoint<<<grid, kThreads>>>(StoredRows<S, T>{rows_.data(), p.length}, derivative_.data(), m, p.length,
                                         partial_.data());
      else
        rows_adjoint<<<grid, kThreads>>>(
            RegeneratedRows<T>{p.key0, p.key1, 1.0 / std::sqrt(static_cast<double>(m))}, derivative_.data(), m,
            p.length, partial_.data());
    }
    add_chunks<<<blocks_for(p.length), kThreads>>>(partial_.data(), fused_ ? fused_blocks_ : chunks_, p.length,
                                                  w_.data());
    check_launch("the adjoint");
    const Index inner = p.symmetric ? p.rows : p.cols;
    dense_gradient<<<blocks_for(left_count), kThreads>>>(w_.data(), right, gradient_left_.data(), p.rows, inner, k,
                                                        p.rows, p.symmetric, false, factor);
    if (p.two_factors)
      dense_gradient<<<blocks_for(p.cols * k), kThreads>>>(w_.data(), left, gradient_right_.data(), p.cols, p.rows, k,
                                                          p.rows, p.symmetric, !p.symmetric, T(1));
    check_launch("the gradient");
  }

  /// total_[0] = the measurements' loss values, summed in a fixed order (blocks, then their partials).
  void sum_loss() {
    sum_values<<<static_cast<unsigned>(kValueBlocks), kThreads>>>(values_.data(), problem_.measurements,
                                                                 total_.data() + 1);
    sum_values<<<1, kThreads>>>(total_.data() + 1, kValueBlocks, total_.data());
    check_launch("the loss value");
  }

  /// f (and the gradient blocks) for rank-one rows: P = A L, Q = B R (A R; P for U U^T).
  void rank_one_evaluate(const T* left, const T* right, bool gradient) {
    const Problem& p = problem_;
    const Index m = p.measurements, k = p.width, n1 = p.length, n2 = p.rows_right ? p.cols : n1;
    const T* right_rows = p.rows_right ? rank_right_.data() : rank_left_.data();
    const T scale = static_cast<T>(p.scale);
    project_kernel<<<blocks_for(m * k), kThreads>>>(rank_left_.data(), n1, left, k, m, projected_left_.data());
    if (p.two_factors)
      project_kernel<<<blocks_for(m * k), kThreads>>>(right_rows, n2, right, k, m, projected_right_.data());
    const T* projected_right = p.two_factors ? projected_right_.data() : projected_left_.data();
    rank_one_residual<<<blocks_for(m), kThreads>>>(projected_left_.data(), projected_right, observations_.data(), m, k,
                                                  scale, p.loss, static_cast<T>(p.delta), derivative_.data(),
                                                  values_.data());
    check_launch("the rank-one residuals");
    if (!gradient) {
      sum_loss();
      return;
    }
    rank_one_gradient<<<blocks_for(n1 * k), kThreads>>>(rank_left_.data(), n1, derivative_.data(), projected_right, m,
                                                       k, scale, p.two_factors ? T(1) : T(2), gradient_left_.data());
    if (p.two_factors)
      rank_one_gradient<<<blocks_for(n2 * k), kThreads>>>(right_rows, n2, derivative_.data(), projected_left_.data(),
                                                         m, k, scale, T(1), gradient_right_.data());
    check_launch("the rank-one gradient");
  }

  /// rows_fused with the fewest positions per thread that cover a row.
  void fused_pass(const T* x, T delta) {
    const Problem& p = problem_;
    const auto blocks = static_cast<unsigned>(fused_blocks_);
    const S* rows = rows_.data();
    if (p.length <= 4 * kFusedThreads)
      rows_fused<T, S, 4><<<blocks, kFusedThreads>>>(rows, x, observations_.data(), p.measurements, p.length, p.loss,
                                                    delta, derivative_.data(), values_.data(), partial_.data());
    else if (p.length <= 16 * kFusedThreads)
      rows_fused<T, S, 16><<<blocks, kFusedThreads>>>(rows, x, observations_.data(), p.measurements, p.length,
                                                     p.loss, delta, derivative_.data(), values_.data(),
                                                     partial_.data());
    else
      rows_fused<T, S, 40><<<blocks, kFusedThreads>>>(rows, x, observations_.data(), p.measurements, p.length,
                                                     p.loss, delta, derivative_.data(), values_.data(),
                                                     partial_.data());
  }

  Problem problem_;
  Buffer<T> left_, right_, previous_left_, previous_right_, ahead_left_, ahead_right_, gradient_left_, gradient_right_;
  Buffer<T> observations_, derivative_, values_, total_, x_, w_, partial_;
  Buffer<S> rows_;
  Buffer<int> bad_;
  Buffer<std::int32_t> entry_rows_, entry_columns_, left_partner_, right_partner_;
  Buffer<std::int64_t> left_start_, left_entry_, right_start_, right_entry_;
  Buffer<T> left_coefficient_, right_coefficient_;
  Buffer<T> rank_left_, rank_right_, projected_left_, projected_right_;  // rank-one rows and P, Q
  Index chunks_ = 0;
  bool fused_ = false;    // the dense rows in one pass (rows_fused)
  Index fused_blocks_ = 1;
};

}  // namespace

struct Trajectory::State {
  std::unique_ptr<Engine> engine;
};

Trajectory::Trajectory(const Problem& problem) : state_(std::make_unique<State>()) {
  if (problem.single)
    state_->engine = std::make_unique<TypedEngine<float, float>>(problem);
  else if (problem.rows_single)
    state_->engine = std::make_unique<TypedEngine<double, float>>(problem);
  else
    state_->engine = std::make_unique<TypedEngine<double, double>>(problem);
}

Trajectory::~Trajectory() = default;
void Trajectory::step() { state_->engine->step(); }
bool Trajectory::finite() { return state_->engine->finite(); }
double Trajectory::value() { return state_->engine->value(); }
void Trajectory::download(double* left, double* right) { state_->engine->download(left, right); }

double copy_rate(std::size_t bytes) {
  Buffer<char> from(static_cast<Index>(bytes)), to(static_cast<Index>(bytes));
  check(cudaMemset(from.data(), 1, bytes), "filling a buffer");
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "creating an event");
  check(cudaEventCreate(&stop), "creating an event");
  std::vector<float> milliseconds;
  for (int repeat = 0; repeat < 11; ++repeat) {
    check(cudaEventRecord(start), "recording an event");
    check(cudaMemcpy(to.data(), from.data(), bytes, cudaMemcpyDeviceToDevice), "copying on the device");
    check(cudaEventRecord(stop), "recording an event");
    check(cudaEventSynchronize(stop), "waiting for an event");
    float elapsed = 0.0f;
    check(cudaEventElapsedTime(&elapsed, start, stop), "reading an event");
    if (repeat > 0) milliseconds.push_back(elapsed);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(milliseconds.begin(), milliseconds.end());
  return 2.0 * static_cast<double>(bytes) / (1e-3 * static_cast<double>(milliseconds[milliseconds.size() / 2]));
}

std::string describe_device(bool& available) {
  available = false;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) return std::string("no CUDA device answers: ") + cudaGetErrorString(status);
  if (count == 0) return "no CUDA device is present";
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, 0) != cudaSuccess) return "the CUDA device did not describe itself";
  available = true;
  char text[256];
  std::snprintf(text, sizeof text, "%s, sm_%d%d, %.0f GiB", properties.name, properties.major, properties.minor,
                static_cast<double>(properties.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

}  // namespace ncvx::cuda
