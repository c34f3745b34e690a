#include <doctest/doctest.h>

#include "support.hpp"

using namespace ncvx;

TEST_CASE("gaussian_noise: adds N(0, s^2) noise from its stream, deterministically") {
  const auto noise = test::corruption("gaussian_noise", {{"deviation", 0.2}});
  Vector y = Vector::Constant(5000, 1.0);
  RandomStream random(1, "corruption.0");
  noise->corrupt(y, random);
  const Vector e = y.array() - 1.0;
  CHECK(e.mean() == doctest::Approx(0.0).epsilon(0.01));
  CHECK(std::sqrt(e.squaredNorm() / 5000) == doctest::Approx(0.2).epsilon(0.04));
  Vector again = Vector::Constant(5000, 1.0);
  RandomStream same(1, "corruption.0");
  noise->corrupt(again, same);
  CHECK(again == y);
  CHECK(test::conforms(PluginKind::corruption, "gaussian_noise"));
}

TEST_CASE("gaussian_noise: as a stage of a run, after the problem's own noise, seeded per corruption") {
  const std::string base = R"(
problem: {n: 10, rank: 2}
measurement: {name: gaussian_sensing, m: 300}
methods: [{init: small_random, optimizer: gd, width: 2}]
run: {seeds: [4]}
)";
  const auto clean = test::instance_from(base);
  const auto noisy = test::instance_from(base + "corruptions: [{name: gaussian_noise, deviation: 0.05}]\n");
  const Vector difference = noisy->observations() - clean->observations();
  CHECK(std::sqrt(difference.squaredNorm() / 300) == doctest::Approx(0.05).epsilon(0.15));
  // Two of them draw from different streams (corruption.0, corruption.1).
  const auto twice = test::instance_from(
      base + "corruptions: [{name: gaussian_noise, deviation: 0.05}, {name: gaussian_noise, deviation: 0.05}]\n");
  const Vector second = twice->observations() - noisy->observations();
  CHECK((second - difference).norm() > 0.5 * difference.norm());
}
