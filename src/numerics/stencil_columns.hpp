#pragma once
// Private to numerics: the neighbour columns of a z-column of a StencilMatrix.

#include <cstddef>

#include "needlework/numerics/stencil.hpp"

namespace nw::numerics::detail {

/// Base indices (first cell) of column (i, j) and of its x-y neighbours; npos where there is
/// none (a non-periodic edge, or a direction with a single cell).
struct Columns {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t self, xm, xp, ym, yp;
};

inline Columns columns_of(const StencilMatrix& m, std::size_t i, std::size_t j) {
  const std::size_t nx = m.nx, ny = m.ny, nz = m.nz;
  Columns c{(i + nx * j) * nz, Columns::npos, Columns::npos, Columns::npos, Columns::npos};
  if (nx > 1) {
    if (i + 1 < nx || m.periodic_x) c.xp = ((i + 1) % nx + nx * j) * nz;
    if (i > 0 || m.periodic_x) c.xm = ((i + nx - 1) % nx + nx * j) * nz;
  }
  if (ny > 1) {
    if (j + 1 < ny || m.periodic_y) c.yp = (i + nx * ((j + 1) % ny)) * nz;
    if (j > 0 || m.periodic_y) c.ym = (i + nx * ((j + ny - 1) % ny)) * nz;
  }
  return c;
}

}  // namespace nw::numerics::detail
