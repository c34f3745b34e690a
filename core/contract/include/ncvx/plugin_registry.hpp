#pragma once
// Finding and loading plugins at run time (Boost.DLL).
//
// The registry scans plugin folders for shared libraries (*.so). For each
// file it
//   1. opens the library (dlopen; a failure keeps dlerror's text),
//   2. reads the plain C ABI record `ncvx_plugin_abi` and compares it with
//      the host's (abi.hpp) before any C++ object crosses the boundary,
//   3. reads `ncvx_plugin_definition` (kind, name, parameters, factory).
// A file that fails any step is recorded as a LoadFailure with the file and
// the reason; it only becomes an error when its plugin is asked for (and
// `ncvx plugins` lists it), so one broken file does not stop other work.
// Code that runs when a library is loaded (its static constructors) could
// crash or end the process before any of this: so a file is first loaded in
// a child process (the probe), and a file whose probe crashed, aborted or
// exited is a LoadFailure saying so. A file that probed well is remembered
// (by path, size and modification time, in $XDG_CACHE_HOME/ncvx/probed or
// ~/.cache/ncvx/probed) and not probed again.
//
// Every object a plugin creates is returned as a shared_ptr whose deleter
// holds the plugin's library, so a library is never unloaded while anything
// made from it lives. Exceptions thrown by plugin code during creation are
// turned into PluginError naming the plugin, its kind and its file.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ncvx/errors.hpp"
#include "ncvx/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace ncvx {

/// The ABI record with its strings copied (valid after the library is gone).
struct AbiRecord {
  unsigned abi_version = 0;
  std::string ncvx_version;
  std::string compiler;
  std::string cxx_runtime;
  std::string eigen;
  std::string build_type;

  static AbiRecord of_host();
  static AbiRecord from(const ncvx_abi_record& record);
};

/// Empty if `plugin` can be used by `host`; otherwise one sentence naming the
/// mismatched field, both values and the fix.
std::string abi_mismatch(const AbiRecord& plugin, const AbiRecord& host);

/// A plugin defined inside the running process instead of a shared library:
/// the Python module's components written in Python (a problem, a
/// measurement model, a corruption, a loss, an initializer, an optimizer or a
/// metric). Its factories are functions that
/// may hold state (the Python class); `origin` stands where a library's file
/// would ("python: mymodule.MyOptimizer"). It has no ABI record to check: it
/// is compiled with the host.
struct InProcessPlugin {
  PluginInfo info;
  std::string origin;
  std::function<std::unique_ptr<Problem>(const ParameterValues&)> create_problem;
  std::function<std::unique_ptr<MeasurementModel>(const ParameterValues&)> create_measurement;
  std::function<std::unique_ptr<Corruption>(const ParameterValues&)> create_corruption;
  std::function<std::unique_ptr<Loss>(const ParameterValues&)> create_loss;
  std::function<std::unique_ptr<Initializer>(const ParameterValues&)> create_initializer;
  std::function<std::unique_ptr<Optimizer>(const ParameterValues&)> create_optimizer;
  std::function<std::unique_ptr<Metric>(const ParameterValues&)> create_metric;
  std::function<std::unique_ptr<Factorization>(const ParameterValues&)> create_factorization;
};

class LoadedPlugin {
 public:
  LoadedPlugin(std::shared_ptr<boost::dll::shared_library> library, std::filesystem::path file,
               const PluginDefinition& definition, AbiRecord abi);
  explicit LoadedPlugin(std::shared_ptr<const InProcessPlugin> plugin);

  /// Whether this plugin lives in the process (PluginRegistry::add), not in a library.
  bool in_process() const { return in_process_ != nullptr; }

  const PluginInfo& info() const { return definition_->info; }
  const std::filesystem::path& file() const { return file_; }
  const AbiRecord& abi() const { return abi_; }
  /// "optimizer `gd` (/path/ncvx_gd.so)"
  std::string describe() const;

  // Creation: values must be complete (ParameterValues::defaults + overrides).
  std::shared_ptr<Problem> create_problem(const ParameterValues& values) const;
  std::shared_ptr<Corruption> create_corruption(const ParameterValues& values) const;
  std::shared_ptr<MeasurementModel> create_measurement(const ParameterValues& values) const;
  std::shared_ptr<Loss> create_loss(const ParameterValues& values) const;
  std::shared_ptr<Initializer> create_initializer(const ParameterValues& values) const;
  std::shared_ptr<Optimizer> create_optimizer(const ParameterValues& values) const;
  std::shared_ptr<Metric> create_metric(const ParameterValues& values) const;
  std::shared_ptr<Factorization> create_factorization(const ParameterValues& values) const;

  /// Takes ownership of an object made by this plugin's code (for instance an
  /// operator returned by MeasurementModel::sample) and keeps the library
  /// loaded for as long as the object lives.
  template <class T>
  std::shared_ptr<T> hold(std::unique_ptr<T> object) const {
    auto library = library_;
    return std::shared_ptr<T>(object.release(), [library](T* pointer) { delete pointer; });
  }

  /// Runs `action` (plugin code); any exception becomes a PluginError that
  /// names this plugin, `what` it was doing, and the original message.
  template <class Action>
  decltype(auto) guard(const char* what, Action&& action) const {
    try {
      return action();
    } catch (const PluginError&) {
      throw;
    } catch (const std::exception& error) {
      throw PluginError(failure_message(what, error.what()));
    } catch (...) {
      throw PluginError(failure_message(what, "unknown exception"));
    }
  }

 private:
  std::string failure_message(const char* what, const char* message) const;
  void require_kind(PluginKind kind) const;

  friend class PluginRegistry;

  std::shared_ptr<boost::dll::shared_library> library_;
  std::filesystem::path file_;
  const PluginDefinition* definition_;
  std::unique_ptr<PluginDefinition> owned_definition_;  // in-process: the info, no factories
  std::shared_ptr<const InProcessPlugin> in_process_;
  AbiRecord abi_;
};

struct LoadFailure {
  std::filesystem::path file;
  std::string reason;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  /// The search path: `extra` folders first (--plugin-dir), then the folders
  /// of NCVX_PLUGIN_PATH (':'-separated), then the default folder next to the
  /// executable (<exe>/plugins in a build tree, <exe>/../lib/ncvx/plugins
  /// when installed). Folders that do not exist are kept (reported) but skipped.
  static std::vector<std::filesystem::path> search_path(
      const std::vector<std::filesystem::path>& extra);

  /// Scans every *.so file of every folder (sorted by name, deterministic).
  void scan(const std::vector<std::filesystem::path>& folders);

  /// Loads one file; throws PluginError with the file and the reason.
  const LoadedPlugin& load(const std::filesystem::path& file);
  /// Adds an in-process plugin (a loss, initializer, optimizer or metric). One
  /// of the same kind and name that is in-process too is replaced (defining a
  /// class again in a notebook); one from a library is an error.
  const LoadedPlugin& add(InProcessPlugin plugin);

  /// The plugin of that kind and name; if none, a PluginError listing the
  /// names that exist for the kind, the nearest one, the folders searched and
  /// any files that failed to load.
  const LoadedPlugin& find(PluginKind kind, const std::string& name) const;
  const LoadedPlugin* find_any_kind(const std::string& name) const;

  std::vector<const LoadedPlugin*> plugins() const;
  std::vector<std::string> names(PluginKind kind) const;
  const std::vector<LoadFailure>& failures() const { return failures_; }
  const std::vector<std::filesystem::path>& folders() const { return folders_; }

  /// Whether load() first loads a file in a child process (default: true).
  /// Off where a process must not fork (an MPI rank).
  void probe_before_loading(bool probe) { probe_ = probe; }

 private:
  bool probe_ = true;
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<LoadFailure> failures_;
  std::vector<std::filesystem::path> folders_;
};

}  // namespace ncvx
