#include "ncvx/study/folder_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "ncvx/errors.hpp"

namespace ncvx {

namespace fs = std::filesystem;

namespace {

std::string holder_text(const std::vector<std::string>& command_line) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "an unknown host");
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char started[32];
  std::strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string command;
  for (const auto& argument : command_line) command += (command.empty() ? "" : " ") + argument;
  for (char& c : command)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return fmt::format("process {} on {} since {}{}\n", ::getpid(), host, started,
                     command.empty() ? "" : " (" + command.substr(0, 400) + ")");
}

}  // namespace

FolderLock::FolderLock(const fs::path& directory, const std::vector<std::string>& command_line) {
  const fs::path file = directory / kLockFile;
  descriptor_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (descriptor_ < 0)
    throw Error(fmt::format("cannot open the lock file {}: {}.", file.string(), std::strerror(errno)));
  while (::flock(descriptor_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int why = errno;
    std::string holder(512, '\0');
    const ssize_t count = ::pread(descriptor_, holder.data(), holder.size(), 0);
    holder.resize(count > 0 ? static_cast<std::size_t>(count) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    ::close(descriptor_);
    descriptor_ = -1;
    if (why != EWOULDBLOCK)
      throw Error(fmt::format("cannot lock {}: {}.", file.string(), std::strerror(why)));
    throw Error(fmt::format("{} is in use by another ncvx ({}); wait for it to end, or choose another folder with "
                            "--out.",
                            directory.string(), holder.empty() ? "a process that is starting" : holder));
  }
  const std::string holder = holder_text(command_line);
  if (::ftruncate(descriptor_, 0) != 0 ||
      ::pwrite(descriptor_, holder.data(), holder.size(), 0) != static_cast<ssize_t>(holder.size())) {
    // The lock holds without the note; a refused process then names no holder.
  }
}

FolderLock::~FolderLock() {
  if (descriptor_ >= 0) ::close(descriptor_);  // releases the lock
}

fs::path create_unique_folder(const fs::path& wanted) {
  std::error_code error;
  if (wanted.has_parent_path()) fs::create_directories(wanted.parent_path(), error);
  if (error)
    throw Error(fmt::format("cannot create the folder {}: {}.", wanted.parent_path().string(), error.message()));
  for (int attempt = 1; attempt <= 10000; ++attempt) {
    const fs::path candidate = attempt == 1 ? wanted : fs::path(fmt::format("{}-{}", wanted.string(), attempt));
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate;
    if (errno != EEXIST)
      throw Error(fmt::format("cannot create the results folder {}: {}.", candidate.string(), std::strerror(errno)));
  }
  throw Error(fmt::format("cannot find a free name for the results folder {} (tried 10 000).", wanted.string()));
}

}  // namespace ncvx
