// Finite-volume operator of d(K U)/dt = div(D K grad U) - k_sink K U + q (see diffusion.hpp for
// the discretisation and the boundary conventions).

#include "needlework/numerics/diffusion.hpp"

#include <cmath>
#include <cstdint>

#include "needlework/core/error.hpp"
#include "stencil_columns.hpp"

namespace nw::numerics {
namespace {

using Index = std::int64_t;
constexpr std::size_t kParallelMin = 1U << 14;

[[noreturn]] void precondition_failed(const std::string& what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("diffusion operator: {}", what)));
}

bool finite_nonneg(double v) { return std::isfinite(v) && v >= 0; }

// Transmissibility of a face of area a between cells with half distances d1, d2 and conductivities
// g1 = (D K)_1, g2 = (D K)_2: the series resistance of the two half cells.
double transmissibility(double a, double d1, double g1, double d2, double g2) { return a / (d1 / g1 + d2 / g2); }

bool is_x(BoxFace f) { return f == BoxFace::x_min || f == BoxFace::x_max; }
bool is_y(BoxFace f) { return f == BoxFace::y_min || f == BoxFace::y_max; }

}  // namespace

double FluxRates::net() const {
  double s = 0;
  for (double b : boundary_in) s += b;
  return s + source - sink;
}

DiffusionCoefficients DiffusionCoefficients::uniform(const FvGrid& grid, double diffusivity_m2_per_s,
                                                     double partition) {
  DiffusionCoefficients c;
  c.diffusivity_m2_per_s.assign(grid.cells(), diffusivity_m2_per_s);
  c.partition.assign(grid.cells(), partition);
  return c;
}

DiffusionOperator::DiffusionOperator(FvGrid grid) : grid_(std::move(grid)) {}

void DiffusionOperator::assemble(const DiffusionCoefficients& c) {
  const FvGrid& g = grid_;
  const std::size_t n = g.cells(), nx = g.nx(), ny = g.ny(), nz = g.nz();
  const bool axi = g.geometry() == Geometry::axisymmetric;
  if (c.diffusivity_m2_per_s.size() != n || c.partition.size() != n) {
    precondition_failed("diffusivity and partition need one value per cell");
  }
  if (!c.sink_per_s.empty() && c.sink_per_s.size() != n) precondition_failed("sink_per_s: one value per cell or none");
  if (!c.source.empty() && c.source.size() != n) precondition_failed("source: one value per cell or none");
  for (std::size_t p = 0; p < n; ++p) {
    const double d = c.diffusivity_m2_per_s[p], k = c.partition[p];
    if (!(std::isfinite(d) && d > 0 && std::isfinite(k) && k > 0)) {
      precondition_failed(fmt::format("D and K must be finite and > 0 (cell {}: D = {}, K = {})", p, d, k));
    }
    if (!c.sink_per_s.empty() && !finite_nonneg(c.sink_per_s[p])) precondition_failed("k_sink must be finite, >= 0");
    if (!c.source.empty() && !std::isfinite(c.source[p])) precondition_failed("source must be finite");
  }
  const auto kind = [&](BoxFace f) { return c.boundary[static_cast<std::size_t>(f)].kind; };
  const auto periodic = [&](BoxFace a, BoxFace b) {
    const bool pa = kind(a) == BoundaryKind::periodic, pb = kind(b) == BoundaryKind::periodic;
    if (pa != pb) precondition_failed("periodic faces come in pairs");
    return pa;
  };
  const bool px = periodic(BoxFace::x_min, BoxFace::x_max);
  const bool py = periodic(BoxFace::y_min, BoxFace::y_max);
  if (kind(BoxFace::z_min) == BoundaryKind::periodic || kind(BoxFace::z_max) == BoundaryKind::periodic) {
    precondition_failed("z is never periodic");
  }
  if (axi && px) precondition_failed("r is not periodic");
  if (axi) {
    for (BoxFace f : {BoxFace::y_min, BoxFace::y_max}) {
      if (kind(f) != BoundaryKind::zero_flux && kind(f) != BoundaryKind::periodic) {
        precondition_failed("an axisymmetric grid has no y faces (use zero_flux)");
      }
    }
  }
  for (std::size_t f = 0; f < kBoxFaces; ++f) {
    const auto& bc = c.boundary[f];
    const std::size_t m = g.face_cells(static_cast<BoxFace>(f));
    if (!bc.values.empty() && bc.values.size() != m) precondition_failed("boundary values: one per face cell or none");
    if (!bc.h_values_m_per_s.empty() && bc.h_values_m_per_s.size() != m) {
      precondition_failed("boundary h values: one per face cell or none");
    }
    if (!std::isfinite(bc.value) || !finite_nonneg(bc.h_m_per_s)) precondition_failed("boundary value, h invalid");
    for (double v : bc.values) {
      if (!std::isfinite(v)) precondition_failed("boundary values must be finite");
    }
    for (double v : bc.h_values_m_per_s) {
      if (!finite_nonneg(v)) precondition_failed("boundary h must be finite and >= 0");
    }
  }

  std::vector<double> dk(n);
  for (std::size_t p = 0; p < n; ++p) dk[p] = c.diffusivity_m2_per_s[p] * c.partition[p];
  partition_ = c.partition;

  stiffness_ = StencilMatrix::zeros(nx, ny, nz, px, py);
  capacity_.assign(n, 0.0);
  sink_coefficient_.assign(n, 0.0);
  source_rate_.assign(n, 0.0);
  const double hx2 = 0.5 * g.hx_m(), hy2 = 0.5 * g.hy_m();
  const auto ncol = static_cast<Index>(nx * ny);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
  for (Index col = 0; col < ncol; ++col) {
    const std::size_t i = static_cast<std::size_t>(col) % nx, j = static_cast<std::size_t>(col) / nx;
    const std::size_t ip = (i + 1) % nx, jp = (j + 1) % ny;
    const bool has_xp = nx > 1 && (i + 1 < nx || px), has_yp = ny > 1 && (j + 1 < ny || py) && !axi;
    for (std::size_t k = 0; k < nz; ++k) {
      const std::size_t p = g.index(i, j, k);
      const double v = g.volume_m3(i, k);
      capacity_[p] = v * c.partition[p];
      if (!c.sink_per_s.empty()) sink_coefficient_[p] = c.sink_per_s[p] * capacity_[p];
      if (!c.source.empty()) source_rate_[p] = c.source[p] * v;
      if (has_xp) {
        const std::size_t q = g.index(ip, j, k);
        // The face between i and i + 1; for the periodic wrap it is face nx (= face 0 by symmetry).
        stiffness_.cx[p] = transmissibility(g.x_face_area_m2(i + 1, k), hx2, dk[p], hx2, dk[q]);
      }
      if (has_yp) {
        const std::size_t q = g.index(i, jp, k);
        stiffness_.cy[p] = transmissibility(g.y_face_area_m2(k), hy2, dk[p], hy2, dk[q]);
      }
      if (k + 1 < nz) {
        stiffness_.cz[p] =
            transmissibility(g.horizontal_area_m2(i), 0.5 * g.dz_m(k), dk[p], 0.5 * g.dz_m(k + 1), dk[p + 1]);
      }
    }
  }

  load_ = source_rate_;
  for (std::size_t p = 0; p < n; ++p) stiffness_.excess[p] = sink_coefficient_[p];
  for (std::size_t f = 0; f < kBoxFaces; ++f) {
    const auto face = static_cast<BoxFace>(f);
    const auto& bc = c.boundary[f];
    auto& fd = faces_[f];
    const std::size_t m = g.face_cells(face);
    fd.t.assign(m, 0.0);
    fd.u.assign(m, 0.0);
    if (bc.kind == BoundaryKind::zero_flux || bc.kind == BoundaryKind::periodic) continue;
    for (std::size_t e = 0; e < m; ++e) {
      const std::size_t p = g.face_cell(face, e);
      const std::size_t k = p % nz, i = (p / nz) % nx;
      double area = 0, half = 0;
      if (is_x(face)) {
        area = g.x_face_area_m2(face == BoxFace::x_min ? 0 : nx, k);
        half = hx2;
      } else if (is_y(face)) {
        area = g.y_face_area_m2(k);
        half = hy2;
      } else {
        area = g.horizontal_area_m2(i);
        half = 0.5 * g.dz_m(k);
      }
      const double value = bc.values.empty() ? bc.value : bc.values[e];
      if (bc.kind == BoundaryKind::dirichlet || bc.kind == BoundaryKind::dirichlet_potential) {
        fd.t[e] = area * dk[p] / half;
        fd.u[e] = bc.kind == BoundaryKind::dirichlet ? value / c.partition[p] : value;
      } else {
        const double h = bc.h_values_m_per_s.empty() ? bc.h_m_per_s : bc.h_values_m_per_s[e];
        fd.t[e] = h > 0 ? area / (1.0 / h + half / dk[p]) : 0.0;
        fd.u[e] = value;
      }
      // Cells may touch several faces (edges, corners); each face adds its own term, in face order.
      stiffness_.excess[p] += fd.t[e];
      load_[p] += fd.t[e] * fd.u[e];
    }
  }
}

void DiffusionOperator::apply(std::span<const double> u, std::span<double> out) const {
  numerics::apply(stiffness_, u, out);
  const auto n = static_cast<Index>(out.size());
#pragma omp parallel for schedule(static) if (out.size() >= kParallelMin)
  for (Index p = 0; p < n; ++p)
    out[static_cast<std::size_t>(p)] = load_[static_cast<std::size_t>(p)] - out[static_cast<std::size_t>(p)];
}

StencilMatrix DiffusionOperator::system_matrix(double sigma_per_s) const {
  if (!finite_nonneg(sigma_per_s)) precondition_failed("system_matrix needs a finite sigma >= 0");
  StencilMatrix m = stiffness_;
  const auto n = static_cast<detail::Index>(m.excess.size());
  double* excess = m.excess.data();
  const double* capacity = capacity_.data();
#pragma omp parallel for schedule(static) if (m.excess.size() >= detail::kParallelMin)
  for (detail::Index p = 0; p < n; ++p) excess[p] += sigma_per_s * capacity[p];
  return m;
}

FluxRates DiffusionOperator::fluxes(std::span<const double> u) const {
  FluxRates r;
  for (std::size_t f = 0; f < kBoxFaces; ++f) {
    const auto& fd = faces_[f];
    double s = 0;
    for (std::size_t e = 0; e < fd.t.size(); ++e) {
      if (fd.t[e] != 0) s += fd.t[e] * (fd.u[e] - u[grid_.face_cell(static_cast<BoxFace>(f), e)]);
    }
    r.boundary_in[f] = s;
  }
  r.sink = dot(sink_coefficient_, u);
  r.source = sum(source_rate_);
  return r;
}

double DiffusionOperator::mass(std::span<const double> u) const { return dot(capacity_, u); }

std::vector<double> DiffusionOperator::concentration(std::span<const double> u) const {
  std::vector<double> c(u.size());
  for (std::size_t p = 0; p < u.size(); ++p) c[p] = partition_[p] * u[p];
  return c;
}

}  // namespace nw::numerics
