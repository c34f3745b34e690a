#pragma once
// An initializer produces the starting factor U_0 (n x width).
//
// It sees what a practitioner would see: the measurement operator A and the
// observations y, never the ground truth X*. Small random initialization
// draws U_0 = alpha * G from `random`; spectral initialization uses the top
// eigenpairs of A*(y).
//
// Contract: the result is n x width with finite entries and depends only on
// the inputs and the numbers drawn from `random`.

#include "ncvx/measurement_operator.hpp"
#include "ncvx/random_stream.hpp"

namespace ncvx {

struct InitializationData {
  const MeasurementOperator& measurement;  // A
  const Vector& observations;              // y
};

class Initializer {
 public:
  virtual ~Initializer();

  virtual Matrix initialize(const InitializationData& data, Index width,
                            RandomStream& random) const = 0;
};

}  // namespace ncvx
