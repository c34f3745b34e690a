#pragma once
// Running independent pieces of work on several threads, for plugins whose
// passes are large enough to pay for them.
//
// Determinism is the caller's part: the pieces (for example row segments
// fixed by the problem size) must each compute their own results, combined
// afterwards in a fixed order, so the numbers do not depend on `threads`.

#include <atomic>
#include <exception>
#include <thread>
#include <vector>

#include "ncvx/types.hpp"

namespace ncvx {

/// Calls piece(0), ..., piece(count - 1), on up to `threads` threads (the
/// calling thread included). The first exception thrown by a piece is
/// rethrown after all threads have stopped.
template <class Piece>
void for_each_piece(Index count, Index threads, Piece&& piece) {
  threads = std::max<Index>(1, std::min(threads, count));
  if (threads == 1) {
    for (Index i = 0; i < count; ++i) piece(i);
    return;
  }
  std::atomic<Index> next{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  auto worker = [&](Index t) {
    try {
      for (Index i = next++; i < count; i = next++) piece(i);
    } catch (...) {
      errors[static_cast<std::size_t>(t)] = std::current_exception();
      next = count;  // stop handing out pieces
    }
  };
  std::vector<std::thread> workers;
  for (Index t = 1; t < threads; ++t) workers.emplace_back(worker, t);
  worker(0);
  for (auto& thread : workers) thread.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
}

/// The threads worth using for a pass over `bytes` of storage: all cores
/// from 32 MiB up, one below (thread start-up would cost more than it saves).
inline Index threads_for_pass(std::size_t bytes) {
  return bytes < (std::size_t{32} << 20) ? 1 : static_cast<Index>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace ncvx
