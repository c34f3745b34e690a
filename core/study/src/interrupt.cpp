#include "ncvx/study/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace ncvx {

namespace {

// A signal handler sees only these: one StopOnInterrupt at a time.
std::atomic<bool> stop_requested{false};
std::string notice_text;
struct sigaction previous {};

void on_interrupt(int) {
  if (stop_requested.exchange(true)) {  // the second Ctrl-C: end now
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
    return;
  }
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, notice_text.data(), notice_text.size());
}

}  // namespace

StopOnInterrupt::StopOnInterrupt(std::string notice) {
  notice_text = std::move(notice);
  stop_requested = false;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, &previous);
}

StopOnInterrupt::~StopOnInterrupt() { ::sigaction(SIGINT, &previous, nullptr); }

const std::atomic<bool>* StopOnInterrupt::flag() const { return &stop_requested; }

void StopOnInterrupt::request_stop() { stop_requested = true; }

}  // namespace ncvx
