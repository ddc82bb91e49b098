#pragma once
// Finite-volume diffusion with partitioning, first-order sink and source, written in the
// potential U = C / K (C concentration, K partition coefficient):
//
//   d(K U)/dt = div(D K grad U) - k_sink K U + q               (C = K U, flux J = -D K grad U)
//
// Per cell p (volume V_p) this is the semi-discrete balance
//
//   d(V_p K_p U_p)/dt = sum_faces T_f (U_q - U_p) + sum_box T_b (U_b - U_p) - k_p K_p V_p U_p + V_p q_p
//                     = F_p(U) = -(M0 U)_p + g_p
//
// with face transmissibilities from the half-cell distances d_p, d_q (centre to face) and the
// face area A (the harmonic mean of D K weighted by the distances, exact for a flux through
// layers in series and continuous across jumps of K and D of any size):
//
//   T_f = A / (d_p / (D K)_p + d_q / (D K)_q)                                           [m^3/s]
//
// Boundary faces of the box (the potential outside is U_b):
//   zero_flux   T_b = 0
//   dirichlet   C = C_b on the face, in the boundary cell's phase: U_b = C_b / K_p,
//               T_b = A (D K)_p / d_p           (inflow = A D_p (C_b - C_p) / d_p)
//   dirichlet_potential
//               U = U_b on the face, given directly (a concentration in the reference phase, e.g.
//               an infinite-dose vehicle when K is tissue/vehicle): T_b = A (D K)_p / d_p
//   robin       exchange with an outside medium of potential U_out = C_out / K_out (a vehicle,
//               blood): inflow per area h (U_out - U_face), h [m/s] a mass-transfer coefficient
//               referred to the outside phase, in series with the half cell:
//               T_b = A / (1 / h + d_p / (D K)_p),  U_b = U_out.
//               With K_out = 1 (outside concentration given in the reference phase) this is
//               inflow = h (C_out - C_face / K).
//   periodic    x or y faces in pairs (Cartesian only): the last cell couples with the first.
//
// Mass (amount of solute) is sum_p V_p K_p U_p. Interior transmissibilities are symmetric, so
// the interior fluxes cancel in the sum and d(mass)/dt = boundary inflow + source - sink exactly:
// fluxes() returns those terms for an exact balance in = stored + cleared + remaining.
// "amount" is any unit of solute (kg, mol); concentrations are amount/m^3 and stay linear.
//
// Sources: harmonic-mean interface conductivity, Patankar S.V. (1980) Numerical Heat Transfer
// and Fluid Flow, sec. 4.2-4.3; the potential form for partitioning layers, docs MODEL.md sec. 4.

#include <array>
#include <span>
#include <vector>

#include "needlework/numerics/fv_grid.hpp"
#include "needlework/numerics/stencil.hpp"

namespace nw::numerics {

enum class BoundaryKind { zero_flux, dirichlet, dirichlet_potential, robin, periodic };

/// Condition on one face of the box. A value array, when not empty, gives one value per face
/// cell in FvGrid::face_cell() order and overrides the uniform value.
struct BoundaryCondition {
  BoundaryKind kind = BoundaryKind::zero_flux;
  double value = 0;                      // dirichlet: C_b; dirichlet_potential: U_b; robin: U_out [amount/m^3]
  double h_m_per_s = 0;                  // robin: mass-transfer coefficient h >= 0 [m/s]
  std::vector<double> values;            // per face cell, overrides `value`
  std::vector<double> h_values_m_per_s;  // per face cell, overrides `h_m_per_s`
};

/// Per-cell coefficients (FvGrid cell order) and the six box faces (BoxFace order).
struct DiffusionCoefficients {
  std::vector<double> diffusivity_m2_per_s;  // D > 0
  std::vector<double> partition;             // K > 0 (dimensionless, relative to the reference phase)
  std::vector<double> sink_per_s;            // k_sink >= 0; empty means 0
  std::vector<double> source;                // q [amount/(m^3 s)]; empty means 0
  std::array<BoundaryCondition, kBoxFaces> boundary;

  /// Uniform D and K everywhere, zero-flux boundaries, no sink or source.
  static DiffusionCoefficients uniform(const FvGrid& grid, double diffusivity_m2_per_s, double partition);
};

/// The rates of change of the mass, split by cause [amount/s].
struct FluxRates {
  std::array<double, kBoxFaces> boundary_in{};  // into the domain through each face (negative: out)
  double sink = 0;                              // removed by k_sink (>= 0 for U >= 0)
  double source = 0;                            // added by q
  /// d(mass)/dt = sum boundary_in + source - sink.
  double net() const;
};

/// The assembled operator F(U) = -M0 U + g on a grid. Owns a copy of the grid.
class DiffusionOperator {
 public:
  explicit DiffusionOperator(FvGrid grid);

  /// (Re)computes transmissibilities, boundary and sink coefficients, capacity and load from
  /// `c`. Call once per change of coefficients. Preconditions (else Error internal): array sizes
  /// match the grid (face arrays: face_cells()), D > 0, K > 0, k_sink >= 0, h >= 0, everything
  /// finite; periodic faces come in x or y pairs and only on a Cartesian grid; the y faces of an
  /// axisymmetric grid are zero_flux or periodic (there is no y direction).
  void assemble(const DiffusionCoefficients& c);

  const FvGrid& grid() const { return grid_; }
  /// M0: symmetric positive semi-definite, s = sum T_b + k K V, couplings T [m^3/s].
  const StencilMatrix& stiffness() const { return stiffness_; }
  /// V K per cell [m^3]: the mass of cell p is capacity[p] U_p.
  std::span<const double> capacity_m3() const { return capacity_; }
  /// g = sum T_b U_b + V q per cell [amount/s].
  std::span<const double> load() const { return load_; }

  /// out = F(U) = -M0 U + g [amount/s]. Preconditions: sizes == grid().cells(), no overlap.
  void apply(std::span<const double> u, std::span<double> out) const;
  /// The system matrix M0 + sigma diag(V K) of an implicit step (sigma = a / dt [1/s], 0 for the
  /// stationary problem). Precondition: sigma >= 0.
  StencilMatrix system_matrix(double sigma_per_s) const;
  /// Boundary inflow per face, sink and source at U [amount/s] (fixed-order sums).
  FluxRates fluxes(std::span<const double> u) const;
  /// sum V K U [amount] (fixed-order sum).
  double mass(std::span<const double> u) const;
  /// C = K U per cell [amount/m^3].
  std::vector<double> concentration(std::span<const double> u) const;
  /// K per cell as last assembled.
  std::span<const double> partition() const { return partition_; }

 private:
  struct FaceData {
    std::vector<double> t;  // T_b per face cell [m^3/s]
    std::vector<double> u;  // U_b per face cell [amount/m^3]
  };

  FvGrid grid_;
  StencilMatrix stiffness_;
  std::vector<double> capacity_;
  std::vector<double> load_;
  std::vector<double> sink_coefficient_;  // k K V [m^3/s]
  std::vector<double> source_rate_;       // V q [amount/s]
  std::vector<double> partition_;
  std::array<FaceData, kBoxFaces> faces_;
};

}  // namespace nw::numerics
