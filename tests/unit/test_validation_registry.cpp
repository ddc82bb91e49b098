// The validation registry's own rules: tolerance kinds, the status decision (pass / fail /
// known discrepancy), the cases-file loader's diagnostics, input errors, the refit's failure
// when no root exists, and the shape of the outputs.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "needlework/validation/validation.hpp"

namespace nw {
namespace {

using validation::Case;
using validation::Status;
using validation::ToleranceKind;

Case make_case(ToleranceKind kind, double tol, std::optional<double> value, std::optional<double> min = {},
               std::optional<double> max = {}) {
  // One initializer: assigning string literals one by one trips a GCC 12 -Wrestrict false
  // positive at -O3 (GCC bug 105329), as in src/validation/refit.cpp.
  Case c{.id = "T", .unit = "um"};
  c.data.value = value;
  c.data.min = min;
  c.data.max = max;
  c.tolerance.kind = kind;
  c.tolerance.value = tol;
  return c;
}

TEST(ValidationRules, RelativeAbsoluteAndFactor) {
  const auto rel = make_case(ToleranceKind::relative, 0.05, 100.0);
  EXPECT_EQ(validation::decide(rel, 104.9), Status::pass);
  EXPECT_EQ(validation::decide(rel, 95.1), Status::pass);
  EXPECT_EQ(validation::decide(rel, 105.1), Status::fail);
  const auto abs = make_case(ToleranceKind::absolute, 5.0, 50.0);
  EXPECT_EQ(validation::decide(abs, 45.0), Status::pass);
  EXPECT_EQ(validation::decide(abs, 44.9), Status::fail);
  const auto exact = make_case(ToleranceKind::absolute, 0.0, 0.0);
  EXPECT_EQ(validation::decide(exact, 0.0), Status::pass);
  EXPECT_EQ(validation::decide(exact, 1e-30), Status::fail);
  const auto fac = make_case(ToleranceKind::factor, 2.0, 1.59e-4);
  EXPECT_EQ(validation::decide(fac, 0.8e-4), Status::pass);
  EXPECT_EQ(validation::decide(fac, 3.1e-4), Status::pass);
  EXPECT_EQ(validation::decide(fac, 0.7e-4), Status::fail);
  EXPECT_EQ(validation::decide(fac, 3.3e-4), Status::fail);
  EXPECT_EQ(validation::decide(rel, std::numeric_limits<double>::quiet_NaN()), Status::fail);
}

TEST(ValidationRules, BoundsAndDataRangeMayBeOpen) {
  auto b = make_case(ToleranceKind::bounds, 0, 100.0);
  b.tolerance.min = 85.0;
  EXPECT_EQ(validation::decide(b, 1e9), Status::pass);
  EXPECT_EQ(validation::decide(b, 84.0), Status::fail);
  const auto range = make_case(ToleranceKind::data_range, 0, std::nullopt, 4.0, 5.0);
  EXPECT_EQ(validation::decide(range, 4.5), Status::pass);
  EXPECT_EQ(validation::decide(range, 5.01), Status::fail);
  EXPECT_DOUBLE_EQ(range.data.reference(), 4.5);
  const auto upper = make_case(ToleranceKind::data_range, 0, std::nullopt, std::nullopt, 2.0);
  EXPECT_EQ(validation::decide(upper, -3.0), Status::pass);
  EXPECT_EQ(validation::decide(upper, 2.5), Status::fail);
  EXPECT_DOUBLE_EQ(upper.data.reference(), 2.0);
  EXPECT_EQ(range.tolerance.describe(range.data, "h"), "data range (4-5 h)");
  EXPECT_EQ(upper.tolerance.describe(upper.data, "h"), "data range (<= 2 h)");
}

TEST(ValidationRules, KnownDiscrepancyOnlyInsideItsDocumentedGap) {
  auto c = make_case(ToleranceKind::absolute, 77.0, 152.5);
  c.expect_discrepancy = true;
  c.gap_min = 1.5;
  c.gap_max = 3.0;
  EXPECT_EQ(validation::decide(c, 2.5 * 152.5), Status::known_discrepancy);
  EXPECT_EQ(validation::decide(c, 3.5 * 152.5), Status::fail) << "gap widened";
  EXPECT_EQ(validation::decide(c, 1.6 * 152.5), Status::known_discrepancy);
  EXPECT_EQ(validation::decide(c, 160.0), Status::pass) << "gap closed: passes, and the test expecting a gap fails";
  c.expect_discrepancy = false;
  EXPECT_EQ(validation::decide(c, 2.5 * 152.5), Status::fail) << "an unexpected gap is a failure";
}

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("nw_validation_" + name);
  std::ofstream(p) << text;
  return p;
}

const char* kGood = R"(schema = "needlework-validation/1"
[[case]]
id = "X"
row = "C-KAL1"
stage = "transport"
role = "fit"
quantity = "barrier recovery"
condition = "rat"
source = "Kalluri 2011"
data_text = "4 to 5 h"
unit = "h"
data = { min = 4.0, max = 5.0 }
tolerance = { rule = "data_range" }
model = "transport.barrier_recovery"
[case.inputs]
occluded = false
)";

std::string messages(const core::Error& e) {
  std::string all = e.what();
  for (const auto& d : e.diagnostics()) all += "\n" + core::format_diagnostic(d);
  return all;
}

TEST(ValidationCasesFile, LoadsAndRunsAFile) {
  const auto set = validation::load_cases_file(write_temp("good.toml", kGood));
  ASSERT_EQ(set.cases.size(), 1u);
  const auto r = validation::run_case(set.cases[0]);
  EXPECT_EQ(r.status, Status::pass);
  EXPECT_NEAR(r.model, 4.485, 0.01);  // 3.32 x 1.35 h (transport.md eq. 11)
}

TEST(ValidationCasesFile, ReportsUnknownModelsMissingGapsAndToleranceValues) {
  std::string bad = kGood;
  bad.replace(bad.find("transport.barrier_recovery"), 26, "transport.no_such_model");
  bad += R"([[case]]
id = "Y"
row = "B-KAL1"
stage = "insertion"
role = "check"
quantity = "depth"
condition = "rat"
source = "Kalluri 2011"
data_text = "152.5 um"
unit = "um"
data = { value = 152.5 }
tolerance = { rule = "relative" }
expect = "known_discrepancy"
model = "insertion.depth_open"
)";
  try {
    validation::load_cases_file(write_temp("bad.toml", bad));
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.exit_status(), core::ExitStatus::invalid_input);
    const auto all = messages(e);
    EXPECT_NE(all.find("no model function \"transport.no_such_model\""), std::string::npos) << all;
    EXPECT_NE(all.find("needs tolerance.value"), std::string::npos) << all;
    EXPECT_NE(all.find("needs gap"), std::string::npos) << all;
    EXPECT_NE(all.find("needs its explanation"), std::string::npos) << all;
    EXPECT_NE(all.find("bad.toml:"), std::string::npos) << "diagnostics name the file and line: " << all;
  }
}

TEST(ValidationCasesFile, MissingInputNamesCaseAndKey) {
  std::string text = kGood;
  text.replace(text.find("transport.barrier_recovery"), 26, "transport.closure_time");
  const auto set = validation::load_cases_file(write_temp("missing_input.toml", text));
  try {
    validation::run_case(set.cases[0]);
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_NE(messages(e).find("case 'X': inputs.surface_diameter is required"), std::string::npos) << messages(e);
  }
}

TEST(ValidationRefit, NoRootIsANumericalFailure) {
  // A bleeding fraction of 150 % cannot be reached by any bleeding factor.
  const auto set = validation::load_cases_file(write_temp("no_root.toml", R"(schema = "needlework-validation/1"
[[case]]
id = "B"
row = "S05"
stage = "insertion"
role = "fit"
quantity = "bleeding"
condition = "pen 0.5 mm"
source = "S05"
data_text = "impossible"
unit = "%"
data = { value = 150.0 }
tolerance = { rule = "absolute", value = 5.0 }
model = "insertion.bleeding_fraction"
[case.inputs]
site = "cheek"
sex = "female"
age = "35 yr"
device = { needle_length = "0.5 mm" }
[[fit]]
parameter = "bleeding_factor"
case = "B"
tolerance = 0.02
)"));
  try {
    validation::refit(set, set.fits[0]);
    FAIL() << "expected a numerical failure";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::num_failure);
    EXPECT_EQ(e.exit_status(), core::ExitStatus::numerical_failure);
  }
}

TEST(ValidationOutput, JsonAndHtmlShape) {
  const auto set = validation::load_cases_file(write_temp("good_out.toml", kGood));
  core::NullSink sink;
  auto results = validation::run_cases(set.cases, sink);
  const auto j = nlohmann::json::parse(validation::results_json(results, {}, set.file));
  ASSERT_EQ(j["cases"].size(), 1u);
  for (const char* key : {"id", "row", "stage", "role", "quantity", "condition", "unit", "data", "source", "model",
                          "tolerance", "ratio", "status", "explanation"}) {
    EXPECT_TRUE(j["cases"][0].contains(key)) << key;
  }
  EXPECT_EQ(j["cases"][0]["status"], "pass");
  EXPECT_TRUE(j["cases"][0]["tolerance"]["hi"].is_number());
  EXPECT_TRUE(j["ok"].get<bool>());
  // A failing result makes the whole run not ok.
  results[0].status = Status::fail;
  EXPECT_FALSE(nlohmann::json::parse(validation::results_json(results, {}, set.file))["ok"].get<bool>());
  const auto html = validation::results_html(results, {}, set.file);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
}

}  // namespace
}  // namespace nw
