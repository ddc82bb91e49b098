#include "needlework/numerics/fv_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "needlework/core/error.hpp"

namespace nw::numerics {
namespace {

constexpr double kPi = 3.141592653589793;

[[noreturn]] void precondition_failed(const char* what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("numerics grid: {}", what)));
}

bool positive_finite(double v) { return std::isfinite(v) && v > 0; }

// The target cell size at depth z: the smallest of every layer's max cell size grown linearly
// with slope `g` by the distance from that layer. A cell whose size follows a field of slope g
// differs from its neighbour by a factor of about 1 + g.
double size_field(double z, double g, std::span<const LayerSpacing> layers, std::span<const double> z_top) {
  double s = std::numeric_limits<double>::infinity();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const double dist = std::max({0.0, z_top[l] - z, z - z_top[l + 1]});
    s = std::min(s, layers[l].max_cell_m + g * dist);
  }
  return s;
}

// Faces of one layer [a, b] placed so that each cell holds the same share of the integral of
// 1 / s(z) (at most 1, so no cell is larger than the size field anywhere in it).
void place_layer_faces(double a, double b, double g, std::span<const LayerSpacing> layers,
                       std::span<const double> z_top, std::vector<double>& faces) {
  std::vector<double> zs{a}, integral{0.0};
  double z = a, acc = 0;
  while (z < b) {
    const double step = std::min(size_field(z, g, layers, z_top) / 32.0, b - z);
    acc += step / size_field(z + 0.5 * step, g, layers, z_top);
    z = (b - z - step <= 1e-14 * b) ? b : z + step;
    zs.push_back(z);
    integral.push_back(acc);
  }
  const double total = acc;
  const auto n = static_cast<std::size_t>(std::max(1.0, std::ceil(total * (1.0 - 1e-9))));
  std::size_t seg = 0;
  for (std::size_t c = 1; c < n; ++c) {
    const double target = total * static_cast<double>(c) / static_cast<double>(n);
    while (integral[seg + 1] < target) ++seg;
    const double w = (target - integral[seg]) / (integral[seg + 1] - integral[seg]);
    faces.push_back(zs[seg] + w * (zs[seg + 1] - zs[seg]));
  }
  faces.push_back(b);
}

}  // namespace

GradedSpacing graded_spacing(std::span<const LayerSpacing> layers, double max_ratio) {
  if (layers.empty()) precondition_failed("graded_spacing needs at least one layer");
  if (!(max_ratio > 1.0 && max_ratio <= 2.0)) precondition_failed("graded_spacing needs 1 < max_ratio <= 2");
  std::vector<double> z_top{0.0};
  for (const auto& l : layers) {
    if (!positive_finite(l.thickness_m) || !positive_finite(l.max_cell_m)) {
      precondition_failed("graded_spacing needs positive, finite layer thicknesses and cell sizes");
    }
    z_top.push_back(z_top.back() + l.thickness_m);
  }
  // The discrete cell counts per layer round the size field, so the first attempt can exceed the
  // ratio at an interface; a gentler slope adds cells until it holds (it always does as g -> 0).
  double g = 0.9 * (max_ratio - 1.0);
  for (int attempt = 0; attempt < 200; ++attempt, g *= 0.8) {
    GradedSpacing out;
    std::vector<double> faces{0.0};
    out.first_cell.push_back(0);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      place_layer_faces(z_top[l], z_top[l + 1], g, layers, z_top, faces);
      out.first_cell.push_back(faces.size() - 1);
    }
    for (std::size_t c = 0; c + 1 < faces.size(); ++c) out.dz_m.push_back(faces[c + 1] - faces[c]);
    bool ok = true;
    for (std::size_t c = 0; c + 1 < out.dz_m.size() && ok; ++c) {
      const double r = out.dz_m[c + 1] / out.dz_m[c];
      ok = std::max(r, 1.0 / r) <= max_ratio * (1.0 + 1e-12);
    }
    if (!ok) continue;
    out.layer.resize(out.dz_m.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
      for (std::size_t c = out.first_cell[l]; c < out.first_cell[l + 1]; ++c)
        out.layer[c] = static_cast<std::uint32_t>(l);
    }
    return out;
  }
  precondition_failed("graded_spacing could not meet the growth ratio");
}

FvGrid FvGrid::cartesian(std::size_t nx, std::size_t ny, double hx_m, double hy_m, std::vector<double> dz_m) {
  if (nx == 0 || ny == 0) precondition_failed("a Cartesian grid needs nx, ny >= 1");
  if (!positive_finite(hx_m) || !positive_finite(hy_m)) precondition_failed("a Cartesian grid needs hx, hy > 0");
  FvGrid g;
  g.geometry_ = Geometry::cartesian;
  g.nx_ = nx;
  g.ny_ = ny;
  g.hx_ = hx_m;
  g.hy_ = hy_m;
  g.finish_z(std::move(dz_m));
  return g;
}

FvGrid FvGrid::axisymmetric(std::size_t nr, double r_inner_m, double r_outer_m, std::vector<double> dz_m) {
  if (nr == 0) precondition_failed("an axisymmetric grid needs nr >= 1");
  if (!(std::isfinite(r_inner_m) && std::isfinite(r_outer_m) && r_inner_m >= 0 && r_outer_m > r_inner_m)) {
    precondition_failed("an axisymmetric grid needs 0 <= r_inner < r_outer");
  }
  FvGrid g;
  g.geometry_ = Geometry::axisymmetric;
  g.nx_ = nr;
  g.ny_ = 1;
  g.x0_ = r_inner_m;
  g.hx_ = (r_outer_m - r_inner_m) / static_cast<double>(nr);
  g.hy_ = 0;
  g.finish_z(std::move(dz_m));
  return g;
}

void FvGrid::finish_z(std::vector<double> dz_m) {
  if (dz_m.empty()) precondition_failed("a grid needs at least one cell in z");
  for (double d : dz_m) {
    if (!positive_finite(d)) precondition_failed("every dz must be > 0 and finite");
  }
  nz_ = dz_m.size();
  dz_ = std::move(dz_m);
  z_face_.assign(nz_ + 1, 0.0);
  for (std::size_t k = 0; k < nz_; ++k) z_face_[k + 1] = z_face_[k] + dz_[k];
}

double FvGrid::horizontal_area_m2(std::size_t i) const {
  if (geometry_ == Geometry::cartesian) return hx_ * hy_;
  const double r0 = x_face_m(i), r1 = x_face_m(i + 1);
  return kPi * (r1 - r0) * (r1 + r0);
}

double FvGrid::x_face_area_m2(std::size_t i, std::size_t k) const {
  if (geometry_ == Geometry::cartesian) return hy_ * dz_[k];
  return 2.0 * kPi * x_face_m(i) * dz_[k];
}

std::size_t FvGrid::face_cells(BoxFace face) const {
  switch (face) {
    case BoxFace::z_min:
    case BoxFace::z_max:
      return nx_ * ny_;
    case BoxFace::x_min:
    case BoxFace::x_max:
      return nz_ * ny_;
    case BoxFace::y_min:
    case BoxFace::y_max:
      return nz_ * nx_;
  }
  return 0;
}

std::size_t FvGrid::face_cell(BoxFace face, std::size_t n) const {
  switch (face) {
    case BoxFace::z_min:
      return index(n % nx_, n / nx_, 0);
    case BoxFace::z_max:
      return index(n % nx_, n / nx_, nz_ - 1);
    case BoxFace::x_min:
      return index(0, n / nz_, n % nz_);
    case BoxFace::x_max:
      return index(nx_ - 1, n / nz_, n % nz_);
    case BoxFace::y_min:
      return index(n / nz_, 0, n % nz_);
    case BoxFace::y_max:
      return index(n / nz_, ny_ - 1, n % nz_);
  }
  return 0;
}

}  // namespace nw::numerics
