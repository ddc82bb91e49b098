#pragma once
// Symmetric 7-point matrices on a structured nx * ny * nz grid (z fastest, as FvGrid numbers its
// cells), and the deterministic vector reductions the solvers use.
//
//   (M u)_p = s_p u_p + sum_{q ~ p} c_pq (u_p - u_q),      s_p >= 0, c_pq = c_qp >= 0
//
// s is the "excess" of the diagonal over the couplings (capacity / dt, boundary and sink
// coefficients). Storing s instead of the diagonal keeps every Galerkin coarse matrix and every
// line factorisation free of cancellation: M e = s for the constant vector e, exactly.
// M is symmetric positive semi-definite; it is definite when some s_p > 0 in every connected
// part of the grid. All reductions (dot, sum) add fixed blocks in a fixed order, so results are
// bitwise the same for any number of OpenMP threads.

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace nw::numerics {

/// The order in which the z-columns (i, j) are stored; the cells of a column are always
/// contiguous (z fastest). `natural`: column i + nx j (FvGrid's numbering). `colour_split`
/// (nx even): row by row, and within row j first the columns with i + j even, then those with
/// i + j odd, each half in the order of i. A red-black line sweep then reads each colour of a
/// row as one contiguous stretch; the multigrid solver stores its large levels this way.
enum class ColumnOrder { natural, colour_split };

/// Storage number of column (i, j) of a grid nx columns wide in `order`.
inline std::size_t column_number(ColumnOrder order, std::size_t nx, std::size_t i, std::size_t j) {
  if (order == ColumnOrder::natural) return i + nx * j;
  return nx * j + (((i ^ j) & 1U) != 0 ? nx / 2 : 0) + i / 2;
}

struct StencilMatrix {
  std::size_t nx = 0, ny = 0, nz = 0;
  bool periodic_x = false;  // the +x neighbour of i = nx - 1 is i = 0 (its coupling is cx there)
  bool periodic_y = false;
  ColumnOrder order = ColumnOrder::natural;
  std::vector<double> excess;  // s_p >= 0, one per cell
  std::vector<double> cx;      // coupling of p = (i, j, k) with (i + 1, j, k); 0 on a non-periodic last i
  std::vector<double> cy;      // coupling with (i, j + 1, k); 0 on a non-periodic last j
  std::vector<double> cz;      // coupling with (i, j, k + 1); 0 at k = nz - 1 (z is never periodic)

  /// All-zero matrix of the given shape.
  static StencilMatrix zeros(std::size_t nx, std::size_t ny, std::size_t nz, bool periodic_x, bool periodic_y);
  std::size_t size() const { return nx * ny * nz; }
  /// Storage number of column (i, j): its cells are column(i, j) nz .. column(i, j) nz + nz - 1.
  std::size_t column(std::size_t i, std::size_t j) const { return column_number(order, nx, i, j); }
  /// (i, j) of the column stored as number n (the inverse of column()).
  std::pair<std::size_t, std::size_t> column_ij(std::size_t n) const {
    const std::size_t j = n / nx, p = n - nx * j;
    if (order == ColumnOrder::natural) return {p, j};
    const std::size_t half = nx / 2, odd = p >= half ? 1 : 0;
    return {2 * (p - odd * half) + ((odd ^ j) & 1U), j};
  }
  std::size_t index(std::size_t i, std::size_t j, std::size_t k) const { return k + nz * column(i, j); }
  /// Stores the columns in `to` order (the values move, row by row, in place; nothing else
  /// changes).
  void reorder(ColumnOrder to);
  /// Throws Error internal unless the shape, sizes and signs are consistent (colour_split only
  /// with nx even; non-periodic last couplings zero, every entry finite and >= 0). Couplings of a
  /// direction with one cell are ignored by every operation (a cell does not couple with itself).
  void check() const;
};

/// Moves the columns of v (an nx * ny * nz grid) from order `from` to order `to`, in place
/// (every order keeps the columns of a row within the row: one row of scratch per thread).
void reorder_columns(std::size_t nx, std::size_t ny, std::size_t nz, ColumnOrder from, ColumnOrder to,
                     std::span<double> v);

/// out = M u. Preconditions: u.size() == out.size() == m.size(); u and out do not overlap.
void apply(const StencilMatrix& m, std::span<const double> u, std::span<double> out);
/// r = b - M u, and returns sum_p r_p (fixed order). Same preconditions, b may alias r.
double residual(const StencilMatrix& m, std::span<const double> b, std::span<const double> u, std::span<double> r);

/// Deterministic reductions (fixed blocks, fixed order).
double dot(std::span<const double> a, std::span<const double> b);
double sum(std::span<const double> a);
double norm2(std::span<const double> a);

}  // namespace nw::numerics
