#pragma once
// Deterministic random streams.
//
// Every random quantity of a run comes from a RandomStream derived from the
// pair (seed, component), where component is a fixed name such as
// "ground_truth", "measurement", "noise" or "init":
//
//     state0 = splitmix64(seed XOR fnv1a64(component))
//
// and the stream is a std::mt19937_64 seeded with state0. mt19937_64 is
// specified exactly by the C++ standard, and the normal and uniform variates
// below are computed by ncvx itself (not by std::*_distribution, whose
// algorithms differ between standard libraries), so the same (seed,
// component) gives the same numbers on every platform, in every run order
// and with any number of threads. Streams are never shared between threads.

#include <cstdint>
#include <random>
#include <string_view>

#include "ncvx/types.hpp"

namespace ncvx {

/// 64-bit FNV-1a hash of a component name.
constexpr std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

/// One round of SplitMix64: a bijective mixer that spreads nearby seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view component)
      : engine_(splitmix64(seed ^ fnv1a64(component))) {}

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform on (0, 1]: safe to take the logarithm of.
  double uniform_positive() { return 1.0 - uniform(); }

  /// Standard normal N(0, 1) by the Box-Muller transform (pairs are cached).
  double normal();

  /// Fills a matrix with i.i.d. N(0, variance) entries, column by column.
  void fill_normal(Matrix& out, double variance = 1.0);
  void fill_normal(Vector& out, double variance = 1.0);

  std::uint64_t next_u64() { return engine_(); }

 private:
  std::mt19937_64 engine_;
  double cached_ = 0.0;
  bool has_cached_ = false;
};

}  // namespace ncvx
