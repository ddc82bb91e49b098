// FCG(1) with a K-cycle multigrid preconditioner: x-y aggregation, Galerkin coarse matrices,
// z-line Gauss-Seidel (see multigrid.hpp for the design and its references).

#include "needlework/numerics/multigrid.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#include "needlework/core/error.hpp"
#include "stencil_columns.hpp"

namespace nw::numerics {
namespace {

using detail::block_sum;
using detail::Columns;
using detail::columns_of;
using detail::Index;
using detail::kApplyColumn;
using detail::kParallelMin;
using detail::kRestrictColumn;
using detail::neighbours;
using detail::reduce_blocks;
// Largest relative change of x the conservation step makes by scaling (see conserve()).
constexpr double kMaxConservationScale = 1e-4;

[[noreturn]] void fail(const char* stage, const std::string& reason) {
  core::raise(core::ErrorCode::num_failure, fmt::arg("stage", stage), fmt::arg("reason", reason));
}

// y = a x + b y, elementwise (a, b scalars).
NW_SIMD_CLONES void axpby(double a, std::span<const double> x, double b, std::span<double> y) {
  const auto n = static_cast<Index>(y.size());
#pragma omp parallel for schedule(static) if (y.size() >= kParallelMin)
  for (Index p = 0; p < n; ++p) {
    const auto q = static_cast<std::size_t>(p);
    y[q] = a * x[q] + b * y[q];
  }
}

void copy(std::span<const double> x, std::span<double> y) { std::copy(x.begin(), x.end(), y.begin()); }

// out = a x + b y, elementwise.
NW_SIMD_CLONES void combine(double a, std::span<const double> x, double b, std::span<const double> y,
                            std::span<double> out) {
  const auto n = static_cast<Index>(out.size());
#pragma omp parallel for schedule(static) if (out.size() >= kParallelMin)
  for (Index p = 0; p < n; ++p) {
    const auto q = static_cast<std::size_t>(p);
    out[q] = a * x[q] + b * y[q];
  }
}

// ---------------------------------------------------------------------------------------------
// z-line Gauss-Seidel kernels. A line solve is x_c = T_c^{-1} (b_c + sum_n C_cn x_n) for column c
// with tridiagonal T_c (stored as cz and the inverse pivots of its LDL^T): first the right-hand
// side from the x-y neighbours (one pass over the column), then the forward and backward
// recurrences. The recurrences are sequential in z, one multiply-add chain per column, so a
// single column is bound by the latency of that chain; kGroup columns of the same colour are
// therefore advanced together, k by k, which keeps kGroup independent chains in flight. Every
// cell gets the same operations in the same order as a column-by-column solve would give it.

constexpr std::size_t kGroup = 8;
constexpr std::size_t kLineDoubles = 8;  // doubles per 64-byte cache line (prefetch stride)

// The x-y couplings of one column, sum_n C_n[k] x_n[k], the terms added in the order +x, -x, +y,
// -y; bit m of Mask says whether neighbour m is there (the same sums as one pass per neighbour).
// Couple::rhs: out[k] = b[k] + couplings (a line's right-hand side; the sum starts from b[k]).
// Couple::add: out[k] += couplings (b unused): the residual of a line solved with zero neighbours,
// once they have new values.
enum class Couple { rhs, add };

template <unsigned Mask, Couple K>
NW_SIMD_CLONES void line_couplings(std::size_t nz, const double* __restrict b, double* __restrict out,
                                   const double* const* xn, const double* const* cn) {
  const double* __restrict x0 = xn[0];
  const double* __restrict x1 = xn[1];
  const double* __restrict x2 = xn[2];
  const double* __restrict x3 = xn[3];
  const double* __restrict c0 = cn[0];
  const double* __restrict c1 = cn[1];
  const double* __restrict c2 = cn[2];
  const double* __restrict c3 = cn[3];
  for (std::size_t k = 0; k < nz; ++k) {
    double v = K == Couple::rhs ? b[k] : 0.0;
    if constexpr ((Mask & 1U) != 0) v += c0[k] * x0[k];
    if constexpr ((Mask & 2U) != 0) v += c1[k] * x1[k];
    if constexpr ((Mask & 4U) != 0) v += c2[k] * x2[k];
    if constexpr ((Mask & 8U) != 0) v += c3[k] * x3[k];
    out[k] = K == Couple::rhs ? v : out[k] + v;
  }
}

using LineCouplings = void (*)(std::size_t, const double*, double*, const double* const*, const double* const*);
template <Couple K, std::size_t... M>
constexpr std::array<LineCouplings, sizeof...(M)> line_couplings_table(std::index_sequence<M...>) {
  return {&line_couplings<static_cast<unsigned>(M), K>...};
}
constexpr auto kLineRhs = line_couplings_table<Couple::rhs>(std::make_index_sequence<16>{});
constexpr auto kCouplingAdd = line_couplings_table<Couple::add>(std::make_index_sequence<16>{});

// Forward and backward substitution of the kGroup columns of a group in lockstep (lane w is the
// column starting at col[w]; unused lanes point at a scratch column), with the group's
// interleaved cz and 1 / d': forward x_k += (cz_{k-1} / d'_{k-1}) x_{k-1}, backward
// x_k = (x_k + cz_k x_{k+1}) / d'_k. Lane by lane these are a column's operations; the vector
// type (GCC/Clang vector extension: four doubles, one AVX register or two SSE2 ones) only makes
// the compiler issue them for several lanes at once.
using Quad = double __attribute__((vector_size(4 * sizeof(double))));
constexpr std::size_t kQuads = kGroup / 4;
// The forward pass also prefetches the factors of the next group (next_cz, next_ip: one cache
// line of each per k), which the hardware does not fetch early enough by itself.
NW_SIMD_CLONES void line_solve(std::size_t nz, const std::array<double*, kGroup>& col, const double* cz,
                               const double* ip, const double* next_cz, const double* next_ip) {
  // Written out without helper functions taking or returning a Quad: passing one by value
  // outside the AVX2 clone would change the calling convention (-Wpsabi).
#define NW_GATHER(h, k) Quad{col[4 * (h)][(k)], col[4 * (h) + 1][(k)], col[4 * (h) + 2][(k)], col[4 * (h) + 3][(k)]}
#define NW_SCATTER(h, k, v)         \
  do {                              \
    col[4 * (h)][(k)] = (v)[0];     \
    col[4 * (h) + 1][(k)] = (v)[1]; \
    col[4 * (h) + 2][(k)] = (v)[2]; \
    col[4 * (h) + 3][(k)] = (v)[3]; \
  } while (false)
  std::array<Quad, kQuads> prev{};
  Quad f0, f1;
  for (std::size_t h = 0; h < kQuads; ++h) prev[h] = NW_GATHER(h, 0);
  for (std::size_t k = 1; k < nz; ++k) {
    const std::size_t o = k * kGroup;
    __builtin_prefetch(next_cz + o);
    __builtin_prefetch(next_ip + o);
    for (std::size_t h = 0; h < kQuads; ++h) {
      const std::size_t q = o + 4 * h;
      std::memcpy(&f0, cz + q - kGroup, sizeof f0);
      std::memcpy(&f1, ip + q - kGroup, sizeof f1);
      prev[h] = NW_GATHER(h, k) + f0 * f1 * prev[h];
      NW_SCATTER(h, k, prev[h]);
    }
  }
  const std::size_t last = (nz - 1) * kGroup;
  for (std::size_t h = 0; h < kQuads; ++h) {
    std::memcpy(&f1, ip + last + 4 * h, sizeof f1);
    prev[h] = NW_GATHER(h, nz - 1) * f1;
    NW_SCATTER(h, nz - 1, prev[h]);
  }
  for (std::size_t k = nz - 1; k-- > 0;) {
    const std::size_t o = k * kGroup;
    for (std::size_t h = 0; h < kQuads; ++h) {
      const std::size_t q = o + 4 * h;
      std::memcpy(&f0, cz + q, sizeof f0);
      std::memcpy(&f1, ip + q, sizeof f1);
      prev[h] = (NW_GATHER(h, k) + f0 * prev[h]) * f1;
      NW_SCATTER(h, k, prev[h]);
    }
  }
#undef NW_GATHER
#undef NW_SCATTER
}

// out = M u on the cells [lo, hi) (any range: it may start and end inside a column).
void apply_cells(const StencilMatrix& m, const double* u, double* out, std::size_t lo, std::size_t hi) {
  const std::size_t nz = m.nz;
  for (std::size_t col = lo / nz; col * nz < hi; ++col) {
    const auto [i, j] = m.column_ij(col);
    const Columns c = columns_of(m, i, j);
    std::array<const double*, 4> xn{}, cn{};
    const unsigned mask = neighbours(m, c, u, xn, cn);
    const std::size_t k0 = std::max(lo, c.self) - c.self, k1 = std::min(hi, c.self + nz) - c.self;
    kApplyColumn[mask](nz, k0, k1, m.excess.data() + c.self, u + c.self, nullptr, m.cz.data() + c.self, xn.data(),
                       cn.data(), out + c.self);
  }
}

// out = M u and the N dot products x_j . y_j (any of them may be u or out), in one pass.
template <std::size_t N>
std::array<double, N> apply_dots(const StencilMatrix& m, std::span<const double> u, std::span<double> out,
                                 const std::array<std::pair<const double*, const double*>, N>& pairs) {
  return reduce_blocks<N>(out.size(), [&](std::size_t lo, std::size_t hi) {
    apply_cells(m, u.data(), out.data(), lo, hi);
    std::array<double, N> s{};
    for (std::size_t j = 0; j < N; ++j) {
      const double* a = pairs[j].first;
      const double* b = pairs[j].second;
      s[j] = block_sum(lo, hi, [&](std::size_t p) { return a[p] * b[p]; });
    }
    return s;
  });
}

// Sum of the x-y couplings of cell k of a column (the part of the diagonal the line solve
// treats as known).
double xy_coupling(const StencilMatrix& a, const Columns& c, std::size_t k) {
  double s = 0;
  if (c.xp != Columns::npos) s += a.cx[c.self + k];
  if (c.xm != Columns::npos) s += a.cx[c.xm + k];
  if (c.yp != Columns::npos) s += a.cy[c.self + k];
  if (c.ym != Columns::npos) s += a.cy[c.ym + k];
  return s;
}

// A periodic direction with an odd number of cells needs a third colour (its last cells).
bool third_colour(std::size_t n, bool periodic) { return periodic && n > 1 && n % 2 == 1; }

// Whether a level's sweep runs as a wavefront over the rows (see sweep()): two colours, enough
// rows, and enough cells for the threads.
bool runs_wavefront(const StencilMatrix& a) {
  return !third_colour(a.nx, a.periodic_x) && !third_colour(a.ny, a.periodic_y) && a.ny >= 8 &&
         a.size() >= kParallelMin;
}

// The column order a level is stored in: colour-split where its sweep runs as a wavefront and
// nx is even, so that each colour of a row is one contiguous stretch of memory; natural
// elsewhere.
ColumnOrder level_order(const StencilMatrix& a, bool allowed) {
  return allowed && runs_wavefront(a) && a.nx % 2 == 0 ? ColumnOrder::colour_split : ColumnOrder::natural;
}

}  // namespace

MultigridSolver::MultigridSolver(SolverOptions options) : options_(options) {}

const StencilMatrix& MultigridSolver::matrix() const {
  if (levels_.empty()) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "MultigridSolver::matrix() before setup()"));
  }
  return levels_.front().a;
}

std::vector<std::pair<std::size_t, std::size_t>> MultigridSolver::level_shapes() const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (const auto& l : levels_) out.emplace_back(l.a.nx, l.a.ny);
  return out;
}

void MultigridSolver::setup(StencilMatrix matrix) {
  matrix.check();
  if (options_.pre_sweeps < 0 || options_.post_sweeps < 0 || options_.pre_sweeps + options_.post_sweeps < 1 ||
      options_.max_iterations < 1 || !(options_.relative_tolerance >= 0) || !(options_.absolute_tolerance >= 0)) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "multigrid: invalid solver options"));
  }
  // The levels of a previous setup are reused where their shapes match (a time stepper sets up
  // again whenever dt or the coefficients change): no new allocation, no page faults.
  std::size_t count = 0;
  const auto next_level = [&]() -> Level& {
    if (count == levels_.size()) levels_.emplace_back();
    return levels_[count++];
  };
  try {
    user_order_ = matrix.order;
    matrix.reorder(level_order(matrix, options_.colour_split));
    next_level().a = std::move(matrix);
    while (true) {
      build_level(levels_[count - 1]);
      const StencilMatrix& a = levels_[count - 1].a;
      if (a.nx == 1 && a.ny == 1) break;
      Level& coarse = next_level();  // may move the levels: index them again below
      coarsen(levels_[count - 2], coarse.a);
    }
  } catch (...) {
    levels_.clear();  // no half-built hierarchy left behind
    throw;
  }
  levels_.resize(count);
  const bool k_cycle = options_.cycle == CycleKind::k_cycle;
  for (std::size_t l = 0; l < levels_.size(); ++l) {
    Level& lv = levels_[l];
    const std::size_t n = lv.a.size(), used = l > 0 && k_cycle && l + 1 < levels_.size() ? n : 0;
    lv.rhs.resize(l > 0 ? n : 0);
    lv.sol.resize(l > 0 ? n : 0);
    for (auto* v : {&lv.c, &lv.v, &lv.d, &lv.w, &lv.rt}) v->resize(used);
  }
  const std::size_t n = levels_.front().a.size();
  for (auto* v : {&r_, &z_, &p_, &q_}) v->resize(n);
  excess_sum_ = sum(levels_.front().a.excess);
}

void MultigridSolver::coarsen(const Level& fine, StencilMatrix& c) const {
  const StencilMatrix& a = fine.a;
  const std::size_t ax = fine.agg_x, ay = fine.agg_y, nz = a.nz;
  const std::size_t nxc = (a.nx + ax - 1) / ax, nyc = (a.ny + ay - 1) / ay;
  if (c.nx != nxc || c.ny != nyc || c.nz != nz || c.excess.size() != nxc * nyc * nz) {
    c = StencilMatrix::zeros(nxc, nyc, nz, a.periodic_x, a.periodic_y);
  }
  c.periodic_x = a.periodic_x;
  c.periodic_y = a.periodic_y;
  c.order = level_order(c, options_.colour_split);
  const auto ncol = static_cast<Index>(nxc * nyc);
  // Galerkin P^T A P with piecewise-constant P: excess and z-couplings add up over an
  // aggregate; an x (y) coupling is kept, added to the aggregate's +x (+y) coupling, when it
  // leaves the aggregate, and vanishes (with its share of the diagonal) when it is internal.
#pragma omp parallel for schedule(static) if (a.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const std::size_t I = static_cast<std::size_t>(col) % nxc, J = static_cast<std::size_t>(col) / nxc;
    const std::size_t cb = c.column(I, J) * nz;
    for (auto* v : {&c.excess, &c.cx, &c.cy, &c.cz}) std::fill_n(v->begin() + static_cast<Index>(cb), nz, 0.0);
    for (std::size_t j = J * ay; j < std::min(a.ny, (J + 1) * ay); ++j) {
      for (std::size_t i = I * ax; i < std::min(a.nx, (I + 1) * ax); ++i) {
        const std::size_t fb = a.column(i, j) * nz;
        for (std::size_t k = 0; k < nz; ++k) {
          c.excess[cb + k] += a.excess[fb + k];
          c.cz[cb + k] += a.cz[fb + k];
        }
        if (a.nx > 1 && (i + 1 < a.nx || a.periodic_x) && ((i + 1) % a.nx) / ax != I) {
          for (std::size_t k = 0; k < nz; ++k) c.cx[cb + k] += a.cx[fb + k];
        }
        if (a.ny > 1 && (j + 1 < a.ny || a.periodic_y) && ((j + 1) % a.ny) / ay != J) {
          for (std::size_t k = 0; k < nz; ++k) c.cy[cb + k] += a.cy[fb + k];
        }
      }
    }
  }
}

void MultigridSolver::build_level(Level& level) {
  const StencilMatrix& a = level.a;
  const std::size_t nx = a.nx, ny = a.ny, nz = a.nz;
  level.agg_x = a.ny == 1 ? 4 : (a.nx == 1 ? 1 : 2);
  level.agg_y = a.nx == 1 ? 4 : (a.ny == 1 ? 1 : 2);

  const bool three_x = third_colour(nx, a.periodic_x), three_y = third_colour(ny, a.periodic_y);
  const std::size_t ncolours = (three_x || three_y) ? 3 : 2;
  level.colours.assign(ncolours, {});
  for (std::size_t j = 0; j < ny; ++j) {
    const std::size_t cy = (three_y && j == ny - 1) ? 2 : j % 2;
    for (std::size_t i = 0; i < nx; ++i) {
      const std::size_t cx = (three_x && i == nx - 1) ? 2 : i % 2;
      level.colours[(cx + cy) % ncolours].push_back(i + nx * j);
    }
  }
  // Groups of kGroup columns; for the wavefront (large levels with two colours, see sweep())
  // they end with each row.
  level.wavefront = runs_wavefront(a);
  level.groups.assign(ncolours, {0});
  level.row_groups.assign(ncolours, {});
  level.group_base.assign(ncolours + 1, 0);
  for (std::size_t c = 0; c < ncolours; ++c) {
    const auto& list = level.colours[c];
    auto& g = level.groups[c];
    if (level.wavefront) {
      level.row_groups[c].push_back(0);
      std::size_t q = 0;
      for (std::size_t j = 0; j < ny; ++j) {
        while (q < list.size() && list[q] / nx == j) {
          ++q;
          if (q - g.back() == kGroup) g.push_back(q);
        }
        if (g.back() < q) g.push_back(q);
        level.row_groups[c].push_back(g.size() - 1);
      }
    } else {
      while (g.back() < list.size()) g.push_back(std::min(list.size(), g.back() + kGroup));
    }
    level.group_base[c + 1] = level.group_base[c] + g.size() - 1;
  }

  // LDL^T of every z-line in the stable form d'_k = cz_k + e_k,
  // e_k = s_k + xy_k + cz_{k-1} e_{k-1} / d'_{k-1}: no cancellation even where s = 0. Stored
  // with cz in the interleaved group layout (padding lanes 0).
  const std::size_t ngroups = level.group_base[ncolours];
  level.line_cz.resize(ngroups * nz * kGroup);
  level.line_inv_pivot.resize(ngroups * nz * kGroup);
  int singular = 0;
  for (std::size_t c = 0; c < ncolours; ++c) {
    const auto& list = level.colours[c];
    const auto& g = level.groups[c];
    const auto n = static_cast<Index>(g.size() - 1);
#pragma omp parallel for schedule(static) reduction(max : singular) if (a.size() >= kParallelMin)
    for (Index gi = 0; gi < n; ++gi) {
      const auto u = static_cast<std::size_t>(gi);
      double* lcz = level.line_cz.data() + (level.group_base[c] + u) * nz * kGroup;
      double* lip = level.line_inv_pivot.data() + (level.group_base[c] + u) * nz * kGroup;
      for (std::size_t w = g[u + 1] - g[u]; w < kGroup; ++w) {
        for (std::size_t k = 0; k < nz; ++k) lcz[k * kGroup + w] = lip[k * kGroup + w] = 0;
      }
      for (std::size_t q = g[u]; q < g[u + 1]; ++q) {
        const std::size_t col = list[q], w = q - g[u];
        const Columns cl = columns_of(a, col % nx, col / nx);
        double e_prev = 0, d_prev = 1;
        for (std::size_t k = 0; k < nz; ++k) {
          const std::size_t p = cl.self + k;
          double e = a.excess[p] + xy_coupling(a, cl, k);
          if (k > 0) e += a.cz[p - 1] * e_prev / d_prev;
          const double d = a.cz[p] + e;
          lcz[k * kGroup + w] = a.cz[p];
          if (!(d > 0 && std::isfinite(d) && e >= 0)) {
            singular = 1;
            lip[k * kGroup + w] = 0;
          } else {
            lip[k * kGroup + w] = 1.0 / d;
          }
          e_prev = e;
          d_prev = d > 0 ? d : 1.0;
        }
        // The last pivot of a column with no excess anywhere below it is e alone; zero means
        // singular.
        if (!(e_prev > 0)) singular = 1;
      }
    }
  }
  // On the coarsest level (one column holding every cell of the grid) a zero last pivot means M e
  // = 0 somewhere: nothing anchors the solution. On a finer level it takes a column with no excess
  // and no x-y coupling at all (a cell layer cut off from the rest).
  if (singular) fail("multigrid setup", "a z-line of the system matrix is singular");
}

void MultigridSolver::smooth(const Level& l, std::span<const double> b, std::span<double> x, bool zero_guess,
                             bool reverse) const {
  sweep(l, b, x, zero_guess, reverse, nullptr, nullptr);
}

void MultigridSolver::sweep(const Level& l, std::span<const double> b, std::span<double> x, bool zero_guess,
                            bool reverse, Level* restrict_to, const Level* prolong_from, bool lines) const {
  const StencilMatrix& a = l.a;
  const std::size_t nz = a.nz, nx = a.nx, ny = a.ny, ncolours = l.colours.size();
  const std::size_t ax = l.agg_x, ay = l.agg_y;
  const bool parallel = a.size() >= kParallelMin;
  double* xd = x.data();
  const double* bd = b.data();

  // Prolongation (x += P e, e the coarse solution) of one fine column.
  const auto prolong_column = [&](std::size_t col) {
    const std::size_t i = col % nx, j = col / nx;
    const double* e = prolong_from->sol.data() + prolong_from->a.column(i / ax, j / ay) * nz;
    double* xf = xd + a.column(i, j) * nz;
    for (std::size_t k = 0; k < nz; ++k) xf[k] += e[k];
  };
  // Restriction of the residual (coarse rhs = P^T (b - M x)) to coarse column (I, J), computed
  // column by column without storing the fine residual, the fine columns in the order j, i.
  // After a two-colour sweep from a zero guess the residual is known without the operator: the
  // lines of the colour solved second saw the final values of all their neighbours, so their
  // residual is zero, and those solved first saw zero neighbours, so theirs is the coupling to
  // the neighbours' new values, r_c = sum_n C_cn x_n. Both are exact identities of the line
  // solves (in floating point they differ from b - M x by round-off); they save the operator's
  // work and its reads of s, cz and b.
  const bool identity = lines && zero_guess && ncolours == 2;
  const std::size_t solved_first = reverse ? 1 : 0;
  const auto restrict_column = [&](std::size_t I, std::size_t J) {
    double* rc = restrict_to->rhs.data() + restrict_to->a.column(I, J) * nz;
    std::fill(rc, rc + nz, 0.0);
    for (std::size_t j = J * ay; j < std::min(ny, (J + 1) * ay); ++j) {
      for (std::size_t i = I * ax; i < std::min(nx, (I + 1) * ax); ++i) {
        if (identity && (i + j) % 2 != solved_first) continue;
        const Columns c = columns_of(a, i, j);
        std::array<const double*, 4> xn{}, cn{};
        const unsigned mask = neighbours(a, c, xd, xn, cn);
        if (identity) {
          kCouplingAdd[mask](nz, nullptr, rc, xn.data(), cn.data());
        } else {
          kRestrictColumn[mask](nz, 0, nz, a.excess.data() + c.self, xd + c.self, bd + c.self, a.cz.data() + c.self,
                                xn.data(), cn.data(), rc);
        }
      }
    }
  };
  // Line solves of group g of a colour; lanes without a column work on the thread's scratch
  // column t (its values are not used). While a column's right-hand side is formed, the data
  // the same lane of the next group will stream in (b, cx, cy, and x of the +y row; the next
  // group's columns are kGroup columns further on in colour-split order, 2 kGroup in natural
  // order, where a row's lines touch every other column, a pattern the hardware prefetchers do
  // not follow well).
  const std::size_t ahead = (a.order == ColumnOrder::colour_split ? 1 : 2) * kGroup * nz, size = a.size();
  // The next group's data from column c's position on, `cells` long.
  const auto prefetch_next = [&](const Columns& c, std::size_t cells) {
    if (c.self + ahead + cells > size) return;
    const std::size_t p = c.self + ahead, py = c.yp != Columns::npos ? c.yp + ahead : p;
    const std::size_t pm = c.xm != Columns::npos && c.xm + ahead + cells <= size ? c.xm + ahead : p;
    for (std::size_t o = 0; o < cells; o += kLineDoubles) {
      __builtin_prefetch(bd + p + o);
      __builtin_prefetch(a.cx.data() + p + o);
      __builtin_prefetch(a.cx.data() + pm + o);
      __builtin_prefetch(a.cy.data() + p + o);
      if (py + o < size) __builtin_prefetch(xd + py + o);
    }
  };
  const auto group = [&](std::vector<double>& t, std::size_t colour, std::size_t g, bool skip_neighbours) {
    const auto& list = l.colours[colour];
    const std::size_t begin = l.groups[colour][g], end = l.groups[colour][g + 1];
    const std::size_t base = (l.group_base[colour] + g) * nz * kGroup;
    const std::size_t next = base + nz * kGroup < l.line_cz.size() ? base + nz * kGroup : base;
    std::array<double*, kGroup> col{};
    col.fill(t.data());
    // The lists go row by row: one division per group, not two per column.
    std::size_t j = begin < end ? list[begin] / nx : 0, row = j * nx;
    if (a.order == ColumnOrder::colour_split && end > begin + 1) {
      // In colour-split order a group's columns (all in row j) are consecutive, and so are
      // their neighbours in each direction unless the row wraps inside the group: then the
      // right-hand sides of the whole group are one pass over a stretch of end - begin columns
      // (each cell gets the operations of the column-by-column pass).
      const Columns c0 = columns_of(a, list[begin] - row, j), c1 = columns_of(a, list[end - 1] - row, j);
      const std::size_t span = (end - 1 - begin) * nz;
      const auto follows = [span](std::size_t first, std::size_t last) {
        return first == Columns::npos ? last == Columns::npos : last == first + span;
      };
      if (c1.self == c0.self + span && follows(c0.xp, c1.xp) && follows(c0.xm, c1.xm) && follows(c0.yp, c1.yp) &&
          follows(c0.ym, c1.ym)) {
        const std::size_t cells = span + nz;
        prefetch_next(c0, cells);
        std::array<const double*, 4> xn{}, cn{};
        const unsigned mask = skip_neighbours ? 0U : neighbours(a, c0, xd, xn, cn);
        kLineRhs[mask](cells, bd + c0.self, xd + c0.self, xn.data(), cn.data());
        for (std::size_t w = 0; w < end - begin; ++w) col[w] = xd + c0.self + w * nz;
        line_solve(nz, col, l.line_cz.data() + base, l.line_inv_pivot.data() + base, l.line_cz.data() + next,
                   l.line_inv_pivot.data() + next);
        return;
      }
    }
    for (std::size_t q = begin; q < end; ++q) {
      const std::size_t cq = list[q];
      for (; cq >= row + nx; row += nx) ++j;
      const Columns c = columns_of(a, cq - row, j);
      prefetch_next(c, nz);
      std::array<const double*, 4> xn{}, cn{};
      const unsigned mask = skip_neighbours ? 0U : neighbours(a, c, xd, xn, cn);
      kLineRhs[mask](nz, bd + c.self, xd + c.self, xn.data(), cn.data());
      col[q - begin] = xd + c.self;
    }
    line_solve(nz, col, l.line_cz.data() + base, l.line_inv_pivot.data() + base, l.line_cz.data() + next,
               l.line_inv_pivot.data() + next);
  };

  if (!l.wavefront || !lines) {
    // Colour by colour; prolongation before and restriction after, each in its own pass.
    const std::size_t first = reverse ? ncolours - 1 : 0;
    if (prolong_from != nullptr) {
      for (std::size_t colour = 0; colour < ncolours; ++colour) {
        if (colour == first) continue;  // overwritten before anything reads it
        const auto& list = l.colours[colour];
        const auto n = static_cast<Index>(list.size());
#pragma omp parallel for schedule(static) if (parallel)
        for (Index q = 0; q < n; ++q) prolong_column(list[static_cast<std::size_t>(q)]);
      }
    }
    // With two colours the first one reads no neighbour when the guess is zero; with three the
    // second colour reads the third, so the guess must really be zero.
    if (lines && zero_guess && ncolours > 2) std::fill(x.begin(), x.end(), 0.0);
    for (std::size_t step = 0; step < (lines ? ncolours : 0); ++step) {
      const std::size_t colour = reverse ? ncolours - 1 - step : step;
      const bool skip_neighbours = zero_guess && step == 0;
      const auto ngroups = static_cast<Index>(l.groups[colour].size() - 1);
#pragma omp parallel if (parallel)
      {
        std::vector<double> t(nz, 0.0);
#pragma omp for schedule(static)
        for (Index g = 0; g < ngroups; ++g) group(t, colour, static_cast<std::size_t>(g), skip_neighbours);
      }
    }
    if (restrict_to != nullptr) {
      const std::size_t nxc = restrict_to->a.nx;
      const auto ncol = static_cast<Index>(nxc * restrict_to->a.ny);
#pragma omp parallel for schedule(static) if (parallel)
      for (Index col = 0; col < ncol; ++col) {
        restrict_column(static_cast<std::size_t>(col) % nxc, static_cast<std::size_t>(col) / nxc);
      }
    }
    return;
  }

  // Wavefront (two colours, f solved first, s second), one pass over the rows j:
  //   P(j)  prolongation into the s-columns of row j (the f-columns are overwritten unread);
  //   F(j)  f-lines of row j: needs P(j - 1), P(j), P(j + 1);
  //   S(j)  s-lines of row j: needs F(j - 1), F(j), F(j + 1), and must come after them since
  //         they read the old s values;
  //   R(J)  restriction of coarse row J (fine rows J ay .. J ay + ay - 1): needs the final x of
  //         fine rows J ay - 1 .. J ay + ay.
  // Every cell sees exactly the values of the plain order (P, all f, all s, R), and a row's data
  // is still in cache when the next task on it comes. Each thread takes a band of rows (whole
  // aggregates when restricting); the tasks that need a neighbouring band's rows wait for a
  // barrier: P of the band's first and last rows before, S of them after the loop, and the
  // restrictions that read them at the end.
  const std::size_t f = reverse ? 1 : 0, s = 1 - f;
  const std::size_t unit = restrict_to != nullptr ? ay : 1, units = (ny + unit - 1) / unit;
  const auto prolong_row = [&](std::size_t j) {
    for (std::size_t g = l.row_groups[s][j]; g < l.row_groups[s][j + 1]; ++g) {
      for (std::size_t q = l.groups[s][g]; q < l.groups[s][g + 1]; ++q) prolong_column(l.colours[s][q]);
    }
  };
  const auto lines_row = [&](std::vector<double>& t, std::size_t colour, std::size_t j, bool skip_neighbours) {
    for (std::size_t g = l.row_groups[colour][j]; g < l.row_groups[colour][j + 1]; ++g) {
      group(t, colour, g, skip_neighbours);
    }
  };
  const auto restrict_row = [&](std::size_t J) {
    for (std::size_t I = 0; I < restrict_to->a.nx; ++I) restrict_column(I, J);
  };
#pragma omp parallel if (parallel)
  {
    std::vector<double> t(nz, 0.0);
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    const auto th = static_cast<std::size_t>(omp_get_thread_num());
    const std::size_t u0 = units * th / nt, u1 = units * (th + 1) / nt;
    const std::size_t r0 = u0 * unit, r1 = std::min(ny, u1 * unit);
    if (prolong_from != nullptr) {
      if (r1 > r0) prolong_row(r0);
      if (r1 > r0 + 1) prolong_row(r1 - 1);
#pragma omp barrier
    }
    // Coarse rows restricted inside the loop: from the first whose rows start at r0 + 2 or later.
    std::size_t next = restrict_to != nullptr ? std::max(u0, (r0 + 2 + ay - 1) / ay) : u1;
    const std::size_t first_inner = next;
    for (std::size_t j = r0; j < r1; ++j) {
      if (prolong_from != nullptr && j + 1 > r0 && j + 1 + 1 < r1) prolong_row(j + 1);
      lines_row(t, f, j, zero_guess);
      if (j >= r0 + 2) {
        lines_row(t, s, j - 1, false);
        // Rows r0 + 1 .. j - 1 are final.
        while (next < u1 && (next + 1) * ay <= j - 1) restrict_row(next++);
      }
    }
#pragma omp barrier
    if (r1 > r0) lines_row(t, s, r0, false);
    if (r1 > r0 + 1) lines_row(t, s, r1 - 1, false);
    if (restrict_to != nullptr) {
#pragma omp barrier
      for (std::size_t J = u0; J < first_inner; ++J) restrict_row(J);
      for (std::size_t J = std::max(next, first_inner); J < u1; ++J) restrict_row(J);
    }
  }
}

void MultigridSolver::precondition(std::size_t l, std::span<const double> b, std::span<double> x) {
  Level& lv = levels_[l];
  if (l + 1 == levels_.size()) {  // a single z-column: the line solve is exact
    smooth(lv, b, x, true, false);
    return;
  }
  Level& cl = levels_[l + 1];
  // Pre-smoothing, the last sweep fused with the restriction of the residual; without
  // pre-smoothing x = 0 and the restriction is that of b.
  const int pre = options_.pre_sweeps, post = options_.post_sweeps;
  if (pre == 0) std::fill(x.begin(), x.end(), 0.0);
  for (int s = 0; s + 1 < pre; ++s) smooth(lv, b, x, s == 0, false);
  sweep(lv, b, x, pre == 1, false, &cl, nullptr, pre > 0);
  coarse_correction(l);
  // Post-smoothing, the first sweep fused with the prolongation of the coarse correction.
  if (post == 0) {
    prolong_all(l, x);
    return;
  }
  sweep(lv, b, x, false, true, nullptr, &cl);
  for (int s = 1; s < post; ++s) smooth(lv, b, x, false, true);
}

void MultigridSolver::coarse_correction(std::size_t l) {
  Level& cl = levels_[l + 1];
  const bool exact = l + 2 == levels_.size();
  if (exact || options_.cycle == CycleKind::v_cycle) {
    precondition(l + 1, cl.rhs, cl.sol);
  } else {
    // K-cycle: two steps of FCG on the coarse system, preconditioned by the next level
    // (Notay & Vassilevski 2008, Algorithm 2.1 with t = 0.25).
    // The vector work is fused into few passes; every value is the one of the plain sequence
    // (v = M c, rho1 = c.v, alpha1 = c.rhs, rt = rhs - alpha1 / rho1 v, ...) bit for bit.
    precondition(l + 1, cl.rhs, cl.c);
    const auto [rho1, alpha1, r0_sq] = apply_dots<3>(
        cl.a, cl.c, cl.v, {{{cl.c.data(), cl.v.data()}, {cl.c.data(), cl.rhs.data()}, {cl.rhs.data(), cl.rhs.data()}}});
    if (!(rho1 > 0)) {
      std::fill(cl.sol.begin(), cl.sol.end(), 0.0);
    } else {
      const double f = -alpha1 / rho1;
      const double* v = cl.v.data();
      const double* rhs = cl.rhs.data();
      double* rt = cl.rt.data();
      const double rn = std::sqrt(reduce_blocks<1>(cl.rt.size(), [&](std::size_t lo, std::size_t hi) {
        return std::array<double, 1>{block_sum(lo, hi, [&](std::size_t p) {
          const double t = f * v[p] + rhs[p];
          rt[p] = t;
          return t * t;
        })};
      })[0]);
      const double r0 = std::sqrt(r0_sq);
      if (rn <= 0.25 * r0) {
        combine(0.0, cl.c, alpha1 / rho1, cl.c, cl.sol);
      } else {
        precondition(l + 1, cl.rt, cl.d);
        const auto [gamma, beta, alpha2] = apply_dots<3>(
            cl.a, cl.d, cl.w, {{{cl.d.data(), cl.v.data()}, {cl.d.data(), cl.w.data()}, {cl.d.data(), cl.rt.data()}}});
        const double rho2 = beta - gamma * gamma / rho1;
        if (rho2 > 0) {
          combine(alpha2 / rho2, cl.d, alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2), cl.c, cl.sol);
        } else {
          combine(0.0, cl.c, alpha1 / rho1, cl.c, cl.sol);
        }
      }
    }
  }
}

void MultigridSolver::prolong_all(std::size_t l, std::span<double> x) {
  const Level& lv = levels_[l];
  const Level& cl = levels_[l + 1];
  const std::size_t nz = lv.a.nz, ax = lv.agg_x, ay = lv.agg_y;
  const auto ncol = static_cast<Index>(lv.a.nx * lv.a.ny);
#pragma omp parallel for schedule(static) if (lv.a.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const auto [i, j] = lv.a.column_ij(static_cast<std::size_t>(col));
    const double* e = cl.sol.data() + cl.a.column(i / ax, j / ay) * nz;
    double* xf = x.data() + static_cast<std::size_t>(col) * nz;
    for (std::size_t k = 0; k < nz; ++k) xf[k] += e[k];
  }
}

void MultigridSolver::conserve(std::span<const double> b, std::span<double> x, double sigma) const {
  // sigma = sum of b - M x for this x (from the convergence test). A correction e with
  // sum(M e) = sigma makes the residuals sum to zero. Preferred: e = eps x, a relative change of
  // x, so cells at zero stay at zero and no sign changes (an amount that must be non-negative
  // is not pushed below zero by the mass error of another part of the grid); sum(M x) =
  // sum(b) - sigma. Where that sum does not allow it (x sums to about nothing under M, or the
  // change would not be small), the constant shift delta = sigma / sum(s) (M 1 = s).
  const auto n = static_cast<Index>(x.size());
  const double mx_sum = sum(b) - sigma;
  const double eps = sigma / mx_sum;
  if (std::isfinite(eps) && std::abs(eps) <= kMaxConservationScale) {
    const double f = 1.0 + eps;
#pragma omp parallel for schedule(static) if (x.size() >= kParallelMin)
    for (Index p = 0; p < n; ++p) x[static_cast<std::size_t>(p)] *= f;
  } else if (excess_sum_ > 0) {
    const double delta = sigma / excess_sum_;
#pragma omp parallel for schedule(static) if (x.size() >= kParallelMin)
    for (Index p = 0; p < n; ++p) x[static_cast<std::size_t>(p)] += delta;
  }
}

SolveReport MultigridSolver::solve(std::span<const double> b, std::span<double> x) {
  if (levels_.empty() || b.size() != levels_.front().a.size() || x.size() != b.size()) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "multigrid solve: no setup or size mismatch"));
  }
  const StencilMatrix& a = levels_.front().a;
  if (a.order == user_order_) return iterate(b, x);  // b and x in the level's order
  // The finest level is stored in another column order than the caller's vectors: solve in
  // the level's order with x reordered in place (and back, also on failure); b is read in the
  // caller's order by the residuals, the only place it enters.
  reorder_columns(a.nx, a.ny, a.nz, user_order_, a.order, x);
  try {
    const SolveReport rep = iterate(b, x);
    reorder_columns(a.nx, a.ny, a.nz, a.order, user_order_, x);
    return rep;
  } catch (...) {
    reorder_columns(a.nx, a.ny, a.nz, a.order, user_order_, x);
    throw;
  }
}

SolveReport MultigridSolver::iterate(std::span<const double> b, std::span<double> x) {
  const StencilMatrix& a = levels_.front().a;
  SolveReport rep;
  rep.levels = levels_.size();
  rep.rhs_norm = norm2(b);
  if (!std::isfinite(rep.rhs_norm)) fail("linear solver", "the right-hand side is not finite");
  if (rep.rhs_norm == 0) {
    std::fill(x.begin(), x.end(), 0.0);
    return rep;
  }
  const double tol = std::max(options_.relative_tolerance * rep.rhs_norm, options_.absolute_tolerance);
  detail::residual(a, b, user_order_, x, r_);
  double rnorm = norm2(r_);
  rep.initial_residual = rnorm;
  bool restart = true;
  double pq_prev = 0, true_sum = 0;
  while (true) {
    if (!std::isfinite(rnorm))
      fail("linear solver", fmt::format("non-finite residual after {} iterations", rep.iterations));
    if (rnorm <= tol) {
      // Confirm with the true residual (the recursive one drifts); restart from it if needed.
      true_sum = detail::residual(a, b, user_order_, x, r_);
      rnorm = norm2(r_);
      if (rnorm <= tol) break;
      restart = true;
    }
    if (rep.iterations >= options_.max_iterations) {
      fail("linear solver", fmt::format("multigrid FCG reached relative residual {:.3g} after {} iterations "
                                        "(tolerance {:.3g})",
                                        rnorm / rep.rhs_norm, rep.iterations, tol / rep.rhs_norm));
    }
    precondition(0, r_, z_);
    if (restart) {
      copy(z_, p_);
      restart = false;
    } else {
      const double beta = -dot(z_, q_) / pq_prev;
      axpby(1.0, z_, beta, p_);
    }
    // q = M p, p.q, p.r in one pass; then x += alpha p, r -= alpha q and ||r|| in another.
    const auto [pq, pr] = apply_dots<2>(a, p_, q_, {{{p_.data(), q_.data()}, {p_.data(), r_.data()}}});
    if (!(pq > 0) || !std::isfinite(pq)) {
      fail("linear solver", fmt::format("FCG breakdown (p.Ap = {}) after {} iterations", pq, rep.iterations));
    }
    const double alpha = pr / pq, minus_alpha = -alpha;
    const double* pp = p_.data();
    const double* qq = q_.data();
    double* xx = x.data();
    double* rr = r_.data();
    rnorm = std::sqrt(reduce_blocks<1>(x.size(), [&](std::size_t lo, std::size_t hi) {
      return std::array<double, 1>{block_sum(lo, hi, [&](std::size_t p) {
        xx[p] = alpha * pp[p] + xx[p];
        const double t = minus_alpha * qq[p] + rr[p];
        rr[p] = t;
        return t * t;
      })};
    })[0]);
    pq_prev = pq;
    ++rep.iterations;
  }
  if (options_.conserve_sum) conserve(b, x, true_sum);
  rep.residual_sum = detail::residual(a, b, user_order_, x, r_);
  rep.final_residual = norm2(r_);
  return rep;
}

}  // namespace nw::numerics
