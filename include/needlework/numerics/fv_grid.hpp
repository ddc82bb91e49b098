#pragma once
// Structured finite-volume grids for the transport stage.
//
//   Cartesian 3D:     x in [0, nx hx], y in [0, ny hy] (uniform), z in [0, sum dz_k] (graded)
//   axisymmetric 2D:  r in [r_in, r_out] (uniform, dr = (r_out - r_in) / nr), z graded as above
//                     cell volume  V = pi (r_{i+1}^2 - r_i^2) dz_k  (= 2 pi r_c dr dz_k exactly)
//                     r-face area  A = 2 pi r_face dz_k,   z-face area A = pi (r_{i+1}^2 - r_i^2)
//
// z is depth below the skin surface (z = 0 is the top face, z grows into the tissue). Cells are
// numbered with z fastest: index(i, j, k) = k + nz (i + nx j), so that every z-column is
// contiguous (the multigrid smoother solves along z-lines). In the axisymmetric grid i runs over
// r, ny = 1 and the y direction is the azimuth (no faces, no flux).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace nw::numerics {

/// One layer of a depth profile for graded_spacing().
struct LayerSpacing {
  double thickness_m = 0;  // > 0
  double max_cell_m = 0;   // > 0: no cell of this layer is thicker
};

/// Cell thicknesses through a stack of layers, top first.
struct GradedSpacing {
  std::vector<double> dz_m;             // one per cell, top first; layer interfaces are cell faces
  std::vector<std::uint32_t> layer;     // layer index of every cell
  std::vector<std::size_t> first_cell;  // first cell of each layer, plus one past the last cell
};

/// Builds the z-spacing of a layer stack: every layer interface is a cell face, no cell is
/// thicker than its layer's max_cell_m, and neighbouring cells (also across interfaces) differ
/// by at most `max_ratio` (1 < max_ratio <= 2; 1.2 by default), growing geometrically away from
/// thin-celled layers. Precondition (else Error internal): at least one layer, every thickness and
/// max_cell_m > 0 and finite.
GradedSpacing graded_spacing(std::span<const LayerSpacing> layers, double max_ratio = 1.2);

enum class Geometry { cartesian, axisymmetric };

/// The six faces of the box. For the axisymmetric grid x is r and the y faces do not exist.
enum class BoxFace : std::uint8_t { x_min, x_max, y_min, y_max, z_min, z_max };
inline constexpr std::size_t kBoxFaces = 6;

class FvGrid {
 public:
  /// 3D Cartesian grid of nx * ny * dz_m.size() cells, hx_m by hy_m by dz_m[k].
  /// Preconditions (else Error internal): nx, ny, nz >= 1, hx_m, hy_m and every dz > 0 and finite.
  static FvGrid cartesian(std::size_t nx, std::size_t ny, double hx_m, double hy_m, std::vector<double> dz_m);
  /// Axisymmetric (r, z) grid: nr uniform cells from r_inner_m (0 for a solid cylinder) to
  /// r_outer_m. Preconditions (else Error internal): nr, nz >= 1, 0 <= r_inner_m < r_outer_m,
  /// every dz > 0 and finite.
  static FvGrid axisymmetric(std::size_t nr, double r_inner_m, double r_outer_m, std::vector<double> dz_m);

  Geometry geometry() const { return geometry_; }
  std::size_t nx() const { return nx_; }
  std::size_t ny() const { return ny_; }
  std::size_t nz() const { return nz_; }
  std::size_t cells() const { return nx_ * ny_ * nz_; }
  /// Linear cell index, z fastest. Preconditions: i < nx, j < ny, k < nz (not checked).
  std::size_t index(std::size_t i, std::size_t j, std::size_t k) const { return k + nz_ * (i + nx_ * j); }

  /// Uniform spacing in x (or r) and in y (0 for the axisymmetric grid) [m].
  double hx_m() const { return hx_; }
  double hy_m() const { return hy_; }
  /// Thickness of cell layer k [m], all of them, and the depth of face k (k = 0..nz) [m].
  double dz_m(std::size_t k) const { return dz_[k]; }
  std::span<const double> dz_m() const { return dz_; }
  double z_face_m(std::size_t k) const { return z_face_[k]; }
  double z_center_m(std::size_t k) const { return z_face_[k] + 0.5 * dz_[k]; }
  /// Position of x (or r) face i = 0..nx and of the centre of cell column i [m]. For r the
  /// centre is the midpoint (r_i + r_{i+1}) / 2.
  double x_face_m(std::size_t i) const { return x0_ + hx_ * static_cast<double>(i); }
  double x_center_m(std::size_t i) const { return x0_ + hx_ * (static_cast<double>(i) + 0.5); }
  double y_center_m(std::size_t j) const { return hy_ * (static_cast<double>(j) + 0.5); }

  /// Volume of cell (i, j, k) [m^3].
  double volume_m3(std::size_t i, std::size_t k) const { return horizontal_area_m2(i) * dz_[k]; }
  /// Area of a horizontal (z) face of column i [m^2]: hx hy, or pi (r_{i+1}^2 - r_i^2).
  double horizontal_area_m2(std::size_t i) const;
  /// Area of x (or r) face i = 0..nx in cell layer k [m^2]: hy dz_k, or 2 pi r_i dz_k.
  double x_face_area_m2(std::size_t i, std::size_t k) const;
  /// Area of a y face in cell layer k [m^2]: hx dz_k (0 for the axisymmetric grid).
  double y_face_area_m2(std::size_t k) const { return geometry_ == Geometry::cartesian ? hx_ * dz_[k] : 0.0; }

  /// Number of cells touching a box face. Per-face-cell arrays are ordered as follows:
  /// z faces by i + nx j, x faces by k + nz j, y faces by k + nz i.
  std::size_t face_cells(BoxFace face) const;
  /// Cell index of entry `n` of a face's per-face-cell ordering.
  std::size_t face_cell(BoxFace face, std::size_t n) const;

 private:
  FvGrid() = default;
  void finish_z(std::vector<double> dz_m);

  Geometry geometry_ = Geometry::cartesian;
  std::size_t nx_ = 0, ny_ = 0, nz_ = 0;
  double hx_ = 0, hy_ = 0, x0_ = 0;
  std::vector<double> dz_;
  std::vector<double> z_face_;
};

}  // namespace nw::numerics
