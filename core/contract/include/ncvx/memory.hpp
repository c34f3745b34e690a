#pragma once
// Sizes and the memory a process may use.
//
// Plugins estimate what they will hold (MeasurementModel::required_bytes,
// Problem::required_bytes) from sizes a configuration chose, which can be
// absurd (n = 3 x 10^9): every product is formed with saturating_multiply,
// so an estimate is the true size or SIZE_MAX ("more than the machine"), never
// an overflowed small number.
//
// The runner compares what the runs in flight at once need with
// available_memory(): the smallest of the memory the system can still give
// (MemAvailable), the process's address-space limit (RLIMIT_AS, `ulimit -v`)
// minus what it already maps, and its cgroup's limit minus its usage (cgroup
// v2 memory.max, or v1 memory.limit_in_bytes).

#include <cstddef>
#include <initializer_list>
#include <string>

namespace ncvx {

/// a * b, or SIZE_MAX when it overflows.
std::size_t saturating_multiply(std::size_t a, std::size_t b);
/// The product of all factors, or SIZE_MAX when it overflows.
std::size_t saturating_product(std::initializer_list<std::size_t> factors);
/// a + b, or SIZE_MAX when it overflows.
std::size_t saturating_add(std::size_t a, std::size_t b);

struct MemoryAvailable {
  std::size_t bytes = 0;    ///< 0 when nothing could be read
  std::string limited_by;   ///< "free memory", "the address-space limit (ulimit -v)", "the cgroup limit"
};

MemoryAvailable available_memory();

/// "1.50 GiB", or "more than the addressable memory" for SIZE_MAX.
std::string describe_bytes(std::size_t bytes);

}  // namespace ncvx
