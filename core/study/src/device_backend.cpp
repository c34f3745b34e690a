#define BOOST_DLL_USE_STD_FS
// Loading the device backend (device_backend.hpp): NCVX_DEVICE_BACKEND's file,
// else the CUDA backend installed beside this library or built in this tree.
// Loaded once per process; the library stays loaded for the process's life
// (its trajectories' code lives there).

#include "ncvx/study/device_backend.hpp"

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

namespace ncvx {

namespace {

namespace fs = std::filesystem;

struct Loaded {
  boost::dll::shared_library library;
  const DeviceBackend* backend = nullptr;
  std::string why;
};

fs::path backend_file() {
  if (const char* chosen = std::getenv("NCVX_DEVICE_BACKEND"); chosen && *chosen) return chosen;
  std::error_code error;
  const fs::path here = boost::dll::this_line_location(error).parent_path();  // the study library's folder
  const fs::path installed = here / fs::path(NCVX_INSTALL_BACKEND_DIR).lexically_relative(NCVX_INSTALL_LIBDIR) /
                             "libncvx_backend_cuda.so";
  if (!error && fs::exists(installed)) return installed;
  return fs::path(NCVX_BACKEND_BUILD_DIR) / "libncvx_backend_cuda.so";
}

Loaded load() {
  Loaded loaded;
  const fs::path file = backend_file();
  if (!fs::exists(file)) {
    loaded.why = fmt::format(
        "this ncvx was built without its CUDA backend (no {}): CMake builds it where it finds nvcc (CUDA 12 or 13); "
        "rebuild on such a machine, or remove `backend: cuda`",
        file.string());
    return loaded;
  }
  try {
    loaded.library.load(file.string(), boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now);
  } catch (const std::exception& failure) {
    loaded.why = fmt::format("the device backend {} does not load: {}", file.string(), failure.what());
    return loaded;
  }
  if (!loaded.library.has("ncvx_device_backend_abi") || !loaded.library.has("ncvx_device_backend")) {
    loaded.why = fmt::format("{} is not an ncvx device backend (it exports no ncvx_device_backend_abi)", file.string());
    return loaded;
  }
  const int abi = loaded.library.get<int()>("ncvx_device_backend_abi")();
  if (abi != kDeviceBackendAbi) {
    loaded.why = fmt::format("the device backend {} was built for backend ABI {}, this ncvx needs {}: rebuild it "
                             "with this ncvx",
                             file.string(), abi, kDeviceBackendAbi);
    return loaded;
  }
  loaded.backend = loaded.library.get<const DeviceBackend*()>("ncvx_device_backend")();
  if (!loaded.backend->available())
    loaded.why = fmt::format("the CUDA backend finds no device ({}); run on a machine with an NVIDIA GPU, or "
                             "remove `backend: cuda`",
                             loaded.backend->device());
  return loaded;
}

}  // namespace

const DeviceBackend* device_backend(std::string& why) {
  static std::once_flag once;
  static Loaded* loaded = nullptr;  // never destroyed: trajectories may outlive static destruction order
  std::call_once(once, [] { loaded = new Loaded(load()); });
  why = loaded->why;
  return loaded->why.empty() ? loaded->backend : nullptr;
}

}  // namespace ncvx
