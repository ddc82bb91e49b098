#pragma once
// Helpers for one GoogleTest per validation case of data/validation/cases.toml: run_case() runs
// the case through the registry (the same code as `needlework validate`) and returns its status
// beside the status the table expects: pass, or known_discrepancy for a documented gap (which
// fails if the gap closes or widens past its band). Each TEST_P states the EXPECT_EQ of the two;
// data, tolerance and row id of the case come with it and are printed on failure.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
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

/// The outcome of one bundled case beside the status the table expects of it, with everything a
/// failure message needs (data, model, tolerance, model/data ratio, documented gap).
struct CaseCheck {
  std::string_view status;    // what the model run gave
  std::string_view expected;  // pass, or known_discrepancy for a documented gap
  std::string explain;        // "case <id> (row ..., role): quantity / data, model, tolerance ..."
};

/// Runs the bundled case `id` through the registry (as `needlework validate` does) and prints a
/// one-line summary to stdout. Throws std::out_of_range if the table has no such case.
inline CaseCheck run_case(const std::string& id) {
  const auto* c = validation::bundled_cases().find(id);
  if (c == nullptr) throw std::out_of_range("no bundled validation case " + id);
  const auto r = validation::run_case(*c);
  const auto expected = c->expect_discrepancy ? validation::Status::known_discrepancy : validation::Status::pass;
  std::printf("[validate] %s: data %s, model %.4g %s, tolerance %s, %s\n", c->id.c_str(), c->data.text.c_str(), r.model,
              c->unit.c_str(), r.tolerance_text.c_str(), std::string(validation::to_string(r.status)).c_str());
  return {validation::to_string(r.status), validation::to_string(expected),
          fmt::format(
              "case {} (row {}, {}): {}\n  data {}, model {:.6g} {}, tolerance {}, model/data {:.6g}{}", c->id, c->row,
              c->role, c->quantity, c->data.text, r.model, c->unit, r.tolerance_text, r.ratio,
              c->expect_discrepancy ? fmt::format(", documented gap {}-{}", c->gap_min, c->gap_max) : std::string())};
}

}  // namespace nw::test
