// Validation tier, every stage without its own test file (healing, outcomes ... as their cases
// are added to data/validation/cases.toml): one test per case, through the registry, so a new
// case is tested as soon as its table entry exists. Stages with their own file are listed here.

#include "validation_cases.hpp"

namespace nw {
namespace {

class OtherStagesValidation : public ::testing::TestWithParam<std::string> {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OtherStagesValidation);

TEST_P(OtherStagesValidation, MatchesExpectedStatus) {
  const auto check = test::run_case(GetParam());
  EXPECT_EQ(check.status, check.expected) << check.explain;
}

INSTANTIATE_TEST_SUITE_P(Cases, OtherStagesValidation,
                         ::testing::ValuesIn(test::case_ids_except({"device", "insertion", "transport"})),
                         test::test_name);

// The table keeps the rows the model documents (insertion.md section 9, transport.md section 8)
// (and outcomes.md for the course cases, melasma S29 included) and exactly the five documented
// known discrepancies:
// dropping a row or declaring a new gap must be a visible change here.
TEST(ValidationTable, KeepsTheDocumentedRowsAndDiscrepancies) {
  const auto& cases = validation::bundled_cases().cases;
  for (const char* row :
       {"B-DON1", "B-KAL1", "SRC-SAS19", "S05", "C-whitelotus", "B-ROLL1", "C-KAL1", "C-KAL2", "C-KAL3", "C-GUP1",
        "SRC-CAF93", "C-ERY4", "C-SCH1", "S18", "S34", "S16", "PUB-HK-RESP", "S21", "S29"}) {
    bool found = false;
    for (const auto& c : cases) found = found || c.row == row;
    EXPECT_TRUE(found) << "no case for row " << row;
  }
  std::vector<std::string> discrepancies;
  for (const auto& c : cases)
    if (c.expect_discrepancy) discrepancies.push_back(c.id);
  EXPECT_EQ(discrepancies,
            (std::vector<std::string>{"B-KAL1", "C-GUP1", "PUB-GAR-ROLL", "PUB-HK-RESP", "PUB-FAB-PIH"}));
}

}  // namespace
}  // namespace nw
