#pragma once
// The conformance suite as doctest assertions, for plugin authors' own tests:
//
//   #define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
//   #include <doctest/doctest.h>
//   #include <ncvx/testing/conformance.hpp>
//
//   TEST_CASE("heavy_ball conforms") {
//     ncvx::PluginRegistry registry;
//     const auto& plugin = registry.load(HEAVY_BALL_LIBRARY);   // the built .so
//     ncvx::testing::check_conformance(plugin);
//   }
//
// Every check of ncvx/conformance.hpp becomes one doctest CHECK, with the
// measured value, the tolerance and the detail in the failure message.
// Include <doctest/doctest.h> first.

#include <doctest/doctest.h>

#include "ncvx/conformance.hpp"

namespace ncvx::testing {

inline void check_conformance(const LoadedPlugin& plugin, const ParameterValues& values = {},
                              const ConformanceOptions& options = {}) {
  for (const ConformanceCheck& check : check_plugin(plugin, values, options)) {
    INFO(plugin.describe() << " - " << check.name << ": measured " << check.measured
                           << ", tolerance " << check.tolerance << ". " << check.detail);
    CHECK(check.outcome != CheckOutcome::failed);
  }
}

}  // namespace ncvx::testing
