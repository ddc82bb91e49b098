#pragma once
// Private to numerics: the neighbour columns of a z-column of a StencilMatrix, the one-pass
// column kernel of the 7-point operator, and the thread-independent block reductions, which
// stencil.cpp (apply, residual, dot, sum) and the multigrid solver's fused passes
// (multigrid.cpp) share.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "needlework/numerics/stencil.hpp"

// Hot column kernels are compiled twice on x86-64, for the baseline (SSE2) and for AVX2, and the
// loader picks one for the machine (GCC/Clang function multi-versioning; glibc ifunc). AVX2 only
// doubles the width of the same element-wise operations; FMA is not enabled, so no product and
// sum are contracted and both versions give bitwise the same results. GCC only (Clang 14 does not
// clone function templates; under Clang, and so under clang-tidy, there is one version).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(NW_NO_SIMD_CLONES)
#define NW_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NW_SIMD_CLONES
#endif

namespace nw::numerics::detail {

using Index = std::int64_t;                            // OpenMP loop index
inline constexpr std::size_t kParallelMin = 1U << 14;  // below this many entries a loop runs on one thread
inline constexpr std::size_t kBlock = 2048;            // reduction block: fixed, so sums do not depend on threads

/// Sum of term(p) for lo <= p < hi with four interleaved partial sums added as
/// (s0 + s1) + (s2 + s3): the order of dot() and of every fused pass that must agree with it.
template <class Term>
double block_sum(std::size_t lo, std::size_t hi, Term&& term) {
  double acc[4] = {0, 0, 0, 0};
  std::size_t p = lo;
  for (; p + 4 <= hi; p += 4) {
    acc[0] += term(p);
    acc[1] += term(p + 1);
    acc[2] += term(p + 2);
    acc[3] += term(p + 3);
  }
  for (; p < hi; ++p) acc[0] += term(p);
  return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/// Runs block(lo, hi) -> std::array<double, N> over the blocks of kBlock entries of [0, n) (in
/// parallel) and adds the blocks' sums in order: the N results do not depend on the number of
/// threads.
template <std::size_t N, class Block>
NW_SIMD_CLONES std::array<double, N> reduce_blocks(std::size_t n, Block&& block) {
  const std::size_t blocks = (n + kBlock - 1) / kBlock;
  std::vector<std::array<double, N>> partial(blocks);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (Index blk = 0; blk < static_cast<Index>(blocks); ++blk) {
    const std::size_t lo = static_cast<std::size_t>(blk) * kBlock;
    partial[static_cast<std::size_t>(blk)] = block(lo, std::min(n, lo + kBlock));
  }
  std::array<double, N> total{};
  for (const auto& s : partial) {
    for (std::size_t j = 0; j < N; ++j) total[j] += s[j];
  }
  return total;
}

/// Base indices (first cell) of column (i, j) and of its x-y neighbours; npos where there is
/// none (a non-periodic edge, or a direction with a single cell).
struct Columns {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t self, xm, xp, ym, yp;
};

inline Columns columns_of(const StencilMatrix& m, std::size_t i, std::size_t j) {
  const std::size_t nx = m.nx, ny = m.ny, nz = m.nz;
  Columns c{m.column(i, j) * nz, Columns::npos, Columns::npos, Columns::npos, Columns::npos};
  // (i + 1) mod nx etc. by comparison: no division in the kernels' per-column set-up.
  if (nx > 1) {
    if (i + 1 < nx || m.periodic_x) c.xp = m.column(i + 1 < nx ? i + 1 : 0, j) * nz;
    if (i > 0 || m.periodic_x) c.xm = m.column(i > 0 ? i - 1 : nx - 1, j) * nz;
  }
  if (ny > 1) {
    if (j + 1 < ny || m.periodic_y) c.yp = m.column(i, j + 1 < ny ? j + 1 : 0) * nz;
    if (j > 0 || m.periodic_y) c.ym = m.column(i, j > 0 ? j - 1 : ny - 1) * nz;
  }
  return c;
}

/// r = b - M u and the sum of r (as nw::numerics::residual), with b's columns stored in
/// `b_order` (r and u in m.order); b may alias r only in the same order.
double residual(const StencilMatrix& m, std::span<const double> b, ColumnOrder b_order, std::span<const double> u,
                std::span<double> r);

/// Neighbour columns of c in the order of the kernels' masks: +x, -x, +y, -y (x values from x),
/// with their couplings (cx, cy of the lower column of each pair); returns the mask (bit m set
/// when neighbour m is there).
inline unsigned neighbours(const StencilMatrix& a, const Columns& c, const double* x, std::array<const double*, 4>& xn,
                           std::array<const double*, 4>& cn) {
  unsigned mask = 0;
  if (c.xp != Columns::npos) mask |= 1U, xn[0] = x + c.xp, cn[0] = a.cx.data() + c.self;
  if (c.xm != Columns::npos) mask |= 2U, xn[1] = x + c.xm, cn[1] = a.cx.data() + c.xm;
  if (c.yp != Columns::npos) mask |= 4U, xn[2] = x + c.yp, cn[2] = a.cy.data() + c.self;
  if (c.ym != Columns::npos) mask |= 8U, xn[3] = x + c.ym, cn[3] = a.cy.data() + c.ym;
  return mask;
}

// (M u)[k] for the cells k0 <= k < k1 of one column in one pass: s u, then the x-y terms
// c (u - u_n) in the order +x, -x, +y, -y (bit m of Mask as in neighbours()), then the z terms
// cz_k (u_k - u_{k+1}) + cz_{k-1} (u_k - u_{k-1}). This order is the definition of M u for every
// caller, so all of them agree bit for bit. Op::apply stores (M u)[k] in dst[k]; Op::restrict
// adds b[k] - (M u)[k] to dst[k] (a residual summed into an aggregate); Op::residual stores
// b[k] - (M u)[k] in dst[k].
enum class Op { apply, restrict, residual };

template <unsigned Mask, Op O>
NW_SIMD_CLONES void stencil_column(std::size_t nz, std::size_t k0, std::size_t k1, const double* __restrict s,
                                   const double* __restrict u, const double* __restrict b, const double* __restrict cz,
                                   const double* const* xn, const double* const* cn, double* __restrict dst) {
  const double* __restrict x0 = xn[0];
  const double* __restrict x1 = xn[1];
  const double* __restrict x2 = xn[2];
  const double* __restrict x3 = xn[3];
  const double* __restrict c0 = cn[0];
  const double* __restrict c1 = cn[1];
  const double* __restrict c2 = cn[2];
  const double* __restrict c3 = cn[3];
  const auto xy = [&](std::size_t k) {
    double v = s[k] * u[k];
    if constexpr ((Mask & 1U) != 0) v += c0[k] * (u[k] - x0[k]);
    if constexpr ((Mask & 2U) != 0) v += c1[k] * (u[k] - x1[k]);
    if constexpr ((Mask & 4U) != 0) v += c2[k] * (u[k] - x2[k]);
    if constexpr ((Mask & 8U) != 0) v += c3[k] * (u[k] - x3[k]);
    return v;
  };
  const auto store = [&](std::size_t k, double v) {
    if constexpr (O == Op::apply) {
      dst[k] = v;
    } else if constexpr (O == Op::restrict) {
      dst[k] += b[k] - v;
    } else {
      dst[k] = b[k] - v;
    }
  };
  if (nz == 1) {
    if (k0 < k1) store(0, xy(0));
    return;
  }
  std::size_t k = k0;
  if (k == 0 && k < k1) {
    double v = xy(0);
    v += cz[0] * (u[0] - u[1]);
    store(0, v);
    ++k;
  }
  const std::size_t interior_end = std::min(k1, nz - 1);
  for (; k < interior_end; ++k) {
    double v = xy(k);
    v += cz[k] * (u[k] - u[k + 1]) + cz[k - 1] * (u[k] - u[k - 1]);
    store(k, v);
  }
  if (k == nz - 1 && k < k1) {
    double v = xy(k);
    v += cz[k - 1] * (u[k] - u[k - 1]);
    store(k, v);
  }
}

using StencilColumn = void (*)(std::size_t, std::size_t, std::size_t, const double*, const double*, const double*,
                               const double*, const double* const*, const double* const*, double*);
template <Op O, std::size_t... M>
constexpr std::array<StencilColumn, sizeof...(M)> stencil_column_table(std::index_sequence<M...>) {
  return {&stencil_column<static_cast<unsigned>(M), O>...};
}
/// The kernel for each neighbour mask: kApplyColumn[neighbours(...)](nz, k0, k1, s, u, b, cz, xn, cn, dst).
inline constexpr auto kApplyColumn = stencil_column_table<Op::apply>(std::make_index_sequence<16>{});
inline constexpr auto kRestrictColumn = stencil_column_table<Op::restrict>(std::make_index_sequence<16>{});
inline constexpr auto kResidualColumn = stencil_column_table<Op::residual>(std::make_index_sequence<16>{});

}  // namespace nw::numerics::detail
