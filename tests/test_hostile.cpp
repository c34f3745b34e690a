// Hostile input: every file of tests/hostile/ (and every line of
// tests/hostile/overrides.txt) is an input that once crashed ncvx, ate its
// memory or was silently misread. Each must now load, or be refused with a
// configuration error that says what its first line expects; none may crash.
// The same files are the regression corpus of the fuzzer (fuzz/).

#include <doctest/doctest.h>

#include <sys/resource.h>

#include <fstream>

#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/study/runner.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {

const std::filesystem::path kHostile = std::filesystem::path(NCVX_SOURCE_DIR) / "tests" / "hostile";

/// The text after "# <key>: " in the first lines of a file, or "".
std::string header(const std::filesystem::path& file, const std::string& key) {
  std::ifstream stream(file);
  std::string line;
  while (std::getline(stream, line) && line.rfind("#", 0) == 0)
    if (line.rfind("# " + key + ": ", 0) == 0) return line.substr(key.size() + 4);
  return "";
}

/// The ConfigError of loading, or "" when it loads.
std::string load_error(const std::string& file, const std::vector<std::string>& overrides, Experiment* loaded = nullptr) {
  try {
    Experiment experiment = load_experiment(file, overrides, test::plugins());
    if (loaded) *loaded = std::move(experiment);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("hostile: every file of tests/hostile is refused with its located sentence, or loads") {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHostile)) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const std::string expect = header(entry.path(), "expect");
    CAPTURE(entry.path().filename().string());
    REQUIRE_FALSE(expect.empty());
    Experiment experiment;
    const std::string message = load_error(entry.path().string(), {}, &experiment);
    if (expect == "ok") {
      CHECK(message.empty());
      if (const std::string run = header(entry.path(), "expect-run"); !run.empty())
        CHECK_THROWS_WITH(run_experiment(experiment, test::plugins(), test::options(1)), doctest::Contains(run.c_str()));
    } else {
      CHECK(message.find(expect) != std::string::npos);
      // Located: the file, then line and column (or the override).
      CHECK(message.rfind(entry.path().string() + ":", 0) == 0);
    }
  }
  CHECK(files >= 15);
}

TEST_CASE("hostile: every override of tests/hostile/overrides.txt is refused with a sentence naming it, or loads") {
  std::ifstream stream(kHostile / "overrides.txt");
  const std::string quickstart = (std::filesystem::path(NCVX_SOURCE_DIR) / "configs" / "quickstart.yaml").string();
  std::string line;
  int lines = 0;
  while (std::getline(stream, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string assignment = line.substr(0, tab), expect = line.substr(tab + 1);
    CAPTURE(assignment);
    ++lines;
    const std::string message = load_error(quickstart, {assignment});
    if (expect == "ok") {
      CHECK(message.empty());
    } else {
      CHECK(message.find(expect) != std::string::npos);
      CHECK(message.find(assignment) != std::string::npos);
    }
  }
  CHECK(lines >= 10);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NCVX_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NCVX_TEST_UNDER_ASAN 1
#endif

namespace {

/// Limits the address space to what the process maps now plus `extra` bytes
/// while it lives (not under AddressSanitizer, whose shadow memory needs
/// terabytes of address space): a reader that allocates what a hostile header
/// claims fails with std::bad_alloc instead of a sentence.
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(std::uint64_t extra) {
#if defined(NCVX_TEST_UNDER_ASAN)
    (void)extra;
#else
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    if (!(statm >> pages) || getrlimit(RLIMIT_AS, &saved_) != 0) return;
    rlimit limited = saved_;
    limited.rlim_cur = std::min<rlim_t>(saved_.rlim_cur, pages * 4096 + extra);
    active_ = setrlimit(RLIMIT_AS, &limited) == 0;
#endif
  }
  ~AddressSpaceLimit() {
    if (active_) setrlimit(RLIMIT_AS, &saved_);
  }
  AddressSpaceLimit(const AddressSpaceLimit&) = delete;
  AddressSpaceLimit& operator=(const AddressSpaceLimit&) = delete;

 private:
  rlimit saved_{};
  bool active_ = false;
};

}  // namespace

TEST_CASE("hostile: every data file of tests/hostile/readers is refused with a sentence naming it, never a crash") {
  // Files for matrix_file (.npy, .mtx, .csv) and ratings (ratings-*): shapes
  // whose products wrap, headers that promise more than the file holds, a
  // nearly empty huge coordinate matrix, text where numbers belong. Findings
  // of the reader fuzzer (fuzz/reader_fuzzer.cpp) join them.
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kHostile / "readers")) {
    const std::string name = entry.path().filename().string();
    const std::string problem = name.rfind("ratings-", 0) == 0 ? "ratings" : "matrix_file";
    const LoadedPlugin& plugin = test::plugins().find(PluginKind::problem, problem);
    ParameterValues values = ParameterValues::defaults(plugin.info().parameters);
    values.set("file", entry.path().string());
    std::string refusal;
    try {
      const AddressSpaceLimit limit(std::uint64_t{1} << 30);  // 1 GiB more than now: no file here needs it
      const auto model = plugin.create_problem(values);
      RandomStream random(1, "ground_truth");
      (void)model->sample(random);
    } catch (const Error& error) {
      refusal = error.what();
    }
    INFO(name << ": " << refusal);
    CHECK_FALSE(refusal.empty());
    CHECK(refusal.find(entry.path().string()) != std::string::npos);
    ++count;
  }
  CHECK(count >= 20);
}
