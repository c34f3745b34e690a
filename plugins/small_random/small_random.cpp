// Small random initialization, PAPER.md section 3:
//
//   U_0 = alpha * G,   G in R^{n x k} with i.i.d. N(0, v) entries,
//
// alpha = `scale`, and v = 1/k by default (`entry_variance: inverse_width`),
// or 1/n, or 1. G is drawn column by column from the run's "init" stream,
// so runs that differ only in alpha start from the same direction G.

#include <ncvx/plugin.hpp>

namespace {

class SmallRandom final : public ncvx::Initializer {
 public:
  explicit SmallRandom(const ncvx::ParameterValues& values)
      : scale_(values.real("scale")), variance_(values.choice("entry_variance")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("scale", 1e-3, "alpha: U_0 = alpha * G").above(0.0),
        ncvx::ParameterSpec::choice("entry_variance", "inverse_width",
                                    {"inverse_width", "inverse_dimension", "one"},
                                    "variance of the entries of G: 1/k, 1/n or 1"),
    };
  }

  ncvx::Matrix initialize(const ncvx::InitializationData& data, ncvx::Index width,
                          ncvx::RandomStream& random) const override {
    const ncvx::Index n = data.measurement.dimension();
    const double variance = variance_ == "inverse_width"       ? 1.0 / static_cast<double>(width)
                            : variance_ == "inverse_dimension" ? 1.0 / static_cast<double>(n)
                                                               : 1.0;
    ncvx::Matrix factor(n, width);
    random.fill_normal(factor, variance);
    return scale_ * factor;
  }

 private:
  double scale_;
  std::string variance_;
};

}  // namespace

NCVX_PLUGIN(SmallRandom, "small_random", "U_0 = alpha G, G Gaussian with entry variance 1/k",
            NCVX_VERSION_STRING)
