#pragma once
// The diagnostics of docs/theory.md §5, as functions of the iterate U (n x k)
// and the eigenvectors V_X (n x r) of X*.
//
// Take the SVD V_X^T U = V Sigma W^T with W in R^{k x r} and an orthonormal
// completion W_perp. Then U = U W W^T + U W_perp W_perp^T and, because
// V_X^T U W_perp = 0, U U^T = (U W)(U W)^T + (U W_perp)(U W_perp)^T with no
// cross terms:
//
//   signal     sigma_min(U W) = sigma_min(V_X^T U)
//   noise      |U W_perp|                       (spectral norm)
//   alignment  |V_{X perp}^T V_{U W}|           sine of the largest principal angle
//                                               between span(U W) and span(V_X)
//
// Phases (runner.hpp): alignment below a threshold ends phase I; signal^2 >=
// sigma_r / 2 ("fit") ends phase II.

#include "ncvx/factor_set.hpp"

namespace ncvx {

struct SignalNoise {
  double signal = 0;
  double noise = 0;
  double alignment = 1;
  Matrix signal_part;  // U W W^T    (n x k), only when asked for
  Matrix noise_part;   // U W_perp W_perp^T
};

/// signal and alignment only (O(n k r)); `with_noise` adds the noise term
/// (O(n k^2 + k^3)); `with_parts` keeps the two parts of U.
SignalNoise signal_noise(const Matrix& eigenvectors, const Matrix& factor, bool with_noise = true,
                         bool with_parts = false);

/// exp of the entropy of the normalized singular values of U U^T.
double effective_rank(const Matrix& factor);
/// The same for X = U U^T or U V^T (singular values of R_U R_V^T from thin QRs).
double effective_rank(const FactorSet& factors);

/// R of the thin QR factorization B = Q R (Q with orthonormal columns) when
/// B is tall, or B itself when it is wide (then Q = I): in both cases
/// |B C^T|_F = |R_B R_C^T|_F, the way errors of factored matrices are computed
/// without forming them.
Matrix thin_triangular(const Matrix& B);

/// Largest singular value of a matrix.
double spectral_norm(const Matrix& matrix);

}  // namespace ncvx
