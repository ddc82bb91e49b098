#include "needlework/device/device.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "needlework/core/text.hpp"

namespace nw::device {

namespace param = core::param;
using core::ConfigTable;
using core::ErrorCode;
using core::TableSpec;

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::pen:
      return "pen";
    case Kind::roller:
      return "roller";
    case Kind::stamp:
      return "stamp";
    case Kind::none:
      return "none";
  }
  return "none";
}

Length Needle::radius_at(Length zeta) const {
  const Length r = tip_radius + zeta * std::tan(cone_half_angle_rad);
  return std::min(r, shaft_diameter / 2.0);
}

Length Needle::cone_length() const { return (shaft_diameter / 2.0 - tip_radius) / std::tan(cone_half_angle_rad); }

Length Device::min_needle_spacing() const {
  if (kind == Kind::roller) {
    const double along = 3.141592653589793 * drum_diameter.si() / std::max(needles_per_ring, 1);
    const double across = drum_width.si() / std::max(rings, 1);
    return Length::from_si(std::min(along, across));
  }
  double best = 1e9;
  for (std::size_t i = 0; i < needle_offsets_mm.size(); ++i) {
    for (std::size_t j = i + 1; j < needle_offsets_mm.size(); ++j) {
      best = std::min(best, std::hypot(needle_offsets_mm[i][0] - needle_offsets_mm[j][0],
                                       needle_offsets_mm[i][1] - needle_offsets_mm[j][1]));
    }
  }
  return best * core::units::mm;
}

std::vector<std::array<double, 2>> needle_layout(Layout layout, int n, Length footprint) {
  std::vector<std::array<double, 2>> out;
  const double radius_mm = footprint.in(core::units::mm) / 2.0;
  if (n <= 1) return {{0.0, 0.0}};
  if (layout == Layout::circle) {
    // Vogel spiral: equal area per needle, no preferred direction.
    const double golden = 3.141592653589793 * (3.0 - std::sqrt(5.0));
    for (int i = 0; i < n; ++i) {
      const double r = radius_mm * std::sqrt((i + 0.5) / n);
      out.push_back({r * std::cos(i * golden), r * std::sin(i * golden)});
    }
    return out;
  }
  const int side = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const double pitch = 2.0 * radius_mm / side;
  for (int i = 0; i < n; ++i) {
    const int column = i % side, row = i / side;  // integer division: the grid row
    out.push_back({(column - (side - 1) / 2.0) * pitch, (row - (side - 1) / 2.0) * pitch});
  }
  return out;
}

namespace {

std::shared_ptr<const TableSpec> limit_spec(const char* name, core::Dimension d) {
  auto q = [&](const char* key) {
    auto p = core::optional_(param::quantity(key, d, "", "", "", "bound"));
    p.allow_bare = d == core::dim::none;
    return p;
  };
  return std::make_shared<TableSpec>(TableSpec{name,
                                               "setting limits",
                                               {
                                                   q("error_min"),
                                                   q("error_max"),
                                                   q("warn_min"),
                                                   q("warn_max"),
                                                   param::text_list("source", "source ids"),
                                                   param::text("note", "", "remarks"),
                                               }});
}

core::ParamSpec limit(const char* key, core::Dimension d) {
  auto p = param::table(key, limit_spec(key, d), "limits");
  p.required = true;
  return p;
}

core::ParamSpec section(const char* key, std::vector<core::ParamSpec> params) {
  auto p = param::table(key, std::make_shared<TableSpec>(TableSpec{key, key, std::move(params)}), key);
  p.required = true;
  return p;
}

std::vector<core::ParamSpec> needle_params() {
  return {param::measure("shaft_diameter", core::dim::length, "needle shaft diameter"),
          param::measure("tip_radius", core::dim::length, "tip radius"),
          param::measure("cone_half_angle", core::dim::none, "cone half-angle"),
          param::measure("puncture_force", core::dim::force, "force to pierce, per needle"),
          param::measure("puncture_force_cv", core::dim::none, "needle-to-needle spread"),
          param::any("material", "needle material")};
}

std::shared_ptr<const TableSpec> make_spec() {
  auto named = [](const char* name, const std::vector<const char*>& facts) {
    std::vector<core::ParamSpec> params{core::required(param::text("name", std::nullopt, "name"), "\"x\"")};
    for (const char* f : facts) params.push_back(param::fact(f, f));
    return std::make_shared<TableSpec>(TableSpec{name, name, params});
  };
  return std::make_shared<TableSpec>(TableSpec{
      "",
      "needlework device catalogue",
      {
          core::required(param::text("schema", std::nullopt, "format"), "\"needlework-devices/1\""),
          param::any("source", "sources not in calibration.csv or rules.json"),
          section("limits",
                  {
                      section("pen", {limit("needle_length", core::dim::length),
                                      limit("needle_length_label_warning", core::dim::length),
                                      limit("frequency", core::dim::frequency), limit("needles", core::dim::none)}),
                      section("roller", {limit("needle_length", core::dim::length),
                                         limit("home_length", core::dim::length), limit("needles", core::dim::none)}),
                      section("stamp", {limit("needle_length", core::dim::length), limit("needles", core::dim::none)}),
                  }),
          section(
              "operator",
              {
                  section("pen", {param::measure("hand_speed", core::dim::velocity, "hand speed"),
                                  param::measure("passes", core::dim::none, "passes"),
                                  param::measure("pressing_force", core::dim::force, "hand force"),
                                  param::measure("treated_face_area", core::dim::area, "face area")}),
                  section("roller", {param::measure("rolling_speed", core::dim::velocity, "rolling speed"),
                                     param::measure("passes", core::dim::none, "passes"),
                                     param::measure("pressing_force", core::dim::force, "hand force")}),
                  section("stamp", {param::measure("press_speed", core::dim::velocity, "press speed"),
                                    param::measure("presses_per_cm2", core::dim::none, "presses per cm2 per pass")}),
              }),
          section("needle", {section("pen", needle_params()), section("roller", needle_params()),
                             section("stamp", needle_params())}),
          param::table_array(
              "cartridge",
              named("cartridge", {"needles", "layout", "footprint_diameter", "aperture_radius", "needle_kind"}),
              "pen cartridges"),
          param::table_array("pen",
                             named("pen", {"depth_min", "depth_max", "depth_step", "frequency_typical", "frequency_max",
                                           "stroke", "default_cartridge"}),
                             "pens"),
          param::table_array("roller",
                             named("roller", {"needles", "rings", "needles_per_ring", "drum_diameter", "drum_width",
                                              "needle_length_default", "needle_lengths_offered", "handle_length"}),
                             "rollers"),
          param::table_array(
              "stamp", named("stamp", {"needles", "layout", "footprint_diameter", "needle_length_default"}), "stamps"),
      }});
}

Limits read_limits(const ConfigTable& t, bool pen) {
  const auto& len = t.get_table("needle_length");
  const auto& needles = t.get_table("needles");
  Limits l;
  l.length_min = Length::from_si(len.get_quantity("error_min").si);
  l.length_max = Length::from_si(len.get_quantity("error_max").si);
  l.needles_min = static_cast<int>(needles.get_quantity("error_min").si);
  l.needles_max = static_cast<int>(needles.get_quantity("error_max").si);
  const auto bound = [](const ConfigTable& x, const char* key) -> std::optional<double> {
    if (!x.contains(key)) return std::nullopt;
    return x.get_quantity(key).si;
  };
  const auto length = [&](const ConfigTable& x, const char* key) -> std::optional<Length> {
    if (const auto v = bound(x, key)) return Length::from_si(*v);
    return std::nullopt;
  };
  l.length_warn_min = length(len, "warn_min");
  l.length_warn_max = length(len, "warn_max");
  if (const auto v = bound(needles, "warn_min")) l.needles_warn_min = static_cast<int>(*v);
  if (const auto v = bound(needles, "warn_max")) l.needles_warn_max = static_cast<int>(*v);
  if (t.contains("needle_length_label_warning"))
    l.label_length_max = length(t.get_table("needle_length_label_warning"), "warn_max");
  if (t.contains("home_length")) l.home_length_max = length(t.get_table("home_length"), "warn_max");
  if (pen) {
    const auto& f = t.get_table("frequency");
    l.frequency_max = Frequency::from_si(f.get_quantity("error_max").si);
    if (const auto v = bound(f, "warn_min")) l.frequency_warn_min = Frequency::from_si(*v);
    if (const auto v = bound(f, "warn_max")) l.frequency_warn_max = Frequency::from_si(*v);
  }
  return l;
}

Needle read_needle(const ConfigTable& t) {
  return {Length::from_si(core::read_measure(t, "shaft_diameter").mean),
          Length::from_si(core::read_measure(t, "tip_radius").mean), core::read_measure(t, "cone_half_angle").mean,
          Force::from_si(core::read_measure(t, "puncture_force").mean),
          core::read_measure(t, "puncture_force_cv").mean};
}

int fact_int(const ConfigTable& t, const char* key) {
  return static_cast<int>(std::lround(core::read_fact_quantity(t, key, core::dim::none)));
}
Length fact_length(const ConfigTable& t, const char* key) {
  return Length::from_si(core::read_fact_quantity(t, key, core::dim::length));
}
Layout fact_layout(const ConfigTable& t) {
  return core::read_fact_text(t, "layout") == "grid" ? Layout::grid : Layout::circle;
}

template <typename F>
void each(const ConfigTable& v, const char* key, F f) {
  for (const auto& item : v.get_array(key)) f(*item.get_if<ConfigTable>());
}

}  // namespace

const TableSpec& Catalogue::spec() {
  static const auto s = make_spec();
  return *s;
}

Catalogue Catalogue::from_config(const ConfigTable& v) {
  Catalogue c;
  const char* kinds[] = {"pen", "roller", "stamp"};
  for (int i = 0; i < 3; ++i) {
    c.limits[i] = read_limits(v.get_table("limits").get_table(kinds[i]), i == 0);
    c.needles[i] = read_needle(v.get_table("needle").get_table(kinds[i]));
  }
  const auto& op = v.get_table("operator");
  const auto mean = [](const ConfigTable& t, const char* k) { return core::read_measure(t, k).mean; };
  c.operators[0] = {Velocity::from_si(mean(op.get_table("pen"), "hand_speed")),
                    static_cast<int>(std::lround(mean(op.get_table("pen"), "passes"))),
                    Force::from_si(mean(op.get_table("pen"), "pressing_force")), 0.0};
  c.operators[1] = {Velocity::from_si(mean(op.get_table("roller"), "rolling_speed")),
                    static_cast<int>(std::lround(mean(op.get_table("roller"), "passes"))),
                    Force::from_si(mean(op.get_table("roller"), "pressing_force")), 0.0};
  c.operators[2] = {Velocity::from_si(mean(op.get_table("stamp"), "press_speed")), 1, Force::from_si(0.0),
                    mean(op.get_table("stamp"), "presses_per_cm2")};
  each(v, "cartridge", [&](const ConfigTable& t) {
    c.cartridges.push_back({t.get_text("name"), fact_int(t, "needles"), fact_layout(t),
                            fact_length(t, "footprint_diameter"), fact_length(t, "aperture_radius")});
  });
  each(v, "pen", [&](const ConfigTable& t) {
    c.pens.push_back({t.get_text("name"), fact_length(t, "depth_min"), fact_length(t, "depth_max"),
                      Frequency::from_si(core::read_fact_quantity(t, "frequency_typical", core::dim::frequency)),
                      Frequency::from_si(core::read_fact_quantity(t, "frequency_max", core::dim::frequency)),
                      fact_length(t, "stroke"), core::read_fact_text(t, "default_cartridge"),
                      fact_length(t, "depth_step")});
    // At a setting equal to the stroke the needle meets the skin at rest (insertion.md section 2)
    // and the channel turns shallower than at a smaller setting.
    const auto& pen = c.pens.back();
    if (!(pen.stroke > pen.depth_max)) {
      throw core::Error(std::vector<core::Diagnostic>{core::make_diagnostic(
          ErrorCode::cfg_consistency, t.where_of("stroke"), "pen.stroke",
          fmt::arg("message",
                   fmt::format("the \"{}\" pen's stroke {:g} mm must exceed its largest setting {:g} mm", pen.name,
                               pen.stroke.in(core::units::mm), pen.depth_max.in(core::units::mm))))});
    }
  });
  each(v, "roller", [&](const ConfigTable& t) {
    c.rollers.push_back({t.get_text("name"), fact_int(t, "needles"), fact_int(t, "rings"),
                         fact_int(t, "needles_per_ring"), fact_length(t, "drum_diameter"), fact_length(t, "drum_width"),
                         fact_length(t, "needle_length_default")});
  });
  each(v, "stamp", [&](const ConfigTable& t) {
    c.stamps.push_back({t.get_text("name"), fact_int(t, "needles"), fact_layout(t),
                        fact_length(t, "footprint_diameter"), fact_length(t, "needle_length_default")});
  });
  return c;
}

std::shared_ptr<const TableSpec> device_spec(const Catalogue& c) {
  std::vector<core::WordSpec> models;
  for (const auto& p : c.pens) models.push_back({p.name, "pen"});
  for (const auto& r : c.rollers) models.push_back({r.name, "roller"});
  for (const auto& s : c.stamps) models.push_back({s.name, "stamp"});
  std::vector<core::WordSpec> cartridges;
  for (const auto& k : c.cartridges) cartridges.push_back({k.name, fmt::format("{} needles", k.needles)});
  auto model =
      core::optional_(param::word("model", models, "", "catalogue model (default: generic pen, 192 roller, 35 stamp)"));
  model.example_text = "\"generic\"";
  auto cartridge = core::optional_(param::word("cartridge", cartridges, "", "pen cartridge (default: the pen's own)"));
  cartridge.example_text = "\"12\"";
  auto needles =
      core::optional_(param::integer("needles", std::nullopt, 1, 1000, "needle count (default: the model's)"));
  needles.example_text = "12";
  auto frequency = core::optional_(param::quantity("frequency", core::dim::frequency, "", "1 Hz", "200 Hz",
                                                   "pen stamping frequency (default: the pen's typical)"));
  frequency.example_text = "\"110 Hz\"";
  auto speed = core::optional_(
      param::quantity("hand_speed", core::dim::velocity, "", "0.2 cm/s", "20 cm/s",
                      "hand (pen), rolling (roller) or pressing (stamp) speed; default: operator prior"));
  speed.example_text = "\"4 cm/s\"";
  auto shaft = core::optional_(param::quantity("shaft_diameter", core::dim::length, "", "0.03 mm", "1 mm",
                                               "needle shaft diameter (default: catalogue)"));
  shaft.example_text = "\"0.21 mm\"";
  auto tip =
      core::optional_(param::quantity("tip_radius", core::dim::length, "", "0.5 um", "50 um", "needle tip radius"));
  tip.example_text = "\"4 um\"";
  auto cone = core::optional_(
      param::quantity("cone_half_angle", core::dim::none, "", "1 deg", "45 deg", "needle cone half-angle"));
  cone.example_text = "\"7.5 deg\"";
  cone.quantity_name = "an angle";
  cone.range_unit = "deg";
  return std::make_shared<TableSpec>(TableSpec{
      "device",
      "the needling device",
      {
          param::word("kind",
                      {{"pen", "motorised pen stamping a cartridge"},
                       {"roller", "drum roller"},
                       {"stamp", "fixed pattern pressed down"},
                       {"none", "no needling: topicals only (control arm)"}},
                      "pen", "device type"),
          model,
          cartridge,
          core::sourced(
              param::quantity(
                  "needle_length", core::dim::length, "1.5 mm", "0.1 mm", "3 mm",
                  "pen: depth setting; roller / stamp: needle length (1.5 mm: typical for atrophic acne scars)"),
              "S05, S06"),
          needles,
          frequency,
          speed,
          shaft,
          tip,
          cone,
      }});
}

namespace {

class DeviceBuilder {
 public:
  DeviceBuilder(const ConfigTable& t, const Catalogue& c, std::vector<core::Diagnostic>& out)
      : t_(t), c_(c), out_(out) {}

  Device build() {
    const auto& kind = t_.get_text("kind");
    d_.kind = kind == "roller" ? Kind::roller : kind == "stamp" ? Kind::stamp : kind == "none" ? Kind::none : Kind::pen;
    d_.needle_length = t_.get<core::dim::length>("needle_length");
    if (d_.kind == Kind::none) return d_;
    const int k = static_cast<int>(d_.kind);
    d_.needle = c_.needles[k];
    d_.operator_prior = c_.operators[k];
    if (d_.kind == Kind::pen) pen();
    if (d_.kind == Kind::roller) roller();
    if (d_.kind == Kind::stamp) stamp();
    overrides();
    check_limits(c_.limits[k]);
    plausibility(c_.limits[k]);
    return d_;
  }

 private:
  void problem(std::string_view key, const std::string& message) {
    out_.push_back(core::make_diagnostic(ErrorCode::cfg_consistency, t_.where_of(key), fmt::format("device.{}", key),
                                         fmt::arg("message", message)));
  }

  std::string model_or(const std::string& dflt) { return t_.contains("model") ? t_.get_text("model") : dflt; }

  template <typename T>
  const T* find(const std::vector<T>& list, const std::string& name) {
    const auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.name == name; });
    return it == list.end() ? nullptr : &*it;
  }

  void wrong_model(const std::vector<std::string>& names) {
    problem("model", fmt::format("'device.model' \"{}\" is not a {}; {} models: {}", t_.get_text("model"),
                                 to_string(d_.kind), to_string(d_.kind), core::join(names)));
  }

  void pen() {
    d_.model = model_or("generic");
    const auto* pen = find(c_.pens, d_.model);
    if (!pen) {
      std::vector<std::string> names;
      for (const auto& p : c_.pens) names.push_back(p.name);
      wrong_model(names);
      pen = &c_.pens.front();
    }
    d_.cartridge = t_.contains("cartridge") ? t_.get_text("cartridge") : pen->default_cartridge;
    const auto* cart = find(c_.cartridges, d_.cartridge);
    if (!cart) cart = &c_.cartridges.front();
    d_.needles = cart->needles;
    d_.footprint_diameter = cart->footprint_diameter;
    d_.aperture_radius = cart->aperture_radius;
    d_.stroke = pen->stroke;
    d_.frequency = t_.contains("frequency") ? t_.get<core::dim::frequency>("frequency") : pen->frequency_typical;
    if (d_.frequency > pen->frequency_max) {
      problem("frequency",
              fmt::format("'device.frequency' {:g} Hz is above the {:g} Hz the \"{}\" pen offers",
                          d_.frequency.in(core::units::Hz), pen->frequency_max.in(core::units::Hz), pen->name));
    }
    if (d_.needle_length < pen->depth_min || d_.needle_length > pen->depth_max) {
      problem("needle_length",
              fmt::format("'device.needle_length' {:g} mm is outside the {:g}-{:g} mm depth range of the "
                          "\"{}\" pen",
                          d_.needle_length.in(core::units::mm), pen->depth_min.in(core::units::mm),
                          pen->depth_max.in(core::units::mm), pen->name));
    }
    layout(cart->layout);
  }

  void roller() {
    if (t_.contains("cartridge")) problem("cartridge", "'device.cartridge' applies only to pens");
    d_.model = model_or(c_.rollers.front().name);
    const auto* r = find(c_.rollers, d_.model);
    if (!r) {
      std::vector<std::string> names;
      for (const auto& x : c_.rollers) names.push_back(x.name);
      wrong_model(names);
      r = &c_.rollers.front();
    }
    d_.needles = r->needles;
    d_.rings = r->rings;
    d_.needles_per_ring = r->needles_per_ring;
    d_.drum_diameter = r->drum_diameter;
    d_.drum_width = r->drum_width;
  }

  void stamp() {
    if (t_.contains("cartridge")) problem("cartridge", "'device.cartridge' applies only to pens");
    d_.model = model_or(c_.stamps.front().name);
    const auto* s = find(c_.stamps, d_.model);
    if (!s) {
      std::vector<std::string> names;
      for (const auto& x : c_.stamps) names.push_back(x.name);
      wrong_model(names);
      s = &c_.stamps.front();
    }
    d_.needles = s->needles;
    d_.footprint_diameter = s->footprint_diameter;
    layout(s->layout);
  }

  void layout(Layout l) {
    if (t_.contains("needles")) d_.needles = static_cast<int>(t_.get_int("needles"));
    d_.needle_offsets_mm = needle_layout(l, d_.needles, d_.footprint_diameter);
  }

  void overrides() {
    if (d_.kind != Kind::pen && t_.contains("frequency"))
      problem("frequency", "'device.frequency' applies only to pens");
    if (d_.kind == Kind::roller && t_.contains("needles")) {
      problem("needles", "'device.needles' is fixed by the roller model; choose another 'device.model'");
    }
    if (t_.contains("hand_speed")) d_.operator_prior.speed = t_.get<core::dim::velocity>("hand_speed");
    if (t_.contains("shaft_diameter")) d_.needle.shaft_diameter = t_.get<core::dim::length>("shaft_diameter");
    if (t_.contains("tip_radius")) d_.needle.tip_radius = t_.get<core::dim::length>("tip_radius");
    if (t_.contains("cone_half_angle")) d_.needle.cone_half_angle_rad = t_.get<core::dim::none>("cone_half_angle").si();
  }

  void warn(core::ErrorCode code, std::string_view key, const std::string& message) {
    out_.push_back(
        core::make_diagnostic(code, t_.where_of(key), fmt::format("device.{}", key), fmt::arg("message", message)));
  }

  // Settings a device offers but that are unusual: warnings a scenario can acknowledge.
  void plausibility(const Limits& l) {
    const double mm = d_.needle_length.in(core::units::mm);
    if ((l.length_warn_min && d_.needle_length < *l.length_warn_min) ||
        (l.length_warn_max && d_.needle_length > *l.length_warn_max)) {
      warn(core::ErrorCode::warn_depth, "needle_length",
           fmt::format("'device.needle_length' {:g} mm is outside the usual {:g}-{:g} mm for a {}", mm,
                       l.length_warn_min ? l.length_warn_min->in(core::units::mm) : 0.0,
                       l.length_warn_max ? l.length_warn_max->in(core::units::mm) : l.length_max.in(core::units::mm),
                       to_string(d_.kind)));
    }
    if (l.label_length_max && d_.needle_length > *l.label_length_max) {
      warn(core::ErrorCode::warn_label, "needle_length",
           fmt::format("'device.needle_length' {:g} mm is deeper than the {:g} mm up to which the only FDA-authorised "
                       "pen label evaluated safety and effectiveness",
                       mm, l.label_length_max->in(core::units::mm)));
    }
    if (d_.kind == Kind::pen && l.frequency_warn_min && l.frequency_warn_max &&
        (d_.frequency < *l.frequency_warn_min || d_.frequency > *l.frequency_warn_max)) {
      warn(core::ErrorCode::warn_frequency, "frequency",
           fmt::format("'device.frequency' {:g} Hz is outside the usual {:g}-{:g} Hz", d_.frequency.in(core::units::Hz),
                       l.frequency_warn_min->in(core::units::Hz), l.frequency_warn_max->in(core::units::Hz)));
    }
    if ((l.needles_warn_min && d_.needles < *l.needles_warn_min) ||
        (l.needles_warn_max && d_.needles > *l.needles_warn_max)) {
      warn(core::ErrorCode::warn_needles, "needles",
           fmt::format("'device.needles' {} is outside the usual {}-{} for a {}", d_.needles,
                       l.needles_warn_min.value_or(1), l.needles_warn_max.value_or(l.needles_max), to_string(d_.kind)));
    }
  }

  void check_limits(const Limits& l) {
    const double mm = d_.needle_length.in(core::units::mm);
    if (d_.needle_length <= l.length_min || d_.needle_length > l.length_max) {
      problem("needle_length",
              fmt::format("'device.needle_length' {:g} mm is beyond what any {} offers ({:g}-{:g} mm)", mm,
                          to_string(d_.kind), l.length_min.in(core::units::mm), l.length_max.in(core::units::mm)));
    }
    if (d_.needles < l.needles_min || d_.needles > l.needles_max) {
      problem("needles", fmt::format("'device.needles' {} is outside {}-{} for a {}", d_.needles, l.needles_min,
                                     l.needles_max, to_string(d_.kind)));
    }
    if (d_.kind == Kind::pen && d_.frequency > l.frequency_max) {
      problem("frequency", fmt::format("'device.frequency' is above the {:g} Hz any pen offers",
                                       l.frequency_max.in(core::units::Hz)));
    }
    if (d_.needle.tip_radius * 2.0 >= d_.needle.shaft_diameter) {
      problem("tip_radius", "'device.tip_radius' must be smaller than half the shaft diameter");
    }
    if (d_.needles > 1 && d_.needle.shaft_diameter >= d_.min_needle_spacing()) {
      problem(
          t_.contains("needles") ? "needles" : "shaft_diameter",
          fmt::format("needles {:.3g} mm wide are closer than their width ({:.3g} mm apart): {} needles do not fit a "
                      "{:.3g} mm footprint",
                      d_.needle.shaft_diameter.in(core::units::mm), d_.min_needle_spacing().in(core::units::mm),
                      d_.needles, d_.footprint_diameter.in(core::units::mm)));
    }
  }

  const ConfigTable& t_;
  const Catalogue& c_;
  std::vector<core::Diagnostic>& out_;
  Device d_;
};

}  // namespace

Device device_from(const ConfigTable& validated, const Catalogue& catalogue,
                   std::vector<core::Diagnostic>& diagnostics) {
  return DeviceBuilder(validated, catalogue, diagnostics).build();
}

}  // namespace nw::device
