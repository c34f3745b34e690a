#pragma once
// The conformance suite: checks any plugin, built-in or not, against the
// contract of its interface. `ncvx check NAME` prints the table; the same
// checks run inside a plugin author's own doctest suite through
// <ncvx/testing/conformance.hpp>.
//
// problem      describes a valid shape; the ground truth has orthonormal factors,
//              the declared shape and rank; entries lie inside the shape;
//              determinism under a seed
// corruption   keeps the size of y; finite; determinism under a seed
// measurement  on a symmetric n x n and a rectangular n x (n - 2) shape (a shape
//              the model refuses is skipped): dimensions; adjoint identity
//              <A(X), v> = <X, A*(v)>; factored forward A(UU^T), A(UV^T) = forward
//              of the formed matrix; A*(v)M = adjoint(v) M and A*(v)^T M;
//              `evaluate` (the objective's path) agrees with forward and adjoint,
//              and gives each factor set the same bits alone or in a batch;
//              E|A(Z)|^2 = |Z|_F^2 when the model claims it; determinism
// loss         derivative against central finite differences; l(0) = 0, l'(0) = 0;
//              purity (same input, same output)
// initializer  shapes U n x k for several k, and U, V for an asymmetric
//              factorization; finite; determinism under a seed; a declared
//              `scale` scales the factors linearly
// optimizer    on reference sensing problems that know their answer (X = UU^T,
//              n = 8, and X = UV^T, 8 x 6; r = k = 1; dense Gaussian operators
//              written independently of any plugin), from F* perturbed by 30 %:
//              objective decreases, no NaN, reaches the answer, determinism; a
//              factorization the optimizer refuses (Optimizer::refuses) is skipped
// metric       columns named and unique; values finite or NaN (no value), not
//              all NaN; determinism
//
// Any exception (of any type) fails its check, quoting it; NaN and infinity
// fail every threshold. Tolerances are printed with each measured value.
// Reserved parameter names: `scale` of an initializer (U_0 scales linearly
// with it, and sweeps of it are the scale alpha), `step` of an optimizer (the
// step mu that metrics such as proxy_distance and phases read).
// A plugin whose `path` parameter has no default cannot be created without
// it: its checks are skipped unless the file is given (`ncvx check NAME
// file=PATH`).

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

struct ConformanceOptions {
  Index n = 8;            ///< side of the measured shapes (symmetric n x n, rectangular n x (n-2))
  std::uint64_t seed = 1;
};

/// Runs every check of the plugin's kind with its default parameters
/// (overridden by `values` where given). Never throws for a plugin failure:
/// an exception is a failed check that quotes it.
std::vector<ConformanceCheck> check_plugin(const LoadedPlugin& plugin, const ParameterValues& values = {},
                                           const ConformanceOptions& options = {});

/// check | result | measured | tolerance | detail
std::string conformance_table(const std::vector<ConformanceCheck>& checks);

bool all_passed(const std::vector<ConformanceCheck>& checks);

}  // namespace ncvx
