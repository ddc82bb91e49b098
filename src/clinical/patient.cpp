#include "needlework/clinical/patient.hpp"

#include <fmt/format.h>

namespace nw::clinical {

namespace param = core::param;
using core::TableSpec;

std::shared_ptr<const TableSpec> patient_spec(const RuleSet& rules) {
  auto medication = std::make_shared<TableSpec>(
      TableSpec{"medication",
                "a medication the patient takes or took",
                {
                    core::required(param::word("name", rules.medications, "", "medication word"), "\"isotretinoin\""),
                    core::optional_(param::date("stopped", "date the patient stopped it; absent = still taking it")),
                }});
  auto procedure = std::make_shared<TableSpec>(
      TableSpec{"procedure",
                "a recent procedure",
                {
                    core::required(param::word("name", rules.procedures, "", "procedure word"), "\"chemical_peel\""),
                    core::required(param::date("date", "date of the procedure"), "\"2026-10-30\""),
                }});
  auto medication_list = param::table_array("medications", medication, "medications, current or stopped");
  medication_list.example_text = R"([{ name = "isotretinoin", stopped = "2026-05-01" }])";
  auto procedure_list = param::table_array("recent_procedures", procedure, "procedures in the past year");
  procedure_list.example_text = R"([{ name = "chemical_peel", date = "2026-10-30" }])";
  return std::make_shared<TableSpec>(TableSpec{
      "patient",
      "the person being treated",
      {
          core::required(param::quantity("age", core::dim::time, "", "0 yr", "120 yr", "age"), "\"34 yr\""),
          core::required(
              param::word("sex", {{"female", "female"}, {"male", "male"}}, "", "sex (sets dermal thickness)"),
              "\"female\""),
          core::required(param::integer("fitzpatrick", std::nullopt, 1, 6, "Fitzpatrick phototype (pigment response)"),
                         "4"),
          param::boolean("pregnant", false, "currently pregnant"),
          param::boolean("breastfeeding", false, "currently breastfeeding"),
          param::word_list("conditions", rules.conditions, "medical conditions relevant to screening"),
          medication_list,
          procedure_list,
      }});
}

Patient patient_from(const core::ConfigTable& t, std::vector<core::Diagnostic>& diagnostics) {
  Patient p;
  p.age = t.get<core::dim::time>("age");
  p.sex = t.get_text("sex") == "male" ? Sex::male : Sex::female;
  p.fitzpatrick = static_cast<int>(t.get_int("fitzpatrick"));
  p.pregnant = t.get_bool("pregnant");
  p.breastfeeding = t.get_bool("breastfeeding");
  p.conditions = t.get_words("conditions");
  for (const auto& v : t.get_array("medications")) {
    const auto& m = *v.get_if<core::ConfigTable>();
    Medication med{m.get_text("name"), std::nullopt};
    if (m.contains("stopped")) med.stopped = m.get_date("stopped");
    p.medications.push_back(std::move(med));
  }
  for (const auto& v : t.get_array("recent_procedures")) {
    const auto& m = *v.get_if<core::ConfigTable>();
    p.recent_procedures.push_back({m.get_text("name"), m.get_date("date")});
  }
  if (p.sex == Sex::male && (p.pregnant || p.breastfeeding)) {
    diagnostics.push_back(core::make_diagnostic(
        core::ErrorCode::cfg_consistency, t.where_of(p.pregnant ? "pregnant" : "breastfeeding"), "patient.pregnant",
        fmt::arg("message", "'patient.pregnant' / 'patient.breastfeeding' is true but 'patient.sex' is \"male\"")));
  }
  return p;
}

}  // namespace nw::clinical
