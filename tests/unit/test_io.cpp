#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "needlework/api/api.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/provenance.hpp"
#include "needlework/io/scenario.hpp"
#include "needlework/io/toml_reader.hpp"
#include "test_support.hpp"

namespace nw::io {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& name, const std::string& content) {
  const auto path = fs::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(Io, Sha256MatchesTheFipsExample) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Io, TomlLocationsAreKeptForEveryValue) {
  const auto t = read_toml_text("a = 1\n[b]\n  c = \"x\"\n", "mem.toml");
  EXPECT_EQ(t.find("a")->where().line, 1);
  const auto& b = *t.find("b")->get_if<core::ConfigTable>();
  EXPECT_EQ(b.find("c")->where().line, 3);
  EXPECT_EQ(b.find("c")->where().column, 7);
  EXPECT_EQ(b.entries().front().key_where.column, 3);
}

TEST(Io, TooLargeFileIsRejectedBeforeParsing) {
  const auto path = temp_file("nw_large.toml", std::string(kMaxInputBytes + 10, '#'));
  const auto d = api::check(path);
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(core::format_diagnostic(d[0]),
            fmt::format("{}: error[CFG-SIZE]: the file is {} bytes; scenario files are limited to {} bytes",
                        path.string(), kMaxInputBytes + 10, kMaxInputBytes));
  fs::remove(path);
}

TEST(Io, DeeplyNestedOrHugeInputsDoNotCrash) {
  std::string nested = "schema = \"needlework/1\"\nx = ";
  for (int i = 0; i < 5000; ++i) nested += '[';
  const auto path = temp_file("nw_nested.toml", nested);
  const auto d = api::check(path);
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0].code, core::ErrorCode::cfg_syntax);
  fs::remove(path);
}

TEST(Io, EffectiveConfigOfAScenarioIsItselfAValidScenario) {
  const auto data = bundled_data();
  const auto s = load_scenario(fs::path(NW_SOURCE_DIR) / "examples/patients/01_clear_candidate.toml", data);
  const auto text = core::render_effective(s.config, *s.spec);
  const auto path = temp_file("nw_effective.toml", text);
  const auto again = load_scenario(path, data);
  EXPECT_EQ(core::render_effective(again.config, *again.spec), text);
  EXPECT_EQ(again.patient.fitzpatrick, s.patient.fitzpatrick);
  EXPECT_DOUBLE_EQ(again.patient.age.si(), s.patient.age.si());
  fs::remove(path);
}

TEST(Io, RunRecordIsWrittenAtomically) {
  const auto dir = test::scratch_dir("run_record");
  const auto data = bundled_data();
  const auto s = load_scenario(fs::path(NW_SOURCE_DIR) / "examples/patients/01_clear_candidate.toml", data);
  write_run_record(dir, s.config, *s.spec, Provenance{"screen", s.path, s.sha256, s.seed, "2026-11-21T00:00:00Z"});
  EXPECT_TRUE(fs::exists(dir / "effective_config.toml"));
  std::ifstream in(dir / "provenance.json");
  const std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find(s.sha256), std::string::npos);
  EXPECT_NE(json.find("not a medical device"), std::string::npos);
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_NE(e.path().extension(), ".tmp");
  fs::remove_all(dir);
}

TEST(Io, WritingIntoAFileInsteadOfAFolderFailsWithIoError) {
  const auto blocker = temp_file("nw_blocker", "x");
  try {
    write_file_atomically(blocker / "out.json", "{}");
    FAIL() << "write succeeded";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.exit_status(), core::ExitStatus::io_failure);
  }
  fs::remove(blocker);
}

}  // namespace
}  // namespace nw::io
