#include "needlework/course/treatment.hpp"

#include <fmt/format.h>

namespace nw::course {

namespace param = core::param;
using core::TableSpec;
using core::WordSpec;

namespace {
// The vocabularies below are written as (word, doc) pairs.
constexpr auto words = core::word_specs;
}  // namespace

std::shared_ptr<const TableSpec> treatment_spec(const std::vector<std::string>& sites) {
  std::vector<WordSpec> site_words;
  site_words.reserve(sites.size());
  for (const auto& s : sites) site_words.push_back({s, ""});
  auto baseline = std::make_shared<TableSpec>(
      TableSpec{"baseline",
                "the concern's score before treatment",
                {
                    core::required(param::word("scale",
                                               words({{"goodman_baron_quantitative", "acne scars, 0-84"},
                                                      {"goodman_baron_qualitative", "acne scars, grade 1-4"},
                                                      {"masi", "melasma area and severity index"},
                                                      {"mmasi", "modified MASI"},
                                                      {"lemperle_wrinkle", "wrinkle grade 0-5"},
                                                      {"hair_count_per_cm2", "terminal hair density"},
                                                      {"striae_grade", "stretch-mark grade"},
                                                      {"pore_count", "visible pores"},
                                                      {"melanin_index", "reflectance melanin index"},
                                                      {"laxity_grade", "laxity grade"}}),
                                               "", "outcome scale"),
                                   "\"goodman_baron_quantitative\""),
                    core::required(param::real("value", std::nullopt, 0, 1e6, "score on that scale"), "12"),
                }});
  auto baseline_param =
      param::table("baseline", baseline, "baseline score; absent = population default for the concern");
  baseline_param.example_text = R"({ scale = "goodman_baron_quantitative", value = 12 })";
  auto scar =
      core::optional_(param::word("scar_type", words({{"rolling", ""}, {"boxcar", ""}, {"icepick", ""}, {"mixed", ""}}),
                                  "", "acne_scars only: the dominant scar type"));
  scar.example_text = "\"rolling\"";
  return std::make_shared<TableSpec>(TableSpec{
      "treatment",
      "one treated area",
      {
          core::required(param::word("site", site_words, "", "body site"), "\"cheek\""),
          core::required(param::word("concern",
                                     words({{"acne_scars", ""},
                                            {"wrinkles", ""},
                                            {"enlarged_pores", ""},
                                            {"hyperpigmentation", ""},
                                            {"melasma", ""},
                                            {"uneven_tone", ""},
                                            {"laxity", ""},
                                            {"stretch_marks", ""},
                                            {"surgical_scar", ""},
                                            {"alopecia", ""},
                                            {"rejuvenation", ""},
                                            {"drug_delivery", ""}}),
                                     "", "what is being treated"),
                         "\"acne_scars\""),
          scar,
          baseline_param,
          core::sourced(param::quantity("area", core::dim::area, "30 cm2", "0.5 cm2", "2000 cm2",
                                        "treated area (30 cm2: both cheeks)"),
                        "assumption"),
          core::sourced(param::integer("passes", 4, 1, 20, "passes over the area per session (4-10 in scar studies)"),
                        "S05"),
      }});
}

std::shared_ptr<const TableSpec> protocol_spec() {
  auto start = core::optional_(
      param::date("start", "first session; dates in screening and plans count from it (default: today)"));
  start.example_text = "\"2026-12-01\"";
  return std::make_shared<TableSpec>(TableSpec{
      "protocol",
      "the course of sessions",
      {
          core::sourced(
              param::integer("sessions", 5, 1, 20, "number of sessions (3-6 usual; 1-12 in acne-scar studies)"),
              "S05, S09"),
          core::sourced(param::quantity("interval", core::dim::time, "4 wk", "1 wk", "52 wk",
                                        "time between sessions (typically 4 weeks)"),
                        "S05, S09"),
          param::quantity("follow_up", core::dim::time, "6 mo", "0 d", "5 yr",
                          "outcomes are reported this long after the last session"),
          start,
      }});
}

TreatmentArea treatment_from(const core::ConfigTable& t, std::size_t index,
                             std::vector<core::Diagnostic>& diagnostics) {
  TreatmentArea a;
  a.site = t.get_text("site");
  a.concern = t.get_text("concern");
  if (t.contains("scar_type")) {
    a.scar_type = t.get_text("scar_type");
    if (a.concern != "acne_scars") {
      diagnostics.push_back(core::make_diagnostic(
          core::ErrorCode::cfg_consistency, t.where_of("scar_type"), fmt::format("treatment[{}].scar_type", index),
          fmt::arg("message",
                   fmt::format("'treatment[{}].scar_type' applies only to concern \"acne_scars\" (concern is \"{}\")",
                               index, a.concern))));
    }
  }
  if (t.contains("baseline")) {
    const auto& b = t.get_table("baseline");
    a.baseline = Baseline{b.get_text("scale"), b.get_real("value")};
  }
  a.area = t.get<core::dim::area>("area");
  a.passes = static_cast<int>(t.get_int("passes"));
  return a;
}

std::shared_ptr<const TableSpec> settings_spec() {
  return std::make_shared<TableSpec>(TableSpec{
      "simulation",
      "how the course is simulated",
      {
          param::word("fidelity",
                      words({{"fast", "mean channel, axisymmetric transport cell, depth columns (planner, cohorts)"},
                             {"detailed", "every channel: 3D transport patch and per-channel damage (slow)"}}),
                      "fast", "model fidelity (MODEL.md section 0); the output says which ran"),
          param::integer("virtual_patients", 200, 1, 100000,
                         "virtual patients drawn (seeded) for the outcome median, p05, p95 and responder fraction"),
      }});
}

Settings settings_from(const core::ConfigTable& t) {
  Settings s;
  s.fidelity = t.get_text("fidelity") == "detailed" ? Fidelity::detailed : Fidelity::fast;
  s.virtual_patients = static_cast<int>(t.get_int("virtual_patients"));
  return s;
}

Protocol protocol_from(const core::ConfigTable& t) {
  Protocol p;
  p.sessions = static_cast<int>(t.get_int("sessions"));
  p.interval = t.get<core::dim::time>("interval");
  p.follow_up = t.get<core::dim::time>("follow_up");
  if (t.contains("start")) p.start = t.get_date("start");
  return p;
}

}  // namespace nw::course
