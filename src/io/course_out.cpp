#include "course_out.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "needlework/io/svg.hpp"

namespace nw::io {
namespace {

using nlohmann::ordered_json;

double round_to(double v, int digits) {
  if (!std::isfinite(v)) return v;
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

ordered_json spread_json(const outcomes::Spread& s, int digits) {
  return {{"median", round_to(s.median, digits)}, {"p05", round_to(s.p05, digits)}, {"p95", round_to(s.p95, digits)}};
}

constexpr int kPap = static_cast<int>(healing::Compartment::papillary);
constexpr int kRet = static_cast<int>(healing::Compartment::reticular);

}  // namespace

std::string timeline_csv_name(const course::AreaResult& a, std::size_t index) {
  return fmt::format("timeline_{}_{}.csv", index + 1, a.treatment.site);
}
std::string tissue_svg_name(const course::AreaResult& a, std::size_t index) {
  return fmt::format("tissue_{}_{}.svg", index + 1, a.treatment.site);
}
std::string outcome_svg_name(const course::AreaResult& a, std::size_t index) {
  return fmt::format("outcome_{}_{}.svg", index + 1, a.treatment.site);
}

ordered_json tissue_json(const course::AreaResult& a) {
  if (a.healing.treated.empty()) return nullptr;
  const auto& c = a.tissue_at_follow_up;
  const auto& h = a.healing;
  return {
      {"at_follow_up",
       {{"day", round_to(h.treated.back().day, 1)},
        {"collagen_change_pct", round_to(c.collagen_change_pct, 2)},
        {"elastin_change_pct", round_to(c.elastin_change_pct, 2)},
        {"epidermal_thickness_change_pct", round_to(c.epidermal_thickness_change_pct, 2)},
        {"dermal_density_change_pct", round_to(c.dermal_density_change_pct, 2)},
        {"elasticity_change_pct", round_to(c.elasticity_change_pct, 2)}}},
      {"peak_inflammation", round_to(h.peak_inflammation, 4)},
      {"person", "nominal (every person-to-person factor 1)"},
      {"sessions",
       [&] {
         ordered_json s = ordered_json::array();
         for (const auto& i : a.injuries) {
           s.push_back({{"day", round_to(i.day, 2)},
                        {"damaged_fraction",
                         {{"epidermis", round_to(i.damaged_fraction[0], 5)},
                          {"papillary_dermis", round_to(i.damaged_fraction[kPap], 5)},
                          {"reticular_dermis", round_to(i.damaged_fraction[kRet], 5)}}}});
         }
         return s;
       }()},
      {"applications", a.doses.size()},
  };
}

ordered_json outcome_json(const course::AreaResult& a, std::size_t index, const outcomes::OutcomeModel& model) {
  if (a.cohort.empty()) return nullptr;
  const auto& last = a.cohort.back();
  const auto* concern = model.concern(a.treatment.concern);
  const auto* scale = model.scale(last.scale);
  const int digits = 3;
  ordered_json evidence = nullptr;
  if (concern) {
    evidence = {{"level", concern->evidence}, {"sources", concern->evidence_sources}, {"note", concern->evidence_note}};
  }
  return {
      {"site", a.treatment.site},
      {"concern", a.treatment.concern},
      {"scale", last.scale},
      {"scale_better", scale && scale->better == outcomes::Better::higher ? "higher" : "lower"},
      {"baseline", round_to(last.baseline, digits)},
      {"at_follow_up", spread_json(last.at_follow_up, digits)},
      {"change", spread_json(last.change, digits)},
      {"responder_fraction", round_to(last.responder_fraction, 4)},
      {"responder_definition", scale ? ordered_json(scale->responder_note) : ordered_json(nullptr)},
      {"untreated",
       {{"at_follow_up", spread_json(last.untreated_at_follow_up, digits)},
        {"responder_fraction", round_to(last.untreated_responder_fraction, 4)}}},
      {"net_effect_vs_untreated", spread_json(last.net_effect, digits)},
      {"follow_up_day", round_to(a.healing.treated.back().day, 1)},
      {"virtual_patients", a.virtual_patients},
      {"evidence", evidence},
      {"timeline_csv", timeline_csv_name(a, index)},
  };
}

ordered_json safety_json(const course::AreaResult& a) {
  const auto& s = a.safety;
  ordered_json flags = ordered_json::array();
  for (const auto& f : s.flags) flags.push_back({{"code", f.code}, {"message", f.message}, {"sources", f.sources}});
  return {
      {"erythema_h", round_to(s.erythema_h, 2)},
      {"downtime_days", round_to(s.downtime_days, 2)},
      {"pih_probability", round_to(s.pih_probability, 4)},
      {"bleeding", s.bleeding},
      {"bleeding_fraction", round_to(s.bleeding_fraction, 4)},
      {"flags", flags},
  };
}

ordered_json pooled_safety_json(const ordered_json& by_area) {
  if (by_area.empty()) return nullptr;
  ordered_json out = by_area.front();
  static const std::vector<std::string> order = {"none", "pinpoint", "confluent"};
  const auto rank = [&](const std::string& b) { return std::find(order.begin(), order.end(), b) - order.begin(); };
  std::set<std::string> codes;
  ordered_json flags = ordered_json::array();
  for (const auto& a : by_area) {
    for (const char* key : {"erythema_h", "downtime_days", "pih_probability", "bleeding_fraction"}) {
      out[key] = std::max(out[key].get<double>(), a[key].get<double>());
    }
    if (rank(a["bleeding"].get<std::string>()) > rank(out["bleeding"].get<std::string>()))
      out["bleeding"] = a["bleeding"];
    for (const auto& f : a["flags"]) {
      if (codes.insert(f["code"].get<std::string>() + f["message"].get<std::string>()).second) flags.push_back(f);
    }
  }
  out["flags"] = flags;
  return out;
}

std::string course_text(const course::AreaResult& a) {
  std::string out;
  if (!a.cohort.empty()) {
    const auto& c = a.cohort.back();
    out += fmt::format(
        "  outcome       {} {:.3g} -> {:.3g} median (90% of virtual patients {:.3g} to {:.3g}) on day {:.0f};\n"
        "                responders {:.0f}%; untreated {:.3g} (median); {} virtual patients\n",
        c.scale, c.baseline, c.at_follow_up.median, c.at_follow_up.p05, c.at_follow_up.p95,
        a.healing.treated.back().day, 100 * c.responder_fraction, c.untreated_at_follow_up.median, a.virtual_patients);
  }
  if (!a.healing.treated.empty()) {
    const auto& t = a.tissue_at_follow_up;
    out += fmt::format(
        "  tissue        collagen {:+.1f}%, elastin {:+.1f}%, epidermis {:+.1f}%, elasticity {:+.1f}% vs untreated\n"
        "                at follow-up (nominal person)\n",
        t.collagen_change_pct, t.elastin_change_pct, t.epidermal_thickness_change_pct, t.elasticity_change_pct);
  }
  const auto& s = a.safety;
  std::string flags;
  for (const auto& f : s.flags) flags += (flags.empty() ? "" : ", ") + f.code;
  out += fmt::format("  safety        erythema {:.0f} h, downtime {:.1f} d, PIH probability {:.1f}%, bleeding {}{}\n",
                     s.erythema_h, s.downtime_days, 100 * s.pih_probability, s.bleeding,
                     flags.empty() ? std::string() : "; flags: " + flags);
  return out;
}

std::string timeline_csv(const course::AreaResult& a) {
  std::string out =
      "day,treated_median,treated_p05,treated_p95,untreated_median,untreated_p05,untreated_p95,"
      "nominal_treated,nominal_untreated,collagen_i_papillary,collagen_iii_papillary,elastin_papillary,"
      "collagen_i_reticular,fibroblasts_papillary,inflammation_papillary,epidermal_thickness,erythema,"
      "melanocyte_activation,pigment,follicle_stimulation\n";
  const auto& h = a.healing.treated;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const auto& t = h[i];
    std::string outcome = ",,,,,,,,";
    if (i < a.cohort.size()) {
      const auto& c = a.cohort[i];
      const auto& n = a.nominal_scores;
      outcome = fmt::format("{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},{:.4f},", c.at_follow_up.median,
                            c.at_follow_up.p05, c.at_follow_up.p95, c.untreated_at_follow_up.median,
                            c.untreated_at_follow_up.p05, c.untreated_at_follow_up.p95,
                            i < n.treated.size() ? n.treated[i] : NAN, i < n.untreated.size() ? n.untreated[i] : NAN);
    }
    out += fmt::format("{:.2f},{}{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f},{:.5f}\n", t.day,
                       outcome, t.collagen_i[kPap], t.collagen_iii[kPap], t.elastin[kPap], t.collagen_i[kRet],
                       t.fibroblasts[kPap], t.inflammation[kPap], t.epidermal_thickness, t.erythema,
                       t.melanocyte_activation, t.pigment, t.follicle_stimulation);
  }
  return out;
}

std::string tissue_svg(const course::AreaResult& a) {
  const auto& h = a.healing.treated;
  std::vector<double> x;
  SvgSeries c1{"collagen I (papillary)", {}}, c3{"collagen III (papillary)", {}}, el{"elastin (papillary)", {}},
      ep{"epidermal thickness", {}}, c1u{"collagen I, untreated", {}};
  for (std::size_t i = 0; i < h.size(); ++i) {
    x.push_back(h[i].day);
    c1.y.push_back(h[i].collagen_i[kPap]);
    c3.y.push_back(h[i].collagen_iii[kPap]);
    el.y.push_back(h[i].elastin[kPap]);
    ep.y.push_back(h[i].epidermal_thickness);
    c1u.y.push_back(i < a.healing.untreated.size() ? a.healing.untreated[i].collagen_i[kPap] : NAN);
  }
  SvgStyle style{760, 420, fmt::format("Tissue over the course, {} (nominal person)", a.treatment.site),
                 "days from the first session", "relative to the baseline state"};
  return svg_lines(x, {c1, c3, el, ep, c1u}, false, style);
}

std::string outcome_svg(const course::AreaResult& a) {
  std::vector<double> x;
  SvgSeries med{"treated, median", {}}, lo{"treated, p05", {}}, hi{"treated, p95", {}}, um{"untreated, median", {}};
  for (std::size_t i = 0; i < a.cohort.size() && i < a.healing.treated.size(); ++i) {
    x.push_back(a.healing.treated[i].day);
    med.y.push_back(a.cohort[i].at_follow_up.median);
    lo.y.push_back(a.cohort[i].at_follow_up.p05);
    hi.y.push_back(a.cohort[i].at_follow_up.p95);
    um.y.push_back(a.cohort[i].untreated_at_follow_up.median);
  }
  const std::string scale = a.cohort.empty() ? std::string() : a.cohort.front().scale;
  SvgStyle style{760, 420,
                 fmt::format("{} ({}), {} virtual patients", a.treatment.concern, a.treatment.site, a.virtual_patients),
                 "days from the first session", scale};
  return svg_lines(x, {med, lo, hi, um}, false, style);
}

}  // namespace nw::io
