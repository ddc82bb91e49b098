// The report module (report.html built from result files) and parameters.csv.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "needlework/api/api.hpp"
#include "needlework/core/text.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/simulation_out.hpp"
#include "needlework/report/html.hpp"
#include "needlework/report/plan_report.hpp"
#include "needlework/report/simulation_report.hpp"
#include "test_support.hpp"

namespace nw::report {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One simulate run of the bundled clear candidate, shared by the tests below (1-2 s).
const fs::path& simulated_dir() {
  static const fs::path dir = [] {
    const auto d = test::scratch_dir("report_unit");
    core::NullSink log;
    api::simulate(fs::path(NW_SOURCE_DIR) / "examples/patients/01_clear_candidate.toml", d, log);
    return d;
  }();
  return dir;
}

TEST(Report, EscapesHtml) {
  EXPECT_EQ(core::xml_escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(core::xml_escape("plain"), "plain");
}

TEST(Report, FormatsNumbersToSignificantDigits) {
  EXPECT_EQ(format_number(1497.1234), "1497");  // digits left of the point are kept
  EXPECT_EQ(format_number(0.998765), "0.999");
  EXPECT_EQ(format_number(12.345), "12.3");
  EXPECT_EQ(format_number(1.5e-5), "1.50e-05");
  EXPECT_EQ(format_number(2.5e7), "25000000");  // whole
  EXPECT_EQ(format_number(2.55e7 + 0.5), "2.55e+07");
  EXPECT_EQ(format_number(0.0), "0");
  EXPECT_EQ(format_number(7.0, 20), "7");
  EXPECT_EQ(format_number(-0.0123456, 2), "-0.012");
  EXPECT_EQ(format_number(std::nan("")), "n/a");
}

TEST(Report, TaggedNumbersCarryKeyExactValueAndScale) {
  EXPECT_EQ(tagged_number("transport.fraction_of_dose", 0.99876, 100),
            R"(<span class="num" data-file="summary.json" data-key="transport.fraction_of_dose" )"
            R"(data-value="0.99876" data-scale="100">99.9</span>)");
}

TEST(Report, PageRejectsDuplicateChartIdsAndInlinesEverything) {
  Page page("t<", "s");
  Chart c;
  c.id = "a";
  c.series.push_back({"x", {1, 2}, {3, 4}});
  EXPECT_NE(page.chart(c).find("<canvas id=\"a\""), std::string::npos);
  EXPECT_THROW(page.chart(c), core::Error);
  c.id = "has space";
  EXPECT_THROW(page.chart(c), core::Error);
  c.id = "b";
  c.series[0].label = "</script><b>";
  page.chart(c);
  const auto html = page.render("f");
  EXPECT_NE(html.find("<title>t&lt;</title>"), std::string::npos);
  EXPECT_NE(html.find(fmt::format("Chart.js v{}", chart_library_version())), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The label is data: it cannot close the JSON script element.
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find(R"(<\/script><b>)"), std::string::npos);
}

TEST(Report, MissingOrBrokenResultFilesNameTheFile) {
  const auto dir = test::scratch_dir("report_empty");
  try {
    simulation_report_html(dir);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::io_read);
    EXPECT_NE(std::string(e.what()).find("summary.json"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_status(), core::ExitStatus::io_failure);
  }
  std::ofstream(dir / "summary.json") << "{ not json";
  std::ofstream(dir / "provenance.json") << "{}";
  std::ofstream(dir / "effective_config.toml") << "seed = 1\n";
  try {
    simulation_report_html(dir);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("summary.json': not valid JSON"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(Report, SimulateWritesAReportThatCanBeRebuiltFromItsFiles) {
  const auto& dir = simulated_dir();
  const auto written = slurp(dir / "report.html");
  ASSERT_FALSE(written.empty());
  // Built from the files alone: rebuilding gives the same bytes.
  EXPECT_EQ(simulation_report_html(dir), written);
  const auto summary = nlohmann::json::parse(slurp(dir / "summary.json"));
  const double delivered = summary["transport"]["delivered_ug_per_cm2"].get<double>();
  EXPECT_NE(written.find(fmt::format(R"(data-key="transport.delivered_ug_per_cm2" data-value="{}")", delivered)),
            std::string::npos);
  for (const char* id : {"simulated", "numbers", "charts", "parameters", "evidence", "config", "provenance"})
    EXPECT_NE(written.find(fmt::format("<section id=\"{}\">", id)), std::string::npos) << id;
  for (const char* canvas : {"uptake-0", "layers-0", "depth-0"})
    EXPECT_NE(written.find(fmt::format("<canvas id=\"{}\"", canvas)), std::string::npos) << canvas;
  EXPECT_NE(written.find("needlework is not a medical device"), std::string::npos);
}

// Sections that later stages add to summary.json (docs/PRODUCT.md: tissue, outcomes with a
// timeline CSV, safety) are rendered when present, every number tagged with its key.
TEST(Report, RendersTissueOutcomesAndSafetyWhenSummaryHasThem) {
  const auto dir = test::scratch_dir("report_sections");
  fs::copy(simulated_dir(), dir, fs::copy_options::recursive);
  auto summary = nlohmann::ordered_json::parse(slurp(dir / "summary.json"));
  summary["tissue"] = {{"at_follow_up", {{"collagen_change_pct", 12.5}, {"elastin_change_pct", 4.25}}}};
  summary["outcomes"] =
      nlohmann::ordered_json::array({{{"site", "cheek"},
                                      {"concern", "acne_scars"},
                                      {"scale", "goodman_baron_quantitative"},
                                      {"baseline", 12},
                                      {"at_follow_up", {{"median", 8.4}, {"p05", 5.5}, {"p95", 10.75}}},
                                      {"responder_fraction", 0.625},
                                      {"timeline_csv", "outcome_cheek.csv"}},
                                     {{"site", "cheek"}, {"concern", "wrinkles"}, {"timeline_csv", "missing.csv"}}});
  summary["safety"] = {{"erythema_h", 36.5}, {"pih_probability", 0.0425}, {"flags", nlohmann::ordered_json::array()}};
  std::ofstream(dir / "summary.json") << summary.dump(2);
  std::ofstream(dir / "outcome_cheek.csv") << "day,median,p05,p95\n0,12,12,12\n90,9,7,11\n180,8.4,5.5,10.75\n";
  const auto html = slurp(write_simulation_report(dir));
  for (const auto& [key, shown] :
       std::vector<std::pair<std::string, std::string>>{{"tissue.at_follow_up.collagen_change_pct", "12.5"},
                                                        {"outcomes.0.at_follow_up.median", "8.40"},
                                                        {"outcomes.0.responder_fraction", "62.5"},
                                                        {"safety.erythema_h", "36.5"},
                                                        {"safety.pih_probability", "4.25"}}) {
    EXPECT_NE(html.find(fmt::format(R"(data-key="{}" data-value=)", key)), std::string::npos) << key;
    const auto at = html.find(fmt::format(R"(data-key="{}")", key));
    EXPECT_NE(html.find(fmt::format(">{}</span>", shown), at), std::string::npos) << key;
  }
  EXPECT_NE(html.find("<canvas id=\"outcome-0\""), std::string::npos);
  EXPECT_EQ(html.find("<canvas id=\"outcome-1\""), std::string::npos);
  EXPECT_NE(html.find("Timeline missing.csv listed in summary.json is missing."), std::string::npos);
  EXPECT_NE(html.find("outcome ranges (p05 to p95)"), std::string::npos);
  EXPECT_NE(html.find(R"(data-key="outcomes.0.at_follow_up.p95" data-value="10.75" data-scale="1">10.8</span>))"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(Report, ParametersCsvListsTheRunsLibraryEntriesWithSources) {
  const auto data = io::bundled_data();
  const auto scenario = io::load_scenario(fs::path(NW_SOURCE_DIR) / "examples/patients/01_clear_candidate.toml", data);
  const auto csv = io::parameters_csv(scenario);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "file,parameter,value,unit,sd,basis,sources");
  // The patient (female), the site (cheek), the active (vitamin C), the pen and its cartridge.
  EXPECT_NE(csv.find("data/skin/sites.toml,site.cheek.female.papillary_dermis,"), std::string::npos);
  EXPECT_EQ(csv.find("site.cheek.male."), std::string::npos);
  EXPECT_EQ(csv.find("site.forehead."), std::string::npos);
  EXPECT_NE(
      csv.find("data/transport/actives.toml,active.vitamin_c.molecular_weight,176.12,g/mol,0,measured,SRC-HAN95\n"),
      std::string::npos);
  EXPECT_EQ(csv.find("active.caffeine"), std::string::npos);
  EXPECT_NE(csv.find("data/transport/tissue.toml,barrier.half_life,1.35,h,0.5,fitted,C-KAL1\n"), std::string::npos);
  EXPECT_NE(csv.find("data/device/devices.toml,cartridge.12.needles,12,,,fact,S59; B-PEN1\n"), std::string::npos);
  EXPECT_EQ(csv.find("cartridge.36."), std::string::npos);
  EXPECT_EQ(csv.find("operator.roller."), std::string::npos);
  // Every row has a source.
  std::istringstream lines(csv);
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_NE(line.back(), ',') << line;
  }
  EXPECT_GT(rows, 50);
  EXPECT_EQ(slurp(simulated_dir() / "parameters.csv"), csv);
}

TEST(Report, PlanReportNamesMissingFilesAndShowsARefusal) {
  const auto dir = test::scratch_dir("report_plan");
  try {
    plan_report_html(dir);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::io_read);
    EXPECT_NE(std::string(e.what()).find("plan.json"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "provenance.json") << R"({"command": "plan", "seed": 3})";
  std::ofstream(dir / "plan.json") << R"({"screening": {}})";
  try {
    plan_report_html(dir);
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("areas"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "plan.json") << R"({"screening": {"decision": "do-not-treat", "planned_start": "2027-01-01",
    "reasons": [{"rule": "keloid_tendency", "action": "do-not-treat", "message": "keloids <b>", "sources": ["S1"]}]},
    "refused": true, "refusal_reasons": ["keloid tendency"], "areas": [], "schedule": [], "aftercare": [],
    "alternatives": [], "sources": {}, "evaluations": 0, "disclaimer": "not a medical device"})";
  const auto html = plan_report_html(dir);
  EXPECT_NE(html.find("No plan: screening refused the treatment."), std::string::npos);
  EXPECT_NE(html.find("keloids &lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find(R"(data-file="plan.json" data-key="evaluations")"), std::string::npos);
  EXPECT_NE(html.find(R"(data-file="provenance.json" data-key="seed")"), std::string::npos);
  EXPECT_NE(html.find("effective_config.toml is not in this folder"), std::string::npos);
  EXPECT_EQ(html.find("<canvas"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nw::report
