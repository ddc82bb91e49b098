#pragma once
// Concentration fields of the transport stage as HDF5 with an XDMF 3 sidecar, the pair that
// ParaView's Xdmf3 reader (and VisIt) open as a time series.
//
// HDF5 file (HDF5 C library; doubles, little-endian IEEE; one file per treated area):
//   /                       attributes: title, active, site, geometry, needlework_version,
//                           coordinate_units "um", concentration_units "ug/cm^3", time_units "h"
//   /time_h                 [nt]      output times after application
//   /grid/x_edges_um        [nx + 1]  cell faces in x; the radius r for the axisymmetric cell
//   /grid/x_centres_um      [nx]      (r_i + r_{i+1}) / 2 for the radius
//   /grid/y_edges_um        [ny + 1]  3D grids only, and /grid/y_centres_um [ny]
//   /grid/z_edges_um        [nz + 1]  depth below the skin surface (a donor film lies at z < 0)
//   /grid/z_centres_um      [nz]
//   /grid/z_layer           [nz]      uint8: layer of each z cell, an index into its `names`
//                                     attribute (comma-separated)
//   /concentration/t<n>     [nz][ny][nx] (3D) or [nz][nx] (axisymmetric): C, the amount of active
//                           per total volume of tissue, ug/cm^3 (= ug/mL), at time_h[n]
//   /potential/t<n>         same shape: the free potential u = C / K, ug/cm^3 (aqueous-equivalent,
//                           continuous across layer interfaces)
// Every dataset carries a `units` attribute; the field datasets also `time_h`. Field arrays are
// in C order with x (r) fastest and z slowest, the order XDMF structured grids use.
//
// XDMF 3 sidecar (xdmf.org, "XDMF Model and Format"): a Domain with one temporal collection
// (Grid GridType="Collection" CollectionType="Temporal") of uniform grids, one per output time,
// each with its Time, a 3DRectMesh topology with VXVYVZ geometry (x, y, depth) or a 2DRectMesh
// with VXVY geometry (r, depth), and the two fields as cell-centred scalar attributes read from
// the .h5 beside it by its file name. Topology Dimensions count points, slowest (z) first.
// Depth grows along ParaView's +Y (2D) or +Z (3D), so the skin surface is at the low end of that
// axis; look along -Y / -Z, or mirror, to see the surface on top.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "needlework/transport/transport.hpp"

namespace nw::io {

/// What the files say about themselves (root attributes and the XDMF Information).
struct FieldsInfo {
  std::string title;   // e.g. "vitamin_c in cheek, area 0"
  std::string active;  // scenario word of the active
  std::string site;
};

/// Where simulate writes the fields of treated area `area` (relative to the output folder,
/// without extension): fields/transport_<area>_<site>.
std::filesystem::path transport_fields_stem(std::size_t area, const std::string& site);

/// The XDMF 3 text describing `fields` as stored by write_fields() in the HDF5 file named
/// `h5_file_name` (a file name relative to the .xmf, e.g. "transport_0_cheek.h5").
/// Precondition (else Error internal): the grid and every snapshot have consistent sizes.
std::string fields_xdmf(const transport::TransportFields& fields, const std::string& h5_file_name,
                        const FieldsInfo& info);

/// Writes `stem`.h5 and `stem`.xmf, each atomically (temporary file and rename; the folder is
/// created if needed). Returns the two paths. Throws core::Error io_write naming the file that
/// could not be written (HDF5 failures included), internal for inconsistent sizes.
std::vector<std::filesystem::path> write_fields(const std::filesystem::path& stem,
                                                const transport::TransportFields& fields, const FieldsInfo& info);

}  // namespace nw::io
