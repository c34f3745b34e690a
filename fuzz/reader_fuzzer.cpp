// libFuzzer target for the data readers: the files of matrix_file (.npy,
// MatrixMarket, text) and ratings (tab, comma or :: separated triples,
// LIBMF triplets, Matrix Market coordinate, scipy.sparse .npz).
//
// An input's first byte chooses the reader; the rest is the file's bytes,
// written to a temporary file that the real plugin (loaded from the build's
// plugin folder) is created on, then described and sampled. A refusal is an
// ncvx::Error naming the file (a PluginError around the plugin's sentence);
// anything else escaping, a crash, a sanitizer report, a timeout or more than
// the memory limit is a finding.
//
//   bash scripts/fuzz.sh 1800 reader        # half an hour, corpus in build-fuzz/corpus-reader

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <ncvx/errors.hpp>
#include <ncvx/plugin_registry.hpp>
#include <ncvx/random_stream.hpp>

namespace {

const ncvx::PluginRegistry& registry() {
  static const ncvx::PluginRegistry* plugins = [] {
    auto* r = new ncvx::PluginRegistry();
    r->scan({NCVX_FUZZ_PLUGIN_DIR});
    return r;
  }();
  return *plugins;
}

struct Reader {
  const char* problem;
  const char* extension;
  const char* format;
};

constexpr Reader kReaders[] = {
    {"matrix_file", ".npy", "npy"},    {"matrix_file", ".mtx", "mtx"},   {"matrix_file", ".csv", "text"},
    {"ratings", ".data", "auto"},      {"ratings", ".csv", "csv"},       {"ratings", ".dat", "dat"},
    {"ratings", ".mtx", "mtx"},        {"ratings", ".npz", "npz"},       {"ratings", ".txt", "triplets"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const Reader& reader = kReaders[data[0] % std::size(kReaders)];
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ncvx-reader-fuzz-" + std::to_string(::getpid()) + reader.extension);
  {
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    const ncvx::LoadedPlugin& plugin = registry().find(ncvx::PluginKind::problem, reader.problem);
    ncvx::ParameterValues values = ncvx::ParameterValues::defaults(plugin.info().parameters);
    values.set("file", file.string());
    values.set("format", std::string(reader.format));
    const auto problem = plugin.create_problem(values);
    (void)plugin.guard("describing itself", [&] { return problem->describe(); });
    ncvx::RandomStream random(1, "ground_truth");
    (void)plugin.guard("sampling", [&] { return problem->sample(random); });
  } catch (const ncvx::Error&) {
    // A refusal with a sentence: what a hostile file should get.
  }
  return 0;
}
