#pragma once
// Four doubles as one GCC vector (256 bits: one AVX2 register, two SSE2
// registers in a baseline build), and eight (512 bits: one AVX-512
// register), for kernels that fix their summation order in the source.
// Loads and stores go through memcpy (no alignment assumed).
// Compiled without floating-point contraction, a kernel written with these
// gives the same bits whichever instruction set it was built for.

#include <cstring>

// These helpers are always inlined into kernels compiled for one instruction
// set each, so passing a 256-bit vector by value never crosses a call.
#pragma GCC diagnostic ignored "-Wpsabi"

#define NCVX_INLINE __attribute__((always_inline)) inline

namespace ncvx::simd {
namespace {  // internal to each kernel source: no ABI crosses a library boundary

typedef double double4 __attribute__((vector_size(32)));
typedef float float4 __attribute__((vector_size(16)));
typedef double double8 __attribute__((vector_size(64)));
typedef float float8 __attribute__((vector_size(32)));

/// The vectors of W = 4 or 8 lanes, for kernels written once for both widths.
template <int W>
struct Lanes;
template <>
struct Lanes<4> {
  using Doubles = double4;
  using Floats = float4;
};
template <>
struct Lanes<8> {
  using Doubles = double8;
  using Floats = float8;
};

/// W stored doubles.
template <int W>
NCVX_INLINE typename Lanes<W>::Doubles load_lanes(const double* p) {
  typename Lanes<W>::Doubles v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
/// W stored floats, widened to doubles (exactly): arithmetic stays double.
template <int W>
NCVX_INLINE typename Lanes<W>::Doubles load_lanes(const float* p) {
  typename Lanes<W>::Floats v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, typename Lanes<W>::Doubles);
}
template <int W>
NCVX_INLINE typename Lanes<W>::Doubles broadcast_lanes(double value) {
  typename Lanes<W>::Doubles v;
  for (int l = 0; l < W; ++l) v[l] = value;
  return v;
}
/// Any vector of doubles, to memory.
template <class Vector>
NCVX_INLINE void store(double* p, Vector v) {
  std::memcpy(p, &v, sizeof v);
}

/// The four-lane ones by their short names.
template <class T>
NCVX_INLINE double4 load(const T* p) {
  return load_lanes<4>(p);
}
NCVX_INLINE double4 broadcast(double value) { return broadcast_lanes<4>(value); }
/// (lane0 + lane1) + (lane2 + lane3).
NCVX_INLINE double reduce(double4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

}  // namespace
}  // namespace ncvx::simd
