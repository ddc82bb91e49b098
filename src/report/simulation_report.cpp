#include "needlework/report/simulation_report.hpp"
#include "needlework/core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "needlework/core/error.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/io/toml_reader.hpp"
#include "needlework/report/html.hpp"
#include "result_files.hpp"

namespace nw::report {
namespace {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

using detail::find_path;
using detail::read_failure;
using detail::read_json;
using detail::read_text;
using detail::text_at;

// ------------------------------------------------------------------------------- CSV
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::optional<std::size_t> column(std::string_view name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header.begin());
  }
};

// RFC 4180 fields: quoted fields may hold commas, doubled quotes and newlines.
Csv parse_csv(std::string_view text) {
  Csv csv;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        if (csv.header.empty()) {
          csv.header = std::move(row);
        } else {
          csv.rows.push_back(std::move(row));
        }
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    if (csv.header.empty()) {
      csv.header = std::move(row);
    } else {
      csv.rows.push_back(std::move(row));
    }
  }
  return csv;
}

std::optional<double> to_number(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// A numeric column of a CSV (rows where `filter_column` equals `filter_value`, if given).
std::vector<double> column_values(const Csv& csv, const fs::path& path, std::string_view name,
                                  std::string_view filter_column = {}, std::string_view filter_value = {}) {
  const auto c = csv.column(name);
  if (!c) read_failure(path, fmt::format("no column '{}'", name));
  std::optional<std::size_t> f;
  if (!filter_column.empty()) f = csv.column(filter_column);
  std::vector<double> out;
  for (const auto& row : csv.rows) {
    if (f && (*f >= row.size() || row[*f] != filter_value)) continue;
    const auto v = *c < row.size() ? to_number(row[*c]) : std::nullopt;
    out.push_back(v.value_or(std::nan("")));
  }
  return out;
}

// ------------------------------------------------------------------------------- JSON
bool present(const Json& root, std::string_view path) {
  const auto* n = find_path(root, path);
  return n && !n->is_null();
}

// The shown unit and display factor of a summary.json key, from its name (the contract puts the
// unit in the key: depth_um, closure_half_life_h, delivered_ug_per_cm2, ..._pct, ..._fraction).
struct Unit {
  std::string label;  // key without its unit suffix, words separated by spaces
  std::string unit;
  double scale = 1;
};

Unit unit_of(const std::string& key) {
  static const std::vector<std::pair<std::string, std::string>> suffixes = {
      {"_ug_per_cm2", "µg/cm²"},
      {"_nl_per_cm2", "nL/cm²"},
      {"_m_per_s", "m/s"},
      {"_cm_per_s", "cm/s"},
      {"_um", "µm"},
      {"_mm", "mm"},
      {"_cm2", "cm²"},
      {"_h", "h"},
      {"_min", "min"},
      {"_days", "d"},
      {"_d", "d"},
      {"_hz", "Hz"},
      {"_nl", "nL"},
      {"_deg", "°"},
      {"_pct", "%"},
      {"_per_cm2_per_session", "/cm² per session"},
  };
  Unit u{key, "", 1};
  for (const auto& [suffix, unit] : suffixes) {
    if (key.size() > suffix.size() && key.ends_with(suffix)) {
      u.label = key.substr(0, key.size() - suffix.size());
      u.unit = unit;
      break;
    }
  }
  if (key.ends_with("fraction") || key.ends_with("probability") || key == "fraction_of_dose") {
    u.unit = "%";
    u.scale = 100;
  }
  std::replace(u.label.begin(), u.label.end(), '_', ' ');
  return u;
}

// A table row per number (and per short text) under `node`, depth first; `path` is the node's key
// path in summary.json, `label` the words shown so far, `inherited` the unit of an enclosing key
// (depth_um {mean, p10, p90}).
void flatten(const Json& node, const std::string& path, const std::string& label, const Unit* inherited,
             const std::vector<std::string>& skip, std::string& rows) {
  if (std::find(skip.begin(), skip.end(), path) != skip.end()) return;
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const Unit u = unit_of(key);
      const bool has_unit = !u.unit.empty() && u.scale == 1;
      const std::string child_label = label.empty() ? u.label : fmt::format("{}, {}", label, u.label);
      flatten(value, path.empty() ? key : fmt::format("{}.{}", path, key), child_label, has_unit ? &u : inherited, skip,
              rows);
    }
    return;
  }
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      flatten(node[i], fmt::format("{}.{}", path, i), fmt::format("{} [{}]", label, i + 1), inherited, skip, rows);
    }
    return;
  }
  if (node.is_number() && !node.is_boolean()) {
    const auto leaf = path.substr(path.rfind('.') + 1);
    Unit u = unit_of(leaf);
    if (u.unit.empty() && inherited) u = Unit{u.label, inherited->unit, inherited->scale};
    rows += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n", core::xml_escape(label),
                        tagged_number(path, node.get<double>(), u.scale), core::xml_escape(u.unit));
  } else if (node.is_string() || node.is_boolean()) {
    rows += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td></td></tr>\n", core::xml_escape(label),
                        core::xml_escape(node.is_string() ? node.get<std::string>() : node.dump()));
  }
}

std::string flat_table(const Json& root, const std::string& path, const std::vector<std::string>& skip = {}) {
  const auto* node = find_path(root, path);
  if (!node || node->is_null()) return "";
  std::string rows;
  flatten(*node, path, "", nullptr, skip, rows);
  return "<table><tr><th>quantity</th><th class=\"n\">value</th><th>unit</th></tr>\n" + rows + "</table>\n";
}

// One curated row: a label, numbers at summary.json paths (joined by `between`), a unit.
struct Row {
  std::string label;
  std::vector<std::string> paths;
  std::string unit;
  double scale = 1;
  std::string between = " ";
};

std::string curated_table(const Json& summary, const std::vector<Row>& rows) {
  std::string out = "<table><tr><th>quantity</th><th class=\"n\">value</th><th>unit</th></tr>\n";
  int shown = 0;
  for (const auto& r : rows) {
    std::string cells;
    for (const auto& p : r.paths) {
      const auto* n = find_path(summary, p);
      if (!n || !n->is_number()) {
        cells.clear();
        break;
      }
      if (!cells.empty()) cells += r.between;
      cells += tagged_number(p, n->get<double>(), r.scale);
    }
    if (cells.empty()) continue;
    out += fmt::format("<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n", core::xml_escape(r.label), cells,
                       core::xml_escape(r.unit));
    ++shown;
  }
  out += "</table>\n";
  return shown ? out : "";
}

// ------------------------------------------------------------------------------- sections
std::string simulated_section(const Json& summary, const Json& provenance, const core::ConfigTable& config) {
  std::string out = "<table>\n";
  const auto row = [&out](const std::string& k, const std::string& v) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", core::xml_escape(k), v);
  };
  row("scenario", core::xml_escape(text_at(provenance, "input")));
  row("seed", tagged_number("seed", find_path(summary, "seed")->get<double>(), 1, 20));
  row("fidelity", core::xml_escape(text_at(summary, "fidelity")));
  if (present(summary, "device.kind")) {
    row("device",
        fmt::format(
            "{} {} {}, {} needles, {} mm, {} Hz, hand {} cm/s", core::xml_escape(text_at(summary, "device.kind")),
            core::xml_escape(text_at(summary, "device.model")),
            present(summary, "device.cartridge") && !text_at(summary, "device.cartridge").empty()
                ? "cartridge " + core::xml_escape(text_at(summary, "device.cartridge"))
                : "",
            tagged_number("device.needles", find_path(summary, "device.needles")->get<double>()),
            tagged_number("device.needle_length_mm", find_path(summary, "device.needle_length_mm")->get<double>()),
            tagged_number("device.frequency_hz", find_path(summary, "device.frequency_hz")->get<double>()),
            tagged_number("device.hand_speed_cm_per_s",
                          find_path(summary, "device.hand_speed_cm_per_s")->get<double>())));
  }
  if (const auto* t = config.find("topical"); t && t->get_if<core::ConfigTable>()) {
    const auto& topical = *t->get_if<core::ConfigTable>();
    std::string text;
    for (const auto& e : topical.entries()) text += (text.empty() ? "" : ", ") + e.key + " = " + e.value.to_text();
    row("topical (after needling)", core::xml_escape(text));
  } else {
    row("topical", "none in the scenario");
  }
  out += "</table>\n";
  // Areas.
  const auto* areas = find_path(summary, "channels.by_area");
  if (areas && areas->is_array()) {
    out +=
        "<table><tr><th>area</th><th>site</th><th>concern</th><th class=\"n\">area (cm²)</th>"
        "<th class=\"n\">passes</th><th>deepest layer reached</th><th>lesion</th></tr>\n";
    for (std::size_t i = 0; i < areas->size(); ++i) {
      const auto p = fmt::format("channels.by_area.{}", i);
      out += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td>"
          "<td>{}</td></tr>\n",
          i + 1, core::xml_escape(text_at(summary, p + ".site")), core::xml_escape(text_at(summary, p + ".concern")),
          tagged_number(p + ".area_cm2", find_path(summary, p + ".area_cm2")->get<double>()),
          tagged_number(p + ".passes", find_path(summary, p + ".passes")->get<double>()),
          core::xml_escape(text_at(summary, p + ".tip_layer")),
          present(summary, p + ".lesion") ? core::xml_escape(text_at(summary, p + ".lesion.type")) : "none");
    }
    out += "</table>\n";
  }
  // Stages.
  if (const auto* stages = find_path(summary, "stages"); stages && stages->is_object()) {
    out += "<h3>Stages</h3>\n<table><tr><th>stage</th><th>status</th></tr>\n";
    for (const auto& [k, v] : stages->items())
      out += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", core::xml_escape(k),
                         core::xml_escape(v.is_string() ? v.get<std::string>() : v.dump()));
    out += "</table>\n";
  }
  // Warnings.
  if (const auto* w = find_path(summary, "warnings"); w && w->is_array() && !w->empty()) {
    out += "<h3>Plausibility warnings</h3>\n<ul>\n";
    for (const auto& x : *w)
      out += fmt::format("<li><b>{}</b> {}</li>\n", core::xml_escape(x.value("code", "")),
                         core::xml_escape(x.value("message", "")));
    out += "</ul>\n";
  }
  return out;
}

std::string key_numbers_section(const Json& summary) {
  std::string out = "<h3>Channels (all areas, one session)</h3>\n";
  out += curated_table(
      summary, {
                   {"channels per cm² per session", {"channels.per_cm2_per_session"}, "/cm²"},
                   {"channels per cm² per pass", {"channels.per_cm2_per_pass"}, "/cm²"},
                   {"open depth, mean", {"channels.depth_um.mean"}, "µm"},
                   {"open depth, p10 to p90", {"channels.depth_um.p10", "channels.depth_um.p90"}, "µm", 1, " to "},
                   {"open depth / needle setting", {"channels.depth_to_length_ratio"}, ""},
                   {"surface diameter", {"channels.diameter_um"}, "µm"},
                   {"spacing to the nearest channel, mean", {"channels.nearest_neighbour_um.mean"}, "µm"},
                   {"surface within a channel's damage rim", {"channels.coverage_fraction"}, "%", 100},
                   {"channels that bleed", {"channels.bleeding_fraction"}, "%", 100},
                   {"tips past the dermis-fat junction (bruising risk)", {"channels.bruising_fraction"}, "%", 100},
                   {"channel closure half-life", {"channels.closure_half_life_h"}, "h"},
                   {"time to treat", {"channels.treatment_time_min"}, "min"},
               });
  if (present(summary, "barrier")) {
    out += "<h3>Barrier</h3>\n";
    out += curated_table(summary, {{"barrier (water loss) recovered after", {"barrier.tewl_recovery_h"}, "h"}});
  }
  if (present(summary, "transport")) {
    out += fmt::format("<h3>Transport of {} (one application after needling)</h3>\n",
                       core::xml_escape(text_at(summary, "transport.active")));
    out += curated_table(summary,
                         {
                             {"reported at", {"transport.at_h"}, "h after application"},
                             {"delivered past the stratum corneum", {"transport.delivered_ug_per_cm2"}, "µg/cm²"},
                             {"fraction of the dose", {"transport.fraction_of_dose"}, "%", 100},
                             {"enhancement over intact skin", {"transport.enhancement_vs_intact"}, "x"},
                             {"in the stratum corneum", {"transport.by_layer_ug_per_cm2.stratum_corneum"}, "µg/cm²"},
                             {"in the viable epidermis", {"transport.by_layer_ug_per_cm2.epidermis"}, "µg/cm²"},
                             {"in the dermis (and fat)", {"transport.by_layer_ug_per_cm2.dermis"}, "µg/cm²"},
                             {"cleared to the circulation", {"transport.by_layer_ug_per_cm2.systemic"}, "µg/cm²"},
                             {"left on the skin", {"transport.remaining_on_skin_ug_per_cm2"}, "µg/cm²"},
                         });
  }
  // Outcomes per the contract: one row per site and concern, with the 90 % range.
  if (const auto* outcomes = find_path(summary, "outcomes"); outcomes && outcomes->is_array() && !outcomes->empty()) {
    out +=
        "<h3>Expected outcomes at follow-up</h3>\n<table><tr><th>site</th><th>concern</th><th>scale</th>"
        "<th class=\"n\">baseline</th><th class=\"n\">at follow-up: median (p05 to p95)</th>"
        "<th class=\"n\">change: median (p05 to p95)</th><th class=\"n\">responders (%)</th></tr>\n";
    const auto number = [&](const std::string& path, double scale = 1) {
      const auto* n = find_path(summary, path);
      return n && n->is_number() ? tagged_number(path, n->get<double>(), scale) : std::string("&ndash;");
    };
    const auto range = [&](const std::string& path) {
      return fmt::format("{} ({} to {})", number(path + ".median"), number(path + ".p05"), number(path + ".p95"));
    };
    for (std::size_t i = 0; i < outcomes->size(); ++i) {
      const auto p = fmt::format("outcomes.{}", i);
      out += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
          "<td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
          core::xml_escape(text_at(summary, p + ".site")), core::xml_escape(text_at(summary, p + ".concern")),
          core::xml_escape(text_at(summary, p + ".scale")), number(p + ".baseline"), range(p + ".at_follow_up"),
          range(p + ".change"), number(p + ".responder_fraction", 100));
    }
    out += "</table>\n";
  }
  // Sections other stages add (rendered whatever their shape, every number tagged).
  for (const auto& [key, heading] : std::vector<std::pair<std::string, std::string>>{
           {"tissue", "Tissue at follow-up"}, {"outcomes", "Outcomes: every number"}, {"safety", "Safety"}}) {
    if (!present(summary, key)) continue;
    if (key == "outcomes") {
      out += fmt::format("<details><summary>{}</summary>\n{}</details>\n", core::xml_escape(heading),
                         flat_table(summary, key));
      continue;
    }
    if (key == "tissue" && present(summary, "tissue.sessions")) {
      // The per-session injury list is long: the headline table without it, everything folded.
      out += fmt::format("<h3>{}</h3>\n", core::xml_escape(heading)) + flat_table(summary, key, {"tissue.sessions"}) +
             fmt::format("<details><summary>Tissue: every number</summary>\n{}</details>\n", flat_table(summary, key));
      continue;
    }
    out += fmt::format("<h3>{}</h3>\n", core::xml_escape(heading)) + flat_table(summary, key);
  }
  // Everything else per area.
  if (const auto* areas = find_path(summary, "channels.by_area"); areas && areas->is_array()) {
    for (std::size_t i = 0; i < areas->size(); ++i) {
      const auto p = fmt::format("channels.by_area.{}", i);
      out += fmt::format("<details><summary>Area {} ({}): every number</summary>\n{}</details>\n", i + 1,
                         core::xml_escape(text_at(summary, p + ".site")), flat_table(summary, p));
    }
  }
  return out;
}

Chart uptake_chart(const Csv& t, const fs::path& path, const std::string& area, const std::string& site,
                   const std::string& active) {
  Chart c;
  c.id = "uptake-" + area;
  c.title = fmt::format("Uptake of {} past the stratum corneum, {}", active, site);
  c.x_label = "time after application (h)";
  c.y_label = "delivered (µg/cm², log scale)";
  c.log_y = true;
  const auto x = column_values(t, path, "time_h", "area", area);
  c.series.push_back({"needled skin", x, column_values(t, path, "delivered_ug_per_cm2", "area", area)});
  c.series.push_back({"intact skin", x, column_values(t, path, "intact_delivered_ug_per_cm2", "area", area), true});
  c.caption =
      "From transport.csv (columns delivered_ug_per_cm2 and intact_delivered_ug_per_cm2): amount past the "
      "stratum corneum with and without needling.";
  return c;
}

Chart layers_chart(const Csv& t, const fs::path& path, const std::string& area, const std::string& site,
                   const std::string& active) {
  Chart c;
  c.id = "layers-" + area;
  c.title = fmt::format("Where {} is over time, {}", active, site);
  c.x_label = "time after application (h)";
  c.y_label = "amount (µg/cm², log scale)";
  c.log_y = true;
  const auto x = column_values(t, path, "time_h", "area", area);
  for (const auto& [column, label] :
       std::vector<std::pair<std::string, std::string>>{{"donor_ug_per_cm2", "on the skin"},
                                                        {"stratum_corneum_ug_per_cm2", "stratum corneum"},
                                                        {"epidermis_ug_per_cm2", "viable epidermis"},
                                                        {"dermis_ug_per_cm2", "dermis"},
                                                        {"hypodermis_ug_per_cm2", "hypodermis"},
                                                        {"systemic_ug_per_cm2", "cleared (systemic)"}}) {
    c.series.push_back({label, x, column_values(t, path, column, "area", area)});
  }
  c.caption = "From transport.csv: amount per layer (needled skin).";
  return c;
}

// Depth histogram of the open channels of one area, streamed from channels.csv (a full face is
// millions of rows), with the layer boundaries of summary.json.
std::optional<Chart> depth_chart(const fs::path& path, const Json& summary, std::size_t area) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  const auto header = parse_csv(line).header;
  const auto col = [&](std::string_view name) -> std::size_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) read_failure(path, fmt::format("no column '{}'", name));
    return static_cast<std::size_t>(it - header.begin());
  };
  const auto area_col = col("area");
  const auto depth_col = col("depth_um");
  const std::string want = std::to_string(area);
  std::vector<double> depths;
  std::vector<std::string_view> fields;
  while (std::getline(in, line)) {
    fields.clear();
    std::size_t start = 0;
    while (true) {
      const auto comma = line.find(',', start);
      fields.emplace_back(line.data() + start, (comma == std::string::npos ? line.size() : comma) - start);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (fields.size() <= std::max(area_col, depth_col) || fields[area_col] != want) continue;
    if (const auto v = to_number(fields[depth_col])) depths.push_back(*v);
  }
  const auto p = fmt::format("channels.by_area.{}.layers_um", area);
  const auto layer = [&](const char* key) {
    const auto* n = find_path(summary, p + "." + key);
    return n && n->is_number() ? n->get<double>() : 0.0;
  };
  const double epidermis = layer("stratum_corneum") + layer("viable_epidermis");
  const double papillary = epidermis + layer("papillary_dermis");
  const double dermis = papillary + layer("reticular_dermis");
  const auto* setting_mm = find_path(summary, "device.needle_length_mm");
  const double setting = setting_mm && setting_mm->is_number() ? setting_mm->get<double>() * 1000 : 0.0;
  const double deepest = depths.empty() ? 0.0 : *std::max_element(depths.begin(), depths.end());
  const double hi = std::max({setting, dermis, deepest}) * 1.1;
  constexpr int bins = 80;
  Chart c;
  c.id = fmt::format("depth-{}", area);
  c.kind = Chart::Kind::histogram;
  c.title = fmt::format("Open channel depth, {} ({} channels, session 1)",
                        text_at(summary, "channels.by_area." + std::to_string(area) + ".site"), depths.size());
  c.x_label = "depth below the surface (µm)";
  c.y_label = "channels";
  ChartSeries s{"channels", {}, {}};
  if (hi > 0) {
    const double width = hi / bins;
    s.y.assign(bins, 0.0);
    for (int b = 0; b < bins; ++b) s.x.push_back((b + 0.5) * width);
    for (double d : depths) {
      const auto b = std::clamp(static_cast<int>(d / width), 0, bins - 1);
      s.y[static_cast<std::size_t>(b)] += 1;
    }
  }
  c.series.push_back(std::move(s));
  c.markers = {{epidermis, "epidermis | dermis"},
               {papillary, "papillary | reticular"},
               {dermis, "dermis | fat"},
               {layer("bleeding_depth"), "median bleeding depth"},
               {setting, "needle setting"}};
  c.caption =
      "From channels.csv (column depth_um, every channel of session 1) and the layer thicknesses of "
      "summary.json (channels.by_area[].layers_um).";
  return c;
}

// Outcome timelines: summary.json outcomes[].timeline_csv, first column (time) against the others:
// the score columns (median, p05, p95, nominal) in one chart, the remaining columns (tissue state)
// in a second one, since they are on different scales.
std::string outcome_charts(Page& page, const Json& summary, const fs::path& dir) {
  const auto* outcomes = find_path(summary, "outcomes");
  if (!outcomes || !outcomes->is_array()) return "";
  std::string out;
  for (std::size_t i = 0; i < outcomes->size(); ++i) {
    const auto& o = (*outcomes)[i];
    if (!o.is_object() || !o.contains("timeline_csv") || !o["timeline_csv"].is_string()) continue;
    const auto name = o["timeline_csv"].get<std::string>();
    const auto path = dir / name;
    const auto text = read_text(path, false);
    if (!text) {
      out += fmt::format("<p class=\"notice\">Timeline {} listed in summary.json is missing.</p>\n",
                         core::xml_escape(name));
      continue;
    }
    const auto csv = parse_csv(*text);
    if (csv.header.size() < 2) continue;
    const auto x = column_values(csv, path, csv.header[0]);
    Chart score, state;
    score.id = fmt::format("outcome-{}", i);
    score.title =
        fmt::format("{} {}: {} over the course", o.value("site", ""), o.value("concern", ""), o.value("scale", ""));
    score.x_label = csv.header[0];
    score.y_label = o.value("scale", "score");
    score.caption = fmt::format(
        "From {}: the score of the virtual patients (median, p05 to p95) and of the "
        "nominal person, treated and untreated.",
        name);
    state.id = fmt::format("tissue-{}", i);
    state.title = fmt::format("Tissue state over the course, {}", o.value("site", ""));
    state.x_label = csv.header[0];
    state.y_label = "relative to baseline";
    state.caption = fmt::format("From {}: tissue state of the nominal person (1 = baseline).", name);
    for (std::size_t k = 1; k < csv.header.size(); ++k) {
      const auto& h = csv.header[k];
      auto y = column_values(csv, path, h);
      if (std::none_of(y.begin(), y.end(), [](double v) { return std::isfinite(v); })) continue;
      const bool is_score = h.find("median") != std::string::npos || h.find("p05") != std::string::npos ||
                            h.find("p95") != std::string::npos || h.starts_with("nominal");
      const bool dashed = h.find("p05") != std::string::npos || h.find("p95") != std::string::npos;
      (is_score ? score : state).series.push_back({h, x, std::move(y), dashed});
    }
    if (score.series.empty() && state.series.empty()) continue;
    if (!score.series.empty()) out += page.chart(score);
    if (!state.series.empty()) out += page.chart(state);
  }
  return out;
}

std::string parameters_section(const std::optional<std::string>& text, const fs::path& path,
                               std::map<std::string, int>& basis_counts) {
  if (!text) {
    return "<p class=\"notice\">parameters.csv is not in this folder (written by needlework from version 0.1 of "
           "the report on); the effective configuration below lists the scenario's own values.</p>\n";
  }
  const auto csv = parse_csv(*text);
  for (const auto* name : {"file", "parameter", "value", "unit", "sd", "basis", "sources"}) {
    if (!csv.column(name)) read_failure(path, fmt::format("no column '{}'", name));
  }
  const auto c = [&](const char* name) { return *csv.column(name); };
  std::string out = fmt::format(
      "<p>The {} library parameters this run used, as bundled in the binary (library means; the model "
      "derives the run's own values from them, e.g. layer thickness at the patient's age). Source ids "
      "refer to the <code>[[source]]</code> tables of the data files and to the project's calibration "
      "and clinical tables; <code>assumption</code> marks a value without a source.</p>\n",
      csv.rows.size());
  out +=
      "<details open><summary>Parameter table (parameters.csv)</summary>\n<table><tr><th>parameter</th>"
      "<th class=\"n\">value</th><th>unit</th><th "
      "class=\"n\">sd</th><th>basis</th><th>sources</th><th>file</th></tr>\n";
  for (const auto& row : csv.rows) {
    if (row.size() < csv.header.size()) continue;
    const auto& value = row[c("value")];
    const auto number = to_number(value);
    const std::string shown =
        number
            ? fmt::format(
                  R"(<span class="num" data-file="parameters.csv" data-key="{}" data-value="{}" data-scale="1">{}</span>)",
                  core::xml_escape(row[c("file")] + ":" + row[c("parameter")]), core::xml_escape(value),
                  core::xml_escape(value))
            : core::xml_escape(value);
    basis_counts[row[c("basis")]] += 1;
    out += fmt::format(
        "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        core::xml_escape(row[c("parameter")]), shown, core::xml_escape(row[c("unit")]), core::xml_escape(row[c("sd")]),
        core::xml_escape(row[c("basis")]), core::xml_escape(row[c("sources")]), core::xml_escape(row[c("file")]));
  }
  out += "</table>\n</details>\n";
  return out;
}

std::string evidence_section(const Json& summary, const std::map<std::string, int>& basis_counts) {
  std::string out = "<div class=\"statement\">\n";
  int total = 0;
  for (const auto& [b, n] : basis_counts) total += n;
  if (total > 0) {
    std::string parts;
    for (const auto& [b, n] : basis_counts) parts += (parts.empty() ? "" : ", ") + fmt::format("{} {}", n, b);
    out += fmt::format(
        "<p><b>Evidence behind the parameters.</b> Of the {} library parameters of this run: {}. "
        "Fitted and calibrated parameters are each fitted on one source and checked against others "
        "(docs/model/*.md); assumptions and priors have no direct measurement.</p>\n",
        total, core::xml_escape(parts));
  }
  std::string modelled, missing;
  if (const auto* stages = find_path(summary, "stages"); stages && stages->is_object()) {
    for (const auto& [k, v] : stages->items()) {
      const auto s = v.is_string() ? v.get<std::string>() : v.dump();
      auto& list = s.starts_with("not yet") ? missing : modelled;
      list += (list.empty() ? "" : ", ") + k;
    }
  }
  out += fmt::format(
      "<p><b>What the numbers are.</b> One seeded run (seed {}) of the stages modelled ({}). Skin "
      "layers are population means by site, sex and age: the numbers describe a typical patient, "
      "not this person, and carry no person-to-person spread{}.{}</p>\n",
      core::xml_escape(text_at(summary, "seed")), core::xml_escape(modelled.empty() ? "none listed" : modelled),
      present(summary, "outcomes") ? "; outcome ranges (p05 to p95) are shown where summary.json has them" : "",
      missing.empty() ? "" : fmt::format(" Not modelled yet: {}.", core::xml_escape(missing)));
  if (present(summary, "disclaimer"))
    out += fmt::format("<p>{}</p>\n", core::xml_escape(text_at(summary, "disclaimer")));
  out +=
      "<p><b>needlework is not a medical device.</b> It is a research and education tool; a qualified "
      "practitioner makes every treatment decision.</p>\n</div>\n";
  return out;
}

}  // namespace

std::string simulation_report_html(const fs::path& dir) {
  const auto summary = read_json(dir / "summary.json");
  const auto provenance = read_json(dir / "provenance.json");
  const auto config_path = dir / "effective_config.toml";
  const auto config_text = *read_text(config_path, true);
  core::ConfigTable config;
  try {
    config = io::read_toml_text(config_text, config_path.string());
  } catch (const core::Error& e) {
    read_failure(config_path, e.what());
  }
  if (!summary.is_object() || !present(summary, "channels") || !present(summary, "seed")) {
    read_failure(dir / "summary.json", "no 'channels' or 'seed' (not written by `needlework simulate`?)");
  }

  Page page(fmt::format("needlework simulation: {}", text_at(provenance, "input")),
            "Results of `needlework simulate`, rebuilt from the files in its output folder. A research and education "
            "tool, not a medical device.");
  page.add_section("simulated", "What was simulated", simulated_section(summary, provenance, config));
  page.add_section("numbers", "Key numbers", key_numbers_section(summary));

  std::string charts;
  const auto transport_path = dir / "transport.csv";
  if (const auto t = read_text(transport_path, false); t && present(summary, "transport")) {
    const auto csv = parse_csv(*t);
    std::vector<std::string> areas;
    if (const auto a = csv.column("area")) {
      for (const auto& row : csv.rows)
        if (*a < row.size() && std::find(areas.begin(), areas.end(), row[*a]) == areas.end()) areas.push_back(row[*a]);
    }
    for (const auto& a : areas) {
      const auto site = text_at(summary, "channels.by_area." + a + ".site");
      const auto active = text_at(summary, "transport.active");
      charts += page.chart(uptake_chart(csv, transport_path, a, site, active));
      charts += page.chart(layers_chart(csv, transport_path, a, site, active));
    }
  }
  if (const auto* areas = find_path(summary, "channels.by_area"); areas && areas->is_array()) {
    for (std::size_t i = 0; i < areas->size(); ++i) {
      if (auto c = depth_chart(dir / "channels.csv", summary, i)) charts += page.chart(*c);
    }
  }
  charts += outcome_charts(page, summary, dir);
  if (page.chart_count() == 0) charts = "<p class=\"notice\">No chart data in this folder.</p>\n";
  page.add_section("charts", "Charts", charts);

  std::map<std::string, int> basis_counts;
  page.add_section("parameters", "Parameters and sources",
                   parameters_section(read_text(dir / "parameters.csv", false), dir / "parameters.csv", basis_counts));
  page.add_section("evidence", "Uncertainty and evidence", evidence_section(summary, basis_counts));
  page.add_section("config", "Effective configuration",
                   "<p>effective_config.toml: the scenario with every default filled in, quantities in canonical "
                   "units.</p>\n<pre>" +
                       core::xml_escape(config_text) + "</pre>\n");
  page.add_section("provenance", "Provenance", detail::provenance_table(provenance));
  return page.render(detail::page_footer(text_at(summary, "disclaimer"), dir, provenance));
}

fs::path write_simulation_report(const fs::path& dir) {
  const auto html = simulation_report_html(dir);
  io::write_file_atomically(dir / "report.html", html);
  return dir / "report.html";
}

}  // namespace nw::report
