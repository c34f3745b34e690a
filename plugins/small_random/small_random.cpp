// Small random initialization:
//
//   U_0 = alpha * G,   G in R^{n1 x k} with i.i.d. N(0, v) entries,
//   V_0 = alpha * H,   H in R^{n2 x k} likewise, independent (X = U V^T only),
//
// alpha = `scale`, and v = 1/k by default (`entry_variance: inverse_width`),
// or 1/n (n1 for G, n2 for H), or 1. G, then H, is drawn column by column
// from the run's "init" stream, so runs that differ only in alpha start from
// the same directions.
//
// Any other factorization's blocks (deep's W_1 .. W_D, cp's A, B, C) are
// drawn the same way, in order, each alpha times a Gaussian block with entry
// variance 1/k (or 1/rows, or 1): for deep this is the small, nearly balanced
// start of Arora et al. (the product is of order alpha^D).

#include <ncvx/plugin.hpp>

namespace {

class SmallRandom final : public ncvx::Initializer {
 public:
  explicit SmallRandom(const ncvx::ParameterValues& values)
      : scale_(values.real("scale")), imbalance_(values.real("imbalance")), variance_(values.choice("entry_variance")) {}

  static std::vector<ncvx::ParameterSpec> parameters() {
    return {
        ncvx::ParameterSpec::real("scale", 1e-3, "alpha: U_0 = alpha * G").above(0.0),
        ncvx::ParameterSpec::choice("entry_variance", "inverse_width",
                                    {"inverse_width", "inverse_dimension", "one"},
                                    "variance of the entries of G: 1/k, 1/n or 1"),
        ncvx::ParameterSpec::real("imbalance", 1.0,
                                  "rho: U_0 = rho alpha G, V_0 = alpha H / rho for X = U V^T (the product keeps "
                                  "its scale, |U_0| / |V_0| ~ rho^2); 1: balanced")
            .above(0.0),
    };
  }

  std::string refuses(const ncvx::FactorShape&) const override { return {}; }  // any factorization

  ncvx::FactorSet initialize(const ncvx::InitializationData&, const ncvx::FactorShape& shape,
                             ncvx::RandomStream& random) const override {
    if (shape.general()) {
      std::vector<ncvx::Matrix> blocks;
      for (const ncvx::BlockShape& block : shape.blocks)
        blocks.push_back(draw(block.rows, block.cols, shape.width, random));
      return ncvx::FactorSet(shape, std::move(blocks));
    }
    ncvx::Matrix U = draw(shape.rows, shape.width, random);
    if (shape.symmetric) return ncvx::FactorSet(std::move(U));
    ncvx::Matrix V = draw(shape.cols, shape.width, random);
    if (imbalance_ != 1.0) {  // 1: the balanced start's bits, untouched
      U *= imbalance_;
      V /= imbalance_;
    }
    return ncvx::FactorSet(std::move(U), std::move(V));
  }

 private:
  ncvx::Matrix draw(ncvx::Index rows, ncvx::Index width, ncvx::RandomStream& random) const {
    return draw(rows, width, width, random);
  }

  /// alpha times a rows x cols Gaussian block of entry variance 1/width, 1/rows or 1.
  ncvx::Matrix draw(ncvx::Index rows, ncvx::Index cols, ncvx::Index width, ncvx::RandomStream& random) const {
    const double variance = variance_ == "inverse_width"       ? 1.0 / static_cast<double>(width)
                            : variance_ == "inverse_dimension" ? 1.0 / static_cast<double>(rows)
                                                               : 1.0;
    ncvx::Matrix factor(rows, cols);
    random.fill_normal(factor, variance);
    return scale_ * factor;
  }

  double scale_, imbalance_;
  std::string variance_;
};

}  // namespace

NCVX_PLUGIN(SmallRandom, "small_random", "U_0 = alpha G (and V_0 = alpha H), G, H Gaussian with entry variance 1/k",
            NCVX_VERSION_STRING)
