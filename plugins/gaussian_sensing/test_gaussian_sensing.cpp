// Gaussian sensing: adjoint identity, factor path, normalization of docs/theory.md §2.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include <ncvx/testing/conformance.hpp>

#include "../common/huge_page_array.hpp"
#include "support.hpp"

using namespace ncvx;

TEST_CASE("gaussian_sensing: passes the conformance suite (adjoint identity, factored forward, isometry)") {
  const LoadedPlugin& plugin = test::plugins().find(PluginKind::measurement, "gaussian_sensing");
  testing::check_conformance(plugin, test::values_for(PluginKind::measurement, "gaussian_sensing", {{"m", std::int64_t{60}}}));
  CHECK(all_passed(check_plugin(plugin)));
}

TEST_CASE("gaussian_sensing: entries of A_i have variance 1 (diagonal) and 1/2 (off-diagonal)") {
  // Recover sqrt(m) A_i = sqrt(m) A*(e_i); the pitfall (G + G^T)/sqrt(2) would give 2 and 1.
  const Index n = 12, m = 400;
  const auto A = test::sample_operator("gaussian_sensing", n, 3, {{"m", std::int64_t{m}}});
  double diagonal = 0, off_diagonal = 0;
  for (Index i = 0; i < m; ++i) {
    const Matrix Ai = std::sqrt(double(m)) * A->adjoint(Vector::Unit(m, i));
    CHECK((Ai - Ai.transpose()).norm() == doctest::Approx(0.0));
    diagonal += Ai.diagonal().squaredNorm();
    off_diagonal += Ai.squaredNorm() - Ai.diagonal().squaredNorm();
  }
  diagonal /= double(m * n);
  off_diagonal /= double(m * n * (n - 1));
  CHECK(diagonal == doctest::Approx(1.0).epsilon(0.05));
  CHECK(off_diagonal == doctest::Approx(0.5).epsilon(0.05));
}

TEST_CASE("gaussian_sensing: E|A(Z)|^2 = |Z|_F^2") {
  const Index n = 8;
  RandomStream random(17, "test");
  const Matrix Z = test::random_symmetric(n, random);
  double mean = 0;
  const int draws = 200;
  for (int d = 0; d < draws; ++d) {
    const auto A = test::sample_operator("gaussian_sensing", n, 100 + d, {{"m", std::int64_t{50}}});
    Vector AZ;
    A->forward(Z, AZ);
    mean += AZ.squaredNorm() / draws;
  }
  // Each draw has relative spread sqrt(2/m) = 0.2; the mean of 200 about 0.014.
  CHECK(mean == doctest::Approx(Z.squaredNorm()).epsilon(0.05));
}

TEST_CASE("gaussian_sensing: the operator depends only on the stream") {
  const auto first = test::sample_operator("gaussian_sensing", 5, 9, {{"m", std::int64_t{20}}});
  const auto second = test::sample_operator("gaussian_sensing", 5, 9, {{"m", std::int64_t{20}}});
  const auto other = test::sample_operator("gaussian_sensing", 5, 10, {{"m", std::int64_t{20}}});
  const Vector v = Vector::LinSpaced(20, -1, 1);
  CHECK((first->adjoint(v) - second->adjoint(v)).norm() == 0.0);
  CHECK((first->adjoint(v) - other->adjoint(v)).norm() > 0.1);
}

TEST_CASE("gaussian_sensing: single storage is the float-rounded operator, used consistently") {
  const auto exact = test::sample_operator("gaussian_sensing", 9, 5, {{"m", std::int64_t{70}}});
  const auto rounded =
      test::sample_operator("gaussian_sensing", 9, 5, {{"m", std::int64_t{70}}, {"storage", std::string("single")}});
  RandomStream random(8, "test");
  const Matrix X = test::random_symmetric(9, random);
  Vector v(70), a, b;
  random.fill_normal(v);
  exact->forward(X, a);
  rounded->forward(X, b);
  // Same draw, entries rounded to float: relative differences of order 2^-24.
  CHECK((a - b).norm() <= 1e-6 * a.norm());
  CHECK((a - b).norm() > 0.0);
  // Its own adjoint identity holds to double rounding.
  CHECK(b.dot(v) == doctest::Approx((X.array() * rounded->adjoint(v).array()).sum()).epsilon(1e-12));
}

TEST_CASE("gaussian_sensing: regenerated storage is a Gaussian operator, the same at every pass, stored nowhere") {
  const LoadedPlugin& plugin = test::plugins().find(PluginKind::measurement, "gaussian_sensing");
  const std::map<std::string, ParameterValue> regenerated{{"m", std::int64_t{400}},
                                                          {"storage", std::string("regenerated")}};
  testing::check_conformance(plugin, test::values_for(PluginKind::measurement, "gaussian_sensing",
                                                      {{"m", std::int64_t{60}}, {"storage", std::string("regenerated")}}));
  const auto model =
      plugin.create_measurement(test::values_for(PluginKind::measurement, "gaussian_sensing", regenerated));
  // No m x N matrix: the memory needed does not grow with m.
  const auto many = plugin.create_measurement(test::values_for(
      PluginKind::measurement, "gaussian_sensing", {{"m", std::int64_t{400000}}, {"storage", std::string("regenerated")}}));
  CHECK(many->required_bytes(MatrixShape::square_symmetric(200)) == model->required_bytes(MatrixShape::square_symmetric(200)));

  // Entries of sqrt(m) svec(A_i): mean 0, variance 1, fourth moment 3 (Gaussian), over 400 x 465.
  const Index n = 30, m = 400;
  const auto A = test::sample_operator("gaussian_sensing", n, 3, regenerated);
  double sum = 0, squares = 0, fourth = 0, count = 0;
  for (Index i = 0; i < m; ++i) {
    const Matrix Ai = std::sqrt(double(m)) * A->adjoint(Vector::Unit(m, i));
    for (Index k = 0; k < n; ++k)
      for (Index j = 0; j <= k; ++j) {
        const double entry = j == k ? Ai(j, k) : std::sqrt(2.0) * Ai(j, k);  // svec entries are N(0, 1)
        sum += entry;
        squares += entry * entry;
        fourth += entry * entry * entry * entry;
        ++count;
      }
  }
  CHECK(std::abs(sum / count) < 0.02);  // standard error 0.0029
  CHECK(squares / count == doctest::Approx(1.0).epsilon(0.03));
  CHECK(fourth / count == doctest::Approx(3.0).epsilon(0.08));

  // The same operator at every pass and for the same seed; another seed, another operator.
  RandomStream random(4, "test");
  const Matrix X = test::random_symmetric(n, random);
  Vector first, again, same_seed, other_seed;
  A->forward(X, first);
  A->forward(X, again);
  test::sample_operator("gaussian_sensing", n, 3, regenerated)->forward(X, same_seed);
  test::sample_operator("gaussian_sensing", n, 4, regenerated)->forward(X, other_seed);
  CHECK((first - again).norm() == 0.0);
  CHECK((first - same_seed).norm() == 0.0);
  CHECK((first - other_seed).norm() > 0.1 * first.norm());

  // Factors evaluated together (one generation shared) get the numbers they get alone.
  Matrix U(n, 3), V(n, 2);
  random.fill_normal(U);
  random.fill_normal(V);
  const FactorSet F(U), G(V);
  const auto loss = test::loss("squared");
  FactorSet together_F, together_G, alone_F;
  FactorEvaluation both[2] = {{&F, &together_F, 0.0}, {&G, &together_G, 0.0}};
  A->evaluate(first, *loss, std::span<FactorEvaluation>(both, 2));
  FactorEvaluation alone{&F, &alone_F, 0.0};
  A->evaluate(first, *loss, std::span<FactorEvaluation>(&alone, 1));
  CHECK(alone.value == both[0].value);
  CHECK((alone_F.left() - together_F.left()).norm() == 0.0);
}

TEST_CASE(
    "gaussian_sensing: a batch of factors gives each its own bits, with rows of more than 1024 entries") {
  // n = 46: rows of N = 1081 entries with a tail of one (N mod 4); m = 37:
  // blocks of four rows and a row alone. Batches of three and nine vectors,
  // one of them without a gradient, against each evaluated alone. From three
  // vectors, where the registers are 512 bits wide, the pass runs in panels
  // of rows and tiles of entries (a panel of five rows at the end, a last
  // tile of 57 entries); nine vectors fill a whole register block of each
  // half and leave one over.
  for (const std::string storage : {"double", "single"})
    for (const std::size_t count : {std::size_t{3}, std::size_t{9}}) {
      CAPTURE(storage);
      CAPTURE(count);
      const auto A =
          test::sample_operator("gaussian_sensing", 46, 3, {{"m", std::int64_t{37}}, {"storage", storage}});
      const auto loss = test::loss("huber", {{"delta", 0.5}});
      RandomStream random(8, "test");
      Vector y(37);
      random.fill_normal(y);
      std::vector<FactorSet> factors, alone(count), batched(count);
      for (std::size_t j = 0; j < count; ++j) {
        Matrix U(46, j % 3 == 0 ? 2 : j % 3 == 1 ? 46 : 5);
        random.fill_normal(U);
        factors.emplace_back(U);
      }
      std::vector<FactorEvaluation> items;
      for (std::size_t j = 0; j < count; ++j)
        items.push_back({&factors[j], j == 1 ? nullptr : &batched[j], 0.0});
      A->evaluate(y, *loss, items);
      for (std::size_t j = 0; j < count; ++j) {
        CAPTURE(j);
        FactorEvaluation single{&factors[j], j == 1 ? nullptr : &alone[j], 0.0};
        A->evaluate(y, *loss, std::span<FactorEvaluation>(&single, 1));
        CHECK(single.value == items[j].value);
        if (j != 1) CHECK(alone[j] == batched[j]);
        test::check_fused_evaluate(*A, factors[j], y, *loss);
      }
    }
}

TEST_CASE(
    "gaussian_sensing: the stored rows' array (huge_page_array.hpp) starts at zero, on 2 MiB boundaries") {
  const std::size_t large = (std::size_t{5} << 20) / sizeof(double) + 3, small = 1000;
  HugePageArray<double> rows(large);
  REQUIRE(rows.size() == large);
  CHECK(reinterpret_cast<std::uintptr_t>(rows.data()) % (std::size_t{2} << 20) == 0);
  bool zero = true;
  for (std::size_t i = 0; i < large; ++i) zero = zero && rows.data()[i] == 0.0;
  CHECK(zero);
  rows.data()[large - 1] = 2.5;
  const HugePageArray<double> moved = std::move(rows);
  CHECK(moved.data()[large - 1] == 2.5);
  const HugePageArray<float> few(small);
  CHECK(reinterpret_cast<std::uintptr_t>(few.data()) % 64 == 0);
  CHECK(few.data()[small - 1] == 0.0f);
  CHECK(HugePageArray<double>(0).data() == nullptr);
}
