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

NCVX_INLINE double4 load(const double* p) {
  double4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
/// Four stored floats, widened to doubles (exactly): arithmetic stays double.
NCVX_INLINE double4 load(const float* p) {
  float4 v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, double4);
}
NCVX_INLINE void store(double* p, double4 v) { std::memcpy(p, &v, sizeof v); }
/// (lane0 + lane1) + (lane2 + lane3).
NCVX_INLINE double reduce(double4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }
NCVX_INLINE double4 broadcast(double value) { return double4{value, value, value, value}; }

typedef double double8 __attribute__((vector_size(64)));
typedef float float8 __attribute__((vector_size(32)));

NCVX_INLINE double8 load8(const double* p) {
  double8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
/// Eight stored floats, widened to doubles (exactly).
NCVX_INLINE double8 load8(const float* p) {
  float8 v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, double8);
}
NCVX_INLINE void store(double* p, double8 v) { std::memcpy(p, &v, sizeof v); }
NCVX_INLINE double8 broadcast8(double value) {
  return double8{value, value, value, value, value, value, value, value};
}

/// W = 4 or 8 lanes, for kernels written once for both widths.
template <int W, class T>
NCVX_INLINE auto load_lanes(const T* p) {
  if constexpr (W == 4)
    return load(p);
  else
    return load8(p);
}
template <int W>
NCVX_INLINE auto broadcast_lanes(double value) {
  if constexpr (W == 4)
    return broadcast(value);
  else
    return broadcast8(value);
}

}  // namespace
}  // namespace ncvx::simd
