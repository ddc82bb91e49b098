#pragma once
// A periodic cell list over points in a square [0, side)^2: nearest-neighbour distances and
// "is any point within r of here" queries in O(1) per query for roughly uniform points.

#include <cstdint>
#include <vector>

namespace nw::numerics {

class PointGrid {
 public:
  /// Bins `x`, `y` (same units as `side`, each in [0, side)) into cells of about `cell` wide.
  /// Preconditions: x.size() == y.size(), side > 0, cell > 0. Keeps references to x and y.
  PointGrid(const std::vector<float>& x, const std::vector<float>& y, double side, double cell);

  /// Distance from point i to its nearest other point (periodic); +inf if it is alone.
  double nearest_neighbour(std::size_t i) const;
  /// Index of a point whose disc of radius radius[j] covers (px, py), or -1. `max_radius`
  /// bounds every radius (it sets how many cells are searched).
  std::int64_t covering_point(double px, double py, const std::vector<float>& radius, double max_radius) const;

 private:
  double wrap_delta(double d) const;
  std::size_t cell_of(double v) const;

  const std::vector<float>& x_;
  const std::vector<float>& y_;
  double side_;
  std::size_t cells_;  // per side
  double cell_size_;
  std::vector<std::uint32_t> start_;  // cells_^2 + 1 offsets into order_
  std::vector<std::uint32_t> order_;  // point indices sorted by cell
};

}  // namespace nw::numerics
