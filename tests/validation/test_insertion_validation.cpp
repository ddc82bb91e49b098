// Validation tier, device and insertion stages: every case of data/validation/cases.toml with
// stage "device" or "insertion", one test each, through the registry that `needlework validate`
// uses. The cases, their data rows, tolerances and the two fits (dermal pre-stress on B-DON1,
// bleeding-depth factor on the clinical end point) are described in docs/validation.md and
// docs/model/insertion.md section 9. B-KAL1 (rat roller about twice too deep) is kept as a
// known discrepancy: its test fails if the gap closes or leaves its documented band (1.5-3x).

#include "validation_cases.hpp"

namespace nw {
namespace {

class InsertionValidation : public ::testing::TestWithParam<std::string> {};

TEST_P(InsertionValidation, MatchesExpectedStatus) {
  const auto check = test::run_case(GetParam());
  EXPECT_EQ(check.status, check.expected) << check.explain;
}

INSTANTIATE_TEST_SUITE_P(Cases, InsertionValidation, ::testing::ValuesIn(test::case_ids({"device", "insertion"})),
                         test::test_name);

}  // namespace
}  // namespace nw
