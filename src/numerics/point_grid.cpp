#include "needlework/numerics/point_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace nw::numerics {
namespace {

// A cell index at most one period outside [0, n), wrapped by comparison: integer division in
// the innermost loop cost a third of the nearest-neighbour time (docs/performance.md).
std::int64_t wrap_cell(std::int64_t c, std::int64_t n) {
  if (c < 0) return c + n;
  if (c >= n) return c - n;
  return c;
}

}  // namespace

PointGrid::PointGrid(const std::vector<float>& x, const std::vector<float>& y, double side, double cell)
    : x_(x), y_(y), side_(side) {
  cells_ = std::clamp<std::size_t>(static_cast<std::size_t>(side / cell), 1, 4096);
  cell_size_ = side / static_cast<double>(cells_);
  start_.assign(cells_ * cells_ + 1, 0);
  std::vector<std::uint32_t> cell_index(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    cell_index[i] = static_cast<std::uint32_t>(cell_of(y[i]) * cells_ + cell_of(x[i]));
    ++start_[cell_index[i] + 1];
  }
  for (std::size_t c = 0; c < cells_ * cells_; ++c) start_[c + 1] += start_[c];
  order_.resize(x.size());
  auto fill = start_;
  for (std::size_t i = 0; i < x.size(); ++i) order_[fill[cell_index[i]]++] = static_cast<std::uint32_t>(i);
}

std::size_t PointGrid::cell_of(double v) const {
  const auto c = static_cast<std::int64_t>(std::floor(v / cell_size_));
  const auto n = static_cast<std::int64_t>(cells_);
  return static_cast<std::size_t>(((c % n) + n) % n);
}

double PointGrid::wrap_delta(double d) const {
  if (d > side_ / 2) return d - side_;
  if (d < -side_ / 2) return d + side_;
  return d;
}

double PointGrid::nearest_neighbour(std::size_t i) const {
  const auto n = static_cast<std::int64_t>(cells_);
  const auto cx = static_cast<std::int64_t>(cell_of(x_[i]));
  const auto cy = static_cast<std::int64_t>(cell_of(y_[i]));
  double best2 = std::numeric_limits<double>::infinity();
  // Search rings of cells until the best distance found cannot be beaten by a farther ring.
  for (std::int64_t ring = 0; ring <= n / 2; ++ring) {
    for (std::int64_t dy = -ring; dy <= ring; ++dy) {
      for (std::int64_t dx = -ring; dx <= ring; ++dx) {
        if (std::max(std::abs(dx), std::abs(dy)) != ring) continue;
        const auto c = static_cast<std::size_t>(wrap_cell(cy + dy, n) * n + wrap_cell(cx + dx, n));
        for (auto k = start_[c]; k < start_[c + 1]; ++k) {
          const auto j = order_[k];
          if (j == i) continue;
          const double ddx = wrap_delta(static_cast<double>(x_[j]) - x_[i]);
          const double ddy = wrap_delta(static_cast<double>(y_[j]) - y_[i]);
          best2 = std::min(best2, ddx * ddx + ddy * ddy);
        }
      }
    }
    const double reach = static_cast<double>(ring) * cell_size_;
    if (best2 <= reach * reach) break;
  }
  return std::sqrt(best2);
}

std::int64_t PointGrid::covering_point(double px, double py, const std::vector<float>& radius,
                                       double max_radius) const {
  const auto n = static_cast<std::int64_t>(cells_);
  const auto reach = std::min<std::int64_t>(static_cast<std::int64_t>(std::ceil(max_radius / cell_size_)), n / 2);
  const auto cx = static_cast<std::int64_t>(cell_of(px));
  const auto cy = static_cast<std::int64_t>(cell_of(py));
  for (std::int64_t dy = -reach; dy <= reach; ++dy) {
    for (std::int64_t dx = -reach; dx <= reach; ++dx) {
      const auto c = static_cast<std::size_t>(wrap_cell(cy + dy, n) * n + wrap_cell(cx + dx, n));
      for (auto k = start_[c]; k < start_[c + 1]; ++k) {
        const auto j = order_[k];
        const double ddx = wrap_delta(static_cast<double>(x_[j]) - px);
        const double ddy = wrap_delta(static_cast<double>(y_[j]) - py);
        if (ddx * ddx + ddy * ddy <= static_cast<double>(radius[j]) * radius[j]) return static_cast<std::int64_t>(j);
      }
    }
  }
  return -1;
}

}  // namespace nw::numerics
