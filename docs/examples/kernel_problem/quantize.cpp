// A corruption plugin: quantized observations,
//
//   y_i <- resolution * round(y_i / resolution),
//
// as a sensor with a finite resolution would report them (deterministic: the
// stream is not used).

#include <cmath>

#include <ncvx/plugin.hpp>

namespace {

class Quantize final : public ncvx::Corruption {
 public:
  explicit Quantize(const ncvx::ParameterValues& values) : resolution_(values.real("resolution")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {ncvx::ParameterSpec::real("resolution", 1e-3, "the quantization step").above(0.0)};
  }

  void corrupt(ncvx::Vector& observations, ncvx::RandomStream&) const override {
    for (ncvx::Index i = 0; i < observations.size(); ++i)
      observations(i) = resolution_ * std::round(observations(i) / resolution_);
  }

 private:
  double resolution_;
};

}  // namespace

NCVX_PLUGIN(Quantize, "quantize", "y <- resolution * round(y / resolution)", "1.0.0")
