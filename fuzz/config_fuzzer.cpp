// libFuzzer target for the configuration loader and the override parser.
//
// An input is YAML text, optionally followed by a line "%%" and then one
// command-line override per line. It is parsed, the overrides applied, and
// the experiment validated and expanded with the real plugins (a few runs
// enumerated). A refusal is an ncvx::Error (a configuration or plugin error
// with a sentence); anything else escaping, a crash, a sanitizer report, a
// timeout or running out of memory is a finding.
//
//   bash scripts/fuzz.sh 600         # ten minutes, corpus in build-fuzz/corpus

#include <cstdint>
#include <string>
#include <vector>

#include <ncvx/study/config_tree.hpp>
#include <ncvx/errors.hpp>
#include <ncvx/study/experiment.hpp>
#include <ncvx/plugin_registry.hpp>

namespace {

const ncvx::PluginRegistry& registry() {
  static const ncvx::PluginRegistry* plugins = [] {
    auto* r = new ncvx::PluginRegistry();
    r->scan({NCVX_FUZZ_PLUGIN_DIR});
    return r;
  }();
  return *plugins;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string text = input;
  std::vector<std::string> overrides;
  if (const auto marker = input.find("\n%%\n"); marker != std::string::npos) {
    text = input.substr(0, marker + 1);
    std::string rest = input.substr(marker + 4);
    for (std::size_t at = 0; at < rest.size();) {
      const auto end = rest.find('\n', at);
      const std::string line = rest.substr(at, end == std::string::npos ? std::string::npos : end - at);
      if (!line.empty()) overrides.push_back(line);
      if (end == std::string::npos) break;
      at = end + 1;
    }
  }
  try {
    ncvx::ConfigNode root = ncvx::parse_config_text(text, {"fuzz.yaml", 0, 0, ""});
    for (const auto& assignment : overrides) ncvx::apply_override(root, assignment);
    const ncvx::Experiment experiment = ncvx::make_experiment(std::move(root), "fuzz.yaml", registry());
    for (std::size_t i = 0; i < experiment.run_count() && i < 64; ++i) (void)experiment.run(i);
  } catch (const ncvx::Error&) {
    // A refusal with a sentence: what hostile input should get.
  }
  return 0;
}
