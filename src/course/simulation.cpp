#include "needlework/course/simulation.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <exception>

#include "needlework/core/random.hpp"
#include "needlework/course/coupling.hpp"
#include "needlework/numerics/point_grid.hpp"

namespace nw::course {
namespace {

double percentile(std::vector<float> v, double q) {
  if (v.empty()) return 0.0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

double mean_of(const std::vector<float>& v) {
  double sum = 0;
  for (const float x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

// Fraction of the patch surface within (open radius + damage rim) of a channel, on a regular
// grid of sample points.
double coverage(const skin::ChannelSet& c, const device::PunctureField& f, const skin::Skin& s) {
  if (c.size() == 0) return 0.0;
  const double side = f.side.in(core::units::mm);
  std::vector<float> radius_mm(c.size());
  double max_radius = 0;
  const double rim_mm = s.model.damage_rim.in(core::units::mm);
  for (std::size_t i = 0; i < c.size(); ++i) {
    radius_mm[i] = static_cast<float>(c.surface_radius_um[i] / 1000.0 + rim_mm);
    max_radius = std::max(max_radius, static_cast<double>(radius_mm[i]));
  }
  const numerics::PointGrid grid(c.x_mm, c.y_mm, side, std::max(max_radius, side / 1024.0));
  constexpr int kSamples = 256;
  std::int64_t covered = 0;
#pragma omp parallel for reduction(+ : covered) schedule(static)
  for (int iy = 0; iy < kSamples; ++iy) {
    for (int ix = 0; ix < kSamples; ++ix) {
      const double px = (ix + 0.5) * side / kSamples, py = (iy + 0.5) * side / kSamples;
      if (grid.covering_point(px, py, radius_mm, max_radius) >= 0) ++covered;
    }
  }
  return static_cast<double>(covered) / (kSamples * kSamples);
}

// Pooled over areas: densities and coverage weighted by area, channel properties by channel
// count, depth percentiles over all channels together.
ChannelStats pooled_stats(const std::vector<AreaResult>& areas) {
  ChannelStats p;
  double area_total = 0;
  std::vector<float> depths;
  using Field = double ChannelStats::*;
  constexpr Field per_area[] = {&ChannelStats::per_cm2_per_session, &ChannelStats::per_cm2_per_pass,
                                &ChannelStats::expected_per_cm2_per_pass, &ChannelStats::coverage_fraction,
                                &ChannelStats::damaged_volume_nl_per_cm2};
  constexpr Field per_channel[] = {&ChannelStats::depth_mean_um,         &ChannelStats::depth_max_mean_um,
                                   &ChannelStats::depth_to_length_ratio, &ChannelStats::diameter_um,
                                   &ChannelStats::bleeding_fraction,     &ChannelStats::bruising_fraction,
                                   &ChannelStats::closure_half_life_h};
  for (const auto& r : areas) {
    const double a = r.treatment.area.in(core::units::cm2);
    const auto w = static_cast<double>(r.stats.channels);
    area_total += a;
    p.channels += r.stats.channels;
    p.treatment_minutes += r.stats.treatment_minutes;
    for (const auto f : per_area) p.*f += a * r.stats.*f;
    for (const auto f : per_channel) p.*f += w * r.stats.*f;
    p.spacing.mean_um += w * r.stats.spacing.mean_um;
    p.spacing.p10_um += w * r.stats.spacing.p10_um;
    p.spacing.median_um += w * r.stats.spacing.median_um;
    depths.insert(depths.end(), r.channels.depth_um.begin(), r.channels.depth_um.end());
  }
  if (area_total > 0) {
    for (const auto f : per_area) p.*f /= area_total;
  }
  if (p.channels > 0) {
    const auto w = static_cast<double>(p.channels);
    for (const auto f : per_channel) p.*f /= w;
    p.spacing.mean_um /= w;
    p.spacing.p10_um /= w;
    p.spacing.median_um /= w;
    p.depth_p10_um = percentile(depths, 0.10);
    p.depth_p90_um = percentile(depths, 0.90);
  }
  return p;
}

}  // namespace

ChannelStats channel_stats(const skin::ChannelSet& c, const device::PunctureField& f, const skin::Skin& s,
                           const device::Device& d) {
  ChannelStats st;
  const double area_cm2 = f.area.in(core::units::cm2);
  st.channels = c.size();
  st.per_cm2_per_session = static_cast<double>(c.size()) / area_cm2;
  st.per_cm2_per_pass = st.per_cm2_per_session / std::max(f.passes, 1);
  st.expected_per_cm2_per_pass = device::expected_density_per_cm2_per_pass(d);
  st.treatment_minutes = f.duration.in(core::units::min);
  if (c.size() == 0) return st;
  st.depth_mean_um = mean_of(c.depth_um);
  st.depth_p10_um = percentile(c.depth_um, 0.10);
  st.depth_p90_um = percentile(c.depth_um, 0.90);
  st.depth_max_mean_um = mean_of(c.depth_max_um);
  st.depth_to_length_ratio = st.depth_mean_um / d.needle_length.in(core::units::um);
  st.diameter_um = 2.0 * mean_of(c.surface_radius_um);
  std::size_t bled = 0, bruised = 0;
  const auto plexus_um = static_cast<float>(s.deep_plexus_depth.in(core::units::um));
  double volume = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    bled += c.bled[i];
    bruised += c.depth_max_um[i] > plexus_um ? 1 : 0;
    volume += c.damaged_volume_nl[i];
  }
  st.bleeding_fraction = static_cast<double>(bled) / static_cast<double>(c.size());
  st.bruising_fraction = static_cast<double>(bruised) / static_cast<double>(c.size());
  st.damaged_volume_nl_per_cm2 = volume / area_cm2;
  st.coverage_fraction = coverage(c, f, s);
  st.spacing = device::nearest_neighbour_spacing(f);

  return st;
}

Simulation::Simulation(CourseInputs inputs, Libraries libraries) : inputs_(std::move(inputs)), libs_(libraries) {}

namespace {

// The channels of the 1 cm x 1 cm corner of an area (all of them when the area is smaller): the
// 3D patch of a detailed course. Positions lie in [0, side]^2 (skin::ChannelSet).
skin::ChannelSet corner_square(const skin::ChannelSet& all) {
  const double side_mm = std::sqrt(all.area.si()) * 1e3;
  const auto cut = static_cast<float>(std::min(side_mm, 10.0));
  skin::ChannelSet out;
  out.area = core::Area::from_si(1e-6 * static_cast<double>(cut) * static_cast<double>(cut));
  out.needle_length = all.needle_length;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all.x_mm[i] >= cut || all.y_mm[i] >= cut) continue;
    out.x_mm.push_back(all.x_mm[i]);
    out.y_mm.push_back(all.y_mm[i]);
    out.pass.push_back(all.pass[i]);
    out.depth_max_um.push_back(all.depth_max_um[i]);
    out.depth_um.push_back(all.depth_um[i]);
    out.surface_radius_um.push_back(all.surface_radius_um[i]);
    out.tilt_deg.push_back(all.tilt_deg[i]);
    out.slit_um.push_back(all.slit_um[i]);
    out.damaged_volume_nl.push_back(all.damaged_volume_nl[i]);
    out.bled.push_back(all.bled[i]);
  }
  return out;
}

}  // namespace

// Transport of the session's topical through this area's channels, with the intact-skin
// reference run for the enhancement. Fidelity fast: the fast axisymmetric cell at the session's
// channel density (MODEL.md section 0); detailed: the 3D patch with the real channels of a
// 1 cm2 corner of the area (geometry D, docs/model/transport.md section 13).
transport::TransportResult Simulation::transport_for(const AreaResult& r, bool occluded, core::LogSink& log,
                                                     const std::string& task) const {
  transport::TransportInputs in;
  in.active = inputs_.topical->active;
  in.skin = r.skin;
  in.dose = inputs_.topical->dose;
  in.occluded = occluded;
  in.duration = kTransportHours[std::size(kTransportHours) - 1] * core::units::h;
  for (const double hours : kTransportHours) in.output_times.push_back(hours * core::units::h);
  if (inputs_.device.kind != device::Kind::none && r.stats.channels > 0) {
    in.channel =
        transport::channel_geometry(r.mean_channel, inputs_.device.needle, r.skin, r.stats.per_cm2_per_session);
  }
  auto options = transport::TransportOptions::fast();
  if (inputs_.settings.fidelity == Fidelity::detailed && in.channel) {
    in.patch = transport::channel_patch(corner_square(r.channels), inputs_.device.needle, r.skin);
    options = transport::TransportOptions::patch();
  }
  options.keep_fields = inputs_.keep_transport_fields;
  options.progress = [&](double done) { log.progress(task, 0.7 + 0.2 * done); };
  return transport::simulate_transport(in, libs_.tissue, options);
}

// Healing of the nominal person and of every virtual patient, their scores on the concern's
// scale, and the safety assessment. Virtual patient p draws its healing gains and its outcome
// parameters from streams keyed by (seed, area, stage, p): the cohort does not depend on threads.
void Simulation::heal_and_assess(AreaResult& r, std::size_t index, core::LogSink& log, const std::string& task) const {
  const auto& d = inputs_.device;
  const auto& settings = inputs_.settings;
  const auto days = session_days(inputs_.protocol);
  const double last = end_day(inputs_.protocol);
  for (const double day : days) r.injuries.push_back(session_injury(r, d, settings.fidelity, day));
  r.doses = active_doses(r, inputs_.topical, days, last);

  healing::HealingInputs in;
  in.sessions = r.injuries;
  in.actives = r.doses;
  in.end_day = last;
  in.scalp = r.treatment.site == "scalp";
  in.patient.age_yr = inputs_.age.in(core::units::yr);
  in.patient.fitzpatrick = inputs_.fitzpatrick;
  in.patient.male = inputs_.sex == skin::Sex::male;

  const auto area = outcome_context(r);
  const auto& model = libs_.outcomes;
  const auto* concern = model.concern(r.treatment.concern);
  const skin::Lesion* lesion = r.lesion ? &*r.lesion : nullptr;

  r.healing = healing::simulate_healing(in, libs_.healing);
  r.tissue_at_follow_up = healing::change_at(r.healing, r.healing.treated.size() - 1);
  if (concern) r.nominal_scores = outcomes::score_timeline(model, area, r.healing);

  // Virtual patients.
  const int n = std::max(0, settings.virtual_patients);
  r.virtual_patients = n;
  std::vector<outcomes::ScoreTimeline> scores(static_cast<std::size_t>(n));
  const std::uint64_t area_key = 1000 * index;
  if (concern && n > 0) {
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 4)
    for (int p = 0; p < n; ++p) {
      try {
        const core::RandomStream stream(
            inputs_.seed, {area_key, core::Stage::healing, static_cast<std::uint64_t>(p), "patient_gains"});
        std::array<double, 4> z{};
        for (std::size_t i = 0; i < z.size(); ++i) z[i] = stream.normal(i);
        auto person_in = in;
        person_in.patient = healing::vary_patient(in.patient, libs_.healing, z);
        const auto healed = healing::simulate_healing(person_in, libs_.healing);
        const auto person = outcomes::sample_person(*concern, lesion, inputs_.seed, area_key + p);
        auto ctx = area;
        ctx.lesion = area.lesion ? std::optional(person.lesion) : std::nullopt;
        ctx.coefficient_factor = person.coefficient_factor;
        ctx.placebo_fraction = person.placebo_fraction;
        ctx.placebo_sampled = true;
        scores[static_cast<std::size_t>(p)] = outcomes::score_timeline(model, ctx, healed);
      } catch (...) {
#pragma omp critical
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    const auto& scale = outcomes::resolve_scale(model, area);
    for (std::size_t i = 0; i < r.healing.treated.size(); ++i) {
      r.cohort.push_back(outcomes::cohort_statistics(scale, scores, i));
    }
  }
  log.progress(task, 0.95);

  outcomes::SafetyInputs safety;
  safety.fitzpatrick = inputs_.fitzpatrick;
  safety.site = r.treatment.site;
  safety.device_kind = std::string(device::to_string(d.kind));
  safety.home_device =
      std::find(inputs_.conditions.begin(), inputs_.conditions.end(), "home_device_use") != inputs_.conditions.end();
  safety.needle_length_m = d.kind == device::Kind::none ? 0.0 : d.needle_length.si();
  safety.open_depth_m = r.stats.depth_mean_um * 1e-6;
  safety.dermis_bottom_m = r.skin.layers.dermis_bottom().si();
  safety.bleeding_fraction = r.stats.bleeding_fraction;
  if (inputs_.topical) safety.active = inputs_.topical->active.name;
  safety.conditions = inputs_.conditions;
  safety.medications = inputs_.medications;
  safety.erythema_h = r.healing.erythema_h;
  safety.downtime_days = r.healing.downtime_days;
  safety.pih_drive = r.healing.pih_drive;
  r.safety = outcomes::assess_safety(model, safety);
}

AreaResult Simulation::prepare(std::size_t a, core::LogSink& log) const {
  const auto& d = inputs_.device;
  const auto& t = inputs_.areas.at(a);
  const auto task = fmt::format("area {}/{} ({})", a + 1, inputs_.areas.size(), t.site);
  AreaResult r{t, libs_.sites.skin_at(t.site, inputs_.sex, inputs_.age), std::nullopt, {}, {}, {}, 0.0, std::nullopt};
  if (const auto* lesion = libs_.lesions.for_concern(t.concern, t.scar_type)) r.lesion = *lesion;
  const bool occluded = inputs_.topical && inputs_.topical->occluded;
  log.progress(task, 0.0);
  if (d.kind != device::Kind::none) {
    r.mean_channel = mechanics::mean_channel(r.skin, d);
    // The session index is part of every random key: areas use sessions 1000 a + s.
    const std::uint64_t session = 1000 * a + 1;
    const auto field = device::generate_punctures(d, t.area, t.passes, inputs_.seed, session);
    log.progress(task, 0.3);
    r.channels = mechanics::insert(field, r.skin, d, inputs_.seed, session);
    log.progress(task, 0.5);
    r.stats = channel_stats(r.channels, field, r.skin, d);
    r.stats.closure_half_life_h =
        libs_.tissue.closure_half_life(r.mean_channel.surface_radius, occluded).in(core::units::h);
    r.barrier_recovery_h = libs_.tissue.recovery_time(libs_.tissue.barrier_half_life(occluded)).in(core::units::h);
  }
  log.progress(task, 0.7);
  if (inputs_.topical) r.transport = transport_for(r, occluded, log, task);
  log.progress(task, 0.9);
  return r;
}

void Simulation::assess(AreaResult& r, std::size_t a, core::LogSink& log) const {
  const auto task = fmt::format("area {}/{} ({})", a + 1, inputs_.areas.size(), r.treatment.site);
  r.injuries.clear();
  r.doses.clear();
  r.cohort.clear();
  heal_and_assess(r, a, log, task);
  log.progress(task, 1.0);
}

CourseResult Simulation::run(core::LogSink& log) const {
  CourseResult result;
  for (std::size_t a = 0; a < inputs_.areas.size(); ++a) {
    auto r = prepare(a, log);
    assess(r, a, log);
    result.areas.push_back(std::move(r));
  }
  result.pooled = pooled_stats(result.areas);
  result.fidelity = inputs_.settings.fidelity;
  return result;
}

}  // namespace nw::course
