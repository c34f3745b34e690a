// Structured sensing's passes (see hadamard_kernels.hpp). Compiled with
// -ffp-contract=off: the order of every sum is the source's.

#include <vector>

#include "hadamard_kernels.hpp"
#include "../common/lanes.hpp"

namespace ncvx::hadamard {
namespace {

using simd::broadcast;
using simd::double4;
using simd::load;
using simd::store;

// ---------------------------------------------------------------------------
// Transform. Stage `half` maps rows (i, i + half) to (x_i + x_{i+half},
// x_i - x_{i+half}) for i in blocks of 2 half, half = 1, 2, ..., p / 2; the
// last stage's results are multiplied by the normalization as they are
// stored. Two stages at a time (four rows loaded once) and the first stages
// done block by block change where the butterflies run, not what they
// compute. (Measured on a 2048 x 32 slice: the later stages done per residue
// class of rows, 16 KiB apart, were 2.5x slower: the rows share cache sets.)

/// Stages half and 2 half on rows w, x = w + half, y = w + 2 half, z = w + 3 half.
template <int Count, bool Scale>
NCVX_INLINE void butterfly4(double* w, double* x, double* y, double* z, Index count, double normalization) {
  if constexpr (Count > 0) {
    const double4 s = broadcast(normalization);
    for (int j = 0; j < Count; j += 4) {
      const double4 a = load(w + j), b = load(x + j), c = load(y + j), d = load(z + j);
      const double4 ab = a + b, a_b = a - b, cd = c + d, c_d = c - d;
      store(w + j, Scale ? (ab + cd) * s : ab + cd);
      store(y + j, Scale ? (ab - cd) * s : ab - cd);
      store(x + j, Scale ? (a_b + c_d) * s : a_b + c_d);
      store(z + j, Scale ? (a_b - c_d) * s : a_b - c_d);
    }
  } else {
    for (Index j = 0; j < count; ++j) {
      const double a = w[j], b = x[j], c = y[j], d = z[j];
      const double ab = a + b, a_b = a - b, cd = c + d, c_d = c - d;
      w[j] = Scale ? (ab + cd) * normalization : ab + cd;
      y[j] = Scale ? (ab - cd) * normalization : ab - cd;
      x[j] = Scale ? (a_b + c_d) * normalization : a_b + c_d;
      z[j] = Scale ? (a_b - c_d) * normalization : a_b - c_d;
    }
  }
}

/// Stage half on rows x and y = x + half.
template <int Count, bool Scale>
NCVX_INLINE void butterfly(double* x, double* y, Index count, double normalization) {
  if constexpr (Count > 0) {
    const double4 s = broadcast(normalization);
    for (int j = 0; j < Count; j += 4) {
      const double4 a = load(x + j), b = load(y + j);
      store(x + j, Scale ? (a + b) * s : a + b);
      store(y + j, Scale ? (a - b) * s : a - b);
    }
  } else {
    for (Index j = 0; j < count; ++j) {
      const double a = x[j], b = y[j];
      x[j] = Scale ? (a + b) * normalization : a + b;
      y[j] = Scale ? (a - b) * normalization : a - b;
    }
  }
}

/// One sweep over `rows` rows of the slice: stages half and 2 half, four rows
/// at a time (sweep4), or stage half alone (sweep2); Scale: it ends the transform.
template <int Count, bool Scale>
NCVX_INLINE void sweep4(double* block, Index count, Index rows, Index half, double normalization) {
  auto row = [&](Index t) { return block + t * count; };
  for (Index start = 0; start < rows; start += 4 * half)
    for (Index t = start; t < start + half; ++t)
      butterfly4<Count, Scale>(row(t), row(t + half), row(t + 2 * half), row(t + 3 * half), count,
                               normalization);
}
template <int Count, bool Scale>
NCVX_INLINE void sweep2(double* block, Index count, Index rows, Index half, double normalization) {
  auto row = [&](Index t) { return block + t * count; };
  for (Index start = 0; start < rows; start += 2 * half)
    for (Index t = start; t < start + half; ++t)
      butterfly<Count, Scale>(row(t), row(t + half), count, normalization);
}

/// Stages first_half, 2 first_half, ..., last_half (powers of two) on `rows`
/// rows of the slice; `last`: last_half is the transform's last stage.
template <int Count>
NCVX_INLINE void stages(double* block, Index count, Index rows, Index first_half, Index last_half, bool last,
                        double normalization) {
  Index half = first_half;
  for (; 2 * half <= last_half; half *= 4) {
    if (last && 2 * half == last_half)
      sweep4<Count, true>(block, count, rows, half, normalization);
    else
      sweep4<Count, false>(block, count, rows, half, normalization);
  }
  if (half > last_half) return;
  if (last)
    sweep2<Count, true>(block, count, rows, half, normalization);
  else
    sweep2<Count, false>(block, count, rows, half, normalization);
}

template <int Count>
NCVX_INLINE void transform(double* block, Index p, Index count, double normalization) {
  if (p == 1) {
    for (Index j = 0; j < count; ++j) block[j] *= normalization;
    return;
  }
  // The first three stages block by block (eight rows, 2 KiB of a full
  // slice, stay in L1), then each later stage over the whole slice.
  const Index block_rows = std::min<Index>(p, 8);
  for (Index base = 0; base < p; base += block_rows)
    stages<Count>(block + base * count, count, block_rows, 1, block_rows / 2, block_rows == p, normalization);
  if (p > block_rows) stages<Count>(block, count, p, block_rows, p / 2, true, normalization);
}

// ---------------------------------------------------------------------------
// Products: four lanes (lane l sums the columns j = l mod 4 in increasing j),
// the tail (count mod 4 columns) into lane 0, then (l0 + l1) + (l2 + l3).

template <int Count>
NCVX_INLINE double dot(const double* a, const double* b, Index count) {
  double4 s = broadcast(0.0);
  const Index body = Count > 0 ? Count : count / 4 * 4;
  for (Index j = 0; j < body; j += 4) s = s + load(a + j) * load(b + j);
  double s0 = s[0];
  if constexpr (Count == 0)
    for (Index j = body; j < count; ++j) s0 += a[j] * b[j];
  return (s0 + s[1]) + (s[2] + s[3]);
}

/// Four dot products of one row `a` with rows b0 .. b3, side by side (each
/// with its own lanes, as dot<Count>), so they do not wait on each other.
template <int Count>
NCVX_INLINE void dot4(const double* a, const double* b0, const double* b1, const double* b2, const double* b3,
                      double* out) {
  double4 s0 = broadcast(0.0), s1 = s0, s2 = s0, s3 = s0;
  for (Index j = 0; j < Count; j += 4) {
    const double4 x = load(a + j);
    s0 = s0 + x * load(b0 + j);
    s1 = s1 + x * load(b1 + j);
    s2 = s2 + x * load(b2 + j);
    s3 = s3 + x * load(b3 + j);
  }
  out[0] += simd::reduce(s0);
  out[1] += simd::reduce(s1);
  out[2] += simd::reduce(s2);
  out[3] += simd::reduce(s3);
}

template <int Count>
NCVX_INLINE void products(const double* a, const double* b, Index count, const int* rows, const int* cols,
                          bool mirrored, Index begin, Index end, double* out) {
  if (mirrored) {
    for (Index i = begin; i < end; ++i) {
      const Index r = rows[i], c = cols[i];
      out[i] += 0.5 * (dot<Count>(a + r * count, b + c * count, count) + dot<Count>(a + c * count, b + r * count, count));
    }
    return;
  }
  Index i = begin;
  if constexpr (Count > 0) {
    // Coordinates come sorted by row: four that share one read row a_r.
    for (; i + 4 <= end; ++i) {
      const int r = rows[i];
      if (rows[i + 3] != r) {
        out[i] += dot<Count>(a + r * Count, b + cols[i] * Count, Count);
        continue;
      }
      // The rows of the next group but one, prefetched (12% faster, measured).
      if (i + 12 <= end)
        for (Index t = i + 8; t < i + 12; ++t)
          for (int l = 0; l < Count; l += 8) __builtin_prefetch(b + cols[t] * Count + l);
      dot4<Count>(a + r * Count, b + cols[i] * Count, b + cols[i + 1] * Count, b + cols[i + 2] * Count,
                  b + cols[i + 3] * Count, out + i);
      i += 3;
    }
  }
  for (; i < end; ++i) out[i] += dot<Count>(a + rows[i] * count, b + cols[i] * count, count);
}

// ---------------------------------------------------------------------------
// Gather: a target row's sum stays in registers while its entries are added,
// w_x = ((0 + c_1 q_1) + c_2 q_2) + ..., entry after entry.

template <int Count>
NCVX_INLINE void gather(const double* q, Index count, const Adjacency& adjacency, const double* coefficient,
                        double* w) {
  const Index targets = static_cast<Index>(adjacency.start.size()) - 1;
  const int* start = adjacency.start.data();
  const int* source = adjacency.source.data();
  if constexpr (Count > 0) {
    constexpr int lanes = Count / 4;
    for (Index x = 0; x < targets; ++x) {
      double4 sum[lanes];
      for (int g = 0; g < lanes; ++g) sum[g] = broadcast(0.0);
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const double4 c = broadcast(coefficient[e]);
        const double* row = q + static_cast<Index>(source[e]) * Count;
        const double* ahead = q + static_cast<Index>(source[e + kLookAhead]) * Count;
        for (int l = 0; l < Count; l += 8) __builtin_prefetch(ahead + l);
        for (int g = 0; g < lanes; ++g) sum[g] = sum[g] + c * load(row + 4 * g);
      }
      for (int g = 0; g < lanes; ++g) store(w + x * Count + 4 * g, sum[g]);
    }
  } else {
    for (Index x = 0; x < targets; ++x) {
      double* target = w + x * count;
      for (Index j = 0; j < count; ++j) target[j] = 0.0;
      for (int e = start[x]; e < start[x + 1]; ++e) {
        const double c = coefficient[e];
        const double* row = q + static_cast<Index>(source[e]) * count;
        for (Index j = 0; j < count; ++j) target[j] += c * row[j];
      }
    }
  }
}

// One copy per instruction set; a full slice (32 columns) has its own.

struct Kernels {
  void (*transform)(double*, Index, Index, double);
  void (*products)(const double*, const double*, Index, const int*, const int*, bool, Index, Index, double*);
  void (*gather)(const double*, Index, const Adjacency&, const double*, double*);
};

#define NCVX_HADAMARD_COPY(SUFFIX, ATTRIBUTES)                                                                      \
  template <int Count>                                                                                              \
  ATTRIBUTES void transform_##SUFFIX(double* block, Index p, Index count, double normalization) {                  \
    transform<Count>(block, p, count, normalization);                                                               \
  }                                                                                                                 \
  template <int Count>                                                                                              \
  ATTRIBUTES void products_##SUFFIX(const double* a, const double* b, Index count, const int* rows, const int* cols, \
                                    bool mirrored, Index begin, Index end, double* out) {                           \
    products<Count>(a, b, count, rows, cols, mirrored, begin, end, out);                                            \
  }                                                                                                                 \
  template <int Count>                                                                                              \
  ATTRIBUTES void gather_##SUFFIX(const double* q, Index count, const Adjacency& adjacency,                         \
                                  const double* coefficient, double* w) {                                           \
    gather<Count>(q, count, adjacency, coefficient, w);                                                             \
  }                                                                                                                 \
  template <int Count>                                                                                              \
  Kernels kernels_##SUFFIX() {                                                                                      \
    return {&transform_##SUFFIX<Count>, &products_##SUFFIX<Count>, &gather_##SUFFIX<Count>};                        \
  }

NCVX_HADAMARD_COPY(avx2, __attribute__((target("avx2"), flatten)))
NCVX_HADAMARD_COPY(default, __attribute__((flatten)))
#undef NCVX_HADAMARD_COPY

const Kernels& kernels(Index count) {
  static const bool avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }();
  static const Kernels full = avx2 ? kernels_avx2<kSlice>() : kernels_default<kSlice>();
  static const Kernels any = avx2 ? kernels_avx2<0>() : kernels_default<0>();
  return count == kSlice ? full : any;
}

}  // namespace

void transform_slice(double* block, Index p, Index count, double normalization) {
  kernels(count).transform(block, p, count, normalization);
}

void slice_products(const double* a, const double* b, Index count, const int* rows, const int* cols, bool mirrored,
                    Index begin, Index end, double* out) {
  kernels(count).products(a, b, count, rows, cols, mirrored, begin, end, out);
}

void slice_gather(const double* q, Index count, const Adjacency& adjacency, const double* coefficient, double* w) {
  kernels(count).gather(q, count, adjacency, coefficient, w);
}

}  // namespace ncvx::hadamard
