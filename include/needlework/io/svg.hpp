#pragma once
// Small, dependency-free SVG charts (scatter plot, histogram, line chart) for reports written beside results.
//
// Every chart is a standalone SVG 1.1 document: no scripts, no external fonts or style sheets, so it opens in any
// browser and embeds in HTML. Output is deterministic (same input, same bytes) so charts can be compared in tests and
// kept as regression data. Coordinates are rounded to 0.1 px to keep files small.
//
// All text (title, labels, names) is XML-escaped. Non-finite data values are never drawn; the caption under the plot
// says how many were skipped, so a chart never silently hides data. Violated preconditions throw
// core::Error{internal}: they are programming errors of the caller, not user input errors.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace nw::io {

/// Size and text of a chart. `width_px` and `height_px` are SVG user units (px); both must be finite and within
/// [100, 100000]. Labels should name their unit, e.g. "depth (mm)". Empty strings draw nothing.
struct SvgStyle {
  double width_px = 640;
  double height_px = 480;
  std::string title;
  std::string x_label;
  std::string y_label;
};

/// Scatter plot of points (e.g. puncture positions in mm). `groups[i]` selects a colour per point (0..7, e.g. the pass
/// number); empty = one colour. Axis ranges are [x_min,x_max] x [y_min,y_max] (equal scaling if `equal_aspect`: the
/// plot frame shrinks so one data unit is as long on both axes). `radius_px` is the dot radius. At most `max_points`
/// points are drawn (the first ones); the caption states how many of how many.
///
/// Preconditions (else core::Error{internal}): x.size() == y.size(); groups empty or groups.size() == x.size(); every
/// group in [0, 7]; group_names.size() <= 8; ranges finite with x_min < x_max and y_min < y_max; radius_px finite and
/// > 0. `group_names[g]` labels group g in the legend; groups without a name that have drawn points appear as
/// "group g"; no legend when there are neither names nor groups. Points with a NaN/inf coordinate and points outside
/// the axis ranges are not drawn and are counted in the caption. Points are drawn group by group (group 0 first), in
/// input order within a group.
std::string svg_scatter(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& groups,
                        double x_min, double x_max, double y_min, double y_max, bool equal_aspect, double radius_px,
                        std::size_t max_points, const SvgStyle& style, const std::vector<std::string>& group_names);

/// A vertical line across a histogram at `x` (in the units of the histogram's values), labelled at its top.
struct SvgMarker {
  double x;
  std::string label;
};

/// Histogram of `values` with `bins` equal bins over [lo, hi]; optional vertical marker lines (e.g. layer boundaries,
/// needle length) each with a label.
///
/// Bin i covers [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / bins; a value equal to `hi` falls in the last bin.
/// Values outside [lo, hi] and NaN/inf values are not binned; the caption counts them. Markers outside [lo, hi] or
/// non-finite are not drawn (the caption counts them). The y axis counts values; it is labelled "count" when
/// style.y_label is empty. Every bin is drawn as `<rect class="bar" data-count="N" .../>`, empty bins with height 0,
/// so tools and tests can read the counts back.
///
/// Preconditions (else core::Error{internal}): lo and hi finite with lo < hi; 1 <= bins <= 100000.
std::string svg_histogram(const std::vector<double>& values, double lo, double hi, int bins, const SvgStyle& style,
                          const std::vector<SvgMarker>& markers);

/// One named line of a line chart; `y[i]` belongs to the chart's `x[i]`.
struct SvgSeries {
  std::string name;
  std::vector<double> y;
};

/// Line chart: several named series sharing x (e.g. amount per layer over time). Log-scale y optional.
///
/// The x axis spans the finite x values exactly; the y axis is widened to "nice" tick values (whole decades when
/// `log_y`). Each series is drawn in the given order of x (x need not be sorted) and broken where a point is skipped:
/// points with a NaN/inf x or y, and with `log_y` points with y <= 0; the caption counts them. An isolated point
/// between breaks is drawn as a dot. Colours cycle through 8; series 9 onwards are dashed so they stay distinguishable.
/// An empty name is shown as "series N" (counting from 1) in the legend.
///
/// Preconditions (else core::Error{internal}): every series has y.size() == x.size().
std::string svg_lines(const std::vector<double>& x, const std::vector<SvgSeries>& series, bool log_y,
                      const SvgStyle& style);

namespace detail {

/// The "nice" tick step (1, 2 or 5 times a power of ten) that divides `span` into about `target` intervals.
/// Returns 1 when span is not finite and > 0 or target < 1, so callers never divide by zero.
double nice_step(double span, int target);

/// Multiples of nice_step(hi - lo, target) within [lo, hi] (ends included up to rounding), ascending; empty unless lo
/// and hi are finite with lo < hi. E.g. (0, 1.37, 6) gives 0, 0.2, ..., 1.2.
std::vector<double> nice_ticks(double lo, double hi, int target);

/// A tick label for `value` on an axis whose ticks are `step` apart: just enough decimals to tell ticks apart
/// ("0.2", "15", "0.05"), never "-0"; falls back to %g for very large or very small numbers.
std::string format_tick(double value, double step);

/// A coordinate rounded to 0.1 px without trailing ".0" and never "-0" ("12.3", "40", "-5.1"); non-finite gives "0"
/// so a degenerate input can never produce an unparseable attribute.
std::string format_px(double value);

}  // namespace detail

}  // namespace nw::io
