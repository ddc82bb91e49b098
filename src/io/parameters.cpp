// parameters.csv: the bundled library parameters a simulate run used, each with its value,
// unit, spread, basis and source ids, read from the data files compiled into the binary
// (data/device/devices.toml, data/skin/sites.toml, data/transport/actives.toml and tissue.toml,
// data/healing/parameters.toml, data/outcomes/outcomes.toml). Only the entries that apply to the
// run are listed: the device kind, model and cartridge of [device]; the treated sites for the
// patient's sex; the active of [topical] and the tissue rules of the transport stage when there
// is a topical; the healing rates; the treated concerns and their outcome scales. The values are
// the library means as written; the model derives the run's own values from them (e.g. layer
// thickness at the patient's age, in summary.json channels.by_area[].layers_um).

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "needlework/io/bundled.hpp"
#include "needlework/io/simulation_out.hpp"
#include "needlework/io/toml_reader.hpp"

namespace nw::io {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string plain_text(const core::ConfigValue& v) {
  if (const auto* s = v.get_if<std::string>()) return *s;
  if (const auto* a = v.get_if<core::ConfigArray>()) {
    std::string out;
    for (const auto& e : *a) out += (out.empty() ? "" : "; ") + plain_text(e);
    return out;
  }
  return v.to_text();
}

// "0.259 mm" -> {"0.259", "mm"}; "0.585" -> {"0.585", ""}; "stainless steel" -> {text, ""}.
std::pair<std::string, std::string> split_quantity(const std::string& text) {
  const auto space = text.find(' ');
  const std::string head = text.substr(0, space);
  double number = 0;
  const auto [end, ec] = std::from_chars(head.data(), head.data() + head.size(), number);
  if (ec != std::errc{} || end != head.data() + head.size()) return {text, ""};
  return {head, space == std::string::npos ? "" : text.substr(space + 1)};
}

using Keep = std::function<bool(const std::string& key)>;

bool starts_with_segment(const std::string& key, const std::string& prefix) {
  return key == prefix || key.starts_with(prefix + ".");
}

// Every sourced value ({mean, source} or {value, source}) under `table`, depth first in file order.
void collect(const core::ConfigTable& table, const std::string& prefix, const std::string& file, const Keep& keep,
             std::string& out) {
  for (const auto& e : table.entries()) {
    const std::string key = prefix.empty() ? e.key : prefix + "." + e.key;
    if (const auto* t = e.value.get_if<core::ConfigTable>()) {
      const auto* mean = t->find("mean");
      const auto* value = mean ? mean : t->find("value");
      const auto* source = t->find("source");
      if (value && source) {
        if (!keep(key)) continue;
        auto [number, unit] = split_quantity(plain_text(*value));
        std::string sd;
        if (const auto* s = t->find("sd")) sd = split_quantity(plain_text(*s)).first;
        const auto* basis = t->find("basis");
        out +=
            fmt::format("{},{},{},{},{},{},{}\n", csv_field(file), csv_field(key), csv_field(number), csv_field(unit),
                        csv_field(sd), csv_field(basis ? plain_text(*basis) : "fact"), csv_field(plain_text(*source)));
      } else {
        collect(*t, key, file, keep, out);
      }
    } else if (const auto* a = e.value.get_if<core::ConfigArray>()) {
      // An array of tables ([[site]], [[pen]], ...): each element under its `name`.
      for (const auto& element : *a) {
        const auto* item = element.get_if<core::ConfigTable>();
        if (!item) continue;
        const auto* name = item->find("name");
        if (!name) continue;
        collect(*item, key + "." + plain_text(*name), file, keep, out);
      }
    }
  }
}

void collect_file(const std::string& path, const Keep& keep, std::string& out) {
  const auto text = bundled_file(path);
  if (!text) return;
  collect(read_toml_text(*text, "data/" + path), "", "data/" + path, keep, out);
}

}  // namespace

std::string parameters_csv(const Scenario& scenario) {
  std::string out = "file,parameter,value,unit,sd,basis,sources\n";
  if (scenario.device) {
    const auto& d = *scenario.device;
    const std::string kind(device::to_string(d.kind));
    collect_file(
        "device/devices.toml",
        [&](const std::string& key) {
          return starts_with_segment(key, "operator." + kind) || starts_with_segment(key, "needle." + kind) ||
                 starts_with_segment(key, kind + "." + d.model) ||
                 (!d.cartridge.empty() && starts_with_segment(key, "cartridge." + d.cartridge));
        },
        out);
  }
  const std::string sex = scenario.patient.sex == clinical::Sex::male ? "male" : "female";
  const std::string other = sex == "male" ? "female" : "male";
  collect_file(
      "skin/sites.toml",
      [&](const std::string& key) {
        if (starts_with_segment(key, "corrections") || starts_with_segment(key, "model")) return true;
        for (const auto& t : scenario.treatments) {
          const std::string site = "site." + t.site;
          const std::string other_sex = fmt::format("{}.{}", site, other);
          if (starts_with_segment(key, site) && !starts_with_segment(key, other_sex)) return true;
        }
        return false;
      },
      out);
  if (scenario.topical) {
    const auto& active = scenario.topical->active.name;
    collect_file(
        "transport/actives.toml",
        [&](const std::string& key) {
          return starts_with_segment(key, "reference") || starts_with_segment(key, "active." + active);
        },
        out);
    collect_file(
        "transport/tissue.toml", [](const std::string&) { return true; }, out);
  }
  // Healing: every rate constant applies to every area. Outcomes: the shared tables, the treated
  // concerns and the scale each is scored on (the scenario's baseline scale, else the concern's
  // first scale, which outcomes uses by default).
  collect_file(
      "healing/parameters.toml", [](const std::string&) { return true; }, out);
  std::vector<std::string> concerns, scales;
  if (const auto text = bundled_file("outcomes/outcomes.toml")) {
    const auto outcomes = read_toml_text(*text, "data/outcomes/outcomes.toml");
    const auto* list = outcomes.find("concern");
    const auto* array = list ? list->get_if<core::ConfigArray>() : nullptr;
    for (const auto& t : scenario.treatments) {
      concerns.push_back("concern." + t.concern);
      if (t.baseline) {
        scales.push_back("scale." + t.baseline->scale);
        continue;
      }
      if (!array) continue;
      for (const auto& c : *array) {
        const auto* table = c.get_if<core::ConfigTable>();
        const auto* name = table ? table->find("name") : nullptr;
        const auto* names = table ? table->find("scales") : nullptr;
        const auto* first = names ? names->get_if<core::ConfigArray>() : nullptr;
        if (name && plain_text(*name) == t.concern && first && !first->empty())
          scales.push_back("scale." + plain_text(first->front()));
      }
    }
  }
  collect_file(
      "outcomes/outcomes.toml",
      [&](const std::string& key) {
        const auto in = [&key](const std::vector<std::string>& prefixes) {
          return std::any_of(prefixes.begin(), prefixes.end(),
                             [&key](const std::string& p) { return starts_with_segment(key, p); });
        };
        if (starts_with_segment(key, "concern") || starts_with_segment(key, "scale")) return in(concerns) || in(scales);
        return true;
      },
      out);
  return out;
}

}  // namespace nw::io
