#pragma once
// Shared helpers for the test suite: the registry of the plugins this build
// produced (loaded for real, from their shared libraries) and small
// generators.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <ncvx/plugin_registry.hpp>
#include <ncvx/problem.hpp>
#include <ncvx/runner.hpp>
#include <ncvx/random_stream.hpp>

namespace ncvx::test {

/// The plugins built with this tree (NCVX_TEST_PLUGIN_DIR), scanned once.
inline const PluginRegistry& plugins() {
  static const auto registry = [] {
    auto r = std::make_unique<PluginRegistry>();
    r->scan({NCVX_TEST_PLUGIN_DIR});
    return r;
  }();
  return *registry;
}

/// Run options with `threads` workers and lockstep groups of `lockstep`.
inline RunOptions options(unsigned threads, unsigned lockstep = 8) {
  RunOptions result;
  result.threads = threads;
  result.lockstep = lockstep;
  return result;
}

/// Parameter values: the plugin's defaults with `changes` applied.
inline ParameterValues values_for(PluginKind kind, const std::string& name,
                                  const std::map<std::string, ParameterValue>& changes = {}) {
  ParameterValues values = ParameterValues::defaults(plugins().find(kind, name).info().parameters);
  for (const auto& [key, value] : changes) values.set(key, value);
  return values;
}

inline std::shared_ptr<const MeasurementOperator> sample_operator(
    const std::string& name, Index n, std::uint64_t seed,
    const std::map<std::string, ParameterValue>& changes = {}) {
  const LoadedPlugin& plugin = plugins().find(PluginKind::measurement, name);
  const auto model = plugin.create_measurement(values_for(PluginKind::measurement, name, changes));
  RandomStream random(seed, "measurement");
  return plugin.hold(model->sample(n, random));
}

inline Matrix random_symmetric(Index n, RandomStream& random) {
  Matrix G(n, n);
  random.fill_normal(G);
  return 0.5 * (G + G.transpose());
}

/// A temporary folder removed at the end of the scope.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(const std::string& tag) {
    path_ = std::filesystem::temp_directory_path() /
            ("ncvx-test-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ncvx::test
