#pragma once
// Transport of a topical active through intact and needled skin (docs/model/transport.md).
//
// Unknown: the concentration C (amount per total volume) with partition K (material/water) and
// the free potential u = C / K, continuous across interfaces:
//
//   dC/dt = div(D K grad u) - k u                                                       (1)
//
// conserved in C across coefficient changes (eq. 2; numerics/time_stepper.hpp). Layers from the
// site (stratum corneum, viable epidermis, optional dermal-epidermal junction, papillary and
// reticular dermis, hypodermis); coefficients per layer from actives.hpp. A channel is a region
// whose coefficients change with time (eq. 9-12), with two first-order states:
//
//   mouth (SC within r0 of the axis):       s = f b,  b(t) = 2^(-t / t_b)
//   lumen (viable tissue within r_open(z)): s = f c,  c(t) = 2^(-t / t_c),
//   t_c = (t_close,ref / log2(1/f_rec)) (r0 / r_ref)^n,   occluded: t_b, t_c x f_occ
//   (D K) = s D_open K_open + (1 - s) D_tis K_tis,   K = s K_open + (1 - s) K_tis
//   (D_open = D_free in the mouth, h_l D_free in the lumen; K_open = K_l)
//
// f is the part of the cell's volume inside the channel (rasterised volume fraction). The sink k
// (eq. 14) acts on u, i.e. k / K on C in every cell of the capillary layers; what it removes
// accumulates in the systemic compartment (the stepper's ledger). Donor:
//   finite dose:   a film of thickness h_d (the dose volume per area) as cells on top of the skin
//                  with K = K_vehicle, a large D (well mixed, D = h_d^2 / 0.1 s) and a zero-flux
//                  top: implicit and exactly conservative, h_d dC_d/dt = -J_in (13);
//   infinite dose: u = C_d / K_vehicle fixed on the skin surface (dirichlet_potential);
//   activity cap:  the donor's aqueous-equivalent concentration is min(C_d / K_vehicle, S_w).
//
// Geometries (section 6):
//   A  intact_column       1D column (nx = ny = 1), the reference for enhancement;
//   B  axisymmetric_cell   (r, z) cell of radius R = 1 / sqrt(pi rho), one channel on the axis;
//   C  unit_cell_3d        periodic square cell of side 1 / sqrt(rho), one channel at the centre;
//   D  patch_3d            periodic square patch with every channel at its own position
//                          (ChannelPatch), on a lateral grid coarser than a channel: each cell's
//                          mouth and lumen volume fractions f from all channels (overlaps
//                          saturate at 1) blend the coefficients as above (src/transport/patch.cpp,
//                          docs/model/transport.md section 13).
// Results per unit skin area. "Delivered" = everything past the stratum corneum (viable
// epidermis + dermis + hypodermis + systemic). Mass balance: dose = donor + SC + viable +
// systemic (finite dose), inflow = SC + viable + systemic (infinite dose), to round-off.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/units.hpp"
#include "needlework/device/device.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/skin/channels.hpp"
#include "needlework/skin/skin.hpp"
#include "needlework/transport/actives.hpp"

namespace nw::transport {

using core::ArealMass;

/// Geometry of the mean open channel and the channel density.
struct ChannelGeometry {
  Length depth_open;
  std::vector<double> depth_m;   // sample depths from 0 to depth_open, increasing
  std::vector<double> radius_m;  // r_open at those depths (linear in between)
  double density_per_cm2 = 0;

  /// r_open(z) for 0 <= z <= depth_open (linear interpolation), 0 outside.
  Length radius_at(Length z) const;
  Length surface_radius() const { return radius_at(Length::from_si(0.0)); }
  /// Equal-area radius of the axisymmetric cell, R = 1 / sqrt(pi rho).
  Length cell_radius() const;
  /// Side of the square unit cell, 1 / sqrt(rho).
  Length cell_side() const;

  /// A straight cylinder (tests, sweeps). Preconditions: radius, depth, density > 0.
  static ChannelGeometry cylinder(Length radius, Length depth, double density_per_cm2);
};

/// The open channel of the insertion stage's mean channel: r_open(z) of insertion.md eq. 13
/// (mechanics::open_radius_at) sampled at `samples` depths from 0 to the open depth.
ChannelGeometry channel_geometry(const mechanics::MeanChannel& channel, const device::Needle& needle,
                                 const skin::Skin& skin, double density_per_cm2, std::size_t samples = 65);

/// What is applied per unit area.
struct Dose {
  bool infinite = false;
  Length volume_per_area;  // finite dose: film thickness h_d (10 uL/cm2 = 100 um)
  MassConcentration concentration;

  static Dose finite(Length volume_per_area, MassConcentration concentration);
  static Dose infinite_dose(MassConcentration concentration);
  /// Amount per area of a finite dose (concentration x volume per area).
  ArealMass amount() const;
};

/// From a validated [topical] table: `concentration` as a fraction (read w/v: 1 % = 10 mg/mL,
/// the convention of transport.md section 9) or a mass concentration; `dose` as volume per area.
Dose dose_from_topical(const core::ConfigTable& topical);

/// The channels of one treated square patch at their own positions (geometry D). Channel n
/// enters at (x_m[n], y_m[n]), is open to depth_open_m[n] and its tip reached depth_max_m[n]; its
/// open radius is r_open(z) = q(depth_max - z) for 0 <= z <= depth_open, where q(s) is the open
/// radius at height s above the tip (insertion.md eq. 13: (1 - rho_r) r_n(s), non-decreasing in s),
/// sampled once for all channels (tip_distance_m increasing from 0, open_radius_m). Channels are
/// vertical circles (a roller's tilt and slit are not represented). The lateral boundaries are
/// periodic.
struct ChannelPatch {
  Length side;  // the patch is side x side
  std::vector<double> x_m, y_m, depth_open_m, depth_max_m;
  std::vector<double> tip_distance_m, open_radius_m;

  std::size_t size() const { return x_m.size(); }
  /// q(s), linear between the samples, the last value beyond them.
  Length radius_above_tip(Length s) const;
  /// Channels per cm2.
  double density_per_cm2() const;
};

/// The patch of an insertion stage's ChannelSet (mechanics::insert): positions, open and maximum
/// depths per channel, q(s) = mechanics::open_radius_at(needle, skin, s, 0) at `samples` heights
/// from 0 to the deepest tip. Precondition (else Error internal): a positive area.
ChannelPatch channel_patch(const skin::ChannelSet& channels, const device::Needle& needle, const skin::Skin& skin,
                           std::size_t samples = 257);

/// Geometry D's rasterisation on its own (tests, reports): on a grid of cells_per_side^2 columns
/// over the patch, the mouth area sum f A over the columns (channels within q(d_max) + mouth_rim
/// of their axis, overlaps counted once) and the lumen volume sum f V between consecutive depths
/// of depth_faces_m (below the skin surface, increasing, 2 or more).
struct PatchCoverage {
  core::Area mouth_area;
  core::Volume lumen_volume;
};
PatchCoverage patch_coverage(const ChannelPatch& patch, std::size_t cells_per_side,
                             const std::vector<double>& depth_faces_m, Length mouth_rim);

enum class Geometry { intact_column, axisymmetric_cell, unit_cell_3d, patch_3d };

struct TransportInputs {
  Active active;
  skin::Skin skin;
  std::optional<ChannelGeometry> channel;  // none: intact skin (geometry A whatever is asked)
  // Geometry D: the channels at their positions (required there, ignored elsewhere). The states
  // b(t), c(t) are those of `channel` (t_c from its surface radius), as in geometries B and C.
  std::optional<ChannelPatch> patch;
  Dose dose;
  bool occluded = false;
  Time application_delay;  // needling end to application (b and c have decayed by then)
  Time duration;
  std::vector<Time> output_times;  // in (0, duration], increasing; empty: duration only
};

/// Numerical settings (none of them is a model parameter).
struct TransportOptions {
  Geometry geometry = Geometry::axisymmetric_cell;
  bool reference_intact = true;    // also run geometry A with the same dose (enhancement)
  std::size_t radial_cells = 20;   // geometry B: uniform cells from the axis to R
  std::size_t lateral_cells = 16;  // geometry C: cells per side
  std::size_t patch_cells = 100;   // geometry D: cells per side of the patch (100 um on 1 cm)
  double z_refinement = 1.0;       // divides every layer's largest cell
  double rtol = 1e-3;              // local error per step of the adaptive BDF2 stepper
  bool keep_fields = false;        // keep the main run's concentration field at every output time
  // Called after each output time with the fraction of output times done (long runs: the patch).
  std::function<void(double)> progress;

  /// The fast cell of cohort runs: geometry B, coarse in r and z.
  static TransportOptions fast();
  /// Geometry D at the fast cell's depth grid and tolerance: 100 cells per side (100 um on 1 cm2).
  static TransportOptions patch();
};

/// Amounts per unit skin area.
struct LayerAmounts {
  ArealMass donor;  // remaining on the skin (finite dose)
  ArealMass stratum_corneum;
  ArealMass viable_epidermis;  // with the dermal-epidermal junction layer when enabled
  ArealMass dermis;            // papillary + reticular
  ArealMass papillary_dermis;  // the part of `dermis` in the papillary layer
  ArealMass hypodermis;
  ArealMass systemic;  // cleared by capillaries and lymph

  ArealMass delivered() const { return viable_epidermis + dermis + hypodermis + systemic; }
  ArealMass total() const { return donor + stratum_corneum + delivered(); }
};

struct TransportSample {
  Time time;  // since application
  LayerAmounts amounts;
  std::optional<double> fraction_of_dose;  // delivered / dose (finite dose)
  std::optional<LayerAmounts> intact;      // geometry A at the same time (reference run)
  std::optional<double> enhancement;       // delivered / intact delivered
  bool enhancement_unbounded = false;      // no intact route (kp_intact = 0): enhancement is null
  double barrier_state = 0;                // b at this time (0 without channels)
  double closure_state = 0;                // c at this time
  /// |dose - (donor + SC + viable + systemic)| / dose (finite), or the same with the inflow
  /// through the surface for an infinite dose.
  double mass_balance_residual = 0;
};

/// The rectilinear grid of a concentration field, any geometry. Cells are numbered z fastest,
/// p = k + nz (i + nx j), as in numerics::FvGrid. Axisymmetric: x is the radius r from the
/// channel axis and there is no y (ny = 1, y_edges_m empty). z is the depth below the skin
/// surface, so the donor film of a finite dose lies at z < 0.
struct FieldGrid {
  bool axisymmetric = false;
  std::vector<double> x_edges_m;     // nx + 1 cell faces, increasing
  std::vector<double> y_edges_m;     // ny + 1 (3D), empty (axisymmetric)
  std::vector<double> z_edges_m;     // nz + 1 cell faces, increasing (depth)
  std::vector<std::string> z_layer;  // per z cell: donor, stratum_corneum, viable_epidermis, junction,
                                     // papillary_dermis, reticular_dermis or hypodermis

  std::size_t nx() const { return x_edges_m.empty() ? 0 : x_edges_m.size() - 1; }
  std::size_t ny() const { return y_edges_m.empty() ? 1 : y_edges_m.size() - 1; }
  std::size_t nz() const { return z_edges_m.empty() ? 0 : z_edges_m.size() - 1; }
  std::size_t cells() const { return nx() * ny() * nz(); }
};

/// The field of one output time: per cell, the concentration C (amount of active per total
/// volume of the cell) and the free potential u = C / K (aqueous-equivalent concentration,
/// continuous across layer interfaces), both in kg/m^3 (= mg/mL).
struct FieldSnapshot {
  Time time;  // since application
  std::vector<double> concentration_kg_per_m3;
  std::vector<double> potential_kg_per_m3;
};

/// Concentration fields of the main run (TransportOptions::keep_fields).
struct TransportFields {
  Geometry geometry = Geometry::axisymmetric_cell;
  FieldGrid grid;
  std::vector<FieldSnapshot> snapshots;  // one per output time
};

std::string_view to_string(Geometry geometry);

struct TransportStats {
  std::size_t cells = 0, steps = 0, rejected = 0, solves = 0, linear_iterations = 0;
  int max_linear_iterations = 0;
};

struct TransportResult {
  Geometry geometry = Geometry::axisymmetric_cell;
  std::optional<ArealMass> dose;  // finite dose only
  std::vector<TransportSample> samples;
  Time barrier_half_life;            // t_b used (occlusion applied)
  Time barrier_recovery_time;        // t_b log2(1 / f_rec): barrier.tewl_recovery_h of summary.json
  Time closure_half_life;            // t_c used: channels.closure_half_life_h of summary.json
  double mass_balance_residual = 0;  // worst over the samples of both runs
  TransportStats stats;              // the main run
  TransportStats intact_stats;       // the reference run
  // The main run's concentration fields at the output times (TransportOptions::keep_fields).
  std::optional<TransportFields> fields;
};

/// Runs the model. Throws core::Error num_failure (stage "transport" or "time stepper") when the
/// integration fails, internal for invalid inputs (non-positive duration, output times outside
/// (0, duration], a finite dose of zero volume).
TransportResult simulate_transport(const TransportInputs& inputs, const TissueRules& rules,
                                   const TransportOptions& options = {});

}  // namespace nw::transport
