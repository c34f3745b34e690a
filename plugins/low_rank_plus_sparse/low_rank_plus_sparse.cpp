// Low rank plus sparse (robust PCA; Candes, Li, Ma & Wright 2011): the data is
//
//   M = L* + S*,   L* = P diag(sigma) Q^T (n1 x n2, rank r, as low_rank),
//                  S* = +-magnitude rms(L*) on a uniformly random `fraction` of the entries,
//
// rms(L*) = |L*|_F / sqrt(n1 n2) the size of a typical entry, the signs
// uniform. The measurements see M (y = A(L* + S*)); the error is scored
// against L* alone (test_error = |X - L*|_F / |L*|_F), so a method recovers
// the low-rank part if it ignores the sparse one: factored gradient or
// subgradient descent on the l1 loss from a small start (Ma & Fattahi 2023).
// L* is drawn first (P, then Q, from the ground-truth stream, the same L* as
// low_rank's for the same seed and spectrum), then the positions and signs of S*.

#include <cmath>
#include <numeric>

#include <ncvx/memory.hpp>
#include <ncvx/plugin.hpp>

#include "../common/generated_truth.hpp"

namespace {

using ncvx::Index;
using ncvx::Matrix;

class LowRankPlusSparse final : public ncvx::Problem {
 public:
  explicit LowRankPlusSparse(const ncvx::ParameterValues& values)
      : values_(values),
        n1_(values.integer("n1")),
        n2_(values.integer("n2")),
        fraction_(values.real("fraction")),
        magnitude_(values.real("magnitude")) {
    ncvx::spectrum::validate(values, std::min(n1_, n2_));
    if (values.choice("spectrum") == "wishart")
      throw std::invalid_argument("spectrum: wishart is low_rank's; give L*'s spectrum as linear, geometric, power "
                                  "or list");
    if (static_cast<double>(n1_) * static_cast<double>(n2_) > 1e8)
      throw std::invalid_argument("n1 n2 exceeds 10^8 entries; S* is drawn over every entry");
  }

  static std::vector<ncvx::ParameterSpec> parameters() {
    std::vector<ncvx::ParameterSpec> specs = {
        ncvx::ParameterSpec::integer("n1", 40, "rows of L* and S*").at_least(1).at_most(100000),
        ncvx::ParameterSpec::integer("n2", 40, "columns").at_least(1).at_most(100000),
        ncvx::ParameterSpec::real("fraction", 0.05, "fraction of the entries where S* is not zero")
            .at_least(0.0)
            .below(1.0),
        ncvx::ParameterSpec::real("magnitude", 10.0, "|S*_ij| in units of rms(L*), the size of a typical entry")
            .at_least(0.0)};
    for (auto& spec : ncvx::spectrum::parameters()) specs.push_back(std::move(spec));
    return specs;
  }

  ncvx::ProblemDescription describe() const override {
    return {ncvx::MatrixShape::rectangular(n1_, n2_), true, false, false, values_.integer("rank")};
  }

  ncvx::ProblemData sample(ncvx::RandomStream& random) const override {
    const Index r = values_.integer("rank");
    Matrix P = ncvx::spectrum::orthonormal(n1_, r, random);
    Matrix Q = ncvx::spectrum::orthonormal(n2_, r, random);
    const ncvx::Vector sigma =
        ncvx::spectrum::normalize(ncvx::spectrum::generate(values_), values_.choice("normalization"));
    const double rms = sigma.norm() / std::sqrt(static_cast<double>(n1_) * static_cast<double>(n2_));
    ncvx::ProblemData data;
    data.ground_truth = ncvx::GroundTruth(std::move(P), sigma, std::move(Q));
    // Positions: a partial Fisher-Yates draw of round(fraction n1 n2) of the entries, then signs.
    const auto total = static_cast<std::size_t>(n1_ * n2_);
    const auto count = static_cast<std::size_t>(std::llround(fraction_ * static_cast<double>(total)));
    std::vector<std::size_t> order(total);
    std::iota(order.begin(), order.end(), std::size_t{0});
    ncvx::MatrixEntries sparse;
    sparse.reserve(count);
    for (std::size_t e = 0; e < count; ++e) {
      const auto pick = e + std::min(total - e - 1, static_cast<std::size_t>(random.uniform() *
                                                                            static_cast<double>(total - e)));
      std::swap(order[e], order[pick]);
      const double sign = random.uniform() < 0.5 ? -1.0 : 1.0;
      sparse.add(static_cast<Index>(order[e] % static_cast<std::size_t>(n1_)),
                 static_cast<Index>(order[e] / static_cast<std::size_t>(n1_)), sign * magnitude_ * rms);
    }
    data.sparse = std::move(sparse);
    return data;
  }

  std::size_t required_bytes() const override {
    return ncvx::saturating_product({static_cast<std::size_t>(n1_), static_cast<std::size_t>(n2_), 24});
  }

 private:
  ncvx::ParameterValues values_;
  Index n1_, n2_;
  double fraction_, magnitude_;
};

}  // namespace

NCVX_PLUGIN(LowRankPlusSparse, "low_rank_plus_sparse",
            "robust PCA data M = L* + S* (S* sparse, +-magnitude rms(L*)), the error scored against L* alone",
            NCVX_VERSION_STRING)
