#include "needlework/numerics/stencil.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

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
using detail::kResidualColumn;
using detail::neighbours;
using detail::reduce_blocks;

}  // namespace

StencilMatrix StencilMatrix::zeros(std::size_t nx, std::size_t ny, std::size_t nz, bool periodic_x, bool periodic_y) {
  StencilMatrix m;
  m.nx = nx;
  m.ny = ny;
  m.nz = nz;
  m.periodic_x = periodic_x;
  m.periodic_y = periodic_y;
  const std::size_t n = nx * ny * nz;
  m.excess.assign(n, 0.0);
  m.cx.assign(n, 0.0);
  m.cy.assign(n, 0.0);
  m.cz.assign(n, 0.0);
  return m;
}

void reorder_columns(std::size_t nx, std::size_t ny, std::size_t nz, ColumnOrder from, ColumnOrder to,
                     std::span<double> v) {
  if (from == to) return;
  const auto rows = static_cast<Index>(ny);
  const std::size_t row = nx * nz;
#pragma omp parallel if (v.size() >= kParallelMin)
  {
    std::vector<double> t(row);
#pragma omp for schedule(static)
    for (Index jj = 0; jj < rows; ++jj) {
      const auto j = static_cast<std::size_t>(jj);
      double* r = v.data() + j * row;
      std::copy(r, r + row, t.begin());
      for (std::size_t i = 0; i < nx; ++i) {
        const double* src = t.data() + (column_number(from, nx, i, j) - nx * j) * nz;
        std::copy(src, src + nz, r + (column_number(to, nx, i, j) - nx * j) * nz);
      }
    }
  }
}

void StencilMatrix::reorder(ColumnOrder to) {
  if (to == ColumnOrder::colour_split && nx % 2 != 0) {
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", "stencil matrix: the colour-split order needs an even nx"));
  }
  for (auto* v : {&excess, &cx, &cy, &cz}) reorder_columns(nx, ny, nz, order, to, *v);
  order = to;
}

void StencilMatrix::check() const {
  const auto fail = [](const char* what) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("stencil matrix: {}", what)));
  };
  const std::size_t n = size();
  if (nx == 0 || ny == 0 || nz == 0) fail("empty shape");
  if (order == ColumnOrder::colour_split && nx % 2 != 0) fail("the colour-split column order needs an even nx");
  if (excess.size() != n || cx.size() != n || cy.size() != n || cz.size() != n) fail("array sizes do not match");
  // Every entry in [0, max]: NaN fails both comparisons, infinity the second. One parallel
  // pass over the four arrays (a setup runs this on every new matrix).
  constexpr double kMax = std::numeric_limits<double>::max();
  const double bad = reduce_blocks<1>(n, [&](std::size_t lo, std::size_t hi) {
    return std::array<double, 1>{block_sum(lo, hi, [&](std::size_t p) {
      const bool ok = excess[p] >= 0 && excess[p] <= kMax && cx[p] >= 0 && cx[p] <= kMax && cy[p] >= 0 &&
                      cy[p] <= kMax && cz[p] >= 0 && cz[p] <= kMax;
      return ok ? 0.0 : 1.0;
    })};
  })[0];
  if (bad != 0) fail("entries must be finite and >= 0");
  // The couplings that leave the grid: only the last cells of x, y and z can hold them.
  for (std::size_t j = 0; j < ny; ++j) {
    for (std::size_t i = 0; i < nx; ++i) {
      const std::size_t base = nz * column(i, j);
      const bool last_x = i + 1 == nx && !periodic_x && nx > 1, last_y = j + 1 == ny && !periodic_y && ny > 1;
      for (std::size_t k = 0; k < nz && (last_x || last_y); ++k) {
        if (last_x && cx[base + k] != 0) fail("cx must be 0 on the last x cell");
        if (last_y && cy[base + k] != 0) fail("cy must be 0 on the last y cell");
      }
      if (cz[base + nz - 1] != 0) fail("cz must be 0 on the last z cell");
    }
  }
}

// Both operator passes read each of s, cx, cy, cz, u (and b) once per cell in one pass over a
// column (the x-y neighbours' u stays in cache from the neighbouring columns); the column kernel
// (stencil_columns.hpp) fixes the order of the operations.
void apply(const StencilMatrix& m, std::span<const double> u, std::span<double> out) {
  const auto ncol = static_cast<Index>(m.nx * m.ny);
  const std::size_t nz = m.nz;
#pragma omp parallel for schedule(static) if (m.size() >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const auto [i, j] = m.column_ij(static_cast<std::size_t>(col));
    const Columns c = columns_of(m, i, j);
    std::array<const double*, 4> xn{}, cn{};
    const unsigned mask = neighbours(m, c, u.data(), xn, cn);
    kApplyColumn[mask](nz, 0, nz, m.excess.data() + c.self, u.data() + c.self, nullptr, m.cz.data() + c.self, xn.data(),
                       cn.data(), out.data() + c.self);
  }
}

double residual(const StencilMatrix& m, std::span<const double> b, std::span<const double> u, std::span<double> r) {
  return detail::residual(m, b, m.order, u, r);
}

double detail::residual(const StencilMatrix& m, std::span<const double> b, ColumnOrder b_order,
                        std::span<const double> u, std::span<double> r) {
  const auto ncol = static_cast<Index>(m.nx * m.ny);
  const std::size_t nz = m.nz;
  std::vector<double> column_sums(static_cast<std::size_t>(ncol));
  const bool aliased = b.data() == r.data();
  if (aliased && b_order != m.order) {
    core::raise(core::ErrorCode::internal, fmt::arg("reason", "residual: b aliases r in another column order"));
  }
#pragma omp parallel if (m.size() >= kParallelMin)
  {
    std::vector<double> bcopy(aliased ? nz : 0);  // the kernel's b and r must not overlap
#pragma omp for schedule(static)
    for (Index col = 0; col < ncol; ++col) {
      const auto [i, j] = m.column_ij(static_cast<std::size_t>(col));
      const Columns c = columns_of(m, i, j);
      std::array<const double*, 4> xn{}, cn{};
      const unsigned mask = neighbours(m, c, u.data(), xn, cn);
      double* rc = r.data() + c.self;
      const double* bc = b.data() + column_number(b_order, m.nx, i, j) * nz;
      if (aliased) {
        std::copy(bc, bc + nz, bcopy.begin());
        bc = bcopy.data();
      }
      kResidualColumn[mask](nz, 0, nz, m.excess.data() + c.self, u.data() + c.self, bc, m.cz.data() + c.self, xn.data(),
                            cn.data(), rc);
      double s = 0;
      for (std::size_t k = 0; k < nz; ++k) s += rc[k];
      column_sums[static_cast<std::size_t>(col)] = s;
    }
  }
  double total = 0;
  for (double s : column_sums) total += s;
  return total;
}

double dot(std::span<const double> a, std::span<const double> b) {
  return reduce_blocks<1>(a.size(), [&](std::size_t lo, std::size_t hi) {
    return std::array<double, 1>{block_sum(lo, hi, [&](std::size_t p) { return a[p] * b[p]; })};
  })[0];
}

double sum(std::span<const double> a) {
  return reduce_blocks<1>(a.size(), [&](std::size_t lo, std::size_t hi) {
    double s = 0;
    for (std::size_t p = lo; p < hi; ++p) s += a[p];
    return std::array<double, 1>{s};
  })[0];
}

double norm2(std::span<const double> a) { return std::sqrt(dot(a, a)); }

}  // namespace nw::numerics
