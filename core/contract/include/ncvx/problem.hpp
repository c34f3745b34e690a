#pragma once
// A problem: the data side of an experiment, a plugin kind of its own.
//
// A problem says what matrix is to be reconstructed and what is known about
// it. It is either generative (a distribution over ground truths X*, from
// which the core measures y = A(X*) with the measurement operator) or a data
// problem (the observed entries themselves, for instance a ratings file,
// possibly with a held-out set and no ground truth). Both may be combined:
// a matrix read from a file is a ground truth measured by any model.
//
//   describe()   shape n1 x n2 and symmetry; which of ground truth, observed
//                entries and held-out entries `sample` provides; the rank of
//                X* when known. Cheap after construction (a file problem
//                reads its file once, when constructed).
//   sample(r)    one instance of the data, drawn from the stream
//                (seed, "ground_truth"): X* as factors (ground_truth.hpp),
//                and/or observed and held-out entries (matrix_entries.hpp),
//                and optionally `sparse`: entries S* that are part of the
//                data but not of the truth (low rank plus sparse, robust
//                PCA: the data is X* + S*, the error is scored against X*).
//   add_noise    optional: the problem's own observation noise, applied to y
//                before the corruption stage, from the stream (seed, "noise")
//                (low_rank_psd's `noise`).
//
// What the core then does with an instance (problem_instance.hpp):
//   A  = measurement model sampled for this shape (and the observed entries
//        of a data problem) from (seed, "measurement"),
//   y  = A(X*)   or   A(observed entries),   plus A(S*) when sparse is given,
//   y  = add_noise(y), then each corruption in turn (corruption.hpp),
//   test_error against X* when there is one, heldout_rmse on the held-out
//   entries when there are some.
//
// Contract: `sample` depends only on the parameters and the numbers drawn
// from `random`, and is safe to call from several threads at once.

#include <cstddef>
#include <optional>

#include "ncvx/ground_truth.hpp"
#include "ncvx/matrix_entries.hpp"
#include "ncvx/matrix_shape.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

struct ProblemDescription {
  MatrixShape shape;
  bool ground_truth = false;  ///< sample() returns X*
  bool observed = false;      ///< sample() returns the observed entries (a data problem)
  bool heldout = false;       ///< sample() returns held-out entries
  Index rank = 0;             ///< rank r of X* when known, else 0
};

struct ProblemData {
  std::optional<GroundTruth> ground_truth;
  std::optional<MatrixEntries> observed;
  std::optional<MatrixEntries> heldout;
  /// S*: added to what is measured (y = A(X* + S*)), never to what the fit
  /// is scored against (symmetric shapes: (i, j) stands for (j, i) too).
  std::optional<MatrixEntries> sparse;
};

class Problem {
 public:
  virtual ~Problem();

  virtual ProblemDescription describe() const = 0;
  virtual ProblemData sample(RandomStream& random) const = 0;
  /// The problem's own noise on y (default: none).
  virtual void add_noise(Vector& observations, RandomStream& random) const;
  /// Bytes an instance holds (an estimate; 0 if unknown), for the memory guard.
  virtual std::size_t required_bytes() const;
};

}  // namespace ncvx
