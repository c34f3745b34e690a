#pragma once
// An initializer produces the starting factor set F_0: U_0 (n1 x k), and
// V_0 (n2 x k) for an asymmetric factorization.
//
// It sees what a practitioner would see: the measurement operator A and the
// observations y, never the ground truth X*. Small random initialization
// draws U_0 = alpha G (and V_0 = alpha H) from `random`; spectral
// initialization uses the top eigenpairs (singular triplets) of A*(y).
//
// Another factorization's blocks (factorization.hpp: deep, cp) are asked for
// with a general FactorShape (its `blocks`); an initializer that fills them
// overrides `refuses` (the default refuses general shapes, so a spectral
// start written for U U^T is never handed a deep network's blocks).
//
// Contract: the result has the requested shape (FactorShape: rows x width,
// and cols x width when asymmetric; every block's size when general), finite
// entries, and depends only on the inputs and the numbers drawn from `random`.

#include <string>

#include "ncvx/factor_set.hpp"
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

  virtual FactorSet initialize(const InitializationData& data, const FactorShape& shape,
                               RandomStream& random) const = 0;

  /// Why factor sets of this shape are not filled, as a sentence with the fix
  /// ("" when they are). Default: U U^T and U V^T are, general shapes are not.
  virtual std::string refuses(const FactorShape& shape) const;
};

}  // namespace ncvx
