// Geometry D: a 3D patch with the channels at their own positions (docs/model/transport.md
// section 13). Sub-grid channel model on a lateral grid coarser than a channel:
//
//   f(cell)      = part of the cell's volume inside the union of the channels (patch.hpp):
//                  mouth r <= q(d_max) + rim in the stratum corneum, lumen r <= r_open(z) below;
//   coefficients = eq. 9-10 with the states scaled by f (as in every geometry, transport.cpp):
//                  (D K) = f s D_open K_open + (1 - f s) D_tis K_tis,  K = f s K_open + (1 - f s) K_tis,
//                  s = b(t) in the mouth, c(t) in the lumen.
//
// The arithmetic blend of D K is exact for transport along the channel axis (lumen and tissue in
// parallel). It treats lumen and tissue inside one cell as mixed: the lateral exchange resistance
// between them, ln(R/r_eq) / (2 pi D_t K_v) per unit length (Krogh / Peaceman, section 13), is
// dropped. For solutes whose exchange time R^2 ln(R/a) / (2 D_t) is short against the times of
// interest (seconds for small molecules, against 1 h) this is exact in the limit; for
// macromolecules it is not (section 13 gives the measured error).

#include "patch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "needlework/core/error.hpp"

namespace nw::transport {

namespace {

// In-plane sample points of a cell lie at most this far apart; at least kMinSamples per side.
constexpr double kSampleSpacing_m = 4e-6;
constexpr std::size_t kMinSamples = 4;

[[noreturn]] void invalid(const std::string& what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("transport patch: {}", what)));
}

// q^-1: the least height s above the tip at which the open radius reaches d (0 when d <= q(0)),
// +inf when the widest part of the channel is narrower than d.
double height_for_radius(const ChannelPatch& p, double d) {
  const auto& s = p.tip_distance_m;
  const auto& q = p.open_radius_m;
  if (d <= q.front()) return 0.0;
  const auto it = std::lower_bound(q.begin(), q.end(), d);
  if (it == q.end()) return std::numeric_limits<double>::infinity();
  const auto k = static_cast<std::size_t>(it - q.begin());
  const double w = (d - q[k - 1]) / (q[k] - q[k - 1]);
  return s[k - 1] + w * (s[k] - s[k - 1]);
}

// Channels sorted into square buckets at least `reach` wide (periodic), so that every channel
// reaching a point lies in the point's bucket or one of its 8 neighbours. With fewer than 3
// buckets per side every channel is tested with its 9 periodic images.
class Buckets {
 public:
  Buckets(const ChannelPatch& p, double reach) : side_(p.side.si()) {
    const double n = std::floor(side_ / std::max(reach, 1e-300));
    nb_ = n >= 3 ? static_cast<std::size_t>(std::min(n, 4096.0)) : 1;
    start_.assign(nb_ * nb_ + 1, 0);
    std::vector<std::size_t> bucket(p.size());
    for (std::size_t c = 0; c < p.size(); ++c) {
      bucket[c] = index(p.x_m[c]) + nb_ * index(p.y_m[c]);
      ++start_[bucket[c] + 1];
    }
    for (std::size_t b = 0; b < nb_ * nb_; ++b) start_[b + 1] += start_[b];
    order_.resize(p.size());
    auto fill = start_;
    for (std::size_t c = 0; c < p.size(); ++c) order_[fill[bucket[c]]++] = static_cast<std::uint32_t>(c);
  }

  // Calls f(channel, dx, dy) for every candidate channel of the point (px, py), with (dx, dy) the
  // offset from the channel (nearest periodic image when there are 3 or more buckets per side).
  template <typename F>
  void for_candidates(const ChannelPatch& p, double px, double py, F&& f) const {
    if (nb_ == 1) {
      for (std::size_t c = 0; c < p.size(); ++c) {
        for (int ox = -1; ox <= 1; ++ox) {
          for (int oy = -1; oy <= 1; ++oy) f(c, px - p.x_m[c] - ox * side_, py - p.y_m[c] - oy * side_);
        }
      }
      return;
    }
    const std::size_t bx = index(px), by = index(py);
    for (std::size_t dj = 0; dj < 3; ++dj) {
      const std::size_t j = (by + nb_ + dj - 1) % nb_;
      for (std::size_t di = 0; di < 3; ++di) {
        const std::size_t i = (bx + nb_ + di - 1) % nb_;
        const std::size_t b = i + nb_ * j;
        for (std::size_t k = start_[b]; k < start_[b + 1]; ++k) {
          const std::size_t c = order_[k];
          f(c, wrap(px - p.x_m[c]), wrap(py - p.y_m[c]));
        }
      }
    }
  }

 private:
  std::size_t index(double x) const {
    const auto i = static_cast<std::ptrdiff_t>(std::floor(x / side_ * static_cast<double>(nb_)));
    const auto n = static_cast<std::ptrdiff_t>(nb_);
    return static_cast<std::size_t>(((i % n) + n) % n);
  }
  double wrap(double d) const {
    if (d > 0.5 * side_) return d - side_;
    if (d < -0.5 * side_) return d + side_;
    return d;
  }

  double side_;
  std::size_t nb_ = 1;
  std::vector<std::size_t> start_;
  std::vector<std::uint32_t> order_;
};

}  // namespace

// ------------------------------------------------------------------------------- the patch

Length ChannelPatch::radius_above_tip(Length s) const {
  const double ss = s.si();
  if (tip_distance_m.empty()) return Length::from_si(0.0);
  const auto it = std::upper_bound(tip_distance_m.begin(), tip_distance_m.end(), ss);
  if (it == tip_distance_m.begin()) return Length::from_si(open_radius_m.front());
  if (it == tip_distance_m.end()) return Length::from_si(open_radius_m.back());
  const auto k = static_cast<std::size_t>(it - tip_distance_m.begin());
  const double w = (ss - tip_distance_m[k - 1]) / (tip_distance_m[k] - tip_distance_m[k - 1]);
  return Length::from_si(open_radius_m[k - 1] + w * (open_radius_m[k] - open_radius_m[k - 1]));
}

double ChannelPatch::density_per_cm2() const {
  const double area_cm2 = side.si() * side.si() * 1e4;
  return area_cm2 > 0 ? static_cast<double>(size()) / area_cm2 : 0.0;
}

ChannelPatch channel_patch(const skin::ChannelSet& channels, const device::Needle& needle, const skin::Skin& skin,
                           std::size_t samples) {
  const double area_m2 = channels.area.si();
  if (!(area_m2 > 0) || samples < 2) invalid("a channel patch needs an area > 0 and 2 or more profile samples");
  ChannelPatch p;
  p.side = Length::from_si(std::sqrt(area_m2));
  const std::size_t n = channels.size();
  p.x_m.resize(n);
  p.y_m.resize(n);
  p.depth_open_m.resize(n);
  p.depth_max_m.resize(n);
  double deepest = 0;
  for (std::size_t c = 0; c < n; ++c) {
    p.x_m[c] = 1e-3 * static_cast<double>(channels.x_mm[c]);
    p.y_m[c] = 1e-3 * static_cast<double>(channels.y_mm[c]);
    p.depth_open_m[c] = 1e-6 * static_cast<double>(channels.depth_um[c]);
    p.depth_max_m[c] = 1e-6 * static_cast<double>(channels.depth_max_um[c]);
    deepest = std::max(deepest, p.depth_max_m[c]);
  }
  // q(s): the surface open radius of a channel whose tip reached s (insertion.md eq. 13 at z = 0).
  deepest = std::max(deepest, 1e-6);
  for (std::size_t k = 0; k < samples; ++k) {
    const double s = deepest * static_cast<double>(k) / static_cast<double>(samples - 1);
    p.tip_distance_m.push_back(s);
    p.open_radius_m.push_back(mechanics::open_radius_at(needle, skin, Length::from_si(s), Length::from_si(0.0)).si());
  }
  detail::check_patch(p);
  return p;
}

// ------------------------------------------------------------------------------- rasterisation

namespace detail {

void check_patch(const ChannelPatch& p) {
  const std::size_t n = p.size();
  if (!(p.side.si() > 0) || !std::isfinite(p.side.si())) invalid("the side must be > 0");
  if (p.y_m.size() != n || p.depth_open_m.size() != n || p.depth_max_m.size() != n) {
    invalid("x, y, depth_open and depth_max need one entry per channel");
  }
  for (std::size_t c = 0; c < n; ++c) {
    if (!(p.x_m[c] >= 0 && p.x_m[c] <= p.side.si() && p.y_m[c] >= 0 && p.y_m[c] <= p.side.si())) {
      invalid(fmt::format("channel {} lies outside the patch", c));
    }
    if (!(p.depth_open_m[c] >= 0 && p.depth_max_m[c] >= p.depth_open_m[c] && std::isfinite(p.depth_max_m[c]))) {
      invalid(fmt::format("channel {} needs 0 <= depth_open <= depth_max", c));
    }
  }
  const auto& s = p.tip_distance_m;
  const auto& q = p.open_radius_m;
  if (s.size() < 2 || q.size() != s.size() || s.front() != 0.0) {
    invalid("the radius profile q(s) needs 2 or more samples from s = 0");
  }
  for (std::size_t k = 1; k < s.size(); ++k) {
    if (!(s[k] > s[k - 1]) || !(q[k] >= q[k - 1]) || !std::isfinite(q[k])) {
      invalid("the radius profile q(s) must be sampled at increasing s and be non-decreasing");
    }
  }
  if (!(q.front() >= 0)) invalid("the radius profile q(s) must be >= 0");
}

std::vector<double> patch_volume_fractions(const ChannelPatch& p, const numerics::FvGrid& grid,
                                           std::span<const LayerKind> layer_kind, double surface_m,
                                           double mouth_rim_m) {
  check_patch(p);
  const std::size_t nx = grid.nx(), ny = grid.ny(), nz = grid.nz();
  const double side = p.side.si(), h = grid.hx_m();
  if (grid.geometry() != numerics::Geometry::cartesian || nx != ny || grid.hy_m() != h ||
      std::abs(h * static_cast<double>(nx) / side - 1) > 1e-9 || layer_kind.size() != nz) {
    invalid("the grid must be Cartesian, square and cover the patch, with one layer kind per z layer");
  }
  std::vector<double> mouth_radius(p.size()), surface_radius(p.size());
  double reach = 0;
  for (std::size_t c = 0; c < p.size(); ++c) {
    surface_radius[c] = p.radius_above_tip(Length::from_si(p.depth_max_m[c])).si();
    mouth_radius[c] = surface_radius[c] + mouth_rim_m;
    reach = std::max(reach, mouth_radius[c]);
  }
  const Buckets buckets(p, reach);

  // Depth ranges of the lumen layers (below the skin surface).
  std::vector<std::size_t> lumen_layers;
  bool any_mouth = false;
  for (std::size_t k = 0; k < nz; ++k) {
    if (layer_kind[k] == LayerKind::lumen) lumen_layers.push_back(k);
    any_mouth = any_mouth || layer_kind[k] == LayerKind::mouth;
  }

  const std::size_t m = std::max(kMinSamples, static_cast<std::size_t>(std::ceil(h / kSampleSpacing_m)));
  const double inv_points = 1.0 / static_cast<double>(m * m);
  std::vector<double> fraction(grid.cells(), 0.0);
  const auto rows = static_cast<std::ptrdiff_t>(ny);
#pragma omp parallel for schedule(dynamic, 1)
  for (std::ptrdiff_t jj = 0; jj < rows; ++jj) {
    const auto j = static_cast<std::size_t>(jj);
    std::vector<double> zstar(m * m);
    for (std::size_t i = 0; i < nx; ++i) {
      std::size_t in_mouth = 0;
      double deepest = 0;
      for (std::size_t b = 0; b < m; ++b) {
        const double py = h * (static_cast<double>(j) + (static_cast<double>(b) + 0.5) / static_cast<double>(m));
        for (std::size_t a = 0; a < m; ++a) {
          const double px = h * (static_cast<double>(i) + (static_cast<double>(a) + 0.5) / static_cast<double>(m));
          bool mouth = false;
          double z = 0;  // depth to which the point lies in a lumen (0: none)
          buckets.for_candidates(p, px, py, [&](std::size_t c, double dx, double dy) {
            const double d2 = dx * dx + dy * dy;
            if (d2 <= mouth_radius[c] * mouth_radius[c]) mouth = true;
            if (d2 <= surface_radius[c] * surface_radius[c]) {
              const double zc = std::min(p.depth_open_m[c], p.depth_max_m[c] - height_for_radius(p, std::sqrt(d2)));
              z = std::max(z, zc);
            }
          });
          in_mouth += mouth ? 1 : 0;
          zstar[a + m * b] = z;
          deepest = std::max(deepest, z);
        }
      }
      const double f_mouth = static_cast<double>(in_mouth) * inv_points;
      for (std::size_t k = 0; k < nz && any_mouth; ++k) {
        if (layer_kind[k] == LayerKind::mouth) fraction[grid.index(i, j, k)] = f_mouth;
      }
      for (const std::size_t k : lumen_layers) {
        const double top = grid.z_face_m(k) - surface_m, bottom = grid.z_face_m(k + 1) - surface_m;
        if (top >= deepest) break;
        const double dz = bottom - top;
        double covered = 0;
        for (const double z : zstar) covered += std::clamp(std::min(z, bottom) - top, 0.0, dz);
        fraction[grid.index(i, j, k)] = covered / dz * inv_points;
      }
    }
  }
  return fraction;
}

}  // namespace detail

PatchCoverage patch_coverage(const ChannelPatch& patch, std::size_t cells_per_side,
                             const std::vector<double>& depth_faces_m, Length mouth_rim) {
  detail::check_patch(patch);
  if (cells_per_side < 1 || depth_faces_m.size() < 2) invalid("coverage needs 1 or more cells and 2 or more depths");
  constexpr double kMouthLayer_m = 1e-6;  // a nominal layer for the mouth (its thickness does not enter)
  std::vector<double> dz{kMouthLayer_m};
  std::vector<detail::LayerKind> kind{detail::LayerKind::mouth};
  for (std::size_t k = 1; k < depth_faces_m.size(); ++k) {
    dz.push_back(depth_faces_m[k] - depth_faces_m[k - 1]);
    kind.push_back(detail::LayerKind::lumen);
    if (!(dz.back() > 0)) invalid("coverage depths must increase");
  }
  const double h = patch.side.si() / static_cast<double>(cells_per_side);
  const auto grid = numerics::FvGrid::cartesian(cells_per_side, cells_per_side, h, h, dz);
  const auto f =
      detail::patch_volume_fractions(patch, grid, kind, kMouthLayer_m - depth_faces_m.front(), mouth_rim.si());
  double area = 0, volume = 0;
  for (std::size_t j = 0; j < cells_per_side; ++j) {
    for (std::size_t i = 0; i < cells_per_side; ++i) {
      area += f[grid.index(i, j, 0)] * h * h;
      for (std::size_t k = 1; k < grid.nz(); ++k) volume += f[grid.index(i, j, k)] * h * h * grid.dz_m(k);
    }
  }
  return {core::Area::from_si(area), core::Volume::from_si(volume)};
}

}  // namespace nw::transport
