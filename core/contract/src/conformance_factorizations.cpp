// Conformance of a factorization (factorization.hpp): on a symmetric 6 x 6,
// a rectangular 6 x 5 and a 3 x 4 x 2 tensor problem, wherever it does not
// refuse the shape,
//   - its blocks have the declared shape and lift to thin factors of X,
//   - the chain rule agrees with central differences of f(F) = <G, L R^T>
//     for a random G, along a random direction,
//   - lift is deterministic,
//   - a direct factorization's lift is its factor set's own product, and the
//     objective through the lift equals the direct objective.

#include <fmt/format.h>

#include "conformance_kit.hpp"

namespace ncvx::detail {

namespace {

/// <G, L R^T> for the blocks F.
double pairing(const Factorization& factorization, const FactorSet& blocks, const Matrix& G) {
  Matrix left, right;
  factorization.lift(blocks, left, right);
  return ((G * right).array() * left.array()).sum();
}

void check_factorization_on(const Factorization& factorization, const MatrixShape& problem,
                            const ConformanceOptions& options, Checks& checks) {
  const Index width = 2;
  const std::string tag = " (" + problem.describe() + ")";
  if (const std::string why = factorization.refuses(problem, width); !why.empty()) {
    checks.skip("blocks" + tag, "refuses this shape: " + why);
    return;
  }
  const FactorShape shape = factorization.shape(problem, width);
  RandomStream random(options.seed, "factorization");
  FactorSet blocks;
  checks.condition("blocks and thin factors" + tag, [&]() -> std::string {
    if (factorization.direct() == shape.general())
      return shape.general() ? "declares general blocks but says it is direct"
                             : "declares a U U^T or U V^T set but is not direct";
    blocks = random_factors(shape, random, 0.5);
    Matrix left, right;
    factorization.lift(blocks, left, right);
    if (left.rows() != problem.rows || right.rows() != problem.cols || left.cols() != right.cols())
      return fmt::format("lift gave L {} x {} and R {} x {}; X is {} x {}", left.rows(), left.cols(), right.rows(),
                         right.cols(), problem.rows, problem.cols);
    return "";
  });
  if (blocks.size() == 0 || blocks[0].size() == 0) return;

  checks.threshold("chain rule against differences" + tag, 1e-6, [&] {
    Matrix G(problem.rows, problem.cols);
    random.fill_normal(G);
    Matrix left, right;
    factorization.lift(blocks, left, right);
    FactorSet gradient = FactorSet::zeros(blocks.shape());
    factorization.pull_back(blocks, left, right, G * right, G.transpose() * left, gradient);
    const FactorSet direction = random_factors(blocks.shape(), random);
    const double epsilon = 1e-5;
    FactorSet plus = blocks, minus = blocks;
    plus += epsilon * direction;
    minus -= epsilon * direction;
    const double difference = (pairing(factorization, plus, G) - pairing(factorization, minus, G)) / (2 * epsilon);
    const double analytic = gradient.dot(direction);
    return relative(std::abs(difference - analytic), std::abs(difference) + 1e-12);
  }, "relative difference of directional derivatives");

  checks.condition("lift is deterministic" + tag, [&]() -> std::string {
    Matrix left, right, left_again, right_again;
    factorization.lift(blocks, left, right);
    factorization.lift(blocks, left_again, right_again);
    return left == left_again && right == right_again ? "" : "two lifts of the same blocks differ";
  });

  if (factorization.direct()) {
    checks.threshold("direct: the objective through the lift" + tag, 1e-12, [&] {
      const MatrixShape operator_shape = problem.is_tensor() ? MatrixShape::rectangular(problem.rows, problem.cols)
                                                             : problem;
      RandomStream measurement(options.seed, "measurement");
      const ReferenceOperator A(operator_shape, 40, measurement);
      Vector y(40);
      measurement.fill_normal(y);
      const ReferenceSquaredLoss loss;
      const Objective direct(A, loss, y);
      const FactorSet product = lifted(factorization, blocks);
      const FactorSet through(product.left(), product.right());
      return relative(std::abs(direct.value(blocks) - direct.value(through)), std::abs(direct.value(blocks)));
    }, "relative difference of f");
  }
}

}  // namespace

void check_factorization(const LoadedPlugin& plugin, const ParameterValues& values, const ConformanceOptions& options,
                         Checks& checks) {
  const auto factorization = checks.created([&] { return plugin.create_factorization(values); });
  if (!factorization) return;
  for (const MatrixShape& problem :
       {MatrixShape::square_symmetric(6), MatrixShape::rectangular(6, 5), MatrixShape::tensor(3, 4, 2)})
    check_factorization_on(*factorization, problem, options, checks);
}

}  // namespace ncvx::detail
