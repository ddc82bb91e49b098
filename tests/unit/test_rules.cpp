#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "needlework/io/bundled.hpp"
#include "test_support.hpp"

namespace nw {
namespace {

bool declared(const std::vector<core::WordSpec>& words, const std::string& w) {
  return std::any_of(words.begin(), words.end(), [&](const auto& x) { return x.word == w; });
}

TEST(Rules, BundledRulesLoadCleanly) {
  const auto& rules = io::bundled_rules();
  EXPECT_GE(rules.rules.size(), 30U);
  EXPECT_GE(rules.sources.size(), 10U);
}

TEST(Rules, VocabularyCoversTheProductContract) {
  const auto& r = io::bundled_rules();
  for (const char* w : {"active_infection", "active_herpes", "herpes_history", "active_acne", "eczema_flare",
                        "psoriasis_flare", "rosacea_flare", "keloid_tendency", "skin_cancer_history",
                        "suspicious_lesion", "bleeding_disorder", "immunosuppression", "autoimmune_disease", "diabetes",
                        "diabetes_uncontrolled", "sunburn", "metal_allergy", "home_device_use"}) {
    EXPECT_TRUE(declared(r.conditions, w)) << w;
  }
  for (const char* w : {"isotretinoin", "anticoagulant", "antiplatelet", "systemic_steroid", "immunosuppressant",
                        "chemotherapy", "radiotherapy", "topical_retinoid"}) {
    EXPECT_TRUE(declared(r.medications, w)) << w;
  }
  for (const char* w : {"chemical_peel", "laser_resurfacing", "filler", "botulinum_toxin", "microneedling",
                        "radiotherapy", "surgery"}) {
    EXPECT_TRUE(declared(r.procedures, w)) << w;
  }
}

TEST(Rules, EveryWordIsTriggeredByARuleAndEveryTriggerKindIsCovered) {
  const auto& r = io::bundled_rules();
  const auto triggered = [&](clinical::Trigger on, const std::string& w) {
    return std::any_of(r.rules.begin(), r.rules.end(),
                       [&](const auto& rule) { return rule.on == on && rule.word == w; });
  };
  for (const auto& w : r.conditions) EXPECT_TRUE(triggered(clinical::Trigger::condition, w.word)) << w.word;
  for (const auto& w : r.medications) EXPECT_TRUE(triggered(clinical::Trigger::medication, w.word)) << w.word;
  for (const auto& w : r.procedures) EXPECT_TRUE(triggered(clinical::Trigger::procedure, w.word)) << w.word;
  for (const auto on : {clinical::Trigger::pregnant, clinical::Trigger::breastfeeding, clinical::Trigger::age_below}) {
    EXPECT_TRUE(std::any_of(r.rules.begin(), r.rules.end(), [&](const auto& rule) { return rule.on == on; }));
  }
}

TEST(Rules, InconsistentRuleFilesAreRejectedWithLocations) {
  const auto path = test::scratch_dir("bad_rules") / "rules.toml";
  std::ofstream(path) << R"(schema = "needlework-rules/1"
[[source]]
id = "S1"
citation = "A"
tier = "A"
[[condition]]
word = "sunburn"
doc = "sunburn"
[[rule]]
id = "soft_absolute"
on = "condition"
word = "sunburn"
action = "treat-with-precautions"
severity = "absolute"
message = "m"
sources = ["S1", "S9"]
[[rule]]
id = "bad_word"
on = "condition"
word = "sunburnt"
action = "defer"
severity = "relative"
defer = "2 wk"
message = "m"
sources = ["S1"]
)";
  try {
    (void)io::load_rules_file(path);
    FAIL() << "an inconsistent rule file was accepted";
  } catch (const core::Error& e) {
    std::vector<std::string> messages;
    for (const auto& d : e.diagnostics()) messages.push_back(d.message);
    ASSERT_EQ(messages.size(), 3U) << e.what();
    EXPECT_EQ(messages[0], "rule 'soft_absolute': an absolute contraindication must defer, refer or not treat");
    EXPECT_EQ(messages[1], "rule 'soft_absolute': source 'S9' is not declared");
    EXPECT_EQ(messages[2], "rule 'bad_word': word 'sunburnt' is not declared in the vocabulary");
    EXPECT_EQ(e.diagnostics()[0].where.line, 13);
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace nw
