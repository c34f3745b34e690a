#pragma once
// A large array that a pass streams through, on 2 MiB pages where the system
// allows it. Streaming a 1.6 GB operator on 4 KiB pages misses the TLB once
// per page and row; on 2 MiB pages, 512 times less. Linux hands out 2 MiB
// pages to an anonymous mapping that asks for them (MADV_HUGEPAGE) before it
// is touched, when transparent huge pages are `always` or `madvise`; with
// `never`, or elsewhere, the same array is on ordinary pages and nothing else
// changes. Measured: a K = 8 lockstep pass at (200, 10 000) on one core,
// 18.0-18.5 against 20.0-21.5 ms per 1000 rows.
//
// The elements start at zero. Arrays under 4 MiB keep ordinary alignment:
// rounding them up to 2 MiB would cost more memory than it saves.
//
// The cost is paid once, when the array is first touched: the kernel may
// have to compact memory to find 2 MiB pages (with `defrag: madvise`, on
// the faulting thread). Measured for 1.6 GB: 0.1-3.2 s of system time by
// the state of the machine's memory, against 0.5-0.7 s on 4 KiB pages; the
// zeroing runs on all cores, so the wall time is shared. A K = 8 lockstep
// step saves about 5 ms and a rank-one iteration at n = 4 000 about 12 ms,
// so a run repays it within a few hundred iterations; one Gaussian
// trajectory, which does not speed up, pays it once per instance.

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>

#include <sys/mman.h>

#include <ncvx/parallel.hpp>

namespace ncvx {

template <class T>
class HugePageArray {
 public:
  HugePageArray() = default;
  explicit HugePageArray(std::size_t size) : size_(size) {
    if (size == 0) return;
    constexpr std::size_t kPage = std::size_t{2} << 20, kFrom = std::size_t{4} << 20;
    const std::size_t bytes = size * sizeof(T);
    const bool huge = bytes >= kFrom;
    const std::size_t alignment = huge ? kPage : 64;
    const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    void* memory = std::aligned_alloc(alignment, rounded);
    if (!memory) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (huge) madvise(memory, rounded, MADV_HUGEPAGE);  // advice: refused is fine
#endif
    memory_.reset(static_cast<T*>(memory));
    if constexpr (std::is_trivially_default_constructible_v<T>) {
      // Zeroed in pieces on all cores: the first touch faults the pages in,
      // which costs the kernel more than the writes.
      constexpr std::size_t kPiece = std::size_t{64} << 20;
      const auto pieces = static_cast<Index>((bytes + kPiece - 1) / kPiece);
      for_each_piece(pieces, static_cast<Index>(std::max(1u, std::thread::hardware_concurrency())),
                     [&](Index i) {
                       const std::size_t begin = static_cast<std::size_t>(i) * kPiece;
                       std::memset(static_cast<char*>(memory) + begin, 0, std::min(kPiece, bytes - begin));
                     });
    } else {
      std::uninitialized_value_construct_n(memory_.get(), size);
    }
  }

  T* data() { return memory_.get(); }
  const T* data() const { return memory_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  std::unique_ptr<T, Free> memory_;
  std::size_t size_ = 0;
};

/// An m x n row-major array of T in a HugePageArray: the stored rows of a
/// measurement model (Gaussian sensing's S, rank-one measurements' A and B).
template <class T>
class HugePageRows {
 public:
  HugePageRows() = default;
  HugePageRows(Index rows, Index cols)
      : rows_(rows), cols_(cols), entries_(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)) {}

  Index rows() const { return rows_; }
  Index cols() const { return cols_; }
  std::size_t size() const { return entries_.size(); }
  const T* data() const { return entries_.data(); }
  T* row(Index i) { return entries_.data() + i * cols_; }
  const T* row(Index i) const { return entries_.data() + i * cols_; }

 private:
  Index rows_ = 0, cols_ = 0;
  HugePageArray<T> entries_;
};

}  // namespace ncvx
