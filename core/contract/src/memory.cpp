#include "ncvx/memory.hpp"

#include <sys/resource.h>

#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

namespace ncvx {

namespace {

constexpr std::size_t kUnknown = std::numeric_limits<std::size_t>::max();

/// The first number of a file (or `kUnknown`; "max" is unknown too).
std::size_t read_number(const char* file) {
  std::ifstream stream(file);
  std::string text;
  if (!(stream >> text) || text == "max") return kUnknown;
  try {
    return static_cast<std::size_t>(std::stoull(text));
  } catch (...) {
    return kUnknown;
  }
}

/// A field of /proc/self/status or /proc/meminfo, in bytes (kB in the file).
std::size_t read_field(const char* file, const std::string& key) {
  std::ifstream stream(file);
  std::string line;
  while (std::getline(stream, line))
    if (line.rfind(key, 0) == 0) {
      std::istringstream fields(line.substr(key.size()));
      std::size_t kilobytes = 0;
      if (fields >> kilobytes) return kilobytes * 1024;
    }
  return kUnknown;
}

}  // namespace

std::size_t saturating_multiply(std::size_t a, std::size_t b) {
  std::size_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? kUnknown : product;
}

std::size_t saturating_product(std::initializer_list<std::size_t> factors) {
  std::size_t product = 1;
  for (std::size_t factor : factors) product = saturating_multiply(product, factor);
  return product;
}

std::size_t saturating_add(std::size_t a, std::size_t b) {
  std::size_t sum = 0;
  return __builtin_add_overflow(a, b, &sum) ? kUnknown : sum;
}

MemoryAvailable available_memory() {
  MemoryAvailable result{kUnknown, ""};
  auto consider = [&](std::size_t bytes, const char* what) {
    if (bytes < result.bytes) result = {bytes, what};
  };
  consider(read_field("/proc/meminfo", "MemAvailable:"), "free memory");
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const std::size_t mapped = read_field("/proc/self/status", "VmSize:");
    const std::size_t cap = static_cast<std::size_t>(limit.rlim_cur);
    consider(mapped == kUnknown || mapped > cap ? 0 : cap - mapped, "the address-space limit (ulimit -v)");
  }
  const std::size_t v2 = read_number("/sys/fs/cgroup/memory.max");
  if (v2 != kUnknown) {
    const std::size_t used = read_number("/sys/fs/cgroup/memory.current");
    consider(used == kUnknown || used > v2 ? 0 : v2 - used, "the cgroup limit");
  } else {
    const std::size_t v1 = read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes");
    // v1 reports "no limit" as a huge number.
    if (v1 != kUnknown && v1 < (std::size_t{1} << 60)) {
      const std::size_t used = read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes");
      consider(used == kUnknown || used > v1 ? 0 : v1 - used, "the cgroup limit");
    }
  }
  if (result.bytes == kUnknown) result = {0, ""};
  return result;
}

std::string describe_bytes(std::size_t bytes) {
  if (bytes == kUnknown) return "more than the addressable memory (the sizes overflow)";
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

}  // namespace ncvx
