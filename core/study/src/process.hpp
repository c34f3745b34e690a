#pragma once
// Starting another program without a shell (internal to the core).
//
// Nothing a configuration or a results folder holds is ever read as shell
// syntax: the program gets its arguments as separate strings (posix_spawnp),
// so quotes, `;`, `$( )` and backquotes in a path or a label stay text.

#include <filesystem>
#include <string>
#include <vector>

namespace ncvx::detail {

/// Whether `program` is an executable file in a folder of $PATH.
bool program_on_path(const std::string& program);

/// Runs `arguments` (the program first, searched on $PATH) in `directory`,
/// its standard output and error appended to `log` (created if absent),
/// standard input from /dev/null, and waits for it. Returns its exit status,
/// 128 + N when signal N ended it, 127 when it could not be started.
int run_program(const std::vector<std::string>& arguments, const std::filesystem::path& directory,
                const std::filesystem::path& log);

}  // namespace ncvx::detail
