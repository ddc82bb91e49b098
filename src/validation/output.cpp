// What `needlework validate` prints and writes: the text table, validation.json and a
// self-contained validation.html (table + inline SVG of model / data per case).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "needlework/core/build_info.hpp"
#include "needlework/core/text.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/io/svg.hpp"
#include "needlework/validation/validation.hpp"

namespace nw::validation {

namespace {

using nlohmann::json;

std::string with_unit(double x, const std::string& unit) {
  if (!std::isfinite(x)) return "-";
  if (unit.empty()) return fmt::format("{:.4g}", x);
  if (unit == "%") return fmt::format("{:.4g} %", x);
  return fmt::format("{:.4g} {}", x, unit);
}

std::string data_numbers(const DataValue& d, const std::string& unit) {
  if (d.value) return with_unit(*d.value, unit);
  if (d.min && d.max) return fmt::format("{:.4g}-{}", *d.min, with_unit(*d.max, unit));
  if (d.max) return fmt::format("<= {}", with_unit(*d.max, unit));
  return fmt::format(">= {}", with_unit(d.min.value_or(0.0), unit));
}

json number_or_null(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
json opt(const std::optional<double>& x) { return x ? number_or_null(*x) : json(nullptr); }

struct Counts {
  int pass = 0, fail = 0, known = 0;
};
Counts count(const std::vector<CaseResult>& cases) {
  Counts c;
  for (const auto& r : cases) {
    if (r.status == Status::pass) ++c.pass;
    if (r.status == Status::fail) ++c.fail;
    if (r.status == Status::known_discrepancy) ++c.known;
  }
  return c;
}

std::string status_word(Status s) {
  return s == Status::known_discrepancy ? "known discrepancy" : std::string(to_string(s));
}

std::string shorten(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

std::string verdict(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits) {
  const auto c = count(cases);
  const auto fits_off = std::count_if(fits.begin(), fits.end(), [](const FitResult& f) { return !f.within; });
  std::string s =
      fmt::format("{} cases: {} pass, {} known discrepancies, {} fail", cases.size(), c.pass, c.known, c.fail);
  if (!fits.empty()) s += fmt::format("; {} refits, {} outside their tolerance", fits.size(), fits_off);
  return s + (all_ok(cases, fits) ? ". OK" : ". FAILED");
}

// log10(model / data) per case with its acceptance band, for the picture.
std::string picture(const std::vector<CaseResult>& cases) {
  std::vector<double> x, y;
  std::vector<int> group;
  double lo_y = -0.5, hi_y = 0.5;
  const auto add = [&](double xi, double v, double ref, int g) {
    if (!(ref > 0) || !(v > 0) || !std::isfinite(v)) return;
    const double yi = std::log10(v / ref);
    x.push_back(xi);
    y.push_back(yi);
    group.push_back(g);
    lo_y = std::min(lo_y, yi);
    hi_y = std::max(hi_y, yi);
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& r = cases[i];
    const double ref = r.c.data.reference();
    const double xi = static_cast<double>(i + 1);
    add(xi, r.lo, ref, 0);
    add(xi, r.hi, ref, 0);
    add(xi, r.model, ref, r.status == Status::pass ? 2 : (r.status == Status::known_discrepancy ? 1 : 3));
  }
  lo_y = std::floor(lo_y * 2) / 2 - 0.25;
  hi_y = std::ceil(hi_y * 2) / 2 + 0.25;
  io::SvgStyle style{900, 420, "Model / data per case (log10; 0 = agreement), with the ends of the acceptance band",
                     "case number (table order)", "log10(model / data)"};
  return io::svg_scatter(x, y, group, 0.0, static_cast<double>(cases.size()) + 1.0, lo_y, hi_y, false, 4.0, 100000,
                         style, {"acceptance band ends", "model: known discrepancy", "model: pass", "model: fail"});
}

std::string esc(const std::string& s) { return core::xml_escape(s); }

}  // namespace

std::string results_text(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits) {
  struct Row {
    std::string id, stage, quantity, data, model, tolerance, status;
  };
  std::vector<Row> rows{{"case", "stage", "quantity", "data", "model", "tolerance", "status"}};
  for (const auto& r : cases) {
    rows.push_back({r.c.id, r.c.stage, shorten(r.c.quantity, 52), data_numbers(r.c.data, r.c.unit),
                    with_unit(r.model, r.c.unit), r.tolerance_text, status_word(r.status)});
  }
  std::size_t w[6] = {};
  for (const auto& row : rows) {
    const std::string* cols[6] = {&row.id, &row.stage, &row.quantity, &row.data, &row.model, &row.tolerance};
    for (int k = 0; k < 6; ++k) w[k] = std::max(w[k], cols[k]->size());
  }
  std::string out = "Validation: the model against published data (docs/validation.md)\n\n";
  for (const auto& row : rows) {
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}  {:>{}}  {:<{}}  {}\n", row.id, w[0], row.stage, w[1],
                       row.quantity, w[2], row.data, w[3], row.model, w[4], row.tolerance, w[5], row.status);
  }
  bool header = false;
  for (const auto& r : cases) {
    if (r.status == Status::pass) continue;
    if (!header) out += "\nNot passing:\n";
    header = true;
    out += fmt::format("  {} ({}, {}): model {} vs data {} ({:.3g} x){}\n", r.c.id, status_word(r.status), r.c.row,
                       with_unit(r.model, r.c.unit), r.c.data.text, r.ratio,
                       r.c.explanation.empty() ? "" : "\n    " + r.c.explanation);
  }
  if (!fits.empty()) {
    out += "\nRefits (each from its data row alone):\n";
    out += fmt::format("  {:<36}  {:<18}  {:>10}  {:>10}  {:>8}  {:>9}  {}\n", "parameter", "fitted on", "bundled",
                       "refit", "diff", "tolerance", "");
    for (const auto& f : fits) {
      out += fmt::format("  {:<36}  {:<18}  {:>10}  {:>10}  {:>7.2f}%  {:>8.1f}%  {}\n", f.parameter, f.case_id,
                         with_unit(f.bundled, f.unit), with_unit(f.refit, f.unit), 100 * (f.refit / f.bundled - 1),
                         100 * f.tolerance, f.within ? "ok" : "OUTSIDE");
    }
  }
  out += fmt::format("\n{}\n", verdict(cases, fits));
  return out;
}

std::string results_json(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits,
                         const std::string& file) {
  const auto c = count(cases);
  json j;
  j["version"] = core::build_info().version;
  j["file"] = file;
  j["ok"] = all_ok(cases, fits);
  j["counts"] = {{"pass", c.pass}, {"fail", c.fail}, {"known_discrepancy", c.known}};
  j["cases"] = json::array();
  for (const auto& r : cases) {
    j["cases"].push_back({
        {"id", r.c.id},
        {"row", r.c.row},
        {"stage", r.c.stage},
        {"role", r.c.role},
        {"quantity", r.c.quantity},
        {"condition", r.c.condition},
        {"unit", r.c.unit},
        {"data",
         {{"value", opt(r.c.data.value)},
          {"min", opt(r.c.data.min)},
          {"max", opt(r.c.data.max)},
          {"text", r.c.data.text}}},
        {"source", r.c.source},
        {"model", number_or_null(r.model)},
        {"model_function", r.c.model},
        {"tolerance", {{"text", r.tolerance_text}, {"lo", number_or_null(r.lo)}, {"hi", number_or_null(r.hi)}}},
        {"ratio", number_or_null(r.ratio)},
        {"status", std::string(to_string(r.status))},
        {"expected", r.c.expect_discrepancy ? "known_discrepancy" : "pass"},
        {"explanation", r.c.explanation},
    });
  }
  j["fits"] = json::array();
  for (const auto& f : fits) {
    j["fits"].push_back({{"parameter", f.parameter},
                         {"case", f.case_id},
                         {"data_key", f.data_key},
                         {"unit", f.unit},
                         {"method", f.method},
                         {"bundled", number_or_null(f.bundled)},
                         {"refit", number_or_null(f.refit)},
                         {"tolerance", f.tolerance},
                         {"within", f.within}});
  }
  return j.dump(2) + "\n";
}

std::string results_html(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits,
                         const std::string& file) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>needlework validation</title>\n";
  h += "<style>\nbody{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}\n"
       "table{border-collapse:collapse;font-size:0.9em;width:100%}td.wrap{overflow-wrap:anywhere;min-width:7em}td,th{"
       "border:1px solid "
       "#ccc;padding:3px 6px;vertical-align:top}\n"
       "th{background:#f0f0f0}td.num{text-align:right}.nw{white-space:nowrap}\n"
       ".pass{background:#e3f4e3}.fail{background:#f8d7d7}.known_discrepancy{background:#fdf1d0}\n"
       "small{color:#555}\n</style>\n</head>\n<body>\n";
  h += "<h1>needlework validation</h1>\n";
  h += fmt::format(
      "<p>The model against published data: {} (cases from <code>{}</code>, needlework {}). "
      "Reproduce with <code>needlework validate --refit</code>; every case is explained in "
      "docs/validation.md.</p>\n",
      esc(verdict(cases, fits)), esc(file), esc(core::build_info().version));
  h += fmt::format("<h2>Model / data</h2>\n{}\n", picture(cases));
  std::vector<std::string> not_drawn;
  for (const auto& r : cases)
    if (!(r.c.data.reference() > 0)) not_drawn.push_back(r.c.id);
  if (!not_drawn.empty()) {
    h += fmt::format("<p><small>Not drawn (data 0: no ratio): {}. Open band ends are not drawn either.</small></p>\n",
                     esc(fmt::format("{}", fmt::join(not_drawn, ", "))));
  }
  h += "<h2>Cases</h2>\n<table>\n<tr><th>#</th><th>case</th><th>row</th><th>stage</th><th>role</th><th>quantity</th>"
       "<th>condition</th><th>data</th><th>model</th><th>tolerance</th><th>status</th><th>source and "
       "remarks</th></tr>\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& r = cases[i];
    const std::string cls(to_string(r.status));
    h += fmt::format(
        "<tr class=\"{}\"><td class=\"num\">{}</td><td>{}</td><td "
        "class=\"wrap\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"num\"><span class=\"nw\">{}</span><br><small>{}</small></td>"
        "<td class=\"num nw\">{}</td><td>{}</td><td>{}</td>"
        "<td>{}{}</td></tr>\n",
        cls, i + 1, esc(r.c.id), esc(r.c.row), esc(r.c.stage), esc(r.c.role), esc(r.c.quantity), esc(r.c.condition),
        esc(data_numbers(r.c.data, r.c.unit)), esc(r.c.data.text), esc(with_unit(r.model, r.c.unit)),
        esc(r.tolerance_text), esc(status_word(r.status)), esc(r.c.source),
        r.c.explanation.empty() ? std::string() : fmt::format("<br><small>{}</small>", esc(r.c.explanation)));
  }
  h += "</table>\n";
  if (!fits.empty()) {
    h += "<h2>Refits of the fitted parameters</h2>\n<table>\n<tr><th>parameter</th><th>fitted on</th><th>bundled</th>"
         "<th>refit</th><th>difference</th><th>tolerance</th><th>where</th><th>method</th></tr>\n";
    for (const auto& f : fits) {
      h += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td>{}</td><td class=\"num nw\">{}</td><td class=\"num nw\">{}</td>"
          "<td class=\"num nw\">{:.2f} %</td><td class=\"num nw\">{:.1f} "
          "%</td><td><code>{}</code></td><td>{}</td></tr>\n",
          f.within ? "pass" : "fail", esc(f.parameter), esc(f.case_id), esc(with_unit(f.bundled, f.unit)),
          esc(with_unit(f.refit, f.unit)), 100 * (f.refit / f.bundled - 1), 100 * f.tolerance, esc(f.data_key),
          esc(f.method));
    }
    h += "</table>\n";
  }
  h += "<p><small>needlework is a research and education tool, not a medical device.</small></p>\n</body>\n</html>\n";
  return h;
}

std::vector<std::filesystem::path> write_results(const std::filesystem::path& dir, const std::vector<CaseResult>& cases,
                                                 const std::vector<FitResult>& fits, const std::string& file) {
  const auto html = dir / "validation.html";
  const auto js = dir / "validation.json";
  io::write_file_atomically(js, results_json(cases, fits, file));
  io::write_file_atomically(html, results_html(cases, fits, file));
  return {html, js};
}

}  // namespace nw::validation
