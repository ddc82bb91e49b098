#include "needlework/device/kinematics.hpp"

#include <algorithm>
#include <cmath>

#include "needlework/core/random.hpp"
#include "needlework/numerics/point_grid.hpp"

namespace nw::device {
namespace {

constexpr double kPi = 3.141592653589793;

// One stroke (pen, roller) or press (stamp) of one pass: its random draws and its punctures.
struct Stroke {
  int pass = 0;
  double offset_mm = 0;  // lateral position of the stroke line
  std::uint64_t entity = 0;
  std::size_t count = 0;  // punctures it makes
  std::size_t first = 0;  // index of its first puncture in the field
};

double wrap(double v, double side) {
  v = std::fmod(v, side);
  return v < 0 ? v + side : v;
}

double swath_mm(const Device& d) {
  return d.kind == Kind::roller ? d.drum_width.in(core::units::mm) : d.footprint_diameter.in(core::units::mm);
}

// Nominal spacing of stamps (pen: v / f) or needle rows (roller: pi D / n_ring) along a stroke.
double nominal_step_mm(const Device& d) {
  if (d.kind == Kind::pen) return d.operator_prior.speed.in(core::units::mm_per_s) / d.frequency.in(core::units::Hz);
  return kPi * d.drum_diameter.in(core::units::mm) / std::max(d.needles_per_ring, 1);
}

// Like the strokes across, the steps along a stroke come in a whole number per stroke (the hand
// speed adjusts by less than half a step over the stroke): every stroke lays the same count.
std::size_t steps_per_stroke(const Device& d, double side) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(side / nominal_step_mm(d))));
}

double step_mm(const Device& d, double side) { return side / static_cast<double>(steps_per_stroke(d, side)); }

std::size_t per_step(const Device& d) {
  return d.kind == Kind::roller ? static_cast<std::size_t>(d.rings) : d.needle_offsets_mm.size();
}

core::RandomStream stream(std::uint64_t seed, std::uint64_t session, std::uint64_t entity, std::string_view purpose) {
  return core::RandomStream(seed,
                            {.session = session, .stage = core::Stage::device, .entity = entity, .purpose = purpose});
}

std::vector<Stroke> plan_strokes(const Device& d, double side, int passes, std::uint64_t seed, std::uint64_t session,
                                 double area_cm2) {
  std::vector<Stroke> strokes;
  if (d.kind == Kind::stamp) {
    const auto presses = static_cast<std::size_t>(std::lround(d.operator_prior.presses_per_cm2 * area_cm2));
    for (int p = 0; p < passes; ++p) {
      for (std::size_t k = 0; k < presses; ++k) {
        strokes.push_back({p, 0.0, (static_cast<std::uint64_t>(p) << 32) | k, d.needle_offsets_mm.size(), 0});
      }
    }
    return strokes;
  }
  // The operator covers the patch with a whole number of strokes: spacing = side / n, n the
  // nearest whole number to side / w, so every pass lays the same number of punctures.
  const auto lines = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::lround(side / swath_mm(d))));
  const double spacing = side / static_cast<double>(lines);
  for (int p = 0; p < passes; ++p) {
    const double phase = stream(seed, session, static_cast<std::uint64_t>(p), "stroke_phase").uniform(0) * spacing;
    for (std::uint64_t line = 0; line < lines; ++line) {
      const double offset = phase + static_cast<double>(line) * spacing;
      const auto entity = (static_cast<std::uint64_t>(p) << 32) | line;
      strokes.push_back({p, offset, entity, steps_per_stroke(d, side) * per_step(d), 0});
    }
  }
  return strokes;
}

void lay_stroke(const Device& d, const Stroke& s, double side, std::uint64_t seed, std::uint64_t session,
                PunctureField& f) {
  const bool swap = s.pass % 2 == 1;  // cross-hatching: odd passes run across the even ones
  const auto put = [&](std::size_t i, double along, double across) {
    const double x = wrap(swap ? across : along, side);
    const double y = wrap(swap ? along : across, side);
    f.x_mm[i] = static_cast<float>(x);
    f.y_mm[i] = static_cast<float>(y);
    f.pass[i] = static_cast<std::uint8_t>(s.pass);
  };
  std::size_t i = s.first;
  if (d.kind == Kind::stamp) {
    const auto r = stream(seed, session, s.entity, "press").bits(0);
    const double cx = r[0] * 0x1.0p-32 * side, cy = r[1] * 0x1.0p-32 * side, angle = r[2] * 0x1.0p-32 * 2 * kPi;
    for (const auto& o : d.needle_offsets_mm) {
      put(i++, cx + o[0] * std::cos(angle) - o[1] * std::sin(angle),
          cy + o[0] * std::sin(angle) + o[1] * std::cos(angle));
    }
    return;
  }
  const double step = step_mm(d, side);
  const double start = stream(seed, session, s.entity, "stamp_phase").uniform(0) * step;
  const auto jitter = stream(seed, session, s.entity, "hand_jitter");
  const double sd = kHandJitter * swath_mm(d);
  const std::size_t steps = s.count / per_step(d);
  for (std::size_t k = 0; k < steps; ++k) {
    const double along = start + static_cast<double>(k) * step;
    if (d.kind == Kind::pen) {
      const auto b = jitter.bits(k);
      const double u1 = 1.0 - b[0] * 0x1.0p-32, u2 = b[1] * 0x1.0p-32, u3 = 1.0 - b[2] * 0x1.0p-32,
                   u4 = b[3] * 0x1.0p-32;
      const double ja = sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
      const double jc = sd * std::sqrt(-2 * std::log(u3)) * std::cos(2 * kPi * u4);
      for (const auto& o : d.needle_offsets_mm) put(i++, along + ja + o[0], s.offset_mm + jc + o[1]);
    } else {  // roller: one needle of every ring per row; rings spread across the drum width
      const double w = swath_mm(d);
      for (int ring = 0; ring < d.rings; ++ring) {
        put(i++, along, s.offset_mm + (ring + 0.5) * w / d.rings - w / 2);
      }
    }
  }
}

}  // namespace

double expected_density_per_cm2_per_pass(const Device& d) {
  using core::units::cm;
  switch (d.kind) {
    case Kind::pen:
      return d.needles * d.frequency.in(core::units::Hz) /
             (d.operator_prior.speed.in(core::units::cm_per_s)*d.footprint_diameter.in(cm));
    case Kind::roller:
      return d.needles / (kPi * d.drum_diameter.in(cm)*d.drum_width.in(cm));
    case Kind::stamp:
      return d.needles * d.operator_prior.presses_per_cm2;
    case Kind::none:
      return 0.0;
  }
  return 0.0;
}

core::Time expected_duration(const Device& d, core::Area area, int passes) {
  switch (d.kind) {
    case Kind::pen:
    case Kind::roller: {
      const auto swath = d.kind == Kind::pen ? d.footprint_diameter : d.drum_width;
      return core::Time::from_si(passes * area.si() / (d.operator_prior.speed.si() * swath.si()));
    }
    case Kind::stamp:
      return core::Time::from_si(passes * std::round(d.operator_prior.presses_per_cm2 * area.in(core::units::cm2)) *
                                 kStampCycleSeconds);
    case Kind::none:
      return core::Time::from_si(0.0);
  }
  return core::Time::from_si(0.0);
}

PunctureField generate_punctures(const Device& d, core::Area area, int passes, std::uint64_t seed,
                                 std::uint64_t session) {
  PunctureField f;
  f.area = area;
  f.side = core::Length::from_si(std::sqrt(area.si()));
  f.passes = passes;
  f.duration = expected_duration(d, area, passes);
  const double side = f.side.in(core::units::mm);
  auto strokes = plan_strokes(d, side, passes, seed, session, area.in(core::units::cm2));
  std::size_t total = 0;
  for (auto& s : strokes) {
    s.first = total;
    total += s.count;
  }
  f.x_mm.resize(total);
  f.y_mm.resize(total);
  f.pass.resize(total);
  const auto n = static_cast<std::int64_t>(strokes.size());
#pragma omp parallel for schedule(dynamic, 16)
  for (std::int64_t k = 0; k < n; ++k) lay_stroke(d, strokes[static_cast<std::size_t>(k)], side, seed, session, f);
  return f;
}

SpacingStats nearest_neighbour_spacing(const PunctureField& f) {
  SpacingStats s;
  if (f.size() < 2) return s;
  const double side = f.side.in(core::units::mm);
  const double spacing = side / std::sqrt(static_cast<double>(f.size()));
  const numerics::PointGrid grid(f.x_mm, f.y_mm, side, spacing);
  std::vector<double> d(f.size());
  const auto n = static_cast<std::int64_t>(f.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i)
    d[static_cast<std::size_t>(i)] = grid.nearest_neighbour(static_cast<std::size_t>(i));
  double sum = 0;
  for (const double v : d) sum += v;  // fixed order: same result on any thread count
  s.mean_um = 1000.0 * sum / static_cast<double>(d.size());
  const auto at = [&](double q) {
    auto k = static_cast<std::size_t>(q * static_cast<double>(d.size() - 1));
    std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(k), d.end());
    return 1000.0 * d[k];
  };
  s.p10_um = at(0.10);
  s.median_um = at(0.50);
  return s;
}

}  // namespace nw::device
