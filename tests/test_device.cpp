// The device path (`backend: cuda`) against the CPU path, for every operator
// layout, factorization, update and loss a device runs, and its refusals.
// ncvx_device_tests runs twice under ctest: against the emulated backend (the
// device arithmetic on the host: always), and against the CUDA backend
// (label cuda: skipped, exit code 77, where no device answers).
//
// Stated tolerances, along 200 iterations, every logged row:
//   precision double: train loss and test error within 1e-8 relative (the
//                     sums run in another order than the CPU's);
//   precision single: test error within 1e-4 + 1e-2 relative, train loss
//                     within 1e-3 relative of the double CPU path.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>

#include "ncvx/errors.hpp"
#include "ncvx/study/device_backend.hpp"
#include "support.hpp"

using namespace ncvx;

namespace {

/// Runs `method` twice, on the CPU and on the device, and compares every logged row.
void compare(const std::string& problem, const std::string& measurement, const std::string& method,
             const std::string& precision = "double", Index iterations = 200) {
  CAPTURE(problem);
  CAPTURE(measurement);
  CAPTURE(method);
  CAPTURE(precision);
  const std::string text = "problem: " + problem + "\nmeasurement: " + measurement + "\nmethods:\n  - {label: cpu, " +
                           method + "}\n  - {label: device, backend: cuda, precision: " + precision + ", " + method +
                           "}\nrun: {iterations: " + std::to_string(iterations) + ", log_every: 10, seeds: [1, 2]}\n";
  const test::Study study = test::study(text);
  const auto cpu = study.runs("cpu"), device = study.runs("device");
  REQUIRE(cpu.size() == device.size());
  const bool single = precision == "single";
  for (std::size_t r = 0; r < cpu.size(); ++r) {
    REQUIRE(cpu[r]->status == device[r]->status);
    REQUIRE(cpu[r]->iterations == device[r]->iterations);
    REQUIRE(cpu[r]->metrics.size() == device[r]->metrics.size());
    for (std::size_t row = 0; row < cpu[r]->metrics.size(); ++row) {
      CAPTURE(row);
      const double loss = cpu[r]->metrics[row][0], device_loss = device[r]->metrics[row][0];
      const double error = cpu[r]->metrics[row][1], device_error = device[r]->metrics[row][1];
      CAPTURE(loss);
      CAPTURE(device_loss);
      CAPTURE(error);
      CAPTURE(device_error);
      if (single) {
        CHECK(std::abs(device_error - error) <= 1e-4 + 1e-2 * error);
        CHECK(std::abs(device_loss - loss) <= 1e-3 * loss + 1e-12);
      } else {
        CHECK(std::abs(device_error - error) <= 1e-8 * error + 1e-14);
        CHECK(std::abs(device_loss - loss) <= 1e-8 * loss + 1e-20);
      }
    }
  }
}

const char* kPsd = "{name: low_rank_psd, n: 16, rank: 2}";
const char* kRectangular = "{name: low_rank, n1: 14, n2: 11, rank: 2}";
const char* kSmall = "init: {name: small_random, scale: 1.0e-3}, width: 4";

}  // namespace

TEST_CASE("device: Gaussian sensing, stored in double, in float and regenerated, X = U U^T") {
  for (const char* storage : {"double", "single", "regenerated"})
    compare(kPsd, std::string("{name: gaussian_sensing, m: 300, storage: ") + storage + "}",
            std::string(kSmall) + ", optimizer: {name: gd, step: 0.2}");
}

TEST_CASE("device: Gaussian sensing, X = U V^T on a symmetric and on a rectangular problem") {
  compare(kPsd, "{name: gaussian_sensing, m: 300}",
          std::string(kSmall) + ", factorization: asymmetric, optimizer: {name: gd, step: 0.3}");
  compare(kRectangular, "{name: gaussian_sensing, m: 300}", std::string(kSmall) + ", optimizer: {name: gd, step: 0.3}");
}

TEST_CASE("device: completion, symmetric (U U^T and U V^T) and rectangular") {
  compare("{name: low_rank_psd, n: 30, rank: 2}", "{name: matrix_completion, p: 0.4}",
          std::string(kSmall) + ", optimizer: {name: gd, step: 0.2}");
  compare("{name: low_rank_psd, n: 30, rank: 2}", "{name: matrix_completion, p: 0.4}",
          std::string(kSmall) + ", factorization: asymmetric, optimizer: {name: gd, step: 0.3}");
  compare("{name: low_rank, n1: 30, n2: 24, rank: 2}", "{name: matrix_completion, p: 0.4}",
          std::string(kSmall) + ", optimizer: {name: gd, step: 0.3}");
  compare("{name: low_rank, n1: 30, n2: 24, rank: 2}", "{name: matrix_completion, p: 0.4, scaling: entries}",
          std::string(kSmall) + ", optimizer: {name: gd, step: 0.5}");
}

TEST_CASE("device: rank-one measurements, symmetric (U U^T and U V^T) and rectangular") {
  compare("{name: low_rank_psd, n: 12, rank: 1}", "{name: rank_one, m: 200}",
          std::string(kSmall) + ", optimizer: {name: gd, step: 0.05}");
  compare("{name: low_rank_psd, n: 12, rank: 1}", "{name: rank_one, m: 200}",
          std::string(kSmall) + ", factorization: asymmetric, optimizer: {name: gd, step: 0.05}");
  compare(kRectangular, "{name: rank_one, m: 300}", std::string(kSmall) + ", optimizer: {name: gd, step: 0.1}");
  compare(kRectangular, "{name: rank_one, m: 300}", std::string(kSmall) + ", optimizer: {name: gd, step: 0.1}",
          "single");
}

TEST_CASE("device: heavy-ball and Nesterov momentum") {
  for (const char* variant : {"heavy_ball", "nesterov"})
    compare(kPsd, "{name: gaussian_sensing, m: 300}",
            std::string(kSmall) + ", optimizer: {name: momentum, step: 0.1, momentum: 0.6, variant: " + variant + "}");
}

TEST_CASE("device: the l1 and Huber losses") {
  compare(kRectangular, "{name: gaussian_sensing, m: 300}",
          std::string(kSmall) + ", loss: l1, optimizer: {name: gd, step: 0.01}");
  compare(kRectangular, "{name: gaussian_sensing, m: 300}",
          std::string(kSmall) + ", loss: {name: huber, delta: 0.05}, optimizer: {name: gd, step: 0.3}");
}

TEST_CASE("device: precision single agrees with the double CPU path to its stated tolerance") {
  compare(kPsd, "{name: gaussian_sensing, m: 300}", std::string(kSmall) + ", optimizer: {name: gd, step: 0.2}",
          "single");
  compare("{name: low_rank, n1: 30, n2: 24, rank: 2}", "{name: matrix_completion, p: 0.4}",
          std::string(kSmall) + ", optimizer: {name: gd, step: 0.3}", "single");
}

TEST_CASE("device: a method the device does not run is refused at load, at the backend key") {
  const std::string head = "problem: {name: low_rank_psd, n: 10, rank: 1}\nmeasurement: {name: gaussian_sensing, m: 60}\n";
  const std::pair<const char*, const char*> cases[] = {
      {"{init: spectral, optimizer: scaled_gd, width: 1, backend: cuda}", "not `scaled_gd`"},
      {"{init: spectral, optimizer: {name: gd, line_search: true}, width: 1, backend: cuda}", "constant step"},
      {"{init: spectral, optimizer: gd, loss: logistic, width: 1, backend: cuda}", "not `logistic`"},
      {"{init: small_random, optimizer: gd, factorization: {name: deep, depth: 3}, width: 2, backend: cuda}",
       "not factorization `deep`"},
      {"{init: spectral, optimizer: gd, width: 1, backend: gpu}", "backend"},
      {"{init: spectral, optimizer: gd, width: 1, precision: single}", "precision: single is the device's"},
  };
  for (const auto& [method, expected] : cases) {
    const std::string written = method;
    CAPTURE(written);
    try {
      test::experiment_from(head + "methods:\n  - " + method + "\nrun: {iterations: 5}\n");
      FAIL("loaded");
    } catch (const ConfigError& error) {
      const std::string message = error.what();
      CAPTURE(message);
      CHECK(std::string(error.what()).find(expected) != std::string::npos);
      CHECK(std::string(error.what()).find("test.yaml:4:") != std::string::npos);
    }
  }
  try {
    test::experiment_from("problem: {name: low_rank_psd, n: 16, rank: 1}\nmeasurement: {name: hadamard_sensing, m: 60}\n"
                          "methods:\n  - {init: spectral, optimizer: gd, width: 1, backend: cuda}\n");
    FAIL("loaded");
  } catch (const ConfigError& error) {
    CHECK(std::string(error.what()).find("not `hadamard_sensing`") != std::string::npos);
  }
}

int main(int argc, char** argv) {
  bool listing = false;
  for (int a = 1; a < argc; ++a) listing = listing || std::strncmp(argv[a], "--list", 6) == 0;
  std::string why;
  if (!listing && !device_backend(why)) {
    std::printf("skipped: %s\n", why.c_str());
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
