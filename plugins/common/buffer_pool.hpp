#pragma once
// Buffers of doubles kept between evaluations, for operators whose passes
// need large scratch space every time: fresh pages would cost more than the
// pass (hadamard_sensing's transformed factors take 32 MiB at n = k = 2048),
// and whether the allocator hands back reused memory or fresh pages depends
// on everything else the process holds (glibc's mmap threshold moves with the
// sizes freed so far). Each call takes its own buffer, so concurrent calls
// never share one. A taken buffer holds whatever its last user left: clear
// what must start at zero.

#include <algorithm>
#include <mutex>
#include <vector>

namespace ncvx {

class BufferPool {
 public:
  /// A buffer of `size` doubles, given back to the pool when it goes out of scope.
  class Buffer {
   public:
    Buffer(BufferPool& pool, std::size_t size) : pool_(pool), data_(pool.take(size)) {}
    ~Buffer() { pool_.give_back(std::move(data_)); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    double* data() { return data_.data(); }

   private:
    BufferPool& pool_;
    std::vector<double> data_;
  };

 private:
  std::vector<double> take(std::size_t size) {
    std::vector<double> buffer;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      // The smallest kept buffer that holds `size`, else the largest (to grow).
      auto fits = [&](const std::vector<double>& b) { return b.capacity() >= size; };
      auto better = [&](const std::vector<double>& a, const std::vector<double>& b) {
        if (fits(a) != fits(b)) return fits(a);
        return fits(a) ? a.capacity() < b.capacity() : a.capacity() > b.capacity();
      };
      auto best = std::min_element(free_.begin(), free_.end(), better);
      if (best != free_.end()) {
        buffer = std::move(*best);
        free_.erase(best);
      }
    }
    buffer.resize(size);
    return buffer;
  }
  void give_back(std::vector<double> buffer) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (free_.size() < 8) free_.push_back(std::move(buffer));
  }

  std::mutex mutex_;
  std::vector<std::vector<double>> free_;
};

}  // namespace ncvx
