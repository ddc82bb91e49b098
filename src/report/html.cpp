#include "needlework/report/html.hpp"
#include "needlework/core/text.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "assets.hpp"
#include "needlework/core/error.hpp"

namespace nw::report {
namespace {

std::string json_for_script(const nlohmann::ordered_json& j) {
  // Inside <script>, "</" could end the element early; "<\/" is the same JSON string.
  std::string text = j.dump();
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

std::string_view required_asset(std::string_view name) {
  const auto a = detail::asset(name);
  if (a.empty())
    core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("no embedded asset '{}'", name)));
  return a;
}

}  // namespace

std::string format_number(double value, int significant) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  significant = std::max(significant, 1);
  const double magnitude = std::abs(value);
  // Whole numbers (counts, seeds, rounded amounts) are shown whole, not padded with zeros.
  if (value == std::round(value) && magnitude < 1e15) return fmt::format("{:.0f}", value);
  if (magnitude >= 1e-3 && magnitude < 1e6) {
    const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    const int decimals = std::max(0, significant - 1 - exponent);
    return fmt::format("{:.{}f}", value, decimals);
  }
  return fmt::format("{:.{}e}", value, significant - 1);
}

std::string tagged_number(std::string_view key, double value, double scale, int significant, std::string_view file) {
  return fmt::format(R"(<span class="num" data-file="{}" data-key="{}" data-value="{}" data-scale="{}">{}</span>)",
                     core::xml_escape(file), core::xml_escape(key), value, scale,
                     format_number(value * scale, significant));
}

Page::Page(std::string title, std::string subtitle) : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

void Page::add_section(const std::string& id, const std::string& heading, const std::string& body_html) {
  nav_ += fmt::format(R"(<a href="#{}">{}</a>)", core::xml_escape(id), core::xml_escape(heading));
  body_ += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n", core::xml_escape(id),
                       core::xml_escape(heading), body_html);
}

std::string Page::chart(const Chart& chart) {
  const bool plain = !chart.id.empty() && chart.id.find_first_not_of(
                                              "abcdefghijklmnopqrstuvwxyz"
                                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == std::string::npos;
  std::set<std::string> ids;
  for (const auto& c : charts_) ids.insert(c.id);
  if (!plain || ids.contains(chart.id)) {
    core::raise(core::ErrorCode::internal,
                fmt::arg("reason", fmt::format("chart id '{}' is not a unique plain identifier", chart.id)));
  }
  charts_.push_back(chart);
  return fmt::format(
      "<figure class=\"chart\"><div class=\"chart-box\"><canvas id=\"{}\" role=\"img\" aria-label=\"{}\"></canvas>"
      "</div><figcaption>{}</figcaption></figure>\n",
      core::xml_escape(chart.id), core::xml_escape(chart.title), core::xml_escape(chart.caption));
}

std::string Page::render(const std::string& footer_html) const {
  nlohmann::ordered_json charts = nlohmann::ordered_json::array();
  for (const auto& c : charts_) {
    nlohmann::ordered_json series = nlohmann::ordered_json::array();
    for (const auto& s : c.series) series.push_back({{"label", s.label}, {"x", s.x}, {"y", s.y}, {"dashed", s.dashed}});
    nlohmann::ordered_json markers = nlohmann::ordered_json::array();
    for (const auto& m : c.markers) markers.push_back({{"x", m.x}, {"label", m.label}});
    charts.push_back({{"id", c.id},
                      {"kind", c.kind == Chart::Kind::histogram ? "histogram" : "line"},
                      {"title", c.title},
                      {"x_label", c.x_label},
                      {"y_label", c.y_label},
                      {"log_y", c.log_y},
                      {"series", series},
                      {"markers", markers}});
  }
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out +=
      fmt::format("<meta name=\"generator\" content=\"needlework (charts: Chart.js {})\">\n", chart_library_version());
  out += fmt::format("<title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n", core::xml_escape(title_),
                     required_asset("report.css"));
  out += fmt::format("<header>\n<h1>{}</h1>\n<p class=\"subtitle\">{}</p>\n<nav>{}</nav>\n</header>\n<main>\n",
                     core::xml_escape(title_), core::xml_escape(subtitle_), nav_);
  out += body_;
  out += fmt::format("</main>\n<footer>\n{}\n</footer>\n", footer_html);
  out += fmt::format("<script type=\"application/json\" id=\"nw-charts\">{}</script>\n", json_for_script(charts));
  out += fmt::format("<script>\n{}\n</script>\n", required_asset("chart.js"));
  out += fmt::format("<script>\n{}\n</script>\n</body>\n</html>\n", required_asset("report.js"));
  return out;
}

std::string_view chart_library_version() { return NW_CHART_JS_VERSION; }

}  // namespace nw::report
