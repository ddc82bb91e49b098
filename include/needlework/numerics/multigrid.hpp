#pragma once
// Linear solver for the symmetric positive definite 7-point systems M x = b of implicit
// finite-volume transport (M = M0 + sigma diag(V K), see diffusion.hpp and stencil.hpp):
// flexible conjugate gradients (Notay 2000, FCG(1)) preconditioned by a geometric multigrid
// cycle built for coefficient jumps of 1e4-1e5 and for thin, strongly z-coupled cells:
//
//   coarsening   x-y semi-coarsening by aggregation: 2 x 2 columns (4 x 1 when one of nx, ny is
//                1), z never coarsened, down to a single z-column solved exactly;
//   transfer     piecewise-constant prolongation P, restriction P^T (sums over an aggregate);
//   coarse       Galerkin M_c = P^T M P, again a 7-point matrix (no rediscretisation, so jumps of
//                D K are seen exactly by every level);
//   smoother     z-line Gauss-Seidel: every z-column solved exactly (tridiagonal, factorised once
//                per setup), columns in red-black order in x-y (three colours for an odd periodic
//                direction); forward order before, reverse order after the coarse correction;
//   cycle        K-cycle (Notay & Vassilevski 2008): on each coarse level the correction is two
//                steps of FCG preconditioned by the next level, which keeps the convergence
//                independent of the number of levels with piecewise-constant transfers. A plain
//                V-cycle is available for comparison.
//
// Because z is solved exactly by the line smoother and never coarsened, any z-anisotropy (a
// 0.5 um cell under a 10 um column) and any jump of D K between layers is handled; jumps in x-y
// (an open channel through the stratum corneum) are handled by the Galerkin coarse matrices
// and the Krylov acceleration. x-y anisotropy (hx very different from hy) is not targeted.
//
// Sources: Notay Y. (2000) Flexible conjugate gradients, SIAM J. Sci. Comput. 22:1444-1460;
// Notay Y., Vassilevski P.S. (2008) Recursive Krylov-based multigrid cycles, Numer. Linear
// Algebra Appl. 15:473-487; line relaxation with semi-coarsening for stretched grids,
// Trottenberg U., Oosterlee C.W., Schueller A. (2001) Multigrid, sec. 5.1-5.2 and 7.7.
//
// Implementation (multigrid.cpp), for speed on memory-bound hardware: the line solves run in
// groups of 8 columns of one colour advanced together through z (8 independent recurrences in
// flight instead of one latency-bound chain; the factors are stored interleaved by group); on
// large levels both colours go in one pass over the x-y rows (a wavefront: the first colour in
// row j, then the second colour in row j - 1), with the prolongation before and the
// restriction after fused into the same pass; those levels (nx even) are stored in
// colour-split column order (stencil.hpp: each colour of a row one contiguous stretch), so a
// colour's lines of a row stream their data in order and a group's right-hand sides are one
// pass, and solve() moves x into that order and back (b is read in place); after the
// zero-guess pre-sweep the residual is taken from the line-solve identities (zero on the colour
// solved last, the coupling to the new neighbours on the other) instead of an operator pass;
// the Krylov vector updates of FCG and the K-cycle are fused into few passes. On x86-64 with GCC
// the column kernels, the line solves and the vector passes exist in a baseline and an AVX2
// version, chosen when the program is loaded (stencil_columns.hpp); AVX2 without FMA gives the
// same results bit for bit.
//
// Every operation is deterministic: per-cell updates in a fixed order of operations, red-black
// colouring, fixed-order reductions (stencil.hpp); the solution is bitwise the same for any
// number of OpenMP threads.

#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <utility>
#include <vector>

#include "needlework/numerics/stencil.hpp"

namespace nw::numerics {

enum class CycleKind { k_cycle, v_cycle };

struct SolverOptions {
  double relative_tolerance = 1e-8;  // stop when ||b - M x||_2 <= rtol ||b||_2 ...
  double absolute_tolerance = 0;     // ... or <= atol [units of b]
  int max_iterations = 200;          // else Error num_failure
  CycleKind cycle = CycleKind::k_cycle;
  int pre_sweeps = 1;   // line Gauss-Seidel sweeps before the coarse correction
  int post_sweeps = 1;  // and after
  /// After convergence, correct x so that the residuals sum to zero: for a finite-volume balance
  /// the global conservation then holds to round-off whatever the tolerance. The correction
  /// scales x by 1 + sum(r) / sum(M x) (cells at zero stay at zero, no value changes sign);
  /// where that factor is not within 1e-4 of 1 (sum(M x) about zero), x is shifted by the
  /// constant sum(r) / sum(s) (s = M e, the diagonal excess) instead. The local residual is not
  /// made worse than the tolerance in practice; the reported residual is after the correction.
  bool conserve_sum = true;
  /// Store the large levels in ColumnOrder::colour_split (where nx is even and the sweep has
  /// two colours), so that each colour of a row is one contiguous stretch for the line sweeps;
  /// solve() moves x into that order and back. Off: every level in natural order (the
  /// same iterates up to round-off; for tests and benchmarks).
  bool colour_split = true;
};

struct SolveReport {
  int iterations = 0;
  double initial_residual = 0;  // ||b - M x0||_2
  double final_residual = 0;    // ||b - M x||_2, recomputed from x (not the recursive one)
  double rhs_norm = 0;          // ||b||_2
  double residual_sum = 0;      // sum_p (b - M x)_p after the conservation shift
  std::size_t levels = 0;
  double relative_residual() const { return rhs_norm > 0 ? final_residual / rhs_norm : final_residual; }
};

/// Holds the hierarchy and its workspaces: one solver per thread (solve() is not reentrant).
class MultigridSolver {
 public:
  explicit MultigridSolver(SolverOptions options = {});

  /// Builds the hierarchy for `matrix` (taken by value; move it in). Throws Error internal if
  /// the matrix is malformed (StencilMatrix::check) and Error num_failure if it is singular
  /// (no capacity, Dirichlet or Robin term anywhere in a connected part).
  void setup(StencilMatrix matrix);
  /// Solves M x = b; x holds the initial guess on entry. Preconditions: setup() was called,
  /// sizes equal matrix().size(). Throws Error num_failure if the tolerance is not met within
  /// max_iterations or the iteration breaks down (non-finite values).
  SolveReport solve(std::span<const double> b, std::span<double> x);

  /// The finest level's matrix, in the solver's column order (matrix().order; the caller's
  /// vectors keep the order of the matrix given to setup()).
  const StencilMatrix& matrix() const;
  const SolverOptions& options() const { return options_; }
  std::size_t levels() const { return levels_.size(); }
  /// Shape (nx, ny) of every level, finest first (for reports and tests).
  std::vector<std::pair<std::size_t, std::size_t>> level_shapes() const;

 private:
  // A vector whose new elements are left uninitialised (they are written before being read):
  // setup() then neither spends a pass writing zeros nor touches the pages first on one thread.
  template <class T>
  struct UninitAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
      using other = UninitAllocator<U>;
    };
    UninitAllocator() = default;
    template <class U>
    explicit UninitAllocator(const UninitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  };
  using Buffer = std::vector<double, UninitAllocator<double>>;

  struct Level {
    StencilMatrix a;
    std::vector<std::vector<std::size_t>> colours;  // column indices of each colour, row (j) by row
    // The line solves run in groups of up to 8 columns of one colour, advanced together through
    // z: group g of colour c is colours[c][groups[c][g] .. groups[c][g + 1]). With `wavefront`
    // a group never spans two rows, and the groups of row j are row_groups[c][j] ..
    // row_groups[c][j + 1] - 1.
    std::vector<std::vector<std::size_t>> groups, row_groups;
    std::vector<std::size_t> group_base;  // number of the first group of each colour
    // cz and 1 / d'_k (the pivots of each z-line's LDL^T) interleaved by group: lane w of group
    // number G at cell k is at (G nz + k) 8 + w (padding lanes hold 0).
    Buffer line_cz, line_inv_pivot;
    bool wavefront = false;            // two colours and enough rows: both colours in one pass (smooth())
    std::size_t agg_x = 1, agg_y = 1;  // aggregation to the next level
    // workspaces
    Buffer rhs, sol, c, v, d, w, rt;
  };

  void build_level(Level& level);
  void coarsen(const Level& fine, StencilMatrix& coarse) const;
  /// The conservation step of SolverOptions::conserve_sum (sigma: the sum of the residuals).
  void conserve(std::span<const double> b, std::span<double> x, double sigma) const;
  /// One z-line Gauss-Seidel sweep over all colours (in reverse order with `reverse`).
  void smooth(const Level& l, std::span<const double> b, std::span<double> x, bool zero_guess, bool reverse) const;
  /// The same sweep (none without `lines`), fused with the prolongation of prolong_from's sol
  /// before it and with the restriction of the residual b - M x into restrict_to's rhs after it
  /// (either may be null).
  void sweep(const Level& l, std::span<const double> b, std::span<double> x, bool zero_guess, bool reverse,
             Level* restrict_to, const Level* prolong_from, bool lines = true) const;
  void prolong_all(std::size_t l, std::span<double> x);
  void precondition(std::size_t l, std::span<const double> b, std::span<double> x);
  void coarse_correction(std::size_t l);  // levels_[l + 1].sol for the rhs restricted from level l
  /// solve() with x in the finest level's order, b in user_order_.
  SolveReport iterate(std::span<const double> b, std::span<double> x);

  SolverOptions options_;
  std::vector<Level> levels_;
  Buffer r_, z_, p_, q_;
  ColumnOrder user_order_ = ColumnOrder::natural;  // the column order of the caller's vectors
  double excess_sum_ = 0;
};

}  // namespace nw::numerics
