#pragma once
// Geometry D of the transport stage (private to src/transport): the channels of a patch at their
// own positions, rasterised as volume fractions on a lateral grid coarser than a channel
// (docs/model/transport.md section 13).
//
// For every cell of a periodic Cartesian grid over the patch and every depth layer, the part of
// the cell's volume inside the union of the channels:
//
//   mouth (stratum-corneum layers):  points with |x - x_n| <= q(d_max,n) + rim for some channel n;
//   lumen (viable layers):           points at depth z with |x - x_n| <= r_open,n(z), z <= d_open,n.
//
// Because r_open,n(z) = q(d_max,n - z) is non-increasing in z, a point at lateral distance d from
// channel n lies in its lumen down to the depth z_n(d) = min(d_open,n, d_max,n - q^-1(d)), and in
// the union down to z*(x) = max_n z_n(|x - x_n|). The lumen fraction of a cell layer [a, b] is then
// the mean over in-plane sample points of clamp(min(z*, b) - a, 0, b - a) / (b - a): exact in
// depth, sampled in the plane (at most kSampleSpacing apart). Overlapping channels count once.

#include <cstdint>
#include <span>
#include <vector>

#include "needlework/numerics/fv_grid.hpp"
#include "needlework/transport/transport.hpp"

namespace nw::transport::detail {

/// What a z layer of the grid is for the channels.
enum class LayerKind : std::uint8_t { none, mouth, lumen };

/// Volume fraction inside a channel for every cell of `grid` (FvGrid order, z fastest), 0 in
/// layers of kind none. `layer_kind` has one entry per z layer; the skin surface lies at grid
/// depth surface_m (the donor film above it); the mouth is widened by mouth_rim_m.
/// Preconditions (else Error internal): a Cartesian grid with nx = ny covering the patch (nx hx =
/// side), a valid patch (ChannelPatch fields of equal length, q sampled from s = 0, increasing).
/// Deterministic and independent of the thread count (cells are computed independently).
std::vector<double> patch_volume_fractions(const ChannelPatch& patch, const numerics::FvGrid& grid,
                                           std::span<const LayerKind> layer_kind, double surface_m, double mouth_rim_m);

/// Throws Error internal naming what is wrong with a patch (sizes, ordering, non-finite values).
void check_patch(const ChannelPatch& patch);

}  // namespace nw::transport::detail
