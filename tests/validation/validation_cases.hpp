#pragma once
// One GoogleTest per validation case of data/validation/cases.toml: the test runs the case
// through the registry (the same code as `needlework validate`) and asserts the status the table
// expects: pass, or known_discrepancy for a documented gap (which fails if the gap closes or
// widens past its band). Data, tolerance and row id of each case are in the table and are
// printed on failure.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "needlework/validation/validation.hpp"

namespace nw::test {

/// Ids of the bundled cases of the given stages, in table order.
inline std::vector<std::string> case_ids(const std::vector<std::string>& stages) {
  std::vector<std::string> ids;
  for (const auto& c : validation::bundled_cases().cases) {
    for (const auto& s : stages)
      if (c.stage == s) ids.push_back(c.id);
  }
  return ids;
}

/// Ids of the bundled cases of every stage not in `stages`, in table order.
inline std::vector<std::string> case_ids_except(const std::vector<std::string>& stages) {
  std::vector<std::string> ids;
  for (const auto& c : validation::bundled_cases().cases) {
    bool listed = false;
    for (const auto& s : stages) listed = listed || c.stage == s;
    if (!listed) ids.push_back(c.id);
  }
  return ids;
}

/// A GoogleTest name for a case id ("SAS19-0.5mm" -> "SAS19_0_5mm").
inline std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (auto& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

inline void expect_case_status(const std::string& id) {
  const auto* c = validation::bundled_cases().find(id);
  ASSERT_NE(c, nullptr) << id;
  const auto r = validation::run_case(*c);
  const auto expected = c->expect_discrepancy ? validation::Status::known_discrepancy : validation::Status::pass;
  EXPECT_EQ(validation::to_string(r.status), validation::to_string(expected))
      << "case " << c->id << " (row " << c->row << ", " << c->role << "): " << c->quantity << "\n  data "
      << c->data.text << ", model " << r.model << " " << c->unit << ", tolerance " << r.tolerance_text
      << ", model/data " << r.ratio
      << (c->expect_discrepancy ? fmt::format(", documented gap {}-{}", c->gap_min, c->gap_max) : std::string());
  std::printf("[validate] %s: data %s, model %.4g %s, tolerance %s, %s\n", c->id.c_str(), c->data.text.c_str(), r.model,
              c->unit.c_str(), r.tolerance_text.c_str(), std::string(validation::to_string(r.status)).c_str());
}

}  // namespace nw::test
