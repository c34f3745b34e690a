#pragma once
// Runs that share a problem instance (the same A and y) and the same loss
// can advance in lockstep: every evaluation of their objectives waits until
// each participant still running has one pending, then a single call of
// MeasurementOperator::evaluate (one pass over A for a model that shares
// passes) serves them all. Since an operator's results for one factor do not
// depend on the others, each run gets exactly the numbers it would get alone.
//
//   Lockstep lockstep(A, loss, y, K);
//   // in each of K threads:
//   objective.join(&lockstep);  ... run ...  lockstep.leave();
//
// A participant that stops early (converged, diverged, failed) leaves; the
// others go on without it.

#include <condition_variable>
#include <exception>
#include <mutex>
#include <vector>

#include "ncvx/loss.hpp"
#include "ncvx/measurement_operator.hpp"
#include "ncvx/objective.hpp"

namespace ncvx {

class Lockstep final : public SharedEvaluation {
 public:
  Lockstep(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations,
           std::size_t participants);

  /// Blocks until the round that includes `item` is evaluated.
  void evaluate(FactorEvaluation& item) override;
  /// A participant is done; call exactly once per participant.
  void leave();

  /// Rounds evaluated so far, and items over all rounds (for statistics).
  std::size_t rounds() const { return rounds_; }
  std::size_t items() const { return items_; }

 private:
  /// Runs the pending round; called with `lock` held, by the last arriving
  /// participant. Releases the lock while the operator works.
  void run_round(std::unique_lock<std::mutex>& lock);

  const MeasurementOperator& measurement_;
  const Loss& loss_;
  const Vector& observations_;
  std::mutex mutex_;
  std::condition_variable done_;
  std::size_t active_;
  std::vector<FactorEvaluation*> pending_;
  std::size_t generation_ = 0;
  std::exception_ptr error_;
  std::size_t error_generation_ = 0;
  std::size_t rounds_ = 0, items_ = 0;
};

}  // namespace ncvx
