#pragma once
// The ABI record: a plain C struct every plugin exports through
//
//   extern "C" const ncvx_abi_record* ncvx_plugin_abi(void);
//
// The host reads it before any C++ object crosses the library boundary and
// refuses the plugin, with one sentence naming both sides and the fix, when
// a field that decides binary compatibility differs:
//
//   abi_version    layout of the plugin interfaces (bumped on any change),
//   compiler       compiler family and major version,
//   cxx_runtime    C++ standard library and its string/list ABI,
//   eigen          Eigen version, alignment and vector instruction sets
//                  (Eigen's memory layout changes with them).
//
// ncvx_version and build_type are reported but not compared: a plugin built
// against another ncvx release with the same ABI, or in Debug against a
// Release core, is binary compatible.
//
// The record is filled by the macro NCVX_ABI_RECORD_INITIALIZER, expanded
// in the plugin's own translation unit, so it describes how the plugin was
// compiled, and in the core, so the host can compare.

#include <Eigen/Core>

#include "ncvx/version.hpp"

#define NCVX_ABI_VERSION 4u

extern "C" {
struct ncvx_abi_record {
  unsigned abi_version;
  const char* ncvx_version;
  const char* compiler;
  const char* cxx_runtime;
  const char* eigen;
  const char* build_type;
};
}

#define NCVX_DETAIL_STR2(x) #x
#define NCVX_DETAIL_STR(x) NCVX_DETAIL_STR2(x)

#if defined(__clang__)
#define NCVX_DETAIL_COMPILER "Clang " NCVX_DETAIL_STR(__clang_major__)
#elif defined(__GNUC__)
#define NCVX_DETAIL_COMPILER "GCC " NCVX_DETAIL_STR(__GNUC__)
#elif defined(_MSC_VER)
#define NCVX_DETAIL_COMPILER "MSVC " NCVX_DETAIL_STR(_MSC_VER)
#else
#define NCVX_DETAIL_COMPILER "unknown compiler"
#endif

#if defined(_LIBCPP_VERSION)
#define NCVX_DETAIL_RUNTIME "libc++ " NCVX_DETAIL_STR(_LIBCPP_ABI_VERSION)
#elif defined(__GLIBCXX__)
#define NCVX_DETAIL_RUNTIME "libstdc++ cxx11-abi=" NCVX_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define NCVX_DETAIL_RUNTIME "unknown C++ runtime"
#endif

#if defined(EIGEN_VECTORIZE_AVX512)
#define NCVX_DETAIL_SIMD "AVX512"
#elif defined(EIGEN_VECTORIZE_AVX)
#define NCVX_DETAIL_SIMD "AVX"
#elif defined(EIGEN_VECTORIZE_SSE2)
#define NCVX_DETAIL_SIMD "SSE2"
#elif defined(EIGEN_VECTORIZE)
#define NCVX_DETAIL_SIMD "other"
#else
#define NCVX_DETAIL_SIMD "none"
#endif

#define NCVX_DETAIL_EIGEN                                                              \
  "Eigen " NCVX_DETAIL_STR(EIGEN_WORLD_VERSION) "." NCVX_DETAIL_STR(                   \
      EIGEN_MAJOR_VERSION) "." NCVX_DETAIL_STR(EIGEN_MINOR_VERSION) " max-align=" NCVX_DETAIL_STR(EIGEN_MAX_ALIGN_BYTES) " static-align=" NCVX_DETAIL_STR(EIGEN_MAX_STATIC_ALIGN_BYTES) " simd=" NCVX_DETAIL_SIMD

#ifdef NDEBUG
#define NCVX_DETAIL_BUILD_TYPE "optimized (NDEBUG)"
#else
#define NCVX_DETAIL_BUILD_TYPE "debug (assertions on)"
#endif

#define NCVX_ABI_RECORD_INITIALIZER                                                     \
  {NCVX_ABI_VERSION, NCVX_VERSION_STRING, NCVX_DETAIL_COMPILER, NCVX_DETAIL_RUNTIME,    \
   NCVX_DETAIL_EIGEN, NCVX_DETAIL_BUILD_TYPE}
