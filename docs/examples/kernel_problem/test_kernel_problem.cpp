#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <ncvx/testing/conformance.hpp>

TEST_CASE("kernel_matrix and quantize pass the ncvx conformance suite") {
  ncvx::PluginRegistry registry;
  ncvx::testing::check_conformance(registry.load(KERNEL_MATRIX_LIBRARY));
  ncvx::testing::check_conformance(registry.load(QUANTIZE_LIBRARY));
}

TEST_CASE("kernel_matrix: rank r, sigma_1 = 1, a fast-decaying spectrum") {
  ncvx::PluginRegistry registry;
  const ncvx::LoadedPlugin& plugin = registry.load(KERNEL_MATRIX_LIBRARY);
  const auto problem = plugin.create_problem(ncvx::ParameterValues::defaults(plugin.info().parameters));
  ncvx::RandomStream random(1, "ground_truth");
  const ncvx::ProblemData data = problem->sample(random);
  const ncvx::Vector& sigma = data.ground_truth->values();
  CHECK(sigma.size() == 4);
  CHECK(sigma(0) == doctest::Approx(1.0));
  CHECK(sigma(3) < 0.1 * sigma(1));
}

TEST_CASE("quantize rounds to the resolution") {
  ncvx::PluginRegistry registry;
  const ncvx::LoadedPlugin& plugin = registry.load(QUANTIZE_LIBRARY);
  ncvx::ParameterValues values = ncvx::ParameterValues::defaults(plugin.info().parameters);
  values.set("resolution", 0.5);
  ncvx::Vector y(3);
  y << 0.2, 0.3, -1.1;
  ncvx::RandomStream random(1, "corruption.0");
  plugin.create_corruption(values)->corrupt(y, random);
  CHECK(y(0) == 0.0);
  CHECK(y(1) == 0.5);
  CHECK(y(2) == -1.0);
}
