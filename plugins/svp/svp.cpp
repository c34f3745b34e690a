// Singular value projection (SVP; Jain, Meka & Dhillon, NeurIPS 2010):
// projected gradient descent on X over the matrices of rank at most k,
//
//   X_{t+1} = P_k(X_t - mu grad_X f(X_t)),   grad_X f = A*(l'(A(X) - y)),
//
// P_k the best rank-k approximation (positive semidefinite for a symmetric
// fit), k = the method's width, and X_0 = X(F_0) from any initializer (SVP's
// own start X_0 = 0 is approached by a small random start: the first step is
// then the spectral estimate P_k(mu A*(y))). The iterate is kept dense (O(n^3) per step: small n) and
// written back as factors (../common/matrix_iterate.hpp).
//
// Step convention: ncvx's f = 1/4 |A(X) - y|^2 has grad_X f = A*(r)/2, so
// mu = 2 is the paper's unit step eta = 1 on 1/2 |A(X) - y|^2 (with
// E A*A = identity); the paper takes eta = 1/(1 + delta) under the RIP
// constant delta. The default mu = 1.5 is eta = 0.75; with few measurements
// (delta > 1) that step diverges, so by default it is backtracked
// (../common/matrix_iterate.hpp: mu halves until the step decreases the
// quadratic model, and stays there).

#include <ncvx/plugin.hpp>

#include "../common/matrix_iterate.hpp"

namespace {

class SingularValueProjection final : public ncvx::Optimizer {
 public:
  explicit SingularValueProjection(const ncvx::ParameterValues& values)
      : step_(values.real("step")), backtracking_(values.boolean("backtracking")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("step", 1.5, "mu on ncvx's gradient (2: the paper's eta = 1); the first "
                                                   "step with backtracking")
                .above(0.0),
            ncvx::ParameterSpec::boolean("backtracking", true, "halve mu until the step decreases the model")};
  }

  void step(const ncvx::Objective& objective, ncvx::FactorSet& factors, ncvx::Index iteration) override {
    if (iteration == 0 || X_.size() == 0) {
      X_ = factors.product();
      mu_ = step_;
    }
    const double value = objective.value_and_gradient_matrix(X_, gradient_);
    const ncvx::Matrix from = X_;
    const bool symmetric = factors.symmetric();
    const ncvx::Index width = factors.width();
    ncvx::matrix_iterate::proximal_step(
        objective, from, value, gradient_, mu_, backtracking_,
        [&](const ncvx::Matrix& Y, double, ncvx::Matrix& X, ncvx::FactorSet& F) {
          ncvx::matrix_iterate::project(Y, symmetric, width, X, F);
        },
        X_, factors);
  }

 private:
  double step_;
  bool backtracking_;
  double mu_ = 0.0;
  ncvx::Matrix X_, gradient_;
};

}  // namespace

NCVX_PLUGIN(SingularValueProjection, "svp",
            "singular value projection: X <- P_k(X - mu grad_X f), the best rank-k approximation (dense X)",
            NCVX_VERSION_STRING)
