#pragma once
// Generated ground truths, shared by the problems low_rank_psd and low_rank
// (header-only; each plugin compiles its own copy): random orthonormal
// factors, Gaussian observation noise, and the spectra
//
//   linear     sigma_i = 1 + (i - 1)/(r - 1) (1/kappa - 1)     sigma_1 = 1, sigma_r = 1/kappa
//   geometric  sigma_i = kappa^{-(i - 1)/(r - 1)}
//   power      sigma_i = i^{-decay}                             (1, 1/4, 1/9, ... for decay 2)
//   list       the values given, sorted non-increasing
//   wishart    the singular values of a Gaussian product (drawn by the problem itself)
//
// then a normalization:
//
//   spectral   sigma / sigma_1          (|X*| = 1)
//   trace      sigma / sum sigma        (trace, or nuclear norm, 1)
//   frobenius  sigma / |sigma|          (|X*|_F = 1)
//   none       as generated

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <ncvx/parameters.hpp>
#include <ncvx/random_stream.hpp>
#include <ncvx/types.hpp>

namespace ncvx::spectrum {

/// Q of the thin QR of a Gaussian rows x r matrix drawn from `random`.
inline Matrix orthonormal(Index rows, Index r, RandomStream& random) {
  Matrix gaussian(rows, r);
  random.fill_normal(gaussian);
  Eigen::HouseholderQR<Matrix> qr(gaussian);
  return qr.householderQ() * Matrix::Identity(rows, r);
}

/// y += deviation * xi, xi ~ N(0, I) from `random` (nothing when deviation is 0).
inline void add_gaussian_noise(Vector& observations, double deviation, RandomStream& random) {
  if (deviation <= 0.0) return;
  Vector xi(observations.size());
  random.fill_normal(xi);
  observations += deviation * xi;
}

inline std::vector<ParameterSpec> parameters() {
  return {
      ParameterSpec::integer("rank", 2, "rank r of X*").at_least(1),
      ParameterSpec::real("condition_number", 2.0, "kappa = sigma_1 / sigma_r (linear, geometric)").at_least(1.0),
      ParameterSpec::choice("spectrum", "linear", {"linear", "geometric", "power", "list", "wishart"},
                            "singular values: linear or geometric from 1 to 1/kappa, power i^-decay, "
                            "the list `values`, or those of a Gaussian product (wishart)"),
      ParameterSpec::real("decay", 1.0, "exponent of spectrum: power (sigma_i = i^-decay)").above(0.0),
      ParameterSpec::real_list("values", {1.0}, "the singular values of spectrum: list (r of them)")
          .above(0.0),
      ParameterSpec::choice("normalization", "spectral", {"spectral", "trace", "frobenius", "none"},
                            "scale of X*: sigma_1 = 1, sum sigma = 1, |sigma| = 1, or as generated"),
  };
}

/// Checks that the parameters agree (throws std::invalid_argument with a sentence).
inline void validate(const ParameterValues& values, Index smallest_side) {
  const Index rank = values.integer("rank");
  if (rank > smallest_side)
    throw std::invalid_argument("rank = " + std::to_string(rank) + " exceeds the matrix side " +
                                std::to_string(smallest_side) + ". Violated constraint: rank <= n");
  if (values.choice("spectrum") == "list" && static_cast<Index>(values.real_list("values").size()) != rank)
    throw std::invalid_argument("spectrum: list gives " + std::to_string(values.real_list("values").size()) +
                                " values for rank " + std::to_string(rank) + "; give rank values (or set rank to " +
                                std::to_string(values.real_list("values").size()) + ")");
}

/// sigma for the deterministic spectra (not wishart), before normalization.
inline Vector generate(const ParameterValues& values) {
  const Index r = values.integer("rank");
  const std::string& kind = values.choice("spectrum");
  const double kappa = values.real("condition_number");
  Vector sigma(r);
  if (kind == "list") {
    std::vector<double> list = values.real_list("values");
    std::sort(list.begin(), list.end(), std::greater<>());
    for (Index i = 0; i < r; ++i) sigma(i) = list[static_cast<std::size_t>(i)];
    return sigma;
  }
  for (Index i = 0; i < r; ++i) {
    const double t = r == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(r - 1);
    sigma(i) = kind == "geometric" ? std::pow(kappa, -t)
               : kind == "power"   ? std::pow(static_cast<double>(i + 1), -values.real("decay"))
                                   : 1.0 + t * (1.0 / kappa - 1.0);
  }
  return sigma;
}

inline Vector normalize(Vector sigma, const std::string& normalization) {
  if (normalization == "spectral") return sigma / sigma(0);
  if (normalization == "trace") return sigma / sigma.sum();
  if (normalization == "frobenius") return sigma / sigma.norm();
  return sigma;
}

}  // namespace ncvx::spectrum
