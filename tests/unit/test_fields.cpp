// Concentration fields: the transport snapshots (TransportOptions::keep_fields) and their HDF5 +
// XDMF 3 files (io/fields.hpp). The HDF5 file is read back with the HDF5 C API and the XDMF is
// parsed with expat; every dataset the XDMF names must exist in the HDF5 file with the shape the
// XDMF states.

#include <expat.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "needlework/core/error.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/fields.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/transport/transport.hpp"
#include "test_support.hpp"

namespace nw {
namespace {

namespace fs = std::filesystem;
using core::units::cm2;
using core::units::h;
using core::units::uL;
using core::units::yr;

// ---- a minimal DOM over expat ---------------------------------------------------------------

struct XmlNode {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;
  std::vector<std::unique_ptr<XmlNode>> children;
  XmlNode* parent = nullptr;

  std::vector<const XmlNode*> all(const std::string& tag) const {
    std::vector<const XmlNode*> out;
    for (const auto& c : children)
      if (c->name == tag) out.push_back(c.get());
    return out;
  }
  const XmlNode& one(const std::string& tag) const {
    const auto v = all(tag);
    if (v.size() != 1) throw std::runtime_error(name + " has " + std::to_string(v.size()) + " <" + tag + ">");
    return *v.front();
  }
  std::string attr(const std::string& key) const {
    const auto it = attributes.find(key);
    return it == attributes.end() ? std::string() : it->second;
  }
};

XmlNode parse_xml(const std::string& text) {
  XmlNode root;
  XmlNode* current = &root;
  XML_Parser p = XML_ParserCreate(nullptr);
  XML_SetUserData(p, &current);
  XML_SetElementHandler(
      p,
      [](void* data, const XML_Char* name, const XML_Char** attrs) {
        auto*& cur = *static_cast<XmlNode**>(data);
        auto node = std::make_unique<XmlNode>();
        node->name = name;
        node->parent = cur;
        for (int i = 0; attrs[i]; i += 2) node->attributes[attrs[i]] = attrs[i + 1];
        cur->children.push_back(std::move(node));
        cur = cur->children.back().get();
      },
      [](void* data, const XML_Char*) {
        auto*& cur = *static_cast<XmlNode**>(data);
        cur = cur->parent;
      });
  XML_SetCharacterDataHandler(p, [](void* data, const XML_Char* s, int len) {
    (*static_cast<XmlNode**>(data))->text.append(s, static_cast<std::size_t>(len));
  });
  const bool ok = XML_Parse(p, text.data(), static_cast<int>(text.size()), 1) == XML_STATUS_OK;
  const std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(p));
  const auto line = XML_GetCurrentLineNumber(p);
  XML_ParserFree(p);
  if (!ok) throw std::runtime_error("XML line " + std::to_string(line) + ": " + error);
  return root;
}

std::string trimmed(const std::string& s) {
  const auto a = s.find_first_not_of(" \n\t"), b = s.find_last_not_of(" \n\t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::vector<std::size_t> numbers(const std::string& text) {
  std::vector<std::size_t> out;
  std::istringstream in(text);
  for (std::size_t n; in >> n;) out.push_back(n);
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// ---- reading HDF5 back -------------------------------------------------------------------------

class H5File {
 public:
  explicit H5File(const fs::path& p) : id_(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)) {
    if (id_ < 0) throw std::runtime_error("cannot open " + p.string());
  }
  ~H5File() { H5Fclose(id_); }
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;

  bool has(const std::string& path) const { return H5Lexists(id_, path.c_str(), H5P_DEFAULT) > 0; }
  std::vector<std::size_t> shape(const std::string& path) const {
    const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    if (d < 0) throw std::runtime_error("no dataset " + path);
    const hid_t s = H5Dget_space(d);
    hsize_t dims[8];
    const int n = H5Sget_simple_extent_dims(s, dims, nullptr);
    H5Sclose(s);
    H5Dclose(d);
    return {dims, dims + n};
  }
  std::vector<double> doubles(const std::string& path) const {
    std::size_t n = 1;
    for (const auto d : shape(path)) n *= d;
    std::vector<double> v(n);
    const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
    return v;
  }
  std::vector<unsigned char> bytes(const std::string& path) const {
    std::vector<unsigned char> v(shape(path).at(0));
    const hid_t d = H5Dopen2(id_, path.c_str(), H5P_DEFAULT);
    H5Dread(d, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(d);
    return v;
  }
  std::string text_attribute(const std::string& object, const std::string& name) const {
    const hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    const hid_t t = H5Aget_type(a);
    std::string v(H5Tget_size(t), '\0');
    H5Aread(a, t, v.data());
    H5Tclose(t);
    H5Aclose(a);
    return v.substr(0, v.find('\0'));
  }
  double double_attribute(const std::string& object, const std::string& name) const {
    const hid_t a = H5Aopen_by_name(id_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0) throw std::runtime_error("no attribute " + object + "@" + name);
    double v = 0;
    H5Aread(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    return v;
  }

 private:
  hid_t id_;
};

// ---- fields built by hand ------------------------------------------------------------------------

// A field whose value tells where it is: C = 1000 k + 100 j + 10 i + n (kg/m^3) at cell (i, j, k)
// of snapshot n, u = C / 2; stored z fastest like the transport stage.
transport::TransportFields made_field(bool axisymmetric, std::size_t nx, std::size_t ny, std::size_t nz,
                                      std::size_t times) {
  transport::TransportFields f;
  f.geometry = axisymmetric ? transport::Geometry::axisymmetric_cell : transport::Geometry::unit_cell_3d;
  auto& g = f.grid;
  g.axisymmetric = axisymmetric;
  for (std::size_t i = 0; i <= nx; ++i) g.x_edges_m.push_back(5e-6 * static_cast<double>(i));
  if (!axisymmetric)
    for (std::size_t j = 0; j <= ny; ++j) g.y_edges_m.push_back(7e-6 * static_cast<double>(j));
  for (std::size_t k = 0; k <= nz; ++k) g.z_edges_m.push_back(-20e-6 + 1e-5 * static_cast<double>(k * k));
  const char* layers[] = {"donor", "stratum_corneum", "viable_epidermis", "papillary_dermis"};
  for (std::size_t k = 0; k < nz; ++k) g.z_layer.emplace_back(layers[std::min<std::size_t>(k, 3)]);
  const std::size_t cy = axisymmetric ? 1 : ny;
  for (std::size_t n = 0; n < times; ++n) {
    transport::FieldSnapshot s;
    s.time = (0.5 * static_cast<double>(n + 1)) * h;
    s.concentration_kg_per_m3.resize(nx * cy * nz);
    s.potential_kg_per_m3.resize(nx * cy * nz);
    for (std::size_t j = 0; j < cy; ++j)
      for (std::size_t i = 0; i < nx; ++i)
        for (std::size_t k = 0; k < nz; ++k) {
          const double c = 1000.0 * static_cast<double>(k) + 100.0 * static_cast<double>(j) +
                           10.0 * static_cast<double>(i) + static_cast<double>(n);
          s.concentration_kg_per_m3[k + nz * (i + nx * j)] = c;
          s.potential_kg_per_m3[k + nz * (i + nx * j)] = c / 2;
        }
    f.snapshots.push_back(std::move(s));
  }
  return f;
}

fs::path scratch(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("nw_fields_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

const io::FieldsInfo kInfo{"test field", "caffeine", "cheek"};

TEST(Fields, Hdf5ReadsBackWithTheValuesShapesAndAttributesWritten) {
  const std::size_t nx = 3, ny = 2, nz = 4, nt = 3;
  const auto f = made_field(false, nx, ny, nz, nt);
  const auto dir = scratch("3d");
  const auto files = io::write_fields(dir / "fields" / "area", f, kInfo);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir / "fields" / "area.h5");
  EXPECT_EQ(files[1], dir / "fields" / "area.xmf");

  const H5File h5(files[0]);
  EXPECT_EQ(h5.text_attribute("/", "active"), "caffeine");
  EXPECT_EQ(h5.text_attribute("/", "site"), "cheek");
  EXPECT_EQ(h5.text_attribute("/", "title"), "test field");
  EXPECT_EQ(h5.text_attribute("/", "geometry"), "unit_cell_3d");
  EXPECT_EQ(h5.text_attribute("/", "concentration_units"), "ug/cm^3");
  EXPECT_EQ(h5.text_attribute("/", "coordinate_units"), "um");

  EXPECT_EQ(h5.doubles("/time_h"), (std::vector<double>{0.5, 1.0, 1.5}));
  EXPECT_EQ(h5.text_attribute("/time_h", "units"), "h");
  // Coordinates in um: edges as given, centres the midpoints.
  const auto x = h5.doubles("/grid/x_edges_um");
  ASSERT_EQ(x.size(), nx + 1);
  for (std::size_t i = 0; i <= nx; ++i) EXPECT_NEAR(x[i], 5.0 * static_cast<double>(i), 1e-12);
  const auto y = h5.doubles("/grid/y_centres_um");
  ASSERT_EQ(y.size(), ny);
  EXPECT_NEAR(y[1], 10.5, 1e-12);
  const auto z = h5.doubles("/grid/z_edges_um");
  ASSERT_EQ(z.size(), nz + 1);
  EXPECT_NEAR(z[0], -20.0, 1e-12);
  EXPECT_NEAR(z[3], -20.0 + 90.0, 1e-12);
  EXPECT_EQ(h5.text_attribute("/grid/z_edges_um", "units"), "um");
  // Layers: an index per z cell into the names attribute.
  EXPECT_EQ(h5.text_attribute("/grid/z_layer", "names"), "donor,stratum_corneum,viable_epidermis,papillary_dermis");
  EXPECT_EQ(h5.bytes("/grid/z_layer"), (std::vector<unsigned char>{0, 1, 2, 3}));

  // Fields: [nz][ny][nx], x fastest, kg/m^3 -> ug/cm^3 (x 1000).
  for (std::size_t n = 0; n < nt; ++n) {
    const auto name = "/concentration/t" + std::to_string(n);
    ASSERT_EQ(h5.shape(name), (std::vector<std::size_t>{nz, ny, nx}));
    EXPECT_EQ(h5.text_attribute(name, "units"), "ug/cm^3");
    EXPECT_DOUBLE_EQ(h5.double_attribute(name, "time_h"), 0.5 * static_cast<double>(n + 1));
    const auto c = h5.doubles(name);
    const auto u = h5.doubles("/potential/t" + std::to_string(n));
    for (std::size_t k = 0; k < nz; ++k)
      for (std::size_t j = 0; j < ny; ++j)
        for (std::size_t i = 0; i < nx; ++i) {
          const double expected = 1000.0 * (1000.0 * static_cast<double>(k) + 100.0 * static_cast<double>(j) +
                                            10.0 * static_cast<double>(i) + static_cast<double>(n));
          EXPECT_DOUBLE_EQ(c[(k * ny + j) * nx + i], expected) << name << " at " << i << "," << j << "," << k;
          EXPECT_DOUBLE_EQ(u[(k * ny + j) * nx + i], expected / 2);
        }
  }
  // Atomic writes leave no temporary file behind.
  for (const auto& e : fs::directory_iterator(dir / "fields")) EXPECT_NE(e.path().extension(), ".tmp") << e.path();
  fs::remove_all(dir);
}

// Every HDF DataItem of the XDMF names the .h5 beside it and a dataset of exactly its Dimensions.
void expect_xdmf_matches_hdf5(const fs::path& xmf, const fs::path& h5_path, const transport::TransportFields& f) {
  const auto doc = parse_xml(read_text(xmf));
  const H5File h5(h5_path);
  const auto& xdmf = doc.one("Xdmf");
  EXPECT_EQ(xdmf.attr("Version"), "3.0");
  const auto& collection = xdmf.one("Domain").one("Grid");
  EXPECT_EQ(collection.attr("GridType"), "Collection");
  EXPECT_EQ(collection.attr("CollectionType"), "Temporal");
  const auto grids = collection.all("Grid");
  ASSERT_EQ(grids.size(), f.snapshots.size());
  const auto& g = f.grid;
  const std::vector<std::size_t> cells =
      g.axisymmetric ? std::vector<std::size_t>{g.nz(), g.nx()} : std::vector<std::size_t>{g.nz(), g.ny(), g.nx()};
  int items = 0;
  for (std::size_t n = 0; n < grids.size(); ++n) {
    const auto& grid = *grids[n];
    EXPECT_EQ(grid.attr("GridType"), "Uniform");
    EXPECT_DOUBLE_EQ(std::stod(grid.one("Time").attr("Value")), f.snapshots[n].time.in(h));
    const auto& topology = grid.one("Topology");
    EXPECT_EQ(topology.attr("TopologyType"), g.axisymmetric ? "2DRectMesh" : "3DRectMesh");
    std::vector<std::size_t> points;
    for (const auto c : cells) points.push_back(c + 1);
    EXPECT_EQ(numbers(topology.attr("Dimensions")), points);  // points, slowest (z) first
    const auto& geometry = grid.one("Geometry");
    EXPECT_EQ(geometry.attr("GeometryType"), g.axisymmetric ? "VXVY" : "VXVYVZ");
    const auto axes = geometry.all("DataItem");
    // VX, VY(, VZ): x (or r) first, depth last.
    const std::vector<std::string> axis_sets =
        g.axisymmetric ? std::vector<std::string>{"/grid/x_edges_um", "/grid/z_edges_um"}
                       : std::vector<std::string>{"/grid/x_edges_um", "/grid/y_edges_um", "/grid/z_edges_um"};
    ASSERT_EQ(axes.size(), axis_sets.size());
    for (std::size_t a = 0; a < axes.size(); ++a) {
      EXPECT_EQ(trimmed(axes[a]->text), h5_path.filename().string() + ":" + axis_sets[a]);
    }
    const auto attributes = grid.all("Attribute");
    ASSERT_EQ(attributes.size(), 2u);
    for (const auto* attribute : attributes) {
      EXPECT_EQ(attribute->attr("Center"), "Cell");
      EXPECT_EQ(attribute->attr("AttributeType"), "Scalar");
      const auto& item = attribute->one("DataItem");
      EXPECT_EQ(numbers(item.attr("Dimensions")), cells);
      EXPECT_EQ(trimmed(item.text),
                h5_path.filename().string() + ":/" +
                    (attribute->attr("Name") == "concentration_ug_per_cm3" ? "concentration" : "potential") + "/t" +
                    std::to_string(n));
    }
    // Every data item: the named dataset exists with the stated dimensions.
    std::vector<const XmlNode*> all_items(axes.begin(), axes.end());
    for (const auto* attribute : attributes) all_items.push_back(&attribute->one("DataItem"));
    for (const auto* item : all_items) {
      EXPECT_EQ(item->attr("Format"), "HDF");
      EXPECT_EQ(item->attr("NumberType"), "Float");
      EXPECT_EQ(item->attr("Precision"), "8");
      const auto ref = trimmed(item->text);
      const auto colon = ref.find(':');
      ASSERT_NE(colon, std::string::npos) << ref;
      EXPECT_EQ(ref.substr(0, colon), h5_path.filename().string());
      const auto dataset = ref.substr(colon + 1);
      ASSERT_TRUE(h5.has(dataset)) << dataset;
      EXPECT_EQ(h5.shape(dataset), numbers(item->attr("Dimensions"))) << dataset;
      ++items;
    }
  }
  EXPECT_EQ(items, static_cast<int>(grids.size() * (g.axisymmetric ? 4 : 5)));
}

TEST(Fields, XdmfOf3DFieldIsATemporalCollectionOf3DRectMeshes) {
  const auto f = made_field(false, 3, 2, 4, 3);
  const auto dir = scratch("xdmf3d");
  const auto files = io::write_fields(dir / "f3d", f, kInfo);
  expect_xdmf_matches_hdf5(files[1], files[0], f);
  fs::remove_all(dir);
}

TEST(Fields, XdmfOfAxisymmetricFieldIsA2DRectMeshInRAndDepth) {
  const std::size_t nx = 5, nz = 3;
  const auto f = made_field(true, nx, 1, nz, 2);
  const auto dir = scratch("xdmf2d");
  const auto files = io::write_fields(dir / "f2d", f, kInfo);
  expect_xdmf_matches_hdf5(files[1], files[0], f);
  const H5File h5(files[0]);
  EXPECT_FALSE(h5.has("/grid/y_edges_um"));
  EXPECT_EQ(h5.text_attribute("/", "geometry"), "axisymmetric_cell");
  const auto c = h5.doubles("/concentration/t1");
  ASSERT_EQ(c.size(), nx * nz);
  EXPECT_DOUBLE_EQ(c[2 * nx + 4], 1000.0 * (2000.0 + 40.0 + 1.0));  // k = 2, i = 4, n = 1
  // The XDMF names the .h5 by file name only, so the folder can be moved.
  EXPECT_EQ(io::fields_xdmf(f, "f2d.h5", kInfo), read_text(files[1]));
  fs::remove_all(dir);
}

TEST(Fields, UnwritableFolderIsIoWriteNamingTheFile) {
  const auto f = made_field(false, 2, 2, 2, 1);
  try {
    io::write_fields("/proc/needlework_cannot_write_here/f", f, kInfo);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::io_write);
    EXPECT_NE(std::string(e.what()).find("/proc/needlework_cannot_write_here/f.h5"), std::string::npos) << e.what();
  }
}

TEST(Fields, InconsistentSizesAreAnInternalError) {
  auto f = made_field(false, 2, 2, 2, 2);
  f.snapshots[1].potential_kg_per_m3.pop_back();
  const auto dir = scratch("bad");
  try {
    io::write_fields(dir / "f", f, kInfo);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::internal);
  }
  EXPECT_FALSE(fs::exists(dir / "f.h5"));
  f = made_field(true, 2, 1, 2, 1);
  f.grid.z_layer.pop_back();
  EXPECT_THROW(io::fields_xdmf(f, "f.h5", kInfo), core::Error);
  EXPECT_THROW(io::fields_xdmf(made_field(true, 2, 1, 2, 0), "f.h5", kInfo), core::Error);
}

// ---- snapshots of the transport stage ---------------------------------------------------------

transport::TransportInputs pen_inputs() {
  const auto skin = io::bundled_sites().skin_at("cheek", skin::Sex::female, 35 * yr);
  const auto dev = test::device_from_toml("kind = \"pen\"\nneedle_length = \"1.5 mm\"");
  const auto mean = mechanics::mean_channel(skin, dev);
  transport::TransportInputs in;
  in.active = transport::active_from_record(*io::bundled_actives().find("caffeine"), io::bundled_tissue());
  in.skin = skin;
  in.channel = transport::channel_geometry(mean, dev.needle, skin, 3800);
  in.dose = transport::Dose::finite(10 * uL / cm2, core::MassConcentration::from_si(5.0));
  in.duration = 4 * h;
  in.output_times = {1 * h, 4 * h};
  return in;
}

// Sum of C V over the cells of each reported layer, per unit area, against the stage's own
// amounts: the snapshot is the field the amounts come from, in the documented cell order.
void expect_snapshots_integrate_to_amounts(const transport::TransportResult& r, double partition_viable) {
  ASSERT_TRUE(r.fields.has_value());
  const auto& f = *r.fields;
  const auto& g = f.grid;
  ASSERT_EQ(f.snapshots.size(), r.samples.size());
  ASSERT_EQ(g.cells(), r.stats.cells);
  ASSERT_EQ(g.z_layer.size(), g.nz());
  // The skin surface is a cell face at depth 0: the donor above, the stratum corneum below.
  std::size_t first_sc = 0;
  while (first_sc < g.nz() && g.z_layer[first_sc] != "stratum_corneum") ++first_sc;
  ASSERT_LT(first_sc, g.nz());
  EXPECT_NEAR(g.z_edges_m[first_sc], 0.0, 1e-15);
  for (std::size_t k = 0; k < first_sc; ++k) EXPECT_EQ(g.z_layer[k], "donor");
  const double pi = std::acos(-1.0);
  const double r_out = g.x_edges_m.back();
  const double area = g.axisymmetric ? pi * r_out * r_out : r_out * g.y_edges_m.back();
  for (std::size_t n = 0; n < f.snapshots.size(); ++n) {
    const auto& s = f.snapshots[n];
    EXPECT_DOUBLE_EQ(s.time.si(), r.samples[n].time.si());
    std::map<std::string, double> by_layer;
    for (std::size_t j = 0; j < g.ny(); ++j)
      for (std::size_t i = 0; i < g.nx(); ++i)
        for (std::size_t k = 0; k < g.nz(); ++k) {
          const double x0 = g.x_edges_m[i], x1 = g.x_edges_m[i + 1];
          const double plane =
              g.axisymmetric ? pi * (x1 * x1 - x0 * x0) : (x1 - x0) * (g.y_edges_m[j + 1] - g.y_edges_m[j]);
          const std::size_t p = k + g.nz() * (i + g.nx() * j);
          by_layer[g.z_layer[k]] += s.concentration_kg_per_m3[p] * plane * (g.z_edges_m[k + 1] - g.z_edges_m[k]) / area;
          EXPECT_GE(s.potential_kg_per_m3[p], 0.0);
        }
    const auto& a = r.samples[n].amounts;
    const auto close = [](double field, core::ArealMass amount, const char* what) {
      EXPECT_NEAR(field, amount.si(), 1e-9 * std::max(std::abs(amount.si()), 1e-12)) << what;
    };
    close(by_layer["donor"], a.donor, "donor");
    close(by_layer["stratum_corneum"], a.stratum_corneum, "stratum corneum");
    close(by_layer["viable_epidermis"] + by_layer["junction"], a.viable_epidermis, "viable epidermis");
    close(by_layer["papillary_dermis"] + by_layer["reticular_dermis"], a.dermis, "dermis");
    close(by_layer["hypodermis"], a.hypodermis, "hypodermis");
  }
  // Outside the channel the potential is C / K with the tissue's partition: the hypodermis lies
  // below the open channel (1.38 mm) in every column.
  const auto& last = f.snapshots.back();
  std::size_t checked = 0;
  for (std::size_t p = 0; p < g.cells(); ++p) {
    if (g.z_layer[p % g.nz()] != "hypodermis" || last.potential_kg_per_m3[p] <= 0) continue;
    EXPECT_NEAR(last.concentration_kg_per_m3[p] / last.potential_kg_per_m3[p], partition_viable,
                1e-12 * partition_viable);
    ++checked;
  }
  EXPECT_GT(checked, 0u);
}

TEST(FieldSnapshots, AxisymmetricCellSnapshotsIntegrateToTheLayerAmounts) {
  auto opt = transport::TransportOptions::fast();
  opt.keep_fields = true;
  const auto in = pen_inputs();
  const auto r = transport::simulate_transport(in, io::bundled_tissue(), opt);
  ASSERT_TRUE(r.fields.has_value());
  EXPECT_EQ(r.fields->geometry, transport::Geometry::axisymmetric_cell);
  EXPECT_TRUE(r.fields->grid.axisymmetric);
  expect_snapshots_integrate_to_amounts(r, in.active.partition_viable);
}

TEST(FieldSnapshots, UnitCell3DSnapshotsIntegrateToTheLayerAmounts) {
  auto opt = transport::TransportOptions::fast();
  opt.geometry = transport::Geometry::unit_cell_3d;
  opt.lateral_cells = 4;
  opt.reference_intact = false;
  opt.keep_fields = true;
  const auto in = pen_inputs();
  const auto r = transport::simulate_transport(in, io::bundled_tissue(), opt);
  ASSERT_TRUE(r.fields.has_value());
  EXPECT_FALSE(r.fields->grid.axisymmetric);
  EXPECT_EQ(r.fields->grid.nx(), 4u);
  EXPECT_EQ(r.fields->grid.ny(), 4u);
  expect_snapshots_integrate_to_amounts(r, in.active.partition_viable);
}

TEST(FieldSnapshots, OffByDefault) {
  const auto r = transport::simulate_transport(pen_inputs(), io::bundled_tissue(), transport::TransportOptions::fast());
  EXPECT_FALSE(r.fields.has_value());
}

}  // namespace
}  // namespace nw
