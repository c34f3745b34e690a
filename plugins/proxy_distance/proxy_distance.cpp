// Distance to the power-method proxy of phase I (docs/theory.md §4-5):
//
//   proxy_distance = |U_t - P_t| / |P_t|,   P_t = (I + mu M)^t U_0,   M = A*A(X*),
//
// (Frobenius norms). While U_t is small, GD is U_{t+1} ~ (I + mu M) U_t, so
// the distance stays small (about 1e-2 while |U_t| <= 0.1). mu is the
// optimizer's `step` unless `step` is given here. P_t is advanced lazily
// between logged iterations; after `until` iterations the column is NaN
// (the proxy grows geometrically and means nothing once U_t is large).

#include <cmath>
#include <stdexcept>

#include <ncvx/plugin.hpp>

namespace {

using ncvx::Index;
using ncvx::Matrix;

class ProxyDistance final : public ncvx::Metric {
 public:
  explicit ProxyDistance(const ncvx::ParameterValues& values)
      : step_(values.real("step")), until_(values.integer("until")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("step", 0.0, "mu of the proxy; 0: the optimizer's step").at_least(0.0),
        ncvx::ParameterSpec::integer("until", 1000, "last iteration at which the proxy is computed")
            .at_least(0),
    };
  }

  std::vector<std::string> columns() const override { return {"proxy_distance"}; }

  void evaluate(const ncvx::MetricContext& context, double* values) override {
    if (context.iteration > until_) {
      values[0] = std::nan("");
      return;
    }
    if (context.iteration == 0 || proxy_.size() == 0) start(context);
    const double mu = step_ > 0 ? step_ : context.step;
    if (!std::isfinite(mu)) throw std::runtime_error("no step: set proxy_distance.step");
    for (; advanced_ < context.iteration; ++advanced_) proxy_ += mu * (M_ * proxy_);
    values[0] = (context.factors.left() - proxy_).norm() / proxy_.norm();
  }

 private:
  void start(const ncvx::MetricContext& context) {
    if (!context.factors.symmetric())
      throw std::runtime_error("proxy_distance follows X = U U^T; this method fits X = U V^T");
    const auto& A = context.instance.measurement();
    ncvx::Vector measured;
    A.forward_factored(context.instance.ground_truth().factors(), measured);  // A(X*)
    M_ = A.adjoint(measured);                                                // A*A(X*)
    proxy_ = context.initial_factors.left();
    advanced_ = 0;
  }

  double step_;
  Index until_;
  Matrix M_, proxy_;
  Index advanced_ = 0;
};

}  // namespace

NCVX_PLUGIN(ProxyDistance, "proxy_distance",
            "|U_t - (I + mu A*A(X*))^t U_0| / |(I + mu A*A(X*))^t U_0|: the spectral phase",
            NCVX_VERSION_STRING)
