#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "needlework/core/error.hpp"
#include "needlework/core/text.hpp"
#include "needlework/io/svg.hpp"

namespace nw::io {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// The checks a viewer needs: one root element, closed, and every group closed.
void expect_well_formed(const std::string& svg) {
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"")) << svg.substr(0, 80);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count(svg, "<svg"), 1U);
  EXPECT_EQ(count(svg, "<g ") + count(svg, "<g>"), count(svg, "</g>"));
  EXPECT_EQ(count(svg, "<text"), count(svg, "</text>"));
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf\""), std::string::npos);
}

// The attribute value after `name="` at or after `from`.
std::string attribute(const std::string& svg, std::size_t from, const std::string& name) {
  const auto start = svg.find(name + "=\"", from) + name.size() + 2;
  return svg.substr(start, svg.find('"', start) - start);
}

struct Bar {
  int count;
  double height;
};

std::vector<Bar> bars(const std::string& svg) {
  std::vector<Bar> out;
  for (auto pos = svg.find("class=\"bar\""); pos != std::string::npos; pos = svg.find("class=\"bar\"", pos + 1)) {
    out.push_back({std::stoi(attribute(svg, pos, "data-count")), std::stod(attribute(svg, pos, "height"))});
  }
  return out;
}

std::string caption(const std::string& svg) {
  const auto start = svg.find('>', svg.find("class=\"caption\"")) + 1;
  return svg.substr(start, svg.find("</text>", start) - start);
}

SvgStyle style_with_title(std::string title) {
  SvgStyle s;
  s.title = std::move(title);
  s.x_label = "depth (mm)";
  s.y_label = "y (mm)";
  return s;
}

TEST(SvgDetail, NiceStepIsOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(detail::nice_step(1.37, 6), 0.2);
  EXPECT_DOUBLE_EQ(detail::nice_step(100, 5), 20);
  EXPECT_DOUBLE_EQ(detail::nice_step(7, 7), 1);
  EXPECT_DOUBLE_EQ(detail::nice_step(0.003, 6), 0.0005);
  EXPECT_DOUBLE_EQ(detail::nice_step(0, 5), 1);  // degenerate input never yields a zero step
  EXPECT_DOUBLE_EQ(detail::nice_step(kNaN, 5), 1);
}

TEST(SvgDetail, NiceTicksCoverTheRangeWithRoundValues) {
  EXPECT_EQ(detail::nice_ticks(0, 1.37, 6), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2}));
  EXPECT_EQ(detail::nice_ticks(-3, 12, 5), (std::vector<double>{0, 5, 10}));
  EXPECT_EQ(detail::nice_ticks(0.1, 0.3, 4), (std::vector<double>{0.1, 0.15, 0.2, 0.25, 0.3}));
  EXPECT_TRUE(detail::nice_ticks(1, 1, 5).empty());
  EXPECT_TRUE(detail::nice_ticks(2, 1, 5).empty());
  EXPECT_TRUE(detail::nice_ticks(0, kInf, 5).empty());
}

TEST(SvgDetail, TickLabelsHaveJustEnoughDecimals) {
  EXPECT_EQ(detail::format_tick(0.6000000000000001, 0.2), "0.6");
  EXPECT_EQ(detail::format_tick(15, 5), "15");
  EXPECT_EQ(detail::format_tick(0.05, 0.05), "0.05");
  EXPECT_EQ(detail::format_tick(-1e-17, 0.1), "0.0");
  EXPECT_EQ(detail::format_tick(2e7, 5e6), "2e+07");
}

TEST(SvgDetail, PixelCoordinatesAreCompact) {
  EXPECT_EQ(detail::format_px(12.34), "12.3");
  EXPECT_EQ(detail::format_px(40.0), "40");
  EXPECT_EQ(detail::format_px(-0.01), "0");
  EXPECT_EQ(detail::format_px(kNaN), "0");
}

TEST(SvgDetail, EscapesXmlSpecialCharacters) {
  EXPECT_EQ(core::xml_escape("a<b & c>\"d'"), "a&lt;b &amp; c&gt;&quot;d&apos;");
  EXPECT_EQ(core::xml_escape(std::string("x\x01y\tz")), "xy\tz");
  EXPECT_EQ(core::xml_escape("µm"), "µm");
}

TEST(SvgScatter, IsWellFormedAndEscapesText) {
  const auto svg = svg_scatter({1, 2, 3}, {1, 2, 3}, {0, 1, 1}, 0, 4, 0, 4, true, 2, 100, style_with_title("<A & B>"),
                               {"pass \"1\"", "pass <2>"});
  expect_well_formed(svg);
  EXPECT_NE(svg.find("&lt;A &amp; B&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<A & B>"), std::string::npos);
  EXPECT_NE(svg.find("pass &quot;1&quot;"), std::string::npos);
  EXPECT_NE(svg.find("pass &lt;2&gt;"), std::string::npos);
  EXPECT_EQ(count(svg, "<circle"), 3U);
  EXPECT_EQ(count(svg, "data-group="), 2U);
}

TEST(SvgScatter, DrawsAtMostMaxPointsAndSaysSo) {
  std::vector<double> x;
  std::vector<double> y;
  for (int i = 0; i < 250; ++i) {
    x.push_back(i % 10);
    y.push_back(i / 10);
  }
  const auto svg = svg_scatter(x, y, {}, 0, 10, 0, 25, false, 1.5, 100, SvgStyle{}, {});
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "<circle"), 100U);
  EXPECT_NE(caption(svg).find("100 of 250 points shown"), std::string::npos) << caption(svg);
  EXPECT_EQ(count(svg, "class=\"legend\""), 0U);  // no groups, no names: nothing to explain
}

TEST(SvgScatter, SkipsAndReportsNonFiniteAndOutsidePoints) {
  const auto svg =
      svg_scatter({1, kNaN, 2, kInf, 50}, {1, 1, kNaN, 2, 1}, {}, 0, 10, 0, 10, false, 2, 1000, SvgStyle{}, {});
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "<circle"), 1U);
  const auto text = caption(svg);
  EXPECT_NE(text.find("1 of 5 points shown"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped 3 points with NaN/inf"), std::string::npos) << text;
  EXPECT_NE(text.find("1 point outside the axes"), std::string::npos) << text;
}

TEST(SvgScatter, EmptyDataDrawsAxesAndANote) {
  const auto svg = svg_scatter({}, {}, {}, 0, 1, 0, 1, false, 2, 10, SvgStyle{}, {});
  expect_well_formed(svg);
  EXPECT_NE(svg.find(">no data</text>"), std::string::npos);
  EXPECT_NE(svg.find("class=\"axes\""), std::string::npos);
}

TEST(SvgScatter, ViolatedPreconditionsRaiseInternalErrors) {
  const auto expect_internal = [](auto&& call) {
    try {
      call();
      ADD_FAILURE() << "no error";
    } catch (const core::Error& e) {
      EXPECT_EQ(e.code(), core::ErrorCode::internal);
    }
  };
  expect_internal([] { svg_scatter({1, 2}, {1}, {}, 0, 1, 0, 1, false, 2, 10, SvgStyle{}, {}); });
  expect_internal([] { svg_scatter({1}, {1}, {8}, 0, 1, 0, 1, false, 2, 10, SvgStyle{}, {}); });
  expect_internal([] { svg_scatter({1}, {1}, {}, 1, 1, 0, 1, false, 2, 10, SvgStyle{}, {}); });
  expect_internal([] { svg_scatter({1}, {1}, {}, 0, 1, 0, kNaN, false, 2, 10, SvgStyle{}, {}); });
  expect_internal([] { svg_histogram({1}, 2, 1, 10, SvgStyle{}, {}); });
  expect_internal([] { svg_histogram({1}, 0, 1, 0, SvgStyle{}, {}); });
  expect_internal([] { svg_lines({1, 2}, {{"a", {1}}}, false, SvgStyle{}); });
  expect_internal([] { svg_lines({}, {}, false, SvgStyle{0, 480, "", "", ""}); });
}

TEST(SvgHistogram, AllValuesInOneBinGiveOneBar) {
  const auto svg = svg_histogram({0.31, 0.32, 0.33, 0.34}, 0, 1, 10, style_with_title("depth"), {});
  expect_well_formed(svg);
  const auto b = bars(svg);
  ASSERT_EQ(b.size(), 10U);
  int non_zero = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (b[i].height > 0) {
      ++non_zero;
      EXPECT_EQ(i, 3U);
      EXPECT_EQ(b[i].count, 4);
    } else {
      EXPECT_EQ(b[i].count, 0);
    }
  }
  EXPECT_EQ(non_zero, 1);
}

TEST(SvgHistogram, BarHeightsAreProportionalToCounts) {
  // 1, 2 and 4 values in three bins; `hi` itself falls into the last bin.
  const auto svg = svg_histogram({0.5, 1.5, 1.6, 2.2, 2.5, 2.9, 3}, 0, 3, 3, SvgStyle{}, {});
  const auto b = bars(svg);
  ASSERT_EQ(b.size(), 3U);
  EXPECT_EQ(b[0].count, 1);
  EXPECT_EQ(b[1].count, 2);
  EXPECT_EQ(b[2].count, 4);
  EXPECT_NEAR(b[1].height / b[0].height, 2, 0.01);
  EXPECT_NEAR(b[2].height / b[0].height, 4, 0.01);
}

TEST(SvgHistogram, SkipsAndReportsNanAndOutOfRangeValues) {
  const auto svg = svg_histogram({kNaN, 0.5, -1, 7, -kInf}, 0, 1, 4, SvgStyle{}, {{0.25, "a & b"}, {5, "far"}});
  expect_well_formed(svg);
  const auto text = caption(svg);
  EXPECT_NE(text.find("1 of 5 values"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped 2 NaN/inf values"), std::string::npos) << text;
  EXPECT_NE(text.find("1 below 0"), std::string::npos) << text;
  EXPECT_NE(text.find("1 above 1"), std::string::npos) << text;
  EXPECT_NE(text.find("1 marker outside the axes"), std::string::npos) << text;
  EXPECT_NE(svg.find(">a &amp; b</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">far</text>"), std::string::npos);
}

TEST(SvgHistogram, EmptyAndAllEqualInputsDoNotCrash) {
  const auto empty = svg_histogram({}, 0, 1, 5, SvgStyle{}, {});
  expect_well_formed(empty);
  EXPECT_NE(empty.find(">no data</text>"), std::string::npos);
  EXPECT_EQ(bars(empty).size(), 5U);

  const auto equal = svg_histogram(std::vector<double>(1000, 0.5), 0, 1, 200, SvgStyle{}, {});
  expect_well_formed(equal);
  EXPECT_EQ(equal.find(">no data</text>"), std::string::npos);
}

TEST(SvgLines, DrawsEverySeriesWithALegend) {
  const std::vector<double> t{0, 1, 2, 3, 4};
  const auto svg = svg_lines(t, {{"epidermis", {5, 4, 3, 2, 1}}, {"dermis <papillary>", {0, 1, 2, 3, 4}}}, false,
                             style_with_title("amount per layer"));
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "<polyline"), 2U);
  EXPECT_NE(svg.find("class=\"legend\""), std::string::npos);
  EXPECT_NE(svg.find(">dermis &lt;papillary&gt;</text>"), std::string::npos);
}

TEST(SvgLines, BreaksLinesAtSkippedPointsAndReportsThem) {
  const auto svg = svg_lines({0, 1, 2, 3, 4, 5}, {{"a", {1, 10, kNaN, 100, 0, 1000}}}, true, SvgStyle{});
  expect_well_formed(svg);
  EXPECT_EQ(count(svg, "<polyline"), 1U);  // 1, 10 joined; 100 and 1000 are isolated dots
  EXPECT_EQ(count(svg, "<circle"), 2U);
  const auto text = caption(svg);
  EXPECT_NE(text.find("skipped 1 NaN/inf value"), std::string::npos) << text;
  EXPECT_NE(text.find("skipped 1 non-positive value (log scale)"), std::string::npos) << text;
  EXPECT_NE(svg.find(">1000</text>"), std::string::npos);  // a decade tick
}

TEST(SvgLines, EmptyAndConstantDataDoNotCrash) {
  const auto empty = svg_lines({}, {}, false, SvgStyle{});
  expect_well_formed(empty);
  EXPECT_NE(empty.find(">no data</text>"), std::string::npos);
  expect_well_formed(svg_lines({}, {}, true, SvgStyle{}));
  expect_well_formed(svg_lines({3, 3, 3}, {{"flat", {2, 2, 2}}}, false, SvgStyle{}));
  expect_well_formed(svg_lines({3, 3, 3}, {{"flat", {2, 2, 2}}}, true, SvgStyle{}));
  expect_well_formed(svg_lines({1, 2}, {{"", {kNaN, kInf}}}, false, SvgStyle{}));
}

TEST(Svg, OutputIsDeterministic) {
  std::vector<double> x;
  std::vector<double> y;
  std::vector<int> g;
  for (int i = 0; i < 500; ++i) {
    x.push_back(std::sin(i * 0.7) * 3);
    y.push_back(std::cos(i * 1.3) * 2);
    g.push_back(i % 3);
  }
  const auto scatter = [&] {
    return svg_scatter(x, y, g, -3, 3, -2, 2, true, 1.5, 400, style_with_title("t"), {"one", "two", "three"});
  };
  EXPECT_EQ(scatter(), scatter());
  EXPECT_EQ(svg_histogram(x, -3, 3, 30, SvgStyle{}, {{0, "zero"}}),
            svg_histogram(x, -3, 3, 30, SvgStyle{}, {{0, "zero"}}));
  EXPECT_EQ(svg_lines(x, {{"y", y}}, false, SvgStyle{}), svg_lines(x, {{"y", y}}, false, SvgStyle{}));
}

}  // namespace
}  // namespace nw::io
