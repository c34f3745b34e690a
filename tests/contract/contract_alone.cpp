// The plugin contract stands alone: this program is compiled with the
// contract's include path only and linked with ncvx::contract only (see
// tests/CMakeLists.txt, which also compiles every contract header on its own
// in contract_headers.cpp). It loads every built plugin, runs the
// conformance kit on a few, and fails when the study library is in the
// process: a plugin (or the contract) that linked it would bring it in.
//
//   ncvx_contract_alone PLUGIN_DIR

#include <fstream>
#include <iostream>
#include <string>

#include <ncvx/conformance.hpp>
#include <ncvx/plugin_registry.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: ncvx_contract_alone PLUGIN_DIR\n";
    return 2;
  }
  ncvx::PluginRegistry registry;
  registry.scan({argv[1]});
  if (registry.plugins().size() < 30 || !registry.failures().empty()) {
    std::cerr << "FAIL: " << registry.plugins().size() << " plugins loaded, " << registry.failures().size()
              << " refused\n";
    return 1;
  }
  int failed = 0;
  for (const char* name : {"gd", "gaussian_sensing", "squared", "small_random"})
    for (const auto* plugin : registry.plugins())
      if (plugin->info().name == name && !ncvx::all_passed(ncvx::check_plugin(*plugin, {}, {}))) {
        std::cerr << "FAIL: " << plugin->describe() << " does not conform\n";
        ++failed;
      }
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    if (line.find("libncvx_study") != std::string::npos) {
      std::cerr << "FAIL: the study library is loaded with the plugins: " << line << "\n";
      return 1;
    }
  std::cout << registry.plugins().size() << " plugins loaded with the contract alone; " << (4 - failed)
            << " of 4 checked conform\n";
  return failed ? 1 : 0;
}
