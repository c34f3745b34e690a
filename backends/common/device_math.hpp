#pragma once
// The arithmetic of a device trajectory, one element at a time, shared by the
// CUDA kernels (cuda_backend.cu) and the emulated backend that runs the same
// functions on the host (emulated_backend.cpp), so the host tests check the
// indexing, packing and gradient formulas the kernels use.
//
// Factors are held row-major on the device: row a of L (n1 x k) at L + a k.
// With X = L R^T (R = L for X = U U^T) and the layouts of device_form.hpp:
//
//   dense rows   x_p = X_ij for p = i + j n1 (rectangular), or
//                x_p = c_ij (X_ij + X_ji) / 2 for p = j (j + 1) / 2 + i, i <= j,
//                c_ij = 1 on the diagonal, sqrt 2 off it (svec of X's symmetric part);
//                r_i = <S_i, x> - y_i;  w = S^T l'(r);  W = smat(w) or unvec(w)
//   entries      r_e = w_e X_ij - y_e, or w_e (X_ij + X_ji) / 2 - y_e (symmetric)
//   rank one     r_i = scale <P_i, Q_i> - y_i with P = A L, Q = B R (A R, or P, when
//                symmetric); A*(d) M = A^T diag(scale d) (B M)
//
// and the gradient blocks the objective defines (objective.hpp):
//
//   X = U U^T           G = 2 A*(d) U
//   symmetric, U V^T    G_U = A*(d) V,  G_V = A*(d) U
//   rectangular         G_U = A*(d) V,  G_V = A*(d)^T U,      d = l'(r).
//
// For entries, A*(d) is applied through incidence lists built once: row a of
// a gradient block is the sum, in a fixed order, of coefficient * d_e *
// (row b of the partner factor) over the incidences (a, b, e) of its list.

#include <cmath>
#include <cstdint>

#ifdef NCVX_HAVE_RANDOM123
#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#endif

#if defined(__CUDACC__)
#define NCVX_DEVICE_FUNCTION __host__ __device__ inline
#else
#define NCVX_DEVICE_FUNCTION inline
#endif

namespace ncvx::device {

using Index = std::int64_t;

enum LossKind : int { kSquared = 0, kAbsolute = 1, kHuber = 2 };

/// l(r), and l'(r) into `derivative`: the built-in losses' definitions.
template <class T>
NCVX_DEVICE_FUNCTION T loss(int kind, T delta, T r, T& derivative) {
  if (kind == kAbsolute) {
    derivative = r > T(0) ? T(1) : (r < T(0) ? T(-1) : T(0));
    return r < T(0) ? -r : r;
  }
  const T size = r < T(0) ? -r : r;
  if (kind == kSquared || size <= delta) {
    derivative = T(0.5) * r;
    return T(0.25) * r * r;
  }
  derivative = r > T(0) ? T(0.5) * delta : -T(0.5) * delta;
  return T(0.5) * delta * size - T(0.25) * delta * delta;
}

/// (i, j), i <= j, of the packed position p = j (j + 1) / 2 + i.
NCVX_DEVICE_FUNCTION void packed_pair(Index p, Index& i, Index& j) {
  Index column = static_cast<Index>((std::sqrt(8.0 * static_cast<double>(p) + 1.0) - 1.0) / 2.0);
  while (column * (column + 1) / 2 > p) --column;
  while ((column + 1) * (column + 2) / 2 <= p) ++column;
  j = column;
  i = p - column * (column + 1) / 2;
}

NCVX_DEVICE_FUNCTION Index packed_position(Index i, Index j) {
  return i <= j ? j * (j + 1) / 2 + i : i * (i + 1) / 2 + j;
}

template <class T>
NCVX_DEVICE_FUNCTION T row_dot(const T* left, Index a, const T* right, Index b, Index k) {
  T sum = T(0);
  for (Index c = 0; c < k; ++c) sum += left[a * k + c] * right[b * k + c];
  return sum;
}

/// x_p, the entry of the vector the dense rows are dotted with.
template <class T>
NCVX_DEVICE_FUNCTION T dense_x(Index p, const T* left, const T* right, Index k, Index rows, bool symmetric) {
  if (!symmetric) return row_dot(left, p % rows, right, p / rows, k);
  Index i = 0, j = 0;
  packed_pair(p, i, j);
  const T half_sum = T(0.5) * (row_dot(left, i, right, j, k) + row_dot(left, j, right, i, k));
  return i == j ? half_sum : T(1.4142135623730951) * half_sum;
}

/// W(a, b) of the adjoint W = smat(w) (symmetric) or unvec(w).
template <class T>
NCVX_DEVICE_FUNCTION T dense_adjoint(const T* w, Index a, Index b, Index rows, bool symmetric) {
  if (!symmetric) return w[a + b * rows];
  const T value = w[packed_position(a, b)];
  return a == b ? value : T(0.7071067811865476) * value;
}

/// The observation's value w_e X_ij (or its symmetric pair's average).
template <class T>
NCVX_DEVICE_FUNCTION T entry_value(Index i, Index j, const T* left, const T* right, Index k, bool symmetric,
                                   T diagonal_weight, T off_diagonal_weight) {
  const T weight = i == j ? diagonal_weight : off_diagonal_weight;
  if (symmetric && i != j) return weight * T(0.5) * (row_dot(left, i, right, j, k) + row_dot(left, j, right, i, k));
  return weight * row_dot(left, i, right, j, k);
}

/// Rank-one rows (A(X)_i = scale a_i^T X b_i): P(i, c) = sum_p a_ip F(p, c),
/// the projection of a factor on the rows (length = the factor's rows).
template <class T, class S>
NCVX_DEVICE_FUNCTION T project_row(const S* rows, Index i, Index length, const T* factor, Index k, Index c) {
  T sum = T(0);
  for (Index p = 0; p < length; ++p) sum += static_cast<T>(rows[i * length + p]) * factor[p * k + c];
  return sum;
}

/// G(p, c) = sum_i a_ip scale d_i partner(i, c): row p of A^T diag(scale d) partner.
template <class T, class S>
NCVX_DEVICE_FUNCTION T rank_one_adjoint(const S* rows, Index length, Index p, const T* derivative, const T* partner,
                                        Index m, Index k, Index c, T scale) {
  T sum = T(0);
  for (Index i = 0; i < m; ++i) sum += static_cast<T>(rows[i * length + p]) * derivative[i] * partner[i * k + c];
  return scale * sum;
}

#ifdef NCVX_HAVE_RANDOM123
/// S_ip of the regenerated operator: normal(key, i, p) times `deviation`, the
/// four normals of positions 4q .. 4q + 3 from Philox4x64-10 on (i, q).
NCVX_DEVICE_FUNCTION double regenerated_entry(std::uint64_t key0, std::uint64_t key1, Index i, Index p,
                                              double deviation) {
  using Philox = r123::Philox4x64;
  const Philox generate;
  const Philox::ctr_type counter{{static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(p / 4)}};
  const Philox::key_type key{{key0, key1}};
  const Philox::ctr_type bits = generate(counter, key);
  const int lane = static_cast<int>(p % 4);
  const r123::double2 pair = lane < 2 ? r123::boxmuller(bits[0], bits[1]) : r123::boxmuller(bits[2], bits[3]);
  return deviation * ((lane % 2) == 0 ? pair.x : pair.y);
}
#endif

/// One step's update of a factor entry f (with its previous value and gradient):
/// gd f - mu g; heavy ball (f + beta (f - previous)) - mu g (previous <- f);
/// Nesterov's step from the look-ahead point y: y - mu g (previous <- f).
enum UpdateKind : int { kGradient = 0, kHeavyBall = 1, kNesterov = 2 };

template <class T>
NCVX_DEVICE_FUNCTION T look_ahead(T f, T previous, T beta) {
  return f + beta * (f - previous);
}

/// The entry after the step; `ahead` is Nesterov's look-ahead entry (unused otherwise).
template <class T>
NCVX_DEVICE_FUNCTION T updated(int kind, T f, T previous, T ahead, T gradient, T mu, T beta) {
  if (kind == kNesterov) return ahead - mu * gradient;
  if (kind == kHeavyBall) return look_ahead(f, previous, beta) - mu * gradient;
  return f - mu * gradient;
}

}  // namespace ncvx::device
