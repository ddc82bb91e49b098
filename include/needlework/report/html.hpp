#pragma once
// Building blocks of needlework's self-contained HTML reports (report.html of `simulate`,
// plan.html of `plan`): escaping, numbers tagged with the result-file key they come from,
// charts drawn in the page by the bundled chart library, and the page itself with the chart
// library, script and style inlined so the file opens offline. A report is built from result
// files only (never from live objects), so it can be rebuilt from a results folder.

#include <string>
#include <string_view>
#include <vector>

namespace nw::report {

/// `value` with `significant` significant digits, in fixed notation for 1e-3 <= |value| < 1e6
/// (digits left of the point are never rounded away) and scientific notation otherwise; whole
/// numbers below 1e15 without decimals.
std::string format_number(double value, int significant = 3);

/// A number from a result file as it appears in a page:
///   <span class="num" data-file="summary.json" data-key="transport.delivered_ug_per_cm2"
///         data-value="1497.1234" data-scale="1">1497</span>
/// data-value is the file's value (shortest round-trip text), data-scale the factor applied
/// before display (100 for a fraction shown in %), so the browser test can check that the shown
/// text equals the file's value to the digits shown. `key` is a dotted path into `file`
/// (array elements by index).
std::string tagged_number(std::string_view key, double value, double scale = 1.0, int significant = 3,
                          std::string_view file = "summary.json");

/// One line (x, y) or, for a histogram, bar heights y at bin centres x.
struct ChartSeries {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
  bool dashed = false;
};

/// A vertical line at x with a label (layer boundaries, settings).
struct ChartMarker {
  double x = 0;
  std::string label;
};

struct Chart {
  enum class Kind { line, histogram };
  std::string id;  // element id, unique in the page (letters, digits, '-', '_')
  Kind kind = Kind::line;
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_y = false;
  std::vector<ChartSeries> series;
  std::vector<ChartMarker> markers;
  std::string caption;  // shown under the chart: what it shows and where the data come from
};

/// A report page. Sections appear in the order added; charts are drawn by the bundled chart
/// library when the page loads (no network access is needed).
class Page {
 public:
  Page(std::string title, std::string subtitle);

  /// Adds a section; `body_html` is trusted HTML built with core::xml_escape / tagged_number.
  void add_section(const std::string& id, const std::string& heading, const std::string& body_html);
  /// The HTML of a chart (a canvas and its caption) to place in a section; its data go into the
  /// page's chart list. Throws core::Error{internal} for an id that is not unique or not plain.
  std::string chart(const Chart& chart);
  std::size_t chart_count() const { return charts_.size(); }

  /// The whole document: HTML with the chart library, the report script, the style and the chart
  /// data inlined. `footer_html` closes the page (disclaimer, versions).
  std::string render(const std::string& footer_html) const;

 private:
  std::string title_;
  std::string subtitle_;
  std::string nav_;
  std::string body_;
  std::vector<Chart> charts_;
};

/// Version of the chart library compiled into the binary (from web/node_modules at build time).
std::string_view chart_library_version();

}  // namespace nw::report
