// Validation tier, fitted parameters: every [[fit]] of data/validation/cases.toml is refitted
// from its data row alone (a root find on the real model, started from a wide physical bracket,
// not from the bundled value) and must land within the stated tolerance of the value bundled in
// the data files. A silent change of the model or of a data file moves the refit and fails here.
// Tolerances (|refit / bundled - 1|): pre-stress 5 % (the bundled 34 kPa is the fit rounded),
// bleeding factor 2 %, barrier half-life 1 %, closure time 2 %, closure exponent 3 % (the
// bundled reference radius 35 um is B-KAL2's 35.35 um rounded).

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "needlework/validation/validation.hpp"

namespace nw {
namespace {

class Refit : public ::testing::TestWithParam<std::string> {};

TEST_P(Refit, RefitFromItsRowMatchesTheBundledValue) {
  const auto& set = validation::bundled_cases();
  const validation::FitSpec* spec = nullptr;
  for (const auto& f : set.fits)
    if (f.parameter == GetParam()) spec = &f;
  ASSERT_NE(spec, nullptr);
  const auto r = validation::refit(set, *spec);
  std::printf("[refit] %s on %s: bundled %.6g %s, refit %.6g %s (%+.2f %%, tolerance %.1f %%)\n", r.parameter.c_str(),
              r.case_id.c_str(), r.bundled, r.unit.c_str(), r.refit, r.unit.c_str(), 100 * (r.refit / r.bundled - 1),
              100 * r.tolerance);
  ASSERT_TRUE(std::isfinite(r.refit));
  EXPECT_NEAR(r.refit / r.bundled, 1.0, spec->tolerance) << r.parameter << " refitted on " << r.case_id;
  EXPECT_TRUE(r.within);
}

// Every refit the code registers is exercised by the bundled file (none is left untested).
TEST(Refit, EveryRegisteredRefitIsUsedByTheBundledFile) {
  const auto& set = validation::bundled_cases();
  for (const auto& name : validation::refit_names()) {
    bool used = false;
    for (const auto& f : set.fits) used = used || f.parameter == name;
    EXPECT_TRUE(used) << name;
  }
}

std::vector<std::string> fit_names() {
  std::vector<std::string> out;
  for (const auto& f : validation::bundled_cases().fits) out.push_back(f.parameter);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fits, Refit, ::testing::ValuesIn(fit_names()));

}  // namespace
}  // namespace nw
