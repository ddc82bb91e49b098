#include "needlework/io/svg.hpp"
#include "needlework/core/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>

#include "needlework/core/error.hpp"

namespace nw::io {

namespace {

// Turns a result that rounded to zero ("-0", "-0.00") into an unsigned zero: a minus sign on zero reads as a bug.
std::string drop_negative_zero(std::string text) {
  if (text.size() > 1 && text.front() == '-' &&
      std::all_of(text.begin() + 1, text.end(), [](char c) { return c == '0' || c == '.'; })) {
    text.erase(0, 1);
  }
  return text;
}

// Tick values as exact as a double allows: k / 5 is correctly rounded where k * 0.2 is not (0.6000000000000001), so
// values that tests and tools read back are the decimal numbers they look like.
std::vector<double> ticks_with_step(double lo, double hi, double step) {
  std::vector<double> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo <= hi) || !std::isfinite(step) || step <= 0) return ticks;
  constexpr double kSlack = 1e-9;  // ends that miss a multiple only by rounding still get their tick
  const double first = std::ceil(lo / step - kSlack);
  const double last = std::floor(hi / step + kSlack);
  if (!(last - first < 1000)) return ticks;  // never happens with nice_step; bounds the output if it ever did
  const double inverse = std::round(1 / step);
  const bool use_inverse = step < 1 && std::abs(inverse * step - 1) < 1e-9;
  for (double k = first; k <= last; k += 1) ticks.push_back(use_inverse ? k / inverse : k * step);
  return ticks;
}

}  // namespace

namespace detail {

double nice_step(double span, int target) {
  if (!std::isfinite(span) || span <= 0 || target < 1) return 1.0;
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  // Rounding the fraction to the nearest of 1, 2, 5, 10 (rather than rounding up) keeps the tick count close to
  // `target` from both sides: 0..1.37 in 6 gets step 0.2 (7 ticks), not 0.5 (3 ticks).
  double nice = 10;
  if (fraction < 1.5) {
    nice = 1;
  } else if (fraction < 3) {
    nice = 2;
  } else if (fraction < 7) {
    nice = 5;
  }
  return nice * magnitude;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi) || !std::isfinite(hi - lo)) return {};
  return ticks_with_step(lo, hi, nice_step(hi - lo, target));
}

std::string format_tick(double value, double step) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (!std::isfinite(step) || step <= 0) return drop_negative_zero(fmt::format("{:g}", value));
  if (std::abs(value) < step * 1e-6) value = 0;  // a tick computed as 1e-17 is the zero tick
  // A 1-2-5 step needs as many decimals as its leading digit's position: 0.2 -> 1, 0.05 -> 2, 10 -> 0.
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  if (decimals > 6 || std::abs(value) >= 1e7) return drop_negative_zero(fmt::format("{:g}", value));
  return drop_negative_zero(fmt::format("{:.{}f}", value, decimals));
}

std::string format_px(double value) {
  if (!std::isfinite(value)) return "0";
  // Anything this far off the canvas is invisible anyway; clamping keeps a wild input from writing 300-digit numbers.
  value = std::clamp(value, -1e7, 1e7);
  auto text = fmt::format("{:.1f}", value);
  if (text.ends_with(".0")) text.resize(text.size() - 2);
  return drop_negative_zero(std::move(text));
}

}  // namespace detail

namespace {

using detail::format_px;

// Okabe & Ito (2008), safe for the common colour-vision deficiencies. Yellow and black come last: yellow is faint on
// white and black is the axis colour, and the first few groups are the ones most charts use.
constexpr std::array<std::string_view, 8> kPalette{"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                   "#56B4E9", "#CC79A7", "#F0E442", "#000000"};
constexpr double kTickFontPx = 11;
constexpr double kLegendFontPx = 12;

[[noreturn]] void fail(std::string_view function, const std::string& what) {
  core::raise(core::ErrorCode::internal, fmt::arg("reason", fmt::format("{}: {}", function, what)));
}

void check_style(std::string_view function, const SvgStyle& style) {
  const auto ok = [](double v) { return std::isfinite(v) && v >= 100 && v <= 100000; };
  if (!ok(style.width_px) || !ok(style.height_px)) {
    fail(function, fmt::format("chart size {} x {} px is outside [100, 100000] px", style.width_px, style.height_px));
  }
}

bool finite_range(double lo, double hi) {
  return std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(hi - lo);
}

std::string count_of(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// SVG cannot measure text, so widths are estimated from the character count (UTF-8 continuation bytes excluded) and an
// average sans-serif advance of 0.6 em, generous enough that estimated room is rarely too small.
double text_width(std::string_view text, double font_px) {
  std::size_t chars = 0;
  for (const char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return static_cast<double>(chars) * font_px * 0.6;
}

struct Tick {
  double at;  // in axis units: the value itself, or its log10 on a logarithmic axis
  std::string label;
};

std::vector<Tick> linear_ticks(double lo, double hi, double step) {
  std::vector<Tick> ticks;
  for (const double v : ticks_with_step(lo, hi, step)) ticks.push_back({v, detail::format_tick(v, step)});
  return ticks;
}

// Ticks at whole decades lo..hi (exponents), thinned to about `target` so a wide range stays readable.
std::vector<Tick> decade_ticks(int lo, int hi, int target) {
  std::vector<Tick> ticks;
  const int every = std::max(1, (hi - lo + target - 1) / std::max(1, target));
  for (int k = lo; k <= hi; k += every) ticks.push_back({static_cast<double>(k), fmt::format("{:g}", std::pow(10, k))});
  return ticks;
}

int tick_target(double length_px, double px_per_tick) {
  return std::clamp(static_cast<int>(length_px / px_per_tick), 2, 10);
}

// Fewer x ticks until their labels fit side by side, so long labels ("12000", "0.0005") never overlap.
template <typename MakeTicks>
std::vector<Tick> fit_x_ticks(double width_px, MakeTicks make) {
  for (int target = tick_target(width_px, 80);; --target) {
    auto ticks = make(target);
    double needed = 0;
    for (const auto& t : ticks) needed += text_width(t.label, kTickFontPx) + 12;
    if (needed <= width_px || target <= 2) return ticks;
  }
}

struct LegendEntry {
  std::string name;
  std::string_view colour;
  bool dashed = false;
};

// The plot area in px and the axis-unit range it shows.
struct Frame {
  double left = 0;
  double top = 0;
  double width = 1;
  double height = 1;
  double x_lo = 0;
  double x_hi = 1;
  double y_lo = 0;
  double y_hi = 1;

  double px_x(double v) const { return left + (v - x_lo) / (x_hi - x_lo) * width; }
  double px_y(double v) const { return top + height - (v - y_lo) / (y_hi - y_lo) * height; }
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

double top_margin(const SvgStyle& s) { return s.title.empty() ? 16 : 40; }
// Tick labels, then the x label, then the caption line.
double bottom_margin(const SvgStyle& s) { return s.x_label.empty() ? 46 : 64; }
double plot_height(const SvgStyle& s) { return std::max(20.0, s.height_px - top_margin(s) - bottom_margin(s)); }

// Places the plot area, leaving room for the y tick labels (whose width is only known once they are computed) and
// the legend to its right.
Frame place_frame(const SvgStyle& s, const std::vector<Tick>& y_ticks, const std::vector<LegendEntry>& legend) {
  double label_w = 0;
  for (const auto& t : y_ticks) label_w = std::max(label_w, text_width(t.label, kTickFontPx));
  double legend_w = 0;
  for (const auto& e : legend) legend_w = std::max(legend_w, text_width(e.name, kLegendFontPx) + 34);
  legend_w = std::min(legend_w, 0.35 * s.width_px);
  Frame f;
  f.left = (s.y_label.empty() ? 8 : 28) + label_w + 10;
  f.top = top_margin(s);
  f.width = std::max(20.0, s.width_px - f.left - 16 - legend_w);
  f.height = plot_height(s);
  return f;
}

class Writer {
 public:
  explicit Writer(const SvgStyle& style, std::string_view kind) : style_(style) {
    const auto w = format_px(style.width_px);
    const auto h = format_px(style.height_px);
    fmt::format_to(std::back_inserter(out_),
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" class=\"nw-{}\" width=\"{}\" "
                   "height=\"{}\" viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" font-size=\"12\">\n",
                   kind, w, h, w, h);
    if (!style.title.empty()) out_ += "<title>" + core::xml_escape(style.title) + "</title>\n";
    // An explicit background: converters to PNG and dark-mode viewers would otherwise show black text on black.
    out_ += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  }

  std::string& out() { return out_; }

  template <typename... Args>
  void add(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), format, std::forward<Args>(args)...);
  }

  // Grid lines go under the data; the frame, ticks and labels (frame_and_labels) go over it so dots near the edge
  // never hide the axes.
  void grid(const Frame& f, const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks) {
    out_ += "<g class=\"grid\" stroke=\"#e5e5e5\">\n";
    for (const auto& t : x_ticks) {
      const auto x = format_px(f.px_x(t.at));
      add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", x, format_px(f.top), x, format_px(f.bottom()));
    }
    for (const auto& t : y_ticks) {
      const auto y = format_px(f.px_y(t.at));
      add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", format_px(f.left), y, format_px(f.right()), y);
    }
    out_ += "</g>\n";
  }

  void frame_and_labels(const Frame& f, const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks) {
    out_ += "<g class=\"axes\" stroke=\"#333333\" fill=\"none\">\n";
    add("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", format_px(f.left), format_px(f.top),
        format_px(f.width), format_px(f.height));
    for (const auto& t : x_ticks) {
      const auto x = format_px(f.px_x(t.at));
      add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", x, format_px(f.bottom()), x, format_px(f.bottom() + 5));
    }
    for (const auto& t : y_ticks) {
      const auto y = format_px(f.px_y(t.at));
      add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", format_px(f.left - 5), y, format_px(f.left), y);
    }
    out_ += "</g>\n";
    add("<g class=\"tick-labels\" fill=\"#333333\" font-size=\"{}\">\n", kTickFontPx);
    for (const auto& t : x_ticks) {
      add("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", format_px(f.px_x(t.at)),
          format_px(f.bottom() + 18), core::xml_escape(t.label));
    }
    // +4 px centres the digits on the tick: dominant-baseline is not honoured by every SVG 1.1 renderer.
    for (const auto& t : y_ticks) {
      add("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", format_px(f.left - 8), format_px(f.px_y(t.at) + 4),
          core::xml_escape(t.label));
    }
    out_ += "</g>\n";
    if (!style_.x_label.empty()) {
      add("<text class=\"x-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
          format_px(f.left + f.width / 2), format_px(f.bottom() + 38), core::xml_escape(style_.x_label));
    }
    if (!style_.y_label.empty()) {
      add("<text class=\"y-label\" transform=\"translate(18 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
          format_px(f.top + f.height / 2), core::xml_escape(style_.y_label));
    }
  }

  void no_data(const Frame& f) {
    add("<text class=\"no-data\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#777777\" font-size=\"14\">no "
        "data</text>\n",
        format_px(f.left + f.width / 2), format_px(f.top + f.height / 2));
  }

  // Dots (scatter) are shown as squares so that `<circle` in a scatter plot counts exactly the drawn points.
  void legend(const Frame& f, const std::vector<LegendEntry>& entries, bool line_marks) {
    if (entries.empty()) return;
    out_ += "<g class=\"legend\">\n";
    const double x = f.right() + 12;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      const double y = f.top + 8 + 18 * static_cast<double>(i);
      if (line_marks) {
        add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", format_px(x),
            format_px(y), format_px(x + 16), format_px(y), e.colour, e.dashed ? " stroke-dasharray=\"6 3\"" : "");
      } else {
        add("<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n", format_px(x + 3), format_px(y - 5),
            e.colour);
      }
      add("<text x=\"{}\" y=\"{}\">{}</text>\n", format_px(x + 22), format_px(y + 4), core::xml_escape(e.name));
    }
    out_ += "</g>\n";
  }

  // Title last but one and caption last, so they sit on top of everything and are easy to find in the file.
  std::string finish(const std::vector<std::string>& notes) {
    if (!style_.title.empty()) {
      add("<text class=\"title\" x=\"{}\" y=\"26\" text-anchor=\"middle\" font-size=\"15\" "
          "font-weight=\"bold\">{}</text>\n",
          format_px(style_.width_px / 2), core::xml_escape(style_.title));
    }
    std::string caption;
    for (const auto& n : notes) caption += (caption.empty() ? "" : "; ") + n;
    add("<text class=\"caption\" x=\"6\" y=\"{}\" font-size=\"10\" fill=\"#555555\">{}</text>\n",
        format_px(style_.height_px - 6), core::xml_escape(caption));
    out_ += "</svg>\n";
    return std::move(out_);
  }

 private:
  const SvgStyle& style_;
  std::string out_;
};

}  // namespace

std::string svg_scatter(const std::vector<double>& x, const std::vector<double>& y, const std::vector<int>& groups,
                        double x_min, double x_max, double y_min, double y_max, bool equal_aspect, double radius_px,
                        std::size_t max_points, const SvgStyle& style, const std::vector<std::string>& group_names) {
  constexpr std::string_view fn = "svg_scatter";
  check_style(fn, style);
  if (x.size() != y.size()) fail(fn, fmt::format("x has {} values but y has {}", x.size(), y.size()));
  if (!groups.empty() && groups.size() != x.size()) {
    fail(fn, fmt::format("groups has {} values but x has {}", groups.size(), x.size()));
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i] < 0 || groups[i] >= static_cast<int>(kPalette.size())) {
      fail(fn, fmt::format("groups[{}] = {} is outside [0, 7]", i, groups[i]));
    }
  }
  if (group_names.size() > kPalette.size()) fail(fn, fmt::format("{} group names; at most 8", group_names.size()));
  if (!finite_range(x_min, x_max) || !finite_range(y_min, y_max)) {
    fail(fn, fmt::format("axis ranges [{}, {}] x [{}, {}] must be finite and increasing", x_min, x_max, y_min, y_max));
  }
  if (!std::isfinite(radius_px) || radius_px <= 0) fail(fn, fmt::format("radius_px = {} must be > 0", radius_px));

  std::size_t non_finite = 0;
  std::size_t outside = 0;
  std::size_t drawn = 0;
  std::array<std::vector<std::size_t>, kPalette.size()> by_group;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      ++non_finite;
    } else if (x[i] < x_min || x[i] > x_max || y[i] < y_min || y[i] > y_max) {
      ++outside;
    } else if (drawn < max_points) {
      by_group[groups.empty() ? 0 : static_cast<std::size_t>(groups[i])].push_back(i);
      ++drawn;
    }
  }

  std::vector<LegendEntry> legend;
  for (std::size_t g = 0; g < kPalette.size(); ++g) {
    if (g < group_names.size()) {
      legend.push_back({group_names[g], kPalette[g]});
    } else if (!groups.empty() && !by_group[g].empty()) {
      legend.push_back({fmt::format("group {}", g), kPalette[g]});
    }
  }

  const auto y_ticks_for = [&](double height_px) {
    return linear_ticks(y_min, y_max, detail::nice_step(y_max - y_min, tick_target(height_px, 50)));
  };
  auto y_ticks = y_ticks_for(plot_height(style));
  Frame f = place_frame(style, y_ticks, legend);
  f.x_lo = x_min;
  f.x_hi = x_max;
  f.y_lo = y_min;
  f.y_hi = y_max;
  if (equal_aspect) {
    // One data unit gets the same length on both axes; the frame shrinks along the longer side and is centred there.
    const double scale = std::min(f.width / (x_max - x_min), f.height / (y_max - y_min));
    const double width = (x_max - x_min) * scale;
    const double height = (y_max - y_min) * scale;
    f.left += (f.width - width) / 2;
    f.top += (f.height - height) / 2;
    f.width = width;
    f.height = height;
    y_ticks = y_ticks_for(f.height);
  }
  const auto x_ticks = fit_x_ticks(
      f.width, [&](int target) { return linear_ticks(x_min, x_max, detail::nice_step(x_max - x_min, target)); });

  Writer w(style, "scatter");
  w.grid(f, x_ticks, y_ticks);
  const auto r = format_px(radius_px);
  for (std::size_t g = 0; g < by_group.size(); ++g) {
    if (by_group[g].empty()) continue;
    w.add("<g class=\"points\" data-group=\"{}\" fill=\"{}\" fill-opacity=\"0.8\">\n", g, kPalette[g]);
    for (const auto i : by_group[g]) {
      w.add("<circle cx=\"{}\" cy=\"{}\" r=\"{}\"/>\n", format_px(f.px_x(x[i])), format_px(f.px_y(y[i])), r);
    }
    w.out() += "</g>\n";
  }
  if (drawn == 0) w.no_data(f);
  w.frame_and_labels(f, x_ticks, y_ticks);
  w.legend(f, legend, false);

  std::vector<std::string> notes{fmt::format("{} of {} shown", drawn, count_of(x.size(), "point", "points"))};
  if (drawn == max_points && drawn < x.size() - non_finite - outside) {
    notes.push_back(fmt::format("limited to the first {}", max_points));
  }
  if (non_finite > 0) notes.push_back(fmt::format("skipped {} with NaN/inf", count_of(non_finite, "point", "points")));
  if (outside > 0) notes.push_back(fmt::format("{} outside the axes", count_of(outside, "point", "points")));
  return w.finish(notes);
}

std::string svg_histogram(const std::vector<double>& values, double lo, double hi, int bins, const SvgStyle& style,
                          const std::vector<SvgMarker>& markers) {
  constexpr std::string_view fn = "svg_histogram";
  check_style(fn, style);
  if (!finite_range(lo, hi)) fail(fn, fmt::format("range [{}, {}] must be finite with lo < hi", lo, hi));
  if (bins < 1 || bins > 100000) fail(fn, fmt::format("bins = {} is outside [1, 100000]", bins));

  const auto n_bins = static_cast<std::size_t>(bins);
  const double bin_width = (hi - lo) / bins;
  std::vector<std::size_t> counts(n_bins, 0);
  std::size_t non_finite = 0;
  std::size_t below = 0;
  std::size_t above = 0;
  for (const double v : values) {
    if (!std::isfinite(v)) {
      ++non_finite;
    } else if (v < lo) {
      ++below;
    } else if (v > hi) {
      ++above;
    } else {
      // min(): v == hi, and values a rounding error below it, belong to the last bin.
      ++counts[std::min(n_bins - 1, static_cast<std::size_t>((v - lo) / bin_width))];
    }
  }
  const std::size_t binned = values.size() - non_finite - below - above;
  const std::size_t max_count = *std::max_element(counts.begin(), counts.end());

  SvgStyle shown = style;
  if (shown.y_label.empty()) shown.y_label = "count";
  // Counts are whole numbers, so the step is at least 1 and the top of the axis is a tick above the tallest bar.
  const double y_step =
      max_count == 0
          ? 1.0
          : std::max(1.0, detail::nice_step(static_cast<double>(max_count), tick_target(plot_height(shown), 50)));
  const double y_top = max_count == 0 ? 1.0 : std::ceil(static_cast<double>(max_count) / y_step) * y_step;
  const auto y_ticks = linear_ticks(0, y_top, y_step);
  Frame f = place_frame(shown, y_ticks, {});
  f.x_lo = lo;
  f.x_hi = hi;
  f.y_lo = 0;
  f.y_hi = y_top;
  const auto x_ticks =
      fit_x_ticks(f.width, [&](int target) { return linear_ticks(lo, hi, detail::nice_step(hi - lo, target)); });

  Writer w(shown, "histogram");
  w.grid(f, x_ticks, y_ticks);
  // Edges are rounded before widths are taken, so neighbouring bars meet exactly instead of leaving hairline gaps.
  const auto rounded = [](double px) { return std::round(px * 10) / 10; };
  const double base = rounded(f.bottom());
  const double bar_px = f.width / bins;
  w.add("<g class=\"bars\" fill=\"#56B4E9\"{}>\n",
        bar_px >= 4 ? " stroke=\"#0072B2\" stroke-width=\"0.5\"" : "");  // outlines would swallow thin bars
  for (std::size_t i = 0; i < n_bins; ++i) {
    const double x0 = rounded(f.px_x(lo + static_cast<double>(i) * bin_width));
    const double x1 = rounded(i + 1 == n_bins ? f.right() : f.px_x(lo + static_cast<double>(i + 1) * bin_width));
    const double top = counts[i] == 0 ? base : rounded(f.px_y(static_cast<double>(counts[i])));
    w.add("<rect class=\"bar\" data-count=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", counts[i],
          format_px(x0), format_px(top), format_px(x1 - x0), format_px(base - top));
  }
  w.out() += "</g>\n";
  if (binned == 0) w.no_data(f);

  std::size_t markers_outside = 0;
  std::vector<const SvgMarker*> visible;
  for (const auto& m : markers) {
    if (std::isfinite(m.x) && m.x >= lo && m.x <= hi) {
      visible.push_back(&m);
    } else {
      ++markers_outside;
    }
  }
  if (!visible.empty()) {
    w.out() += "<g class=\"markers\" stroke=\"#D55E00\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\">\n";
    for (const auto* m : visible) {
      const auto x = format_px(f.px_x(m->x));
      w.add("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", x, format_px(f.top), x, format_px(f.bottom()));
    }
    w.out() += "</g>\n";
    // Labels step down in three rows in order of x, so neighbouring markers (e.g. layer boundaries 0.1 mm apart) never
    // share a row. Each label sits right of its line unless it only fits on the left, on a pale backing so it stays
    // readable over bars.
    std::stable_sort(visible.begin(), visible.end(),
                     [](const SvgMarker* a, const SvgMarker* b) { return a->x < b->x; });
    w.add("<g class=\"marker-labels\" font-size=\"{}\">\n", kTickFontPx);
    for (std::size_t k = 0; k < visible.size(); ++k) {
      const double px = f.px_x(visible[k]->x);
      const double label_w = text_width(visible[k]->label, kTickFontPx);
      const bool right_side = px + 4 + label_w <= f.right() || f.right() - px >= px - f.left;
      const double start = right_side ? px + 4 : px - 4 - label_w;
      const double baseline = f.top + 13 + 13 * static_cast<double>(k % 3);
      w.add("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"13\" fill=\"#ffffff\" fill-opacity=\"0.8\"/>\n",
            format_px(start - 1), format_px(baseline - 10), format_px(label_w + 2));
      // Left-side labels are anchored at their end so they hug their line whatever the true text width.
      w.add("<text x=\"{}\" y=\"{}\" fill=\"#D55E00\"{}>{}</text>\n", format_px(right_side ? start : px - 4),
            format_px(baseline), right_side ? "" : " text-anchor=\"end\"", core::xml_escape(visible[k]->label));
    }
    w.out() += "</g>\n";
  }
  w.frame_and_labels(f, x_ticks, y_ticks);

  std::vector<std::string> notes{values.empty()
                                     ? fmt::format("no values; {} bins of width {:g}", bins, bin_width)
                                     : fmt::format("{} of {} in {} bins of width {:g}", binned,
                                                   count_of(values.size(), "value", "values"), bins, bin_width)};
  if (below > 0) notes.push_back(fmt::format("{} below {:g}", below, lo));
  if (above > 0) notes.push_back(fmt::format("{} above {:g}", above, hi));
  if (non_finite > 0) notes.push_back("skipped " + count_of(non_finite, "NaN/inf value", "NaN/inf values"));
  if (markers_outside > 0) {
    notes.push_back(fmt::format("{} outside the axes", count_of(markers_outside, "marker", "markers")));
  }
  return w.finish(notes);
}

std::string svg_lines(const std::vector<double>& x, const std::vector<SvgSeries>& series, bool log_y,
                      const SvgStyle& style) {
  constexpr std::string_view fn = "svg_lines";
  check_style(fn, style);
  for (std::size_t s = 0; s < series.size(); ++s) {
    if (series[s].y.size() != x.size()) {
      fail(fn,
           fmt::format("series {} ('{}') has {} values but x has {}", s, series[s].name, series[s].y.size(), x.size()));
    }
  }

  // A point is drawn when both coordinates are finite and, on a log axis, y is positive.
  std::size_t non_finite = 0;
  std::size_t non_positive = 0;
  const auto drawable = [&](std::size_t s, std::size_t i) {
    const double v = series[s].y[i];
    return std::isfinite(x[i]) && std::isfinite(v) && (!log_y || v > 0);
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double x_lo = kInf;
  double x_hi = -kInf;
  double y_lo = kInf;
  double y_hi = -kInf;
  for (std::size_t s = 0; s < series.size(); ++s) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double v = series[s].y[i];
      if (!std::isfinite(x[i]) || !std::isfinite(v)) {
        ++non_finite;
      } else if (log_y && v <= 0) {
        ++non_positive;
      } else {
        x_lo = std::min(x_lo, x[i]);
        x_hi = std::max(x_hi, x[i]);
        y_lo = std::min(y_lo, v);
        y_hi = std::max(y_hi, v);
      }
    }
  }
  const bool has_data = x_lo <= x_hi;
  if (!has_data) {
    x_lo = 0;
    x_hi = 1;
    y_lo = 1;
    y_hi = log_y ? 10 : 2;
  }
  // A single value still needs an axis around it: widen by 10% of its size (or by 1 around zero).
  const auto widen = [](double& lo, double& hi) {
    if (lo < hi) return;
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= d;
    hi += d;
  };
  widen(x_lo, x_hi);

  std::vector<LegendEntry> legend;
  for (std::size_t s = 0; s < series.size(); ++s) {
    legend.push_back({series[s].name.empty() ? fmt::format("series {}", s + 1) : series[s].name,
                      kPalette[s % kPalette.size()], s >= kPalette.size()});
  }

  const int y_target = tick_target(plot_height(style), 50);
  std::vector<Tick> y_ticks;
  double axis_lo = 0;
  double axis_hi = 1;
  if (log_y) {
    // Whole decades, so every tick is a power of ten and the chart reads like log paper.
    auto lo_dec = static_cast<int>(std::floor(std::log10(y_lo)));
    auto hi_dec = static_cast<int>(std::ceil(std::log10(y_hi)));
    if (lo_dec == hi_dec) {
      --lo_dec;
      ++hi_dec;
    }
    axis_lo = lo_dec;
    axis_hi = hi_dec;
    // Decade labels are short, so a log axis can carry more of them than a linear one.
    y_ticks = decade_ticks(lo_dec, hi_dec, tick_target(plot_height(style), 35));
  } else {
    widen(y_lo, y_hi);
    const double step = detail::nice_step(y_hi - y_lo, y_target);
    axis_lo = std::floor(y_lo / step) * step;
    axis_hi = std::ceil(y_hi / step) * step;
    y_ticks = linear_ticks(axis_lo, axis_hi, step);
  }
  Frame f = place_frame(style, y_ticks, legend);
  f.x_lo = x_lo;
  f.x_hi = x_hi;
  f.y_lo = axis_lo;
  f.y_hi = axis_hi;
  const auto x_ticks = fit_x_ticks(
      f.width, [&](int target) { return linear_ticks(x_lo, x_hi, detail::nice_step(x_hi - x_lo, target)); });

  Writer w(style, "lines");
  w.grid(f, x_ticks, y_ticks);
  for (std::size_t s = 0; s < series.size(); ++s) {
    const auto colour = kPalette[s % kPalette.size()];
    w.add("<g class=\"series\" data-name=\"{}\" stroke=\"{}\" stroke-width=\"1.8\" fill=\"none\"{}>\n",
          core::xml_escape(legend[s].name), colour, legend[s].dashed ? " stroke-dasharray=\"6 3\"" : "");
    std::vector<std::string> run;  // "x,y" of the current unbroken stretch
    const auto flush = [&] {
      if (run.size() == 1) {
        const auto comma = run.front().find(',');
        w.add("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\" stroke=\"none\"/>\n", run.front().substr(0, comma),
              run.front().substr(comma + 1), colour);
      } else if (run.size() > 1) {
        w.out() += "<polyline points=\"";
        for (std::size_t k = 0; k < run.size(); ++k) w.out() += (k == 0 ? "" : " ") + run[k];
        w.out() += "\"/>\n";
      }
      run.clear();
    };
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!drawable(s, i)) {
        flush();
        continue;
      }
      const double v = series[s].y[i];
      auto point = format_px(f.px_x(x[i])) + "," + format_px(f.px_y(log_y ? std::log10(v) : v));
      // Points that round to the same spot add bytes but no ink (long series on a narrow chart).
      if (run.empty() || run.back() != point) run.push_back(std::move(point));
    }
    flush();
    w.out() += "</g>\n";
  }
  if (!has_data) w.no_data(f);
  w.frame_and_labels(f, x_ticks, y_ticks);
  w.legend(f, legend, true);

  std::vector<std::string> notes;
  notes.push_back(series.empty() ? std::string("no series")
                                 : fmt::format("{} of {}", count_of(series.size(), "series", "series"),
                                               count_of(x.size(), "point", "points")));
  if (log_y) notes.emplace_back("log scale");
  if (non_finite > 0) notes.push_back("skipped " + count_of(non_finite, "NaN/inf value", "NaN/inf values"));
  if (non_positive > 0) {
    notes.push_back(
        fmt::format("skipped {} (log scale)", count_of(non_positive, "non-positive value", "non-positive values")));
  }
  return w.finish(notes);
}

}  // namespace nw::io
