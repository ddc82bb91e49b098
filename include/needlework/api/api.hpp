#pragma once
// The narrow facade the command-line tool (and later Python and the web page) call.
// Each function does one user-level job; errors arrive as core::Error with exit statuses.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "needlework/clinical/screening.hpp"
#include "needlework/core/date.hpp"
#include "needlework/core/error.hpp"
#include "needlework/core/log.hpp"
#include "needlework/course/simulation.hpp"
#include "needlework/planner/planner.hpp"
#include "needlework/validation/validation.hpp"

namespace nw::api {

/// Every problem in a scenario or patient file; empty when the file is valid.
std::vector<core::Diagnostic> check(const std::filesystem::path& file);

struct Screening {
  clinical::ScreeningResult result;
  std::string json;  // screen --json
  std::string text;  // readable report
};

/// Screens the [patient] of a file for a course starting on protocol.start, or on `today`
/// when the file gives none. Throws core::Error (invalid input) with every diagnostic.
Screening screen(const std::filesystem::path& file, core::Date today);

struct SimulationRun {
  course::CourseResult result;
  std::string json;                          // summary.json
  std::string text;                          // short human summary
  std::vector<std::filesystem::path> files;  // written into the output folder
};

/// Runs the stages built so far on a scenario with [device] and at least one [[treatment]]
/// and writes the results into `out_dir`. Throws core::Error: invalid input (exit 2) with every
/// diagnostic, or IO-WRITE (exit 4) when the folder cannot be written.
SimulationRun simulate(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::LogSink& log);

struct ValidationRun {
  std::vector<validation::CaseResult> cases;
  std::vector<validation::FitResult> fits;   // empty unless refit
  bool ok = false;                           // every case passes or is a known discrepancy; every refit within
  std::string json;                          // validation.json
  std::string text;                          // the table
  std::vector<std::filesystem::path> files;  // written into the output folder
};

/// `validate`: runs every case of the bundled data/validation/cases.toml (or of `cases_file`
/// when not empty) and, with `refit`, refits every fitted parameter from its data row; writes
/// validation.html and validation.json into `out_dir`. Throws core::Error: invalid input (a
/// cases file), numerical failure (a refit without a root), IO-WRITE.
ValidationRun validate(const std::filesystem::path& out_dir, bool refit, const std::filesystem::path& cases_file,
                       core::LogSink& log);

struct PlanRun {
  planner::Plan plan;
  bool refused = false;                      // screening refused: exit 5 (PRODUCT.md)
  std::string json;                          // plan.json
  std::string text;                          // short human summary
  std::vector<std::filesystem::path> files;  // written into the output folder
};

/// The outcome model the planner optimises: predicts a candidate protocol's improvement,
/// downtime and PIH risk for one area with the course simulation, for the nominal person
/// (the search) or the scenario's virtual patients (finalists and compared protocols). It
/// simulates at most 4 cm2 of the area (channel statistics do not depend on the patch size)
/// and caches channels and transport per needle length, passes and topical.
planner::Evaluator outcome_evaluator();

/// `plan`: screening of [patient] (refusal: `refused`, plan.json with the reasons, no search),
/// then the optimised protocol per [[treatment]] within [preferences], compared with the
/// standard protocols, dated from protocol.start (or `today`) or a deferral's earliest date.
/// Writes DIR/plan.json, DIR/plan.html, DIR/effective_config.toml and DIR/provenance.json. Progress goes to `log`.
/// Throws core::Error: invalid input (exit 2) with every diagnostic, IO-WRITE (exit 4).
PlanRun plan(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::Date today,
             core::LogSink& log, const planner::Evaluator& evaluator, const planner::SearchOptions* options = nullptr);
/// The same with outcome_evaluator().
PlanRun plan(const std::filesystem::path& file, const std::filesystem::path& out_dir, core::Date today,
             core::LogSink& log);

/// The log sink the command-line tool uses (stderr; progress bars on a terminal).
std::unique_ptr<core::LogSink> console_log(bool verbose);

/// `config --defaults`: the fully commented default scenario (TOML) or its schema (JSON).
std::string default_scenario_toml();
std::string scenario_schema_json();

/// --version: version, git revision and build options (text or JSON).
std::string version_text();
std::string version_json();

/// check --json.
std::string diagnostics_json(const std::vector<core::Diagnostic>& diagnostics);

}  // namespace nw::api
