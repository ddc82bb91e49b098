#pragma once
// The validation registry: every comparison of the model with published data, in one place,
// used by `needlework validate` and by the validation test tier alike.
//
// A case is one calibration row (or one published source) compared with one model output:
//   row id, stage, quantity, condition, the data (value or range, unit, source), the model value
//   computed by running the real stages on the case's inputs, a stated tolerance rule, and a
//   status: pass, fail, or known discrepancy (a documented gap, kept visible with its
//   explanation). Every number of a case (data, tolerance, inputs such as device settings and
//   assumed rat-skin layers) lives in data/validation/cases.toml, a bundled copy of the rows
//   used; the code only says how to run a stage. docs/validation.md lists the cases.
//
// Status of a case, with m the model value and the tolerance rule of the case:
//   pass               m is inside the tolerance;
//   known_discrepancy  m is outside the tolerance, the case is marked `expect = "known_discrepancy"`
//                      and m / data lies inside the documented gap [gap_min, gap_max];
//   fail               otherwise (also when a known gap has widened, narrowed past its band, or
//                      a case expected to pass does not).
// Tolerance rules (numbers in the case's unit): relative r (|m - v| <= r |v|), absolute a
// (|m - v| <= a), factor f (v / f <= m <= v f), bounds [min, max] (either may be absent),
// data_range (inside the data's own [min, max]).
//
// Fitted parameters: each fitted parameter has a refit function that starts from nothing but
// its data row (a bracketing root find on the real model) and reports the refitted value beside
// the bundled one; `needlework validate --refit` runs them all (docs/validation.md).
//
// HOW TO ADD A CASE (e.g. for the healing or outcomes stage):
//   1. write one model function `core::DynQuantity f(const CaseInputs&)` in
//      src/validation/models_<stage>.cpp (declared in src/validation/models.hpp) that runs the
//      stage on the inputs and returns the compared quantity in SI;
//   2. add one line {"<stage>.<name>", f} to the model table in src/validation/registry.cpp;
//   3. add one [[case]] entry to data/validation/cases.toml naming that model, the row id, the
//      data, the tolerance and the inputs.
// The validation tests pick up every case of the table by itself (one test per case).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "needlework/core/config.hpp"
#include "needlework/core/log.hpp"
#include "needlework/core/units.hpp"
#include "needlework/device/device.hpp"
#include "needlework/skin/skin.hpp"

namespace nw::validation {

enum class Status { pass, fail, known_discrepancy };
std::string_view to_string(Status s);

enum class ToleranceKind { relative, absolute, factor, bounds, data_range };

/// The data of a row, in the case's unit: a value, a range, or both (e.g. "within 2 h" = max 2).
struct DataValue {
  std::optional<double> value, min, max;
  std::string text;  // as reported by the source, e.g. "4 to 5 h"
  /// The number a ratio model / data refers to: value, else the middle of [min, max], else the
  /// bound that is given.
  double reference() const;
};

/// A stated tolerance rule; numbers in the case's unit (relative and factor: pure numbers).
struct Tolerance {
  ToleranceKind kind = ToleranceKind::relative;
  double value = 0;                // relative, absolute, factor
  std::optional<double> min, max;  // bounds
  /// Acceptance interval for data `d`: [lo, hi] (infinite where open).
  std::pair<double, double> interval(const DataValue& d) const;
  /// The rule in words, e.g. "+/- 5 %", "x/÷ 2", "0.85-1.05", "inside the data range".
  std::string describe(const DataValue& d, std::string_view unit) const;
};

/// One comparison: a row of data/validation/cases.toml.
struct Case {
  std::string id;        // unique case id, e.g. "B-DON1" or "SAS19-0.5mm"
  std::string row;       // calibration row id (calibration.csv) or source id (data files, rules.json)
  std::string stage;     // device | insertion | transport | (healing, outcomes ...)
  std::string role;      // fit (the row a parameter was fitted on, reproduced) | check
  std::string quantity;  // what is compared
  std::string condition;
  std::string unit;  // display unit of data and model values ("" = pure number)
  DataValue data;
  std::string source;  // citation of the row
  Tolerance tolerance;
  bool expect_discrepancy = false;
  double gap_min = 0, gap_max = 0;  // documented model / data band of a known discrepancy
  std::string explanation;          // why the gap exists (known discrepancies) or remarks
  std::string model;                // name of the registered model function
  core::ConfigTable inputs;         // raw inputs read by the model function
  core::SourceLoc where;            // the [[case]] in the file
};

/// A fitted parameter to refit from its case ([[fit]] of the cases file).
struct FitSpec {
  std::string parameter;  // registered refit, e.g. "prestress"
  std::string case_id;
  double tolerance = 0;  // allowed |refit / bundled - 1|
};

/// A cases file: the comparisons and the fits.
struct CaseSet {
  std::string file;  // display name
  std::vector<Case> cases;
  std::vector<FitSpec> fits;
  /// The case `id`; nullptr if absent.
  const Case* find(std::string_view id) const;
};

/// The bundled data/validation/cases.toml, or a file (research on other case sets). The
/// bundled set throws core::Error{data_invalid}; a file throws core::Error with every
/// diagnostic (invalid input), including model and refit names that are not registered.
const CaseSet& bundled_cases();
CaseSet load_cases_file(const std::filesystem::path& path);
/// The schema of a cases file ("needlework-validation/1").
const core::TableSpec& cases_spec();
/// Names of the registered model functions and refits.
std::vector<std::string> model_names();
std::vector<std::string> refit_names();

/// Typed access to a case's raw inputs; errors are input diagnostics naming case, key and place.
class CaseInputs {
 public:
  explicit CaseInputs(const Case& c) : case_(c) {}
  const Case& owner() const { return case_; }
  core::DynQuantity quantity(std::string_view key, core::Dimension d) const;
  template <core::Dimension D>
  core::Quantity<D> get(std::string_view key) const {
    return quantity(key, D).template as<D>();
  }
  double number(std::string_view key) const;  // bare number or percentage
  bool flag(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  std::string text(std::string_view key) const;
  bool has(std::string_view key) const { return case_.inputs.contains(key); }
  /// The table `key` (default "device") validated as a scenario's [device] table.
  device::Device device(std::string_view key = "device") const;
  /// The skin at inputs site / sex / age from the bundled site library, or from `library`.
  skin::Skin skin() const;
  skin::Skin skin(const skin::SiteLibrary& library) const;
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

 private:
  const core::ConfigValue& at(std::string_view key) const;
  const Case& case_;
};

struct CaseResult {
  Case c;
  double model = 0;  // in the case's unit
  Status status = Status::fail;
  double ratio = 0;       // model / data reference
  double lo = 0, hi = 0;  // acceptance interval in the case's unit
  std::string tolerance_text;
  double seconds = 0;  // wall time of the model run (not compared)
};

/// Runs the model of one case and decides its status. Throws what the stage throws.
CaseResult run_case(const Case& c);
/// The status of a model value for a case (pure; for tests of the rules themselves).
Status decide(const Case& c, double model_value);
/// Runs every case, reporting progress to `log`.
std::vector<CaseResult> run_cases(const std::vector<Case>& cases, core::LogSink& log);

/// One fitted parameter refitted from its data row.
struct FitResult {
  std::string parameter;  // e.g. "skin prestress (sigma_0)"
  std::string data_key;   // where the bundled value lives, e.g. "data/skin/sites.toml [site.mechanics] prestress"
  std::string case_id;    // the case (row) it is fitted on
  std::string unit;
  std::string method;
  double bundled = 0, refit = 0;  // in unit
  double tolerance = 0;           // allowed |refit / bundled - 1|
  bool within = false;
  double seconds = 0;
};
/// Refits the parameter of `fit` from its case in `set`. Throws core::Error{num_failure} when
/// a root cannot be bracketed.
FitResult refit(const CaseSet& set, const FitSpec& fit);
/// Refits every [[fit]] of `set`, reporting progress to `log`.
std::vector<FitResult> refit_all(const CaseSet& set, core::LogSink& log);

/// True when every case passes or is a known discrepancy and every refit is within tolerance.
bool all_ok(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits);

// ---------------------------------------------------------------- outputs
/// The table printed by `needlework validate`: id, quantity, data, model, tolerance, status;
/// then the refits (if any) and a one-line verdict.
std::string results_text(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits);
/// validation.json (also printed by `validate --json`):
///   {version, file, ok, counts {pass, fail, known_discrepancy},
///    cases [{id, row, stage, role, quantity, condition, unit, data {value, min, max, text},
///            source, model, tolerance {rule, text, lo, hi}, ratio, status, explanation}],
///    fits [{parameter, case, data_key, unit, method, bundled, refit, tolerance, within}]}
/// Non-finite numbers are written as null.
std::string results_json(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits,
                         const std::string& file);
/// validation.html: self-contained (no scripts, no external assets): the table and an inline SVG
/// of model / data per case with its acceptance band.
std::string results_html(const std::vector<CaseResult>& cases, const std::vector<FitResult>& fits,
                         const std::string& file);
/// Writes DIR/validation.html and DIR/validation.json (atomically; DIR created if needed).
/// Throws core::Error{io_write}.
std::vector<std::filesystem::path> write_results(const std::filesystem::path& dir, const std::vector<CaseResult>& cases,
                                                 const std::vector<FitResult>& fits, const std::string& file);

}  // namespace nw::validation
