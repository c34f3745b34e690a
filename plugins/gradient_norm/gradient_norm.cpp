// |grad f(U_t)|_F, from the objective the core composed (one forward and
// one adjoint pass per logged iteration).

#include <ncvx/plugin.hpp>

namespace {

class GradientNorm final : public ncvx::Metric {
 public:
  explicit GradientNorm(const ncvx::ParameterValues&) {}
  static std::vector<ncvx::ParameterSpec> parameters() { return {}; }
  std::vector<std::string> columns() const override { return {"gradient_norm"}; }
  void evaluate(const ncvx::MetricContext& context, double* values) override {
    context.objective.value_and_gradient(context.factors, gradient_);
    values[0] = gradient_.norm();
  }

 private:
  ncvx::FactorSet gradient_;
};

}  // namespace

NCVX_PLUGIN(GradientNorm, "gradient_norm", "|grad f(U)|_F (Frobenius norm of the gradient)",
            NCVX_VERSION_STRING)
