#pragma once
// The one error hierarchy of needlework, and its one table of codes and messages.
//
// Library code never prints, exits or aborts: it throws nw::core::Error (or a subclass), which
// carries a code from the table below and, for input problems, every diagnostic found. The CLI
// maps codes to exit statuses; Python (later) maps them to exceptions.

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nw::core {

/// Process exit statuses, fixed by the product contract (docs/PRODUCT.md).
enum class ExitStatus : int {
  ok = 0,
  validation_failed = 1,  // `validate`: a case outside its tolerance or a refit off its bundled value
  invalid_input = 2,
  numerical_failure = 3,
  io_failure = 4,
  refused = 5,
  internal = 70
};

enum class ErrorCode {
  // configuration and input files (exit 2)
  cfg_no_file,
  cfg_empty,
  cfg_binary,
  cfg_too_large,
  cfg_syntax,
  cfg_schema,
  cfg_required,
  cfg_unknown,
  cfg_type,
  cfg_unit,
  cfg_dimension,
  cfg_range,
  cfg_word,
  cfg_date,
  cfg_consistency,
  // bundled data files that fail their own schema (a build defect, exit 70)
  data_invalid,
  // output and file-system failures (exit 4)
  io_write,
  io_read,  // a result file another command wrote (e.g. the report's inputs)
  // numerical failures (exit 3)
  num_failure,
  // plausibility warnings: the run goes on (exit 0); a scenario acknowledges them one by one
  // by id in its top-level `acknowledge = [...]`
  warn_depth,
  warn_label,
  warn_frequency,
  warn_needles,
  warn_home_device,
  // a broken invariant inside needlework (exit 70)
  internal,
};

/// One row of the code table.
struct ErrorInfo {
  ErrorCode code;
  std::string_view id;  // stable identifier shown to users, e.g. "CFG-DIM"
  ExitStatus exit;
  std::string_view message;  // fmt template with named arguments, e.g. {key}, {expected}
  std::string_view help;     // one line on what the user can do
};

/// The table row for a code.
const ErrorInfo& error_info(ErrorCode code);
/// All rows, in declaration order (for documentation and tests).
std::vector<ErrorInfo> all_error_codes();

/// Where in an input file something was found. line and column count from 1; 0 = unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { error, warning };

/// One problem found in an input, formatted gcc-style by format_diagnostic().
struct Diagnostic {
  Severity severity = Severity::error;
  ErrorCode code = ErrorCode::internal;
  SourceLoc where;
  std::string key;      // dotted key path, e.g. "device.needle_length"; may be empty
  std::string message;  // fully formatted message
};

/// "FILE:LINE:COL: error[CODE]: message" (LINE:COL omitted when unknown).
std::string format_diagnostic(const Diagnostic& d);

/// Builds the message of `code` from its template and named arguments.
template <typename... Args>
std::string error_message(ErrorCode code, const Args&... named_args) {
  return fmt::format(fmt::runtime(error_info(code).message), named_args...);
}

/// True for the plausibility-warning codes (exit status ok).
bool is_warning(ErrorCode code);

/// A diagnostic built from the table; its severity follows the code (warning codes warn).
template <typename... Args>
Diagnostic make_diagnostic(ErrorCode code, SourceLoc where, std::string key, const Args&... named_args) {
  return Diagnostic{is_warning(code) ? Severity::warning : Severity::error, code, std::move(where), std::move(key),
                    error_message(code, named_args...)};
}

/// True if any diagnostic is an error (not only warnings).
bool has_errors(const std::vector<Diagnostic>& diagnostics);

/// The exception every needlework library function throws.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message);
  /// An input error carrying every diagnostic found (at least one).
  explicit Error(std::vector<Diagnostic> diagnostics);

  ErrorCode code() const { return code_; }
  ExitStatus exit_status() const { return error_info(code_).exit; }
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  ErrorCode code_;
  std::vector<Diagnostic> diagnostics_;
};

/// Throws Error(code, message built from the table template).
template <typename... Args>
[[noreturn]] void raise(ErrorCode code, const Args&... named_args) {
  throw Error(code, error_message(code, named_args...));
}

}  // namespace nw::core
