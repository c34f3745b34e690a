#pragma once
// Work that may crash the process, done in a child process: loading a
// configuration builds every plugin it names (their constructors run), and a
// conformance check calls every entry of a plugin. Under `ncvx run --isolate`
// and `ncvx check --isolate` that work is done first in a child, so a plugin
// that segfaults, aborts or calls exit() there ends the child, not the
// command: the command says which and why, and nothing is written.

#include <functional>
#include <string>

namespace ncvx {

/// Runs `body` in a child process (fork) and returns what it returned. An
/// ncvx::ConfigError or ncvx::Error it throws is thrown again here with its
/// message (another exception as an Error); a child that ends any other way
/// (a signal, abort, exit, a hang past `seconds`) throws an Error that says
/// how, prefixed with `what` ("loading the configuration").
std::string contained(const std::string& what, const std::function<std::string()>& body, double seconds = 600);

}  // namespace ncvx
