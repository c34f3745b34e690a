#pragma once
// One writer per results folder.
//
// A sweep, a resumed sweep and a merge hold an advisory lock (flock) on
// DIR/.ncvx.lock for as long as they write in DIR; a second one is refused
// at once with a sentence naming the holder (its process, host, start time
// and command line, which the holder writes into the lock file). The lock
// goes with the process, however it ends (kill -9 included), so a folder is
// never left locked by a process that no longer exists.

#include <filesystem>
#include <string>
#include <vector>

namespace ncvx {

class FolderLock {
 public:
  /// Takes the lock of `directory` (which exists) for `command_line`; throws
  /// Error naming the holder when another process has it.
  FolderLock(const std::filesystem::path& directory, const std::vector<std::string>& command_line);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int descriptor_ = -1;
};

/// The lock file's name in a results folder.
inline constexpr const char* kLockFile = ".ncvx.lock";

/// Creates a new folder `wanted`, or `wanted-2`, `wanted-3`, ... when that
/// name exists (each attempt one atomic mkdir, so two sweeps started in the
/// same second get different folders); its parents are created as needed.
/// Returns the folder created.
std::filesystem::path create_unique_folder(const std::filesystem::path& wanted);

}  // namespace ncvx
