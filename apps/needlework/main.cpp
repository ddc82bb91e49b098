// needlework command-line tool: parses arguments, calls the api, prints, maps errors to exit
// statuses (docs/PRODUCT.md). No model logic lives here.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "needlework/api/api.hpp"

namespace {

using nw::core::ExitStatus;

int code(ExitStatus s) { return static_cast<int>(s); }

void print_diagnostics(const std::vector<nw::core::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) fmt::print(stderr, "{}\n", nw::core::format_diagnostic(d));
}

int run_check(const std::string& file, bool json) {
  const auto diagnostics = nw::api::check(file);
  if (json) {
    fmt::print("{}", nw::api::diagnostics_json(diagnostics));
  } else if (!nw::core::has_errors(diagnostics)) {
    fmt::print("{}: ok{}\n", file, diagnostics.empty() ? "" : fmt::format(" ({} warning(s))", diagnostics.size()));
  }
  print_diagnostics(diagnostics);
  return nw::core::has_errors(diagnostics) ? code(ExitStatus::invalid_input) : code(ExitStatus::ok);
}

int run_simulate(const std::string& file, const std::string& out_dir, bool json) {
  const auto log = nw::api::console_log(false);
  const auto run = nw::api::simulate(file, out_dir, *log);
  fmt::print("{}", json ? run.json : run.text);
  return code(ExitStatus::ok);
}

int run_plan(const std::string& file, const std::string& out_dir, bool json) {
  const auto log = nw::api::console_log(false);
  const auto run = nw::api::plan(file, out_dir, nw::core::today_utc(), *log);
  fmt::print("{}", json ? run.json : run.text);
  return code(run.refused ? ExitStatus::refused : ExitStatus::ok);
}

int run_screen(const std::string& file, bool json) {
  const auto s = nw::api::screen(file, nw::core::today_utc());
  fmt::print("{}", json ? s.json : s.text);
  return code(ExitStatus::ok);
}

int run_validate(const std::string& out_dir, bool refit, const std::string& cases_file, bool json) {
  const auto log = nw::api::console_log(false);
  const auto run = nw::api::validate(out_dir, refit, cases_file, *log);
  fmt::print("{}", json ? run.json : run.text);
  return code(run.ok ? ExitStatus::ok : ExitStatus::validation_failed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "needlework: microneedling simulator and treatment planner (research and education tool, not a medical device)",
      "needlework"};
  app.require_subcommand(0, 1);
  bool version = false;
  bool json = false;
  app.add_flag("--version", version, "print version, git revision and build options");
  app.add_flag("--json", json, "print the result as JSON on stdout");

  std::string file;
  auto* check = app.add_subcommand("check", "validate a scenario or patient file; print every problem");
  check->add_option("FILE", file, "scenario file (TOML)")->required();
  check->add_flag("--json", json, "print the result as JSON on stdout");

  auto* screen = app.add_subcommand("screen", "candidacy screening of the [patient] table");
  screen->add_option("FILE", file, "scenario or patient file (TOML)")->required();
  screen->add_flag("--json", json, "print the result as JSON on stdout");

  std::string out_dir;
  auto* simulate = app.add_subcommand(
      "simulate", "run the course (stages so far: device, insertion, transport); write results to DIR");
  simulate->add_option("FILE", file, "scenario file (TOML)")->required();
  simulate->add_option("-o,--output", out_dir, "output folder (created if needed)")->required();
  simulate->add_flag("--json", json, "print summary.json on stdout");

  std::string validate_dir = ".";
  std::string cases_file;
  bool refit = false;
  auto* validate = app.add_subcommand(
      "validate", "run the bundled literature comparisons; print model versus data; write validation.html/.json");
  validate->add_option("-o,--output", validate_dir, "folder for validation.html and validation.json (default: .)");
  validate->add_flag("--refit", refit, "also refit every fitted parameter from its data row");
  validate->add_option("--cases", cases_file, "a cases file instead of the bundled one (research)");
  validate->add_flag("--json", json, "print validation.json on stdout");
  auto* plan = app.add_subcommand(
      "plan", "screening, then the optimised protocol per area, schedule, expected results, aftercare; write DIR");
  plan->add_option("FILE", file, "scenario file (TOML) with [patient], [device], [[treatment]], [preferences]")
      ->required();
  plan->add_option("-o,--output", out_dir, "output folder (created if needed)")->required();
  plan->add_flag("--json", json, "print plan.json on stdout");

  bool defaults = false;
  auto* config = app.add_subcommand("config", "print configuration documentation");
  config->add_flag("--defaults", defaults, "print a fully commented default scenario")->required();
  config->add_flag("--json", json, "print the parameter schema as JSON instead");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : code(ExitStatus::invalid_input);
  }

  try {
    if (version) {
      fmt::print("{}", json ? nw::api::version_json() : nw::api::version_text());
      return 0;
    }
    if (check->parsed()) return run_check(file, json);
    if (screen->parsed()) return run_screen(file, json);
    if (simulate->parsed()) return run_simulate(file, out_dir, json);
    if (validate->parsed()) return run_validate(validate_dir, refit, cases_file, json);
    if (plan->parsed()) return run_plan(file, out_dir, json);
    if (config->parsed()) {
      fmt::print("{}", json ? nw::api::scenario_schema_json() : nw::api::default_scenario_toml());
      return 0;
    }
    fmt::print("{}", app.help());
    return 0;
  } catch (const nw::core::Error& e) {
    if (!e.diagnostics().empty()) {
      if (json) fmt::print("{}", nw::api::diagnostics_json(e.diagnostics()));
      print_diagnostics(e.diagnostics());
    } else {
      fmt::print(stderr, "needlework: error[{}]: {}\n", nw::core::error_info(e.code()).id, e.what());
    }
    return code(e.exit_status());
  } catch (const std::exception& e) {
    fmt::print(stderr, "needlework: internal error: {}\n", e.what());
    return code(ExitStatus::internal);
  }
}
