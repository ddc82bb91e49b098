#include "needlework/core/error.hpp"

#include <array>

namespace nw::core {
namespace {

using enum ErrorCode;
constexpr ExitStatus invalid_input = ExitStatus::invalid_input;
constexpr ExitStatus numerical_failure = ExitStatus::numerical_failure;
constexpr ExitStatus io_failure = ExitStatus::io_failure;

// The one table. Message templates use named fmt arguments; every caller of a code passes the
// arguments its template names (unused extra arguments are ignored by fmt).
constexpr std::array<ErrorInfo, 25> kTable{{
    {cfg_no_file, "CFG-FILE", invalid_input, "cannot read '{path}': {reason}", "check the path and its permissions"},
    {cfg_empty, "CFG-EMPTY", invalid_input,
     "the file is empty; a scenario needs at least 'schema' and a [patient] table",
     "start from `needlework config --defaults`"},
    {cfg_binary, "CFG-BINARY", invalid_input, "the file is not UTF-8 text ({reason} at byte {offset})",
     "save the scenario as plain UTF-8 text"},
    {cfg_too_large, "CFG-SIZE", invalid_input, "the file is {size} bytes; scenario files are limited to {limit} bytes",
     "a scenario is a few kilobytes; is this the right file?"},
    {cfg_syntax, "CFG-SYNTAX", invalid_input, "malformed TOML: {reason}", "see https://toml.io for the syntax"},
    {cfg_schema, "CFG-SCHEMA", invalid_input, "'schema' must be \"{expected}\"; got {got}",
     "add schema = \"needlework/1\""},
    {cfg_required, "CFG-REQUIRED", invalid_input, "'{key}' is required: {doc}", "add the key"},
    {cfg_unknown, "CFG-UNKNOWN", invalid_input, "unknown key '{key}'{suggestion}",
     "check the spelling against `needlework config --defaults`"},
    {cfg_type, "CFG-TYPE", invalid_input, "'{key}' expects {expected}; got {got}", "change the value's type"},
    {cfg_unit, "CFG-UNIT", invalid_input,
     "'{key}' expects {expected} with a unit (e.g. \"{example}\"); got {got}: {reason}",
     "write the value as a string with its unit"},
    {cfg_dimension, "CFG-DIM", invalid_input,
     "'{key}' expects {expected} (e.g. \"{example}\"); got \"{got}\", which is {actual}",
     "use a unit of the right kind"},
    {cfg_range, "CFG-RANGE", invalid_input, "'{key}' must be {range}; got {got}", "choose a value in range"},
    {cfg_word, "CFG-WORD", invalid_input, "'{key}': unknown word \"{got}\"{suggestion}; expected one of: {choices}",
     "use one of the listed words"},
    {cfg_date, "CFG-DATE", invalid_input, "'{key}' expects a date YYYY-MM-DD; got {got}",
     "write the date as \"2026-12-01\""},
    {cfg_consistency, "CFG-CONSISTENCY", invalid_input, "{message}", "make the values consistent"},
    {data_invalid, "DATA-INVALID", ExitStatus::internal, "bundled data file '{path}' is invalid: {reason}",
     "report this as a bug"},
    {io_write, "IO-WRITE", io_failure, "cannot write '{path}': {reason}", "check free space and permissions"},
    {io_read, "IO-READ", io_failure, "cannot read result file '{path}': {reason}",
     "run the command that writes it again (e.g. `needlework simulate FILE -o DIR`)"},
    {num_failure, "NUM-FAIL", numerical_failure, "numerical failure in {stage}: {reason}", "report the scenario file"},
    {warn_depth, "W-DEPTH", ExitStatus::ok, "{message}", "check the setting; acknowledge = [\"W-DEPTH\"] if intended"},
    {warn_label, "W-LABEL", ExitStatus::ok, "{message}", "acknowledge = [\"W-LABEL\"] if intended"},
    {warn_frequency, "W-FREQUENCY", ExitStatus::ok, "{message}", "acknowledge = [\"W-FREQUENCY\"] if intended"},
    {warn_needles, "W-NEEDLES", ExitStatus::ok, "{message}", "acknowledge = [\"W-NEEDLES\"] if intended"},
    {warn_home_device, "W-HOME-DEVICE", ExitStatus::ok, "{message}", "acknowledge = [\"W-HOME-DEVICE\"] if intended"},
    {internal, "INTERNAL", ExitStatus::internal, "internal error: {reason}", "report this as a bug"},
}};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  for (const auto& row : kTable) {
    if (row.code == code) return row;
  }
  return kTable.back();  // every code has a row; the last one is `internal`
}

std::vector<ErrorInfo> all_error_codes() { return {kTable.begin(), kTable.end()}; }

bool is_warning(ErrorCode code) { return error_info(code).exit == ExitStatus::ok; }

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) {
    if (d.severity == Severity::error) return true;
  }
  return false;
}

std::string format_diagnostic(const Diagnostic& d) {
  std::string where = d.where.file;
  if (d.where.line > 0) where += fmt::format(":{}:{}", d.where.line, d.where.column);
  const char* severity = d.severity == Severity::error ? "error" : "warning";
  return fmt::format("{}: {}[{}]: {}", where, severity, error_info(d.code).id, d.message);
}

namespace {
std::string summarise(const std::vector<Diagnostic>& diagnostics) {
  if (diagnostics.empty()) return "invalid input";
  auto text = format_diagnostic(diagnostics.front());
  if (diagnostics.size() > 1) text += fmt::format(" (and {} more)", diagnostics.size() - 1);
  return text;
}
}  // namespace

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}

Error::Error(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(summarise(diagnostics)),
      code_(diagnostics.empty() ? ErrorCode::internal : diagnostics.front().code),
      diagnostics_(std::move(diagnostics)) {}

}  // namespace nw::core
