// The plugin loader's refusals: each names the file and what is wrong.

#include <doctest/doctest.h>

#include <ncvx/errors.hpp>

#include "support.hpp"

using namespace ncvx;

namespace {
std::string load_error(const std::filesystem::path& file) {
  PluginRegistry registry;
  try {
    registry.load(file);
  } catch (const PluginError& error) {
    return error.what();
  }
  return "";
}
const std::filesystem::path kFixtures = NCVX_TEST_FIXTURE_DIR;
}  // namespace

TEST_CASE("loader: every built-in plugin loads from its own library with a matching ABI") {
  const auto& registry = test::plugins();
  CHECK(registry.failures().empty());
  const std::vector<std::pair<PluginKind, std::string>> expected = {
      {PluginKind::measurement, "gaussian_sensing"}, {PluginKind::measurement, "matrix_completion"},
      {PluginKind::loss, "squared"},                 {PluginKind::initializer, "small_random"},
      {PluginKind::initializer, "spectral"},         {PluginKind::optimizer, "gd"}};
  for (const auto& [kind, name] : expected) {
    const LoadedPlugin& plugin = registry.find(kind, name);
    CHECK(plugin.file().filename() == "ncvx_" + name + ".so");
    CHECK(abi_mismatch(plugin.abi(), AbiRecord::of_host()).empty());
  }
}

TEST_CASE("loader: a missing file") {
  const std::string message = load_error("/nonexistent/ncvx_nothing.so");
  CHECK(message.find("cannot load plugin file /nonexistent/ncvx_nothing.so: the file does not exist") == 0);
}

TEST_CASE("loader: a file that is not a library keeps the system loader's text") {
  test::TemporaryFolder folder("loader");
  const auto file = folder.write(
      "ncvx_fake.so", std::string(200, '#') + "\nthis text file only pretends to be a library\n");
  const std::string message = load_error(file);
  CHECK(message.find(file.string()) != std::string::npos);
  CHECK(message.find("not a loadable shared library") != std::string::npos);
  CHECK(message.find("invalid ELF header") != std::string::npos);
}

TEST_CASE("loader: a library without the entry points") {
  const std::string message = load_error(kFixtures / "no_entry" / "ncvx_no_entry.so");
  CHECK(message.find("ncvx_no_entry.so") != std::string::npos);
  CHECK(message.find("no entry point `ncvx_plugin_abi`") != std::string::npos);
}

TEST_CASE("loader: an ABI mismatch is refused with both sides and the fix") {
  const std::string abi = load_error(kFixtures / "bad_abi" / "ncvx_bad_abi.so");
  CHECK(abi.find("ncvx_bad_abi.so") != std::string::npos);
  CHECK(abi.find("the plugin ABI version differs: the plugin has '999' but ncvx has '4'; rebuild "
                 "the plugin") != std::string::npos);
  // A plugin of the previous ABI hears what changed and how to port it.
  const std::string previous = load_error(kFixtures / "abi3" / "ncvx_abi3.so");
  CHECK(previous.find("ncvx_abi3.so") != std::string::npos);
  CHECK(previous.find("built for ncvx's ABI 3 and this ncvx has ABI 4, which added the factorization kind") !=
        std::string::npos);
  CHECK(previous.find("Porting from ABI 3") != std::string::npos);
  const std::string eigen = load_error(kFixtures / "eigen_mismatch" / "ncvx_eigen_mismatch.so");
  CHECK(eigen.find("the Eigen version or vectorization settings differs") != std::string::npos);
  CHECK(eigen.find("simd=AVX512") != std::string::npos);
  CHECK(eigen.find("rebuild the plugin") != std::string::npos);
}

TEST_CASE("loader: two plugins of one kind and name are an error naming both files") {
  PluginRegistry registry;
  registry.scan({NCVX_TEST_PLUGIN_DIR, kFixtures / "duplicate_gd"});
  REQUIRE(registry.failures().size() == 1);
  const std::string& reason = registry.failures().front().reason;
  CHECK(reason.find("ncvx_duplicate_gd.so") != std::string::npos);
  CHECK(reason.find("defines optimizer `gd`, which") != std::string::npos);
  CHECK(reason.find("ncvx_gd.so already defines") != std::string::npos);
  // The first one found stays usable.
  CHECK(registry.find(PluginKind::optimizer, "gd").file().filename() == "ncvx_gd.so");
}

TEST_CASE("loader: an unknown name lists the available ones, the folders and failed files") {
  PluginRegistry registry;
  registry.scan({NCVX_TEST_PLUGIN_DIR, kFixtures / "bad_abi"});
  std::string message;
  try {
    registry.find(PluginKind::optimizer, "gdd");
  } catch (const PluginError& error) {
    message = error.what();
  }
  CHECK(message.find("unknown optimizer 'gdd'; did you mean 'gd'? Available optimizer plugins: altmin, gauss_newton, gd, mirror_descent, momentum, nuclear_norm, precgd, riemannian_gd, scaled_gd, subgradient, svp, wirtinger_flow.") == 0);
  CHECK(message.find("Searched: ") != std::string::npos);
  CHECK(message.find("Not loaded: cannot load plugin file") != std::string::npos);
}

TEST_CASE("loader: a plugin that throws is reported with its name and file") {
  PluginRegistry registry;
  const LoadedPlugin& plugin = registry.load(kFixtures / "throwing" / "ncvx_throwing.so");
  ParameterValues values = ParameterValues::defaults(plugin.info().parameters);
  values.set("fail_on_create", true);
  std::string message;
  try {
    plugin.create_optimizer(values);
  } catch (const PluginError& error) {
    message = error.what();
  }
  CHECK(message.find("optimizer `throwing` (") == 0);
  CHECK(message.find("ncvx_throwing.so) failed while being created: refusing to be created") !=
        std::string::npos);
  CHECK_THROWS_AS(plugin.create_loss(values), PluginError);  // wrong kind
}

TEST_CASE("loader: objects keep their library loaded after the registry is gone") {
  std::shared_ptr<Loss> loss;
  {
    PluginRegistry registry;
    registry.scan({NCVX_TEST_PLUGIN_DIR});
    loss = registry.find(PluginKind::loss, "squared").create_loss({});
  }
  Vector r = Vector::Ones(2), d(2);
  CHECK(loss->evaluate(r, d) == doctest::Approx(0.5));  // would crash if unloaded
  loss.reset();
}
