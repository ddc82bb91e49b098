// Transport of a topical active through intact and needled skin: layer stack, channel states,
// donor and clearance on the finite-volume engine of numerics/ (equations in transport.hpp and
// docs/model/transport.md).

#include "needlework/transport/transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

#include "needlework/core/error.hpp"
#include "needlework/numerics/diffusion.hpp"
#include "needlework/numerics/fv_grid.hpp"
#include "needlework/numerics/time_stepper.hpp"
#include "patch.hpp"

namespace nw::transport {

namespace {

using numerics::BoundaryKind;
using numerics::BoxFace;
using numerics::DiffusionCoefficients;
using numerics::FvGrid;

constexpr double kPi = 3.14159265358979323846;

// ---- numerical settings (none is a model parameter) -----------------------------------------
// Donor film: cells across the film, and its mixing time h_d^2 / D (well mixed on the scale of
// every transport time, seconds to hours).
constexpr std::size_t kDonorCells = 2;
constexpr double kDonorMixingTime_s = 0.1;
// Largest cell per layer at z_refinement 1 (the stratum corneum by cell count).
constexpr double kScCells = 8;
constexpr double kJunctionCells = 2;
constexpr double kEpidermisMaxCell_m = 8e-6;
constexpr double kPapillaryMaxCell_m = 25e-6;
constexpr double kReticularMaxCell_m = 60e-6;
constexpr double kHypodermisMaxCell_m = 500e-6;
constexpr double kGrowth = 1.3;  // neighbouring cells differ by at most this factor
// Channel rasterisation: depth samples per cell, and in-plane samples per side of a 3D cell the
// channel's edge crosses.
constexpr int kDepthSamples = 8;
constexpr int kPlaneSamples = 16;
// Smallest diffusivity [m^2/s]: keeps the operator positive definite where a rule gives D = 0
// (no intact SC route for r_h >= r_pore). With 1e-30 m^2/s a 100 um film loses < 1e-9 of its
// dose into the SC in a day.
constexpr double kMinDiffusivity = 1e-30;
// Adaptive BDF2: first step after the start, and the schedule on which a supersaturated donor's
// activity is re-capped (every 30 s, or 5 % of the elapsed time when that is longer).
constexpr double kFirstStep_s = 1e-2;
constexpr double kCapInterval_s = 30.0;
constexpr double kCapGrowth = 0.05;
// Column of geometry A: any area (results are per area).
constexpr double kColumnSide_m = 1e-2;
// A mass-balance residual beyond this is a defect, not round-off (the stepper's ledger is exact).
constexpr double kResidualFailure = 1e-8;

[[noreturn]] void invalid(const std::string& what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("transport: {}", what)));
}

enum class Region : std::uint8_t {
  donor,
  stratum_corneum,
  viable_epidermis,
  junction,
  papillary,
  reticular,
  hypodermis
};

bool viable(Region r) { return r != Region::donor && r != Region::stratum_corneum; }

const char* region_name(Region r) {
  constexpr const char* kNames[] = {
      "donor", "stratum_corneum", "viable_epidermis", "junction", "papillary_dermis", "reticular_dermis", "hypodermis"};
  return kNames[static_cast<std::size_t>(r)];
}

// D, K and clearance rate (on the free concentration u) of a material.
struct Material {
  double d = 0, k = 1, clearance = 0;
};

struct Column {
  std::vector<double> dz_m;
  std::vector<Region> region;  // per z cell
  double surface_m = 0;        // grid depth of the skin surface (the donor film lies above it)
  std::array<Material, 7> material;
};

Column build_column(const TransportInputs& in, const TissueRules& rules, double refine) {
  const auto& l = in.skin.layers;
  const auto& a = in.active;
  const double k_vehicle = rules.donor.vehicle_partition;
  Column col;
  std::vector<numerics::LayerSpacing> layers;
  std::vector<Region> regions;
  const auto add = [&](Region r, double thickness, double max_cell) {
    if (!(thickness > 0)) return;
    layers.push_back({thickness, max_cell / refine});
    regions.push_back(r);
  };
  if (!in.dose.infinite) {
    const double h = in.dose.volume_per_area.si();
    add(Region::donor, h, h / static_cast<double>(kDonorCells) * refine);  // the film: always kDonorCells
    col.surface_m = h;
  }
  const double h_sc = l.stratum_corneum.si();
  add(Region::stratum_corneum, h_sc, h_sc / kScCells);
  double h_ve = l.viable_epidermis.si();
  const double h_dej = rules.viable.junction_enabled ? rules.viable.junction_thickness.si() : 0.0;
  if (h_dej > 0) {
    h_ve = std::max(h_ve - h_dej, 0.5 * h_ve);  // the junction is the lowest part of the epidermis
    add(Region::viable_epidermis, h_ve, kEpidermisMaxCell_m);
    add(Region::junction, h_dej, h_dej / kJunctionCells);
  } else {
    add(Region::viable_epidermis, h_ve, kEpidermisMaxCell_m);
  }
  add(Region::papillary, l.papillary_dermis.si(), kPapillaryMaxCell_m);
  add(Region::reticular, l.reticular_dermis.si(), kReticularMaxCell_m);
  add(Region::hypodermis, l.hypodermis.si(), kHypodermisMaxCell_m);
  const auto spacing = numerics::graded_spacing(layers, kGrowth);
  col.dz_m = spacing.dz_m;
  col.region.resize(col.dz_m.size());
  for (std::size_t k = 0; k < col.dz_m.size(); ++k) col.region[k] = regions[spacing.layer[k]];

  const auto floor = [](double d) { return std::max(d, kMinDiffusivity); };
  const double kv = a.partition_viable;
  auto& m = col.material;
  m[static_cast<std::size_t>(Region::donor)] = {
      in.dose.infinite ? 1.0 : in.dose.volume_per_area.si() * in.dose.volume_per_area.si() / kDonorMixingTime_s,
      k_vehicle, 0.0};
  m[static_cast<std::size_t>(Region::stratum_corneum)] = {floor(a.diffusivity_stratum_corneum(l.stratum_corneum).si()),
                                                          a.partition_stratum_corneum, 0.0};
  m[static_cast<std::size_t>(Region::viable_epidermis)] = {floor(a.diffusivity_epidermis().si()), kv, 0.0};
  m[static_cast<std::size_t>(Region::junction)] = {
      floor(a.diffusivity_epidermis().si() * rules.viable.junction_relative_diffusivity), kv, 0.0};
  m[static_cast<std::size_t>(Region::papillary)] = {floor(a.diffusivity_dermis().si()), kv, a.clearance_papillary.si()};
  m[static_cast<std::size_t>(Region::reticular)] = {floor(a.diffusivity_dermis().si()), kv, a.clearance_reticular.si()};
  m[static_cast<std::size_t>(Region::hypodermis)] = {floor(a.diffusivity_hypodermis().si()), kv,
                                                     a.clearance_hypodermis.si()};
  return col;
}

// Fraction of the annulus [r0, r1] inside radius r.
double annulus_fraction(double r0, double r1, double r) {
  return std::clamp((r * r - r0 * r0) / (r1 * r1 - r0 * r0), 0.0, 1.0);
}

// Fraction of the rectangle [x0, x1] x [y0, y1] inside the circle of radius r about (cx, cy).
double rectangle_fraction(double x0, double x1, double y0, double y1, double cx, double cy, double r) {
  if (!(r > 0)) return 0.0;
  const double nx = std::clamp(cx, x0, x1) - cx, ny = std::clamp(cy, y0, y1) - cy;
  const double fx = std::max(std::abs(x0 - cx), std::abs(x1 - cx)), fy = std::max(std::abs(y0 - cy), std::abs(y1 - cy));
  if (nx * nx + ny * ny >= r * r) return 0.0;
  if (fx * fx + fy * fy <= r * r) return 1.0;
  int inside = 0;
  for (int i = 0; i < kPlaneSamples; ++i) {
    const double x = x0 + (x1 - x0) * (i + 0.5) / kPlaneSamples - cx;
    for (int j = 0; j < kPlaneSamples; ++j) {
      const double y = y0 + (y1 - y0) * (j + 0.5) / kPlaneSamples - cy;
      if (x * x + y * y < r * r) ++inside;
    }
  }
  return static_cast<double>(inside) / (kPlaneSamples * kPlaneSamples);
}

// A cell (partly) inside the channel.
struct ChannelCell {
  std::size_t p = 0;
  bool mouth = false;  // stratum corneum (state b); else lumen (state c)
  double fraction = 0;
  Material tissue;
  double dk_open = 0, k_open = 1;
};

double state_at(double t_s, double half_life_s) { return half_life_s > 0 ? std::exp2(-t_s / half_life_s) : 0.0; }

// One run of the model on one geometry.
class Run {
 public:
  Run(const TransportInputs& in, const TissueRules& rules, const TransportOptions& opt, Geometry geometry)
      : geometry_(geometry),
        column_(build_column(in, rules, std::max(opt.z_refinement, 1e-3))),
        grid_(make_grid(in, opt)) {
    const bool channel = in.channel.has_value() && geometry != Geometry::intact_column;
    delay_s_ = in.application_delay.si();
    t_b_ = rules.barrier_half_life(in.occluded).si();
    if (channel) t_c_ = rules.closure_half_life(in.channel->surface_radius(), in.occluded).si();

    // Base coefficients: the intact layers.
    const std::size_t n = grid_.cells(), nz = grid_.nz();
    auto c = DiffusionCoefficients::uniform(grid_, 1.0, 1.0);
    c.sink_per_s.assign(n, 0.0);
    for (std::size_t p = 0; p < n; ++p) {
      const Material& m = material(column_.region[p % nz]);
      c.diffusivity_m2_per_s[p] = m.d;
      c.partition[p] = m.k;
      c.sink_per_s[p] = m.clearance / m.k;
    }
    if (geometry_ == Geometry::unit_cell_3d || geometry_ == Geometry::patch_3d) {
      for (BoxFace f : {BoxFace::x_min, BoxFace::x_max, BoxFace::y_min, BoxFace::y_max}) {
        c.boundary[static_cast<std::size_t>(f)].kind = BoundaryKind::periodic;
      }
    }

    // Donor.
    const double k_vehicle = rules.donor.vehicle_partition;
    const double c0 = in.dose.concentration.si();
    solubility_ =
        in.active.water_solubility ? in.active.water_solubility->si() : std::numeric_limits<double>::infinity();
    k_vehicle_ = k_vehicle;
    std::vector<double> u0(n, 0.0);
    if (in.dose.infinite) {
      auto& top = c.boundary[static_cast<std::size_t>(BoxFace::z_min)];
      top.kind = BoundaryKind::dirichlet_potential;
      top.value = std::min(c0 / k_vehicle, solubility_);
    } else {
      finite_ = true;
      dose_kg_ = c0 * in.dose.volume_per_area.si() * area_m2_;
      const double k_donor = k_vehicle * std::max(1.0, c0 / k_vehicle / solubility_);
      capped_ = k_donor > k_vehicle;
      for (std::size_t p = 0; p < n; ++p) {
        if (column_.region[p % nz] != Region::donor) continue;
        donor_cells_.push_back(p);
        donor_volume_m3_ += grid_.volume_m3((p / nz) % grid_.nx(), p % nz);
        c.partition[p] = k_donor;
        u0[p] = c0 / k_donor;
      }
    }

    if (channel && geometry_ == Geometry::patch_3d) {
      rasterise_patch(*in.patch, rules, in.active);
    } else if (channel) {
      rasterise(*in.channel, rules, in.active);
    }

    numerics::TimeStepperOptions so;
    so.scheme = numerics::TimeScheme::bdf2;
    so.adaptive = true;
    so.rtol = opt.rtol;
    so.dt_initial_s = kFirstStep_s;
    stepper_ = std::make_unique<numerics::TimeStepper>(
        grid_, std::move(c), std::move(u0), 0.0, so,
        [this](double t, DiffusionCoefficients& cc) { return apply_states(t, cc); });
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void advance_to(double t_end) {
    auto& s = *stepper_;
    while (capped_ && s.time_s() < t_end) {
      const double t = s.time_s();
      const double next = std::min(t_end, t + std::max(kCapInterval_s, kCapGrowth * t));
      s.advance_to(next);
      recap();
    }
    s.advance_to(t_end);
  }

  // Amounts per unit area [kg/m^2] and the mass-balance residual.
  LayerAmounts amounts(double& residual) const {
    const auto& s = *stepper_;
    const auto cap = s.op().capacity_m3();
    const auto u = s.potential();
    const std::size_t nz = grid_.nz();
    std::array<double, 7> by_region{};
    for (std::size_t p = 0; p < u.size(); ++p)
      by_region[static_cast<std::size_t>(column_.region[p % nz])] += cap[p] * u[p];
    const auto at = [&](Region r) { return by_region[static_cast<std::size_t>(r)]; };
    // The balance of what is reported: donor + layers + systemic against the dose (or the inflow).
    const double cleared = s.ledger().cleared;
    double total = cleared;
    for (double m : by_region) total += m;
    const double applied = finite_ ? dose_kg_ : s.ledger().inflow();
    residual = std::abs(applied - total) / std::max({std::abs(applied), std::abs(total), 1e-300});
    const auto per_area = [&](double kg) { return ArealMass::from_si(kg / area_m2_); };
    LayerAmounts a;
    a.donor = per_area(at(Region::donor));
    a.stratum_corneum = per_area(at(Region::stratum_corneum));
    a.viable_epidermis = per_area(at(Region::viable_epidermis) + at(Region::junction));
    a.papillary_dermis = per_area(at(Region::papillary));
    a.dermis = per_area(at(Region::papillary) + at(Region::reticular));
    a.hypodermis = per_area(at(Region::hypodermis));
    a.systemic = per_area(cleared);
    return a;
  }

  double barrier_state(double t) const { return channel_cells_.empty() ? 0.0 : state_at(t + delay_s_, t_b_); }
  double closure_state(double t) const { return channel_cells_.empty() ? 0.0 : state_at(t + delay_s_, t_c_); }

  // The grid of this run with z measured from the skin surface (the donor film above it).
  FieldGrid field_grid() const {
    FieldGrid g;
    g.axisymmetric = geometry_ == Geometry::axisymmetric_cell;
    for (std::size_t i = 0; i <= grid_.nx(); ++i) g.x_edges_m.push_back(grid_.x_face_m(i));
    if (!g.axisymmetric) {
      for (std::size_t j = 0; j <= grid_.ny(); ++j) g.y_edges_m.push_back(grid_.hy_m() * static_cast<double>(j));
    }
    for (std::size_t k = 0; k <= grid_.nz(); ++k) g.z_edges_m.push_back(grid_.z_face_m(k) - column_.surface_m);
    for (std::size_t k = 0; k < grid_.nz(); ++k) g.z_layer.emplace_back(region_name(column_.region[k]));
    return g;
  }

  FieldSnapshot snapshot(double t) const {
    const auto u = stepper_->potential();
    return {Time::from_si(t), stepper_->concentration(), std::vector<double>(u.begin(), u.end())};
  }

  TransportStats stats() const {
    const auto& st = stepper_->stats();
    return {grid_.cells(), st.steps, st.rejected, st.solves, st.linear_iterations, st.max_linear_iterations};
  }

 private:
  const Material& material(Region r) const { return column_.material[static_cast<std::size_t>(r)]; }

  FvGrid make_grid(const TransportInputs& in, const TransportOptions& opt) {
    const auto& dz = column_.dz_m;
    switch (geometry_) {
      case Geometry::intact_column:
        area_m2_ = kColumnSide_m * kColumnSide_m;
        return FvGrid::cartesian(1, 1, kColumnSide_m, kColumnSide_m, dz);
      case Geometry::axisymmetric_cell: {
        const double r = in.channel->cell_radius().si();
        area_m2_ = kPi * r * r;
        return FvGrid::axisymmetric(std::max<std::size_t>(opt.radial_cells, 2), 0.0, r, dz);
      }
      case Geometry::unit_cell_3d: {
        const double side = in.channel->cell_side().si();
        const std::size_t nxy = std::max<std::size_t>(opt.lateral_cells, 2);
        const double h = side / static_cast<double>(nxy);
        area_m2_ = side * side;
        return FvGrid::cartesian(nxy, nxy, h, h, dz);
      }
      case Geometry::patch_3d: {  // geometry D (patch.cpp)
        const double side = in.patch->side.si();
        const std::size_t n = std::max<std::size_t>(opt.patch_cells, 2);
        const double h = side / static_cast<double>(n);
        area_m2_ = side * side;
        return FvGrid::cartesian(n, n, h, h, dz);
      }
    }
    invalid("unknown geometry");
  }

  // Channel radius at grid depth z: the mouth radius in the SC, r_open below, 0 elsewhere.
  double channel_radius(const ChannelGeometry& ch, double mouth_radius, Region r, double z_grid) const {
    const double depth = z_grid - column_.surface_m;
    if (r == Region::stratum_corneum) return mouth_radius;
    if (!viable(r) || depth > ch.depth_open.si()) return 0.0;
    return ch.radius_at(Length::from_si(std::max(depth, 0.0))).si();
  }

  void rasterise(const ChannelGeometry& ch, const TissueRules& rules, const Active& a) {
    const std::size_t nz = grid_.nz(), nx = grid_.nx(), ny = grid_.ny();
    const double mouth_radius = ch.surface_radius().si() + rules.channel.damage_rim.si();
    const double k_l = rules.channel.lumen_partition;
    const double side = grid_.hx_m() * static_cast<double>(nx);
    for (std::size_t k = 0; k < nz; ++k) {
      const Region region = column_.region[k];
      if (region == Region::donor) continue;
      std::array<double, kDepthSamples> radius{};
      bool any = false;
      for (int s = 0; s < kDepthSamples; ++s) {
        const double z = grid_.z_face_m(k) + grid_.dz_m(k) * (s + 0.5) / kDepthSamples;
        radius[static_cast<std::size_t>(s)] = channel_radius(ch, mouth_radius, region, z);
        any = any || radius[static_cast<std::size_t>(s)] > 0;
      }
      if (!any) continue;
      const bool mouth = region == Region::stratum_corneum;
      const Material& tissue = material(region);
      const double d_open = mouth ? a.free_diffusivity.si() : rules.channel.lumen_hindrance * a.free_diffusivity.si();
      for (std::size_t j = 0; j < ny; ++j) {
        for (std::size_t i = 0; i < nx; ++i) {
          double f = 0;
          for (double r : radius) {
            if (geometry_ == Geometry::axisymmetric_cell) {
              f += annulus_fraction(grid_.x_face_m(i), grid_.x_face_m(i + 1), r);
            } else {
              const double h = grid_.hx_m();
              f +=
                  rectangle_fraction(h * static_cast<double>(i), h * static_cast<double>(i + 1),
                                     h * static_cast<double>(j), h * static_cast<double>(j + 1), side / 2, side / 2, r);
            }
          }
          f /= kDepthSamples;
          if (f <= 0) continue;
          channel_cells_.push_back({grid_.index(i, j, k), mouth, f, tissue, d_open * k_l, k_l});
        }
      }
    }
  }

  // Geometry D: the volume fractions of every channel at its position (patch.cpp).
  void rasterise_patch(const ChannelPatch& patch, const TissueRules& rules, const Active& a) {
    const std::size_t nz = grid_.nz();
    std::vector<detail::LayerKind> kind(nz, detail::LayerKind::none);
    for (std::size_t k = 0; k < nz; ++k) {
      if (column_.region[k] == Region::stratum_corneum) kind[k] = detail::LayerKind::mouth;
      if (viable(column_.region[k])) kind[k] = detail::LayerKind::lumen;
    }
    const auto f = detail::patch_volume_fractions(patch, grid_, kind, column_.surface_m, rules.channel.damage_rim.si());
    const double k_l = rules.channel.lumen_partition;
    for (std::size_t p = 0; p < f.size(); ++p) {
      if (!(f[p] > 0)) continue;
      const Region region = column_.region[p % nz];
      const bool mouth = region == Region::stratum_corneum;
      const double d_open = mouth ? a.free_diffusivity.si() : rules.channel.lumen_hindrance * a.free_diffusivity.si();
      channel_cells_.push_back({p, mouth, f[p], material(region), d_open * k_l, k_l});
    }
  }

  // Sets the coefficients of the channel cells for the states at time t (t alone decides).
  bool apply_states(double t, DiffusionCoefficients& c) {
    if (channel_cells_.empty()) return false;
    const double b = state_at(t + delay_s_, t_b_), cs = state_at(t + delay_s_, t_c_);
    if (b == last_b_ && cs == last_c_) return false;
    last_b_ = b;
    last_c_ = cs;
    for (const auto& cell : channel_cells_) {
      const double s = cell.fraction * (cell.mouth ? b : cs);
      const double dk = s * cell.dk_open + (1 - s) * cell.tissue.d * cell.tissue.k;
      const double k = s * cell.k_open + (1 - s) * cell.tissue.k;
      c.diffusivity_m2_per_s[cell.p] = std::max(dk / k, kMinDiffusivity);
      c.partition[cell.p] = k;
      c.sink_per_s[cell.p] = cell.tissue.clearance / k;
    }
    return true;
  }

  // Re-caps a supersaturated donor: K_d = K_vehicle max(1, C_d / (K_vehicle S)), so that the
  // donor's potential is min(C_d / K_vehicle, S) with C_d its current amount per volume.
  void recap() {
    auto& s = *stepper_;
    const auto cap = s.op().capacity_m3();
    const auto u = s.potential();
    double amount = 0;
    for (std::size_t p : donor_cells_) amount += cap[p] * u[p];
    const double conc = amount / donor_volume_m3_;
    const double k_donor = k_vehicle_ * std::max(1.0, conc / k_vehicle_ / solubility_);
    capped_ = k_donor > k_vehicle_;
    auto c = s.coefficients();
    for (std::size_t p : donor_cells_) c.partition[p] = k_donor;
    s.set_coefficients(std::move(c));
  }

  Geometry geometry_;
  Column column_;
  double area_m2_ = 1;
  FvGrid grid_;
  std::vector<ChannelCell> channel_cells_;
  std::vector<std::size_t> donor_cells_;
  double donor_volume_m3_ = 0;
  bool finite_ = false, capped_ = false;
  double dose_kg_ = 0, solubility_ = 0, k_vehicle_ = 1;
  double delay_s_ = 0, t_b_ = 0, t_c_ = 0;
  double last_b_ = std::numeric_limits<double>::quiet_NaN(), last_c_ = std::numeric_limits<double>::quiet_NaN();
  std::unique_ptr<numerics::TimeStepper> stepper_;
};

}  // namespace

// ------------------------------------------------------------------------------- geometry, dose

Length ChannelGeometry::radius_at(Length z) const {
  const double zz = z.si();
  if (depth_m.empty() || zz < 0 || zz > depth_open.si()) return Length::from_si(0.0);
  const auto it = std::upper_bound(depth_m.begin(), depth_m.end(), zz);
  if (it == depth_m.begin()) return Length::from_si(radius_m.front());
  if (it == depth_m.end()) return Length::from_si(radius_m.back());
  const std::size_t i = static_cast<std::size_t>(it - depth_m.begin());
  const double w = (zz - depth_m[i - 1]) / (depth_m[i] - depth_m[i - 1]);
  return Length::from_si(radius_m[i - 1] + w * (radius_m[i] - radius_m[i - 1]));
}

Length ChannelGeometry::cell_radius() const { return Length::from_si(1.0 / std::sqrt(kPi * density_per_cm2 * 1e4)); }

Length ChannelGeometry::cell_side() const { return Length::from_si(1.0 / std::sqrt(density_per_cm2 * 1e4)); }

ChannelGeometry ChannelGeometry::cylinder(Length radius, Length depth, double density_per_cm2) {
  if (!(radius.si() > 0 && depth.si() > 0 && density_per_cm2 > 0))
    invalid("a channel needs radius, depth, density > 0");
  ChannelGeometry g;
  g.depth_open = depth;
  g.depth_m = {0.0, depth.si()};
  g.radius_m = {radius.si(), radius.si()};
  g.density_per_cm2 = density_per_cm2;
  return g;
}

ChannelGeometry channel_geometry(const mechanics::MeanChannel& channel, const device::Needle& needle,
                                 const skin::Skin& skin, double density_per_cm2, std::size_t samples) {
  if (!(density_per_cm2 > 0) || samples < 2) invalid("channel geometry needs a density > 0 and 2 or more samples");
  ChannelGeometry g;
  g.depth_open = channel.depth_open;
  g.density_per_cm2 = density_per_cm2;
  const double d = channel.depth_open.si();
  for (std::size_t i = 0; i < samples; ++i) {
    const double z = d * static_cast<double>(i) / static_cast<double>(samples - 1);
    // The last sample sits a hair above the open depth so that rounding cannot put it below.
    const double zs = i + 1 == samples ? d * (1 - 1e-12) : z;
    g.depth_m.push_back(z);
    g.radius_m.push_back(mechanics::open_radius_at(needle, skin, channel.depth_max, Length::from_si(zs)).si());
  }
  return g;
}

Dose Dose::finite(Length volume_per_area, MassConcentration concentration) {
  if (!(volume_per_area.si() > 0) || !(concentration.si() >= 0))
    invalid("a finite dose needs volume > 0, concentration >= 0");
  return Dose{false, volume_per_area, concentration};
}

Dose Dose::infinite_dose(MassConcentration concentration) {
  if (!(concentration.si() >= 0)) invalid("an infinite dose needs a concentration >= 0");
  return Dose{true, Length::from_si(0.0), concentration};
}

ArealMass Dose::amount() const {
  return infinite ? ArealMass::from_si(0.0) : ArealMass::from_si(concentration.si() * volume_per_area.si());
}

Dose dose_from_topical(const core::ConfigTable& topical) {
  const auto q = topical.get_quantity("concentration");
  // A fraction is read weight per volume: 1 % = 1 g per 100 mL = 10 kg/m^3.
  constexpr double kWeightPerVolumeKgPerM3 = 1000.0;
  const double c = q.dimension == core::dim::none ? q.si * kWeightPerVolumeKgPerM3 : q.si;
  return Dose::finite(topical.get<core::dim::length>("dose"), MassConcentration::from_si(c));
}

std::string_view to_string(Geometry geometry) {
  switch (geometry) {
    case Geometry::intact_column:
      return "intact_column";
    case Geometry::axisymmetric_cell:
      return "axisymmetric_cell";
    case Geometry::unit_cell_3d:
      return "unit_cell_3d";
    case Geometry::patch_3d:
      return "patch_3d";
  }
  return "unknown";
}

TransportOptions TransportOptions::fast() {
  TransportOptions o;
  o.geometry = Geometry::axisymmetric_cell;
  o.radial_cells = 6;
  o.z_refinement = 0.35;
  o.rtol = 1e-2;
  return o;
}

TransportOptions TransportOptions::patch() {
  TransportOptions o;
  o.geometry = Geometry::patch_3d;
  o.patch_cells = 100;
  o.z_refinement = 0.35;
  o.rtol = 1e-2;
  return o;
}

// ------------------------------------------------------------------------------- the model

TransportResult simulate_transport(const TransportInputs& in, const TissueRules& rules, const TransportOptions& opt) {
  const double duration = in.duration.si();
  if (!(duration > 0) || !std::isfinite(duration)) invalid("duration must be > 0");
  std::vector<double> outputs;
  for (const auto& t : in.output_times) outputs.push_back(t.si());
  if (outputs.empty()) outputs.push_back(duration);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (!(outputs[i] > 0 && outputs[i] <= duration) || (i > 0 && !(outputs[i] > outputs[i - 1]))) {
      invalid("output times must increase within (0, duration]");
    }
  }
  if (!(in.application_delay.si() >= 0)) invalid("the application delay must be >= 0");
  if (in.channel && !(in.channel->density_per_cm2 > 0 && in.channel->depth_open.si() > 0)) {
    invalid("a channel needs a density > 0 and an open depth > 0");
  }
  if (in.channel && opt.geometry == Geometry::patch_3d && !in.patch) invalid("geometry D needs the channel patch");

  const Geometry geometry = in.channel ? opt.geometry : Geometry::intact_column;
  TransportResult result;
  result.geometry = geometry;
  if (!in.dose.infinite) result.dose = in.dose.amount();
  result.barrier_half_life = rules.barrier_half_life(in.occluded);
  result.barrier_recovery_time = rules.recovery_time(result.barrier_half_life);

  Run run(in, rules, opt, geometry);
  std::unique_ptr<Run> intact;
  if (opt.reference_intact && geometry != Geometry::intact_column) {
    intact = std::make_unique<Run>(in, rules, opt, Geometry::intact_column);
  }
  if (in.channel) result.closure_half_life = rules.closure_half_life(in.channel->surface_radius(), in.occluded);
  const bool no_intact_route = !(in.active.kp_intact.si() > 0);
  if (opt.keep_fields) result.fields = TransportFields{geometry, run.field_grid(), {}};
  for (double t : outputs) {
    TransportSample s;
    s.time = Time::from_si(t);
    run.advance_to(t);
    s.amounts = run.amounts(s.mass_balance_residual);
    if (result.fields) result.fields->snapshots.push_back(run.snapshot(t));
    s.barrier_state = run.barrier_state(t);
    s.closure_state = run.closure_state(t);
    if (result.dose && result.dose->si() > 0) s.fraction_of_dose = s.amounts.delivered() / *result.dose;
    if (intact) {
      intact->advance_to(t);
      double residual = 0;
      s.intact = intact->amounts(residual);
      s.mass_balance_residual = std::max(s.mass_balance_residual, residual);
    } else if (geometry == Geometry::intact_column) {
      s.intact = s.amounts;
    }
    if (s.intact) {
      const double ref = s.intact->delivered().si();
      if (no_intact_route) {
        s.enhancement_unbounded = true;
      } else if (ref > 0) {
        s.enhancement = s.amounts.delivered().si() / ref;
      }
    }
    result.mass_balance_residual = std::max(result.mass_balance_residual, s.mass_balance_residual);
    result.samples.push_back(s);
    if (opt.progress) opt.progress(static_cast<double>(result.samples.size()) / static_cast<double>(outputs.size()));
  }
  result.stats = run.stats();
  if (intact) result.intact_stats = intact->stats();
  if (!(result.mass_balance_residual <= kResidualFailure)) {
    core::raise(
        core::ErrorCode::num_failure, fmt::arg("stage", "transport"),
        fmt::arg("reason", fmt::format("mass balance residual {:.3g} of the dose", result.mass_balance_residual)));
  }
  return result;
}

}  // namespace nw::transport
