#pragma once
// The conformance suite: checks any plugin, built-in or not, against the
// contract of its interface. `ncvx check NAME` prints the table; the same
// checks run inside a plugin author's own doctest suite through
// <ncvx/testing/conformance.hpp>.
//
// measurement  dimensions; adjoint identity <A(X), v> = <X, A*(v)>; factored
//              forward A(UU^T) = forward of the formed UU^T; A*(v)M = adjoint(v) M;
//              E|A(Z)|^2 = |Z|_F^2 when the model claims it; determinism under a seed
// loss         derivative against central finite differences; l(0) = 0, l'(0) = 0;
//              purity (same input, same output)
// initializer  shape n x k for several k; finite; determinism under a seed; a
//              declared `scale` scales the factor linearly
// optimizer    on a reference sensing problem that knows its answer (n = 8, r = k = 1,
//              dense Gaussian operator written independently of any plugin):
//              objective decreases, no NaN, reaches the answer, determinism
// metric       columns named and unique; finite values; determinism
//
// Tolerances are printed with each measured value.

#include <cstdint>
#include <string>
#include <vector>

#include "ncvx/plugin_registry.hpp"

namespace ncvx {

enum class CheckOutcome { passed, failed, skipped };

const char* to_string(CheckOutcome outcome);

struct ConformanceCheck {
  std::string name;
  CheckOutcome outcome = CheckOutcome::passed;
  double measured = 0.0;   // NaN when not a number
  double tolerance = 0.0;  // NaN when not a threshold
  std::string detail;      // why it failed or was skipped, or what was measured
};

/// Runs every check of the plugin's kind with its default parameters
/// (overridden by `values` where given). Never throws for a plugin failure:
/// an exception is a failed check that quotes it.
std::vector<ConformanceCheck> check_plugin(const LoadedPlugin& plugin,
                                           const ParameterValues& values = {},
                                           std::uint64_t seed = 1);

/// check | result | measured | tolerance | detail
std::string conformance_table(const std::vector<ConformanceCheck>& checks);

bool all_passed(const std::vector<ConformanceCheck>& checks);

}  // namespace ncvx
