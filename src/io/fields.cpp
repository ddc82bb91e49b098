// Concentration fields as HDF5 + XDMF 3 (layout in fields.hpp).
//
// The HDF5 file is built in memory (core driver without a backing store), its image taken with
// H5Fget_file_image and written with write_file_atomically, so a failed run never leaves half a
// file and every output goes through the same writer. The HDF5 library's own error printing is
// switched off while it works (library code never prints); failures become Error io_write.

#include "needlework/io/fields.hpp"
#include "needlework/core/text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "needlework/core/build_info.hpp"
#include "needlework/core/error.hpp"
#include "needlework/io/provenance.hpp"

namespace nw::io {

namespace {

// Unit conversions of the files: coordinates in um, concentrations in ug/cm^3.
constexpr double kUmPerM = 1e6;
constexpr double kUgPerCm3PerKgPerM3 = 1e3;  // 1 kg/m^3 = 1e9 ug / 1e6 cm^3
constexpr double kSecondsPerHour = 3600.0;

[[noreturn]] void invalid(const std::string& what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("fields: {}", what)));
}

void check_sizes(const transport::TransportFields& f) {
  const auto& g = f.grid;
  if (g.nx() == 0 || g.nz() == 0) invalid("the grid needs at least one cell in x and z");
  if (g.axisymmetric != g.y_edges_m.empty()) invalid("y edges are given exactly for 3D grids");
  if (g.z_layer.size() != g.nz()) invalid("one layer name per z cell");
  if (f.snapshots.empty()) invalid("no snapshot to write");
  for (const auto& s : f.snapshots) {
    if (s.concentration_kg_per_m3.size() != g.cells() || s.potential_kg_per_m3.size() != g.cells()) {
      invalid(fmt::format("a snapshot has {} values for {} cells", s.concentration_kg_per_m3.size(), g.cells()));
    }
  }
}

// Names of the time datasets, zero-padded so that they sort in time order.
std::string time_name(std::size_t n, std::size_t count) {
  const auto width = fmt::format("{}", count > 0 ? count - 1 : 0).size();
  return fmt::format("t{:0{}}", n, width);
}

std::vector<double> scaled(const std::vector<double>& v, double factor) {
  std::vector<double> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(), [factor](double x) { return x * factor; });
  return out;
}

std::vector<double> centres(const std::vector<double>& edges) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 1 < edges.size(); ++i) out.push_back(0.5 * (edges[i] + edges[i + 1]));
  return out;
}

// From the transport ordering (z fastest, p = k + nz (i + nx j)) to C order [k][j][i] (x
// fastest), scaled.
std::vector<double> x_fastest(const transport::FieldGrid& g, const std::vector<double>& v, double factor) {
  const std::size_t nx = g.nx(), ny = g.ny(), nz = g.nz();
  std::vector<double> out(v.size());
  for (std::size_t k = 0; k < nz; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i) out[(k * ny + j) * nx + i] = v[k + nz * (i + nx * j)] * factor;
  return out;
}

// Shape of a field dataset, slowest first.
std::vector<std::size_t> field_shape(const transport::FieldGrid& g) {
  if (g.axisymmetric) return {g.nz(), g.nx()};
  return {g.nz(), g.ny(), g.nx()};
}

// ---- HDF5 --------------------------------------------------------------------------------

// Switches the HDF5 library's automatic error printing off for the lifetime of the object.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  QuietHdf5(const QuietHdf5&) = delete;
  QuietHdf5& operator=(const QuietHdf5&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

// An HDF5 identifier closed on scope exit.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(Id&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  Id& operator=(Id&&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

class H5Builder {
 public:
  explicit H5Builder(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    core::raise(core::ErrorCode::io_write, fmt::arg("path", path_), fmt::arg("reason", fmt::format("HDF5: {}", what)));
  }
  void check(bool ok, const std::string& what) const {
    if (!ok) fail(what);
  }

  void string_attribute(hid_t object, const char* name, const std::string& value) const {
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    check(type.ok() && H5Tset_size(type.get(), std::max<std::size_t>(value.size(), 1)) >= 0 &&
              H5Tset_strpad(type.get(), H5T_STR_NULLPAD) >= 0,
          fmt::format("string type of attribute '{}'", name));
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const std::string padded = value.empty() ? std::string(1, '\0') : value;
    check(attr.ok() && H5Awrite(attr.get(), type.get(), padded.data()) >= 0,
          fmt::format("writing attribute '{}'", name));
  }

  void double_attribute(hid_t object, const char* name, double value) const {
    Id space(H5Screate(H5S_SCALAR), H5Sclose);
    Id attr(H5Acreate2(object, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    check(attr.ok() && H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value) >= 0,
          fmt::format("writing attribute '{}'", name));
  }

  // A dataset of doubles with its `units` (and `time_h`) attribute.
  void doubles(hid_t parent, const std::string& name, const std::vector<std::size_t>& shape,
               const std::vector<double>& values, const std::string& units, const double* time_h = nullptr) const {
    std::vector<hsize_t> dims(shape.begin(), shape.end());
    Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Id set(H5Dcreate2(parent, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose);
    check(space.ok() && set.ok(), fmt::format("creating dataset '{}'", name));
    check(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0,
          fmt::format("writing dataset '{}'", name));
    string_attribute(set.get(), "units", units);
    if (time_h) double_attribute(set.get(), "time_h", *time_h);
  }

  void bytes(hid_t parent, const std::string& name, const std::vector<std::uint8_t>& values,
             const std::string& names) const {
    const hsize_t dims[1] = {values.size()};
    Id space(H5Screate_simple(1, dims, nullptr), H5Sclose);
    Id set(H5Dcreate2(parent, name.c_str(), H5T_STD_U8LE, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
           H5Dclose);
    check(space.ok() && set.ok(), fmt::format("creating dataset '{}'", name));
    check(H5Dwrite(set.get(), H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0,
          fmt::format("writing dataset '{}'", name));
    string_attribute(set.get(), "names", names);
  }

  Id group(hid_t parent, const char* name) const {
    Id g(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    check(g.ok(), fmt::format("creating group '{}'", name));
    return g;
  }

 private:
  std::string path_;
};

// The whole HDF5 file as bytes.
std::string hdf5_image(const std::string& path, const transport::TransportFields& f, const FieldsInfo& info) {
  const QuietHdf5 quiet;
  const H5Builder h5(path);
  const auto& g = f.grid;
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  h5.check(fapl.ok() && H5Pset_fapl_core(fapl.get(), 1 << 16, false) >= 0, "in-memory file driver");
  // With no backing store the name only identifies the file inside the library.
  const std::string image_name = path + ".image";
  Id file(H5Fcreate(image_name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), H5Fclose);
  h5.check(file.ok(), "creating the file");
  const hid_t root = file.get();

  h5.string_attribute(root, "title", info.title);
  h5.string_attribute(root, "active", info.active);
  h5.string_attribute(root, "site", info.site);
  h5.string_attribute(root, "geometry", std::string(transport::to_string(f.geometry)));
  h5.string_attribute(root, "needlework_version", core::build_info().version);
  h5.string_attribute(root, "coordinate_units", "um");
  h5.string_attribute(root, "concentration_units", "ug/cm^3");
  h5.string_attribute(root, "time_units", "h");
  h5.string_attribute(
      root, "description",
      "concentration C (amount per total tissue volume) and free potential u = C / K of the topical active on the "
      "transport grid; z is the depth below the skin surface (a donor film lies at z < 0); axisymmetric cells have "
      "x = r from the channel axis and no y");

  std::vector<double> times_h;
  for (const auto& s : f.snapshots) times_h.push_back(s.time.si() / kSecondsPerHour);
  h5.doubles(root, "time_h", {times_h.size()}, times_h, "h");

  {
    const Id grid = h5.group(root, "grid");
    const auto axis = [&](const char* name, const std::vector<double>& edges_m) {
      const auto edges = scaled(edges_m, kUmPerM);
      const auto mid = centres(edges);
      h5.doubles(grid.get(), fmt::format("{}_edges_um", name), {edges.size()}, edges, "um");
      h5.doubles(grid.get(), fmt::format("{}_centres_um", name), {mid.size()}, mid, "um");
    };
    axis("x", g.x_edges_m);
    if (!g.axisymmetric) axis("y", g.y_edges_m);
    axis("z", g.z_edges_m);
    std::vector<std::string> names;
    std::vector<std::uint8_t> layer;
    for (const auto& l : g.z_layer) {
      auto it = std::find(names.begin(), names.end(), l);
      if (it == names.end()) it = names.insert(names.end(), l);
      layer.push_back(static_cast<std::uint8_t>(it - names.begin()));
    }
    h5.bytes(grid.get(), "z_layer", layer, fmt::format("{}", fmt::join(names, ",")));
  }

  const auto shape = field_shape(g);
  const Id conc = h5.group(root, "concentration");
  const Id pot = h5.group(root, "potential");
  for (std::size_t n = 0; n < f.snapshots.size(); ++n) {
    const auto& s = f.snapshots[n];
    const auto name = time_name(n, f.snapshots.size());
    h5.doubles(conc.get(), name, shape, x_fastest(g, s.concentration_kg_per_m3, kUgPerCm3PerKgPerM3), "ug/cm^3",
               &times_h[n]);
    h5.doubles(pot.get(), name, shape, x_fastest(g, s.potential_kg_per_m3, kUgPerCm3PerKgPerM3), "ug/cm^3",
               &times_h[n]);
  }

  h5.check(H5Fflush(root, H5F_SCOPE_GLOBAL) >= 0, "flushing the file");
  const ssize_t size = H5Fget_file_image(root, nullptr, 0);
  h5.check(size > 0, "taking the file image");
  std::string image(static_cast<std::size_t>(size), '\0');
  h5.check(H5Fget_file_image(root, image.data(), image.size()) == size, "copying the file image");
  return image;
}

// ---- XDMF ---------------------------------------------------------------------------------

std::string dims_text(const std::vector<std::size_t>& shape) { return fmt::format("{}", fmt::join(shape, " ")); }

std::string data_item(const std::string& h5, const std::string& dataset, const std::vector<std::size_t>& shape,
                      const char* name = nullptr) {
  return fmt::format(R"(<DataItem{} Dimensions="{}" NumberType="Float" Precision="8" Format="HDF">{}:{}</DataItem>)",
                     name ? fmt::format(R"( Name="{}")", name) : std::string(), dims_text(shape), core::xml_escape(h5),
                     dataset);
}

}  // namespace

std::filesystem::path transport_fields_stem(std::size_t area, const std::string& site) {
  return std::filesystem::path("fields") / fmt::format("transport_{}_{}", area, site);
}

std::string fields_xdmf(const transport::TransportFields& f, const std::string& h5_file_name, const FieldsInfo& info) {
  check_sizes(f);
  const auto& g = f.grid;
  const auto shape = field_shape(g);
  auto points = shape;
  for (auto& n : points) ++n;
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<Xdmf Version=\"3.0\" xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n"
      "  <Domain>\n"
      "    <Information Name=\"title\" Value=\"{}\"/>\n"
      "    <Information Name=\"units\" Value=\"coordinates um (z: depth below the skin surface), time h, "
      "concentration and potential ug/cm^3\"/>\n"
      "    <Grid Name=\"transport\" GridType=\"Collection\" CollectionType=\"Temporal\">\n",
      core::xml_escape(info.title));
  for (std::size_t n = 0; n < f.snapshots.size(); ++n) {
    const auto name = time_name(n, f.snapshots.size());
    out += fmt::format("      <Grid Name=\"{}\" GridType=\"Uniform\">\n", name);
    out += fmt::format("        <Time Value=\"{}\"/>\n", f.snapshots[n].time.si() / kSecondsPerHour);
    if (g.axisymmetric) {
      out += fmt::format("        <Topology TopologyType=\"2DRectMesh\" Dimensions=\"{}\"/>\n", dims_text(points));
      out += "        <Geometry GeometryType=\"VXVY\">\n";
      out += "          " + data_item(h5_file_name, "/grid/x_edges_um", {g.nx() + 1}, "r") + "\n";
      out += "          " + data_item(h5_file_name, "/grid/z_edges_um", {g.nz() + 1}, "depth") + "\n";
    } else {
      out += fmt::format("        <Topology TopologyType=\"3DRectMesh\" Dimensions=\"{}\"/>\n", dims_text(points));
      out += "        <Geometry GeometryType=\"VXVYVZ\">\n";
      out += "          " + data_item(h5_file_name, "/grid/x_edges_um", {g.nx() + 1}, "x") + "\n";
      out += "          " + data_item(h5_file_name, "/grid/y_edges_um", {g.ny() + 1}, "y") + "\n";
      out += "          " + data_item(h5_file_name, "/grid/z_edges_um", {g.nz() + 1}, "depth") + "\n";
    }
    out += "        </Geometry>\n";
    for (const auto& [field, group] :
         {std::pair{"concentration_ug_per_cm3", "concentration"}, std::pair{"potential_ug_per_cm3", "potential"}}) {
      out += fmt::format("        <Attribute Name=\"{}\" AttributeType=\"Scalar\" Center=\"Cell\">\n", field);
      out += "          " + data_item(h5_file_name, fmt::format("/{}/{}", group, name), shape) + "\n";
      out += "        </Attribute>\n";
    }
    out += "      </Grid>\n";
  }
  out += "    </Grid>\n  </Domain>\n</Xdmf>\n";
  return out;
}

std::vector<std::filesystem::path> write_fields(const std::filesystem::path& stem,
                                                const transport::TransportFields& fields, const FieldsInfo& info) {
  check_sizes(fields);
  auto h5 = stem;
  h5 += ".h5";
  auto xmf = stem;
  xmf += ".xmf";
  write_file_atomically(h5, hdf5_image(h5.string(), fields, info));
  write_file_atomically(xmf, fields_xdmf(fields, h5.filename().string(), info));
  return {h5, xmf};
}

}  // namespace nw::io
