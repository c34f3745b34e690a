#include "ncvx/study/contained.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx {

namespace {

/// The child's answer: a kind ('K' returned, 'C' configuration error, 'E'
/// error) and the text.
void answer(int descriptor, char kind, const std::string& text) {
  const std::string message = kind + text;
  for (std::size_t written = 0; written < message.size();) {
    const ssize_t count = ::write(descriptor, message.data() + written, message.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    written += static_cast<std::size_t>(count);
  }
}

}  // namespace

std::string contained(const std::string& what, const std::function<std::string()>& body, double seconds) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) throw Error(fmt::format("cannot create a pipe: {}.", std::strerror(errno)));
  const pid_t child = ::fork();
  if (child < 0) throw Error(fmt::format("cannot start a process for {}: {}.", what, std::strerror(errno)));
  if (child == 0) {
    ::close(pipe_ends[0]);
    try {
      answer(pipe_ends[1], 'K', body());
    } catch (const ConfigError& error) {
      answer(pipe_ends[1], 'C', error.what());
    } catch (const std::exception& error) {
      answer(pipe_ends[1], 'E', error.what());
    } catch (...) {
      answer(pipe_ends[1], 'E', "an exception that is not a std::exception");
    }
    ::_exit(0);
  }
  ::close(pipe_ends[1]);
  std::string text;
  char buffer[1 << 14];
  bool hung = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      hung = true;
      ::kill(child, SIGKILL);
      break;
    }
    pollfd watched{pipe_ends[0], POLLIN, 0};
    const int ready = ::poll(&watched, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready <= 0) continue;
    const ssize_t count = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
    text.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const bool clean = !hung && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !text.empty();
  if (clean && text[0] == 'K') return text.substr(1);
  if (clean && text[0] == 'C') throw ConfigError(text.substr(1));
  if (clean && text[0] == 'E') throw Error(text.substr(1));
  if (hung) throw Error(fmt::format("{} took more than {} s in a separate process (isolation), which was stopped.", what,
                                    seconds));
  if (WIFSIGNALED(status))
    throw Error(fmt::format("{} crashed a plugin: the separate process (isolation) was killed by signal {} ({}).", what,
                            ::strsignal(WTERMSIG(status)), WTERMSIG(status)));
  throw Error(fmt::format("{} ended the separate process (isolation) with exit status {} before it finished: a "
                          "plugin called exit().",
                          what, WIFEXITED(status) ? WEXITSTATUS(status) : -1));
}

}  // namespace ncvx
