#include <gtest/gtest.h>

#include <set>

#include "needlework/core/error.hpp"

namespace nw::core {
namespace {

TEST(Errors, EveryCodeHasOneUniqueRowWithAnExitStatus) {
  std::set<std::string_view> ids;
  const auto rows = all_error_codes();
  for (const auto& row : rows) {
    EXPECT_TRUE(ids.insert(row.id).second) << row.id;
    EXPECT_EQ(&error_info(row.code), &error_info(row.code));
    EXPECT_EQ(error_info(row.code).id, row.id);
    EXPECT_FALSE(row.message.empty());
    EXPECT_EQ(row.exit == ExitStatus::ok, row.id.starts_with("W-")) << row.id;
    if (row.id.starts_with("CFG-")) {
      EXPECT_EQ(row.exit, ExitStatus::invalid_input) << row.id;
    }
  }
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(ErrorCode::internal) + 1);
  EXPECT_EQ(error_info(ErrorCode::io_write).exit, ExitStatus::io_failure);
  EXPECT_EQ(error_info(ErrorCode::num_failure).exit, ExitStatus::numerical_failure);
}

TEST(Errors, DiagnosticsFormatGccStyle) {
  const auto d = make_diagnostic(ErrorCode::cfg_dimension, {"scenario.toml", 6, 17}, "device.needle_length",
                                 fmt::arg("key", "device.needle_length"), fmt::arg("expected", "a length"),
                                 fmt::arg("example", "1.5 mm"), fmt::arg("got", "1.5 s"), fmt::arg("actual", "a time"));
  EXPECT_EQ(
      format_diagnostic(d),
      "scenario.toml:6:17: error[CFG-DIM]: 'device.needle_length' expects a length (e.g. \"1.5 mm\"); got \"1.5 s\", "
      "which is a time");
  const Error e({d, d});
  EXPECT_EQ(e.exit_status(), ExitStatus::invalid_input);
  EXPECT_EQ(e.diagnostics().size(), 2U);
  EXPECT_NE(std::string(e.what()).find("(and 1 more)"), std::string::npos);
}

TEST(Errors, RaiseThrowsWithTheTableMessage) {
  try {
    raise(ErrorCode::io_write, fmt::arg("path", "out/summary.json"), fmt::arg("reason", "disk full"));
    FAIL() << "raise returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io_write);
    EXPECT_STREQ(e.what(), "cannot write 'out/summary.json': disk full");
  }
}

}  // namespace
}  // namespace nw::core
