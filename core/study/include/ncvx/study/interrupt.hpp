#pragma once
// Ctrl-C during a sweep: the first SIGINT asks the sweep to stop between runs
// (SweepOptions::stop), so that the folder is left ready for --resume and the
// caller can say how to continue; a second one ends the process at once, as
// usual (the journal keeps every finished run either way).

#include <atomic>
#include <string>

namespace ncvx {

class StopOnInterrupt {
 public:
  /// Installs the handler; `notice` is written on stderr at the first Ctrl-C.
  explicit StopOnInterrupt(std::string notice);
  /// Restores the handler that was there before.
  ~StopOnInterrupt();
  StopOnInterrupt(const StopOnInterrupt&) = delete;
  StopOnInterrupt& operator=(const StopOnInterrupt&) = delete;

  /// The flag for SweepOptions::stop: true once Ctrl-C was pressed.
  const std::atomic<bool>* flag() const;
  bool interrupted() const { return flag()->load(); }
  /// Stops the sweep as a first Ctrl-C would, from code (a Python progress
  /// callback that raised); writes no notice.
  void request_stop();
};

}  // namespace ncvx
