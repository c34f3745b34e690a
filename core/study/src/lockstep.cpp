#include "ncvx/study/lockstep.hpp"

namespace ncvx {

Lockstep::Lockstep(const MeasurementOperator& measurement, const Loss& loss, const Vector& observations,
                   std::size_t participants)
    : measurement_(measurement), loss_(loss), observations_(observations), active_(participants) {}

void Lockstep::run_round(std::unique_lock<std::mutex>& lock) {
  std::vector<FactorEvaluation> batch;
  batch.reserve(pending_.size());
  for (FactorEvaluation* item : pending_) batch.push_back(*item);
  std::vector<FactorEvaluation*> owners;
  owners.swap(pending_);
  // Everyone else is waiting: nobody can add to the round meanwhile.
  lock.unlock();
  std::exception_ptr error;
  try {
    measurement_.evaluate(observations_, loss_, batch);
  } catch (...) {
    error = std::current_exception();
  }
  lock.lock();
  for (std::size_t i = 0; i < owners.size(); ++i) *owners[i] = batch[i];
  ++rounds_;
  items_ += owners.size();
  ++generation_;
  if (error) {
    error_ = error;
    error_generation_ = generation_;
  }
  done_.notify_all();
}

void Lockstep::evaluate(FactorEvaluation& item) {
  std::unique_lock lock(mutex_);
  pending_.push_back(&item);
  const std::size_t round = generation_;
  if (pending_.size() == active_) {
    run_round(lock);
  } else {
    done_.wait(lock, [&] { return generation_ != round; });
  }
  if (error_ && error_generation_ == round + 1) std::rethrow_exception(error_);
}

void Lockstep::leave() {
  std::unique_lock lock(mutex_);
  --active_;
  if (active_ > 0 && pending_.size() == active_) run_round(lock);
}

}  // namespace ncvx
