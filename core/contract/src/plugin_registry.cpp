#define BOOST_DLL_USE_STD_FS
#include "ncvx/plugin_registry.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

namespace ncvx {

namespace fs = std::filesystem;

const char* to_string(PluginKind kind) {
  switch (kind) {
    case PluginKind::problem: return "problem";
    case PluginKind::corruption: return "corruption";
    case PluginKind::measurement: return "measurement";
    case PluginKind::loss: return "loss";
    case PluginKind::initializer: return "initializer";
    case PluginKind::optimizer: return "optimizer";
    case PluginKind::metric: return "metric";
    case PluginKind::factorization: return "factorization";
  }
  return "?";
}

AbiRecord AbiRecord::of_host() {
  static const ncvx_abi_record record = NCVX_ABI_RECORD_INITIALIZER;
  return from(record);
}

AbiRecord AbiRecord::from(const ncvx_abi_record& record) {
  auto text = [](const char* s) { return s ? std::string(s) : std::string("(missing)"); };
  return {record.abi_version,      text(record.ncvx_version), text(record.compiler),
          text(record.cxx_runtime), text(record.eigen),        text(record.build_type)};
}

std::string abi_mismatch(const AbiRecord& plugin, const AbiRecord& host) {
  auto sentence = [](const char* field, const std::string& theirs, const std::string& ours) {
    return fmt::format("{} differs: the plugin has '{}' but ncvx has '{}'; rebuild the plugin "
                       "against this ncvx.",
                       field, theirs, ours);
  };
  if (plugin.abi_version == 3 && host.abi_version == 4)
    return "the plugin was built for ncvx's ABI 3 and this ncvx has ABI 4, which added the factorization kind: "
           "FactorShape lists the blocks of general factorizations, Initializer::refuses is new, "
           "Optimizer::refuses refuses general shapes unless overridden, and MetricContext gained `blocks`. "
           "Rebuild the plugin against this ncvx; its source needs no change unless it should accept deep or cp "
           "factors (docs/writing-a-plugin.md, 'Porting from ABI 3').";
  if (plugin.abi_version != host.abi_version)
    return sentence("the plugin ABI version", std::to_string(plugin.abi_version),
                    std::to_string(host.abi_version));
  if (plugin.compiler != host.compiler) return sentence("the compiler", plugin.compiler, host.compiler);
  if (plugin.cxx_runtime != host.cxx_runtime)
    return sentence("the C++ standard library ABI", plugin.cxx_runtime, host.cxx_runtime);
  if (plugin.eigen != host.eigen)
    return sentence("the Eigen version or vectorization settings", plugin.eigen, host.eigen);
  return "";
}

// ---------------------------------------------------------------- LoadedPlugin

LoadedPlugin::LoadedPlugin(std::shared_ptr<boost::dll::shared_library> library, fs::path file,
                           const PluginDefinition& definition, AbiRecord abi)
    : library_(std::move(library)), file_(std::move(file)), definition_(&definition), abi_(std::move(abi)) {}

LoadedPlugin::LoadedPlugin(std::shared_ptr<const InProcessPlugin> plugin)
    : file_(plugin->origin),
      owned_definition_(std::make_unique<PluginDefinition>()),
      in_process_(std::move(plugin)),
      abi_(AbiRecord::of_host()) {
  owned_definition_->info = in_process_->info;
  definition_ = owned_definition_.get();
}

std::string LoadedPlugin::describe() const {
  return fmt::format("{} `{}` ({})", to_string(info().kind), info().name, file_.string());
}

std::string LoadedPlugin::failure_message(const char* what, const char* message) const {
  return fmt::format("{} failed while {}: {}", describe(), what, message);
}

void LoadedPlugin::require_kind(PluginKind kind) const {
  if (info().kind != kind)
    throw PluginError(fmt::format("{} is not a {} plugin.", describe(), to_string(kind)));
}

namespace {
/// The factory of a library plugin, or the function of an in-process one.
template <class T>
std::unique_ptr<T> create_from(std::unique_ptr<T> (*library_factory)(const ParameterValues&),
                               const InProcessPlugin* in_process,
                               std::function<std::unique_ptr<T>(const ParameterValues&)> InProcessPlugin::*member,
                               const ParameterValues& values) {
  if (in_process) {
    const auto& function = in_process->*member;
    if (!function) throw std::logic_error("the in-process plugin has no factory for its kind");
    return function(values);
  }
  return library_factory(values);
}
}  // namespace

std::shared_ptr<Problem> LoadedPlugin::create_problem(const ParameterValues& values) const {
  require_kind(PluginKind::problem);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_problem, in_process_.get(), &InProcessPlugin::create_problem, values);
  }));
}
std::shared_ptr<Corruption> LoadedPlugin::create_corruption(const ParameterValues& values) const {
  require_kind(PluginKind::corruption);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_corruption, in_process_.get(), &InProcessPlugin::create_corruption, values);
  }));
}
std::shared_ptr<MeasurementModel> LoadedPlugin::create_measurement(const ParameterValues& values) const {
  require_kind(PluginKind::measurement);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_measurement, in_process_.get(), &InProcessPlugin::create_measurement,
                       values);
  }));
}
std::shared_ptr<Loss> LoadedPlugin::create_loss(const ParameterValues& values) const {
  require_kind(PluginKind::loss);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_loss, in_process_.get(), &InProcessPlugin::create_loss, values);
  }));
}
std::shared_ptr<Initializer> LoadedPlugin::create_initializer(const ParameterValues& values) const {
  require_kind(PluginKind::initializer);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_initializer, in_process_.get(), &InProcessPlugin::create_initializer, values);
  }));
}
std::shared_ptr<Optimizer> LoadedPlugin::create_optimizer(const ParameterValues& values) const {
  require_kind(PluginKind::optimizer);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_optimizer, in_process_.get(), &InProcessPlugin::create_optimizer, values);
  }));
}
std::shared_ptr<Factorization> LoadedPlugin::create_factorization(const ParameterValues& values) const {
  require_kind(PluginKind::factorization);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_factorization, in_process_.get(), &InProcessPlugin::create_factorization,
                       values);
  }));
}
std::shared_ptr<Metric> LoadedPlugin::create_metric(const ParameterValues& values) const {
  require_kind(PluginKind::metric);
  return hold(guard("being created", [&] {
    return create_from(definition_->create_metric, in_process_.get(), &InProcessPlugin::create_metric, values);
  }));
}

// ---------------------------------------------------------------- PluginRegistry

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

std::vector<fs::path> PluginRegistry::search_path(const std::vector<fs::path>& extra) {
  std::vector<fs::path> folders = extra;
  if (const char* env = std::getenv("NCVX_PLUGIN_PATH")) {
    std::stringstream stream(env);
    for (std::string part; std::getline(stream, part, ':');)
      if (!part.empty()) folders.emplace_back(part);
  }
  std::error_code error;
  const fs::path executable = boost::dll::program_location(error);
  if (!error) {
    const fs::path build_tree = executable.parent_path() / "plugins";
    const fs::path installed = executable.parent_path().parent_path() / "lib" / "ncvx" / "plugins";
    folders.push_back(fs::exists(build_tree) ? build_tree : installed);
  }
  return folders;
}

void PluginRegistry::scan(const std::vector<fs::path>& folders) {
  std::set<fs::path> seen;
  for (const auto& folder : folders) {
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(folder, error);
    if (!seen.insert(error ? folder : canonical).second) continue;
    folders_.push_back(folder);
    if (!fs::is_directory(folder, error)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder, error))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      try {
        load(file);
      } catch (const PluginError& failure) {
        failures_.push_back({file, failure.what()});
      }
    }
  }
}

namespace {

// ---------------------------------------------------------------- the probe

fs::path probe_cache_file() {
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache && *cache) return fs::path(cache) / "ncvx" / "probed";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "ncvx" / "probed";
  return {};
}

/// "SIZE MTIME PATH": what identifies a build of a library file.
std::string probe_key(const fs::path& file) {
  struct stat status {};
  if (::stat(file.c_str(), &status) != 0) return "";
  return fmt::format("{} {}.{:09} {}", status.st_size, status.st_mtim.tv_sec, status.st_mtim.tv_nsec,
                     fs::absolute(file).lexically_normal().string());
}

bool probed_before(const std::string& key) {
  const fs::path cache = probe_cache_file();
  if (key.empty() || cache.empty()) return false;
  std::ifstream stream(cache);
  for (std::string line; std::getline(stream, line);)
    if (line == key) return true;
  return false;
}

void remember_probe(const std::string& key) {
  const fs::path cache = probe_cache_file();
  if (key.empty() || cache.empty()) return;
  std::error_code error;
  fs::create_directories(cache.parent_path(), error);
  // One short append per line: concurrent writers interleave whole lines. A
  // cache grown past 1 MiB (many rebuilds) starts over.
  const bool large = fs::file_size(cache, error) > (std::uintmax_t{1} << 20) && !error;
  const int descriptor =
      ::open(cache.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (large ? O_TRUNC : 0), 0644);
  if (descriptor < 0) return;
  const std::string line = key + "\n";
  [[maybe_unused]] const ssize_t written = ::write(descriptor, line.data(), line.size());
  ::close(descriptor);
}

/// Loads `file` in a child process, which reports on a pipe once the library
/// is loaded and its ABI record read. "" when that went well; else why not.
std::string probe(const fs::path& file) {
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) return "";  // no probe possible: load it here
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    return "";
  }
  if (child == 0) {
    ::close(pipe_ends[0]);
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle && ::dlsym(handle, "ncvx_plugin_abi")) {
      using Record = const ncvx_abi_record* (*)();
      const auto record = reinterpret_cast<Record>(::dlsym(handle, "ncvx_plugin_abi"));
      if (record) record();
    }
    [[maybe_unused]] const ssize_t written = ::write(pipe_ends[1], "k", 1);
    ::_exit(0);
  }
  ::close(pipe_ends[1]);
  char answer = 0;
  ssize_t count;
  // A child that hangs in its load-time code is waited for 30 s, then killed.
  pollfd watched{pipe_ends[0], POLLIN, 0};
  const int ready = ::poll(&watched, 1, 30000);
  if (ready <= 0) ::kill(child, SIGKILL);
  do count = ready > 0 ? ::read(pipe_ends[0], &answer, 1) : 0;
  while (count < 0 && errno == EINTR);
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (count == 1 && answer == 'k') return "";
  if (ready <= 0) return "loading it hung for 30 s in its load-time code (static constructors); it was not loaded.";
  if (WIFSIGNALED(status))
    return fmt::format("loading it crashed a test process with signal {} ({}) in its load-time code (static "
                       "constructors); it was not loaded here. Rebuild it, or remove it from the plugin folder.",
                       ::strsignal(WTERMSIG(status)), WTERMSIG(status));
  return fmt::format("loading it ended a test process (exit status {}) in its load-time code (static "
                     "constructors); it was not loaded here. Rebuild it, or remove it from the plugin folder.",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/// The probe of a file not probed well before (and remembered when it goes well).
std::string probe_unless_known(const fs::path& file) {
  const std::string key = probe_key(file);
  if (probed_before(key)) return "";
  std::string why = probe(file);
  if (why.empty()) remember_probe(key);
  return why;
}

}  // namespace

const LoadedPlugin& PluginRegistry::load(const fs::path& file) {
  auto where = [&](const std::string& reason) {
    return PluginError(fmt::format("cannot load plugin file {}: {}", file.string(), reason));
  };
  if (!fs::exists(file)) throw where("the file does not exist.");
  if (probe_)
    if (const std::string why = probe_unless_known(file); !why.empty()) throw where(why);

  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code error;
  // RTLD_LOCAL: plugins do not see each other's symbols; RTLD_NOW: unresolved
  // symbols are reported here, not in the middle of a run.
  library->load(file, error,
                boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now);
  if (error) {
    // Boost.DLL keeps only an error code; ask the system loader for its text.
    std::string system = error.message();
    if (void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
      ::dlclose(handle);
    } else if (const char* text = ::dlerror()) {
      system = text;
    }
    throw where(fmt::format("not a loadable shared library (the system loader says: {}).", system));
  }

  // 1. The ABI record, before any C++ object crosses the boundary.
  if (!library->has("ncvx_plugin_abi"))
    throw where("it has no entry point `ncvx_plugin_abi`; is it an ncvx plugin? Plugins register "
                "with NCVX_PLUGIN(...) from <ncvx/plugin.hpp>.");
  const auto abi_function = library->get<const ncvx_abi_record*()>("ncvx_plugin_abi");
  const ncvx_abi_record* record = abi_function();
  if (!record) throw where("`ncvx_plugin_abi` returned no record.");
  AbiRecord abi = AbiRecord::from(*record);
  if (const std::string mismatch = abi_mismatch(abi, AbiRecord::of_host()); !mismatch.empty())
    throw where(mismatch);

  // 2. The definition.
  if (!library->has("ncvx_plugin_definition"))
    throw where("it has no entry point `ncvx_plugin_definition`; register the plugin with "
                "NCVX_PLUGIN(...) from <ncvx/plugin.hpp>.");
  const auto definition_function =
      library->get<const PluginDefinition*()>("ncvx_plugin_definition");
  const PluginDefinition* definition = nullptr;
  try {
    definition = definition_function();
  } catch (const std::exception& failure) {
    throw where(fmt::format("its definition threw: {}", failure.what()));
  }
  if (!definition || definition->info.name.empty())
    throw where("`ncvx_plugin_definition` returned no definition or an empty name.");

  for (const auto& existing : plugins_)
    if (existing->info().kind == definition->info.kind && existing->info().name == definition->info.name)
      throw where(fmt::format("it defines {} `{}`, which {} already defines; remove or rename one "
                              "of the two.",
                              to_string(definition->info.kind), definition->info.name,
                              existing->file().string()));

  plugins_.push_back(std::make_unique<LoadedPlugin>(std::move(library), file, *definition, std::move(abi)));
  return *plugins_.back();
}

const LoadedPlugin& PluginRegistry::add(InProcessPlugin plugin) {
  const PluginKind kind = plugin.info.kind;
  const bool has_factory = kind == PluginKind::problem       ? bool(plugin.create_problem)
                           : kind == PluginKind::measurement ? bool(plugin.create_measurement)
                           : kind == PluginKind::corruption  ? bool(plugin.create_corruption)
                           : kind == PluginKind::loss        ? bool(plugin.create_loss)
                           : kind == PluginKind::initializer ? bool(plugin.create_initializer)
                           : kind == PluginKind::optimizer   ? bool(plugin.create_optimizer)
                           : kind == PluginKind::factorization ? bool(plugin.create_factorization)
                                                             : bool(plugin.create_metric);
  if (!has_factory)
    throw PluginError(fmt::format("{}: an in-process {} plugin needs its factory.", plugin.origin, to_string(kind)));
  if (plugin.info.name.empty()) throw PluginError(plugin.origin + ": an in-process plugin needs a name.");
  auto shared = std::make_shared<const InProcessPlugin>(std::move(plugin));
  for (auto& existing : plugins_) {
    if (existing->info().kind != kind || existing->info().name != shared->info.name) continue;
    if (!existing->in_process())
      throw PluginError(fmt::format("{} defines {} `{}`, which {} already defines; choose another name.",
                                    shared->origin, to_string(kind), shared->info.name, existing->file().string()));
    existing = std::make_unique<LoadedPlugin>(std::move(shared));
    return *existing;
  }
  plugins_.push_back(std::make_unique<LoadedPlugin>(std::move(shared)));
  return *plugins_.back();
}

std::vector<std::string> PluginRegistry::names(PluginKind kind) const {
  std::vector<std::string> result;
  for (const auto& plugin : plugins_)
    if (plugin->info().kind == kind) result.push_back(plugin->info().name);
  std::sort(result.begin(), result.end());
  return result;
}

const LoadedPlugin* PluginRegistry::find_any_kind(const std::string& name) const {
  for (const auto& plugin : plugins_)
    if (plugin->info().name == name) return plugin.get();
  return nullptr;
}

const LoadedPlugin& PluginRegistry::find(PluginKind kind, const std::string& name) const {
  for (const auto& plugin : plugins_)
    if (plugin->info().kind == kind && plugin->info().name == name) return *plugin;

  const std::vector<std::string> available = names(kind);
  std::string message = fmt::format("unknown {} '{}'", to_string(kind), name);
  if (const std::string guess = nearest(name, available); !guess.empty())
    message += fmt::format("; did you mean '{}'?", guess);
  else
    message += ".";
  message += fmt::format(" Available {} plugins: {}.", to_string(kind),
                         available.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(available, ", ")));
  if (const LoadedPlugin* other = find_any_kind(name))
    message += fmt::format(" ('{}' is a {} plugin.)", name, to_string(other->info().kind));
  std::vector<std::string> searched;
  for (const auto& folder : folders_) searched.push_back(folder.string());
  message += fmt::format(" Searched: {}.", searched.empty() ? std::string("(no folders)") : fmt::format("{}", fmt::join(searched, ", ")));
  for (const auto& failure : failures_) message += " Not loaded: " + failure.reason;
  throw PluginError(message);
}

std::vector<const LoadedPlugin*> PluginRegistry::plugins() const {
  std::vector<const LoadedPlugin*> result;
  for (const auto& plugin : plugins_) result.push_back(plugin.get());
  std::sort(result.begin(), result.end(), [](const LoadedPlugin* a, const LoadedPlugin* b) {
    return std::pair(static_cast<int>(a->info().kind), a->info().name) <
           std::pair(static_cast<int>(b->info().kind), b->info().name);
  });
  return result;
}

}  // namespace ncvx
