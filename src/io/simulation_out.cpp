#include "needlework/io/simulation_out.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "course_out.hpp"
#include "needlework/core/build_info.hpp"
#include "needlework/io/bundled.hpp"
#include "needlework/io/fields.hpp"
#include "needlework/io/render.hpp"
#include "needlework/io/svg.hpp"

namespace nw::io {

using nlohmann::ordered_json;

namespace {

double round_to(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

ordered_json stats_json(const course::ChannelStats& s) {
  return {
      {"per_cm2_per_session", round_to(s.per_cm2_per_session, 1)},
      {"per_cm2_per_pass", round_to(s.per_cm2_per_pass, 1)},
      {"depth_um",
       {{"mean", round_to(s.depth_mean_um, 1)},
        {"p10", round_to(s.depth_p10_um, 1)},
        {"p90", round_to(s.depth_p90_um, 1)}}},
      {"depth_to_length_ratio", round_to(s.depth_to_length_ratio, 4)},
      {"diameter_um", round_to(s.diameter_um, 1)},
      {"bleeding_fraction", round_to(s.bleeding_fraction, 4)},
      {"closure_half_life_h", round_to(s.closure_half_life_h, 2)},
      {"max_tip_depth_um_mean", round_to(s.depth_max_mean_um, 1)},
      {"bruising_fraction", round_to(s.bruising_fraction, 4)},
      {"coverage_fraction", round_to(s.coverage_fraction, 4)},
      {"damaged_volume_nl_per_cm2", round_to(s.damaged_volume_nl_per_cm2, 1)},
      {"nearest_neighbour_um",
       {{"mean", round_to(s.spacing.mean_um, 1)},
        {"p10", round_to(s.spacing.p10_um, 1)},
        {"median", round_to(s.spacing.median_um, 1)}}},
      {"treatment_time_min", round_to(s.treatment_minutes, 2)},
      {"channels_per_session", s.channels},
  };
}

ordered_json layers_json(const skin::Skin& s) {
  const auto um = [](core::Length l) { return round_to(l.in(core::units::um), 1); };
  return {{"stratum_corneum", um(s.layers.stratum_corneum)},
          {"viable_epidermis", um(s.layers.viable_epidermis)},
          {"papillary_dermis", um(s.layers.papillary_dermis)},
          {"reticular_dermis", um(s.layers.reticular_dermis)},
          {"hypodermis", um(s.layers.hypodermis)},
          {"bleeding_depth", um(s.bleeding_depth)},
          {"lower_plexus_depth", um(s.deep_plexus_depth)}};
}

ordered_json mean_channel_json(const mechanics::MeanChannel& m, const course::ChannelStats& s) {
  return {{"per_cm2_per_pass", round_to(s.expected_per_cm2_per_pass, 1)},
          {"depth_um", round_to(m.depth_open.in(core::units::um), 1)},
          {"max_tip_depth_um", round_to(m.depth_max.in(core::units::um), 1)},
          {"diameter_um", round_to(2 * m.surface_radius.in(core::units::um), 1)},
          {"bleeding_fraction", round_to(m.bleeding_probability, 4)},
          {"deflection_um", round_to(m.deflection.in(core::units::um), 2)},
          {"needle_speed_m_per_s", round_to(m.needle_speed.si(), 3)},
          {"support_radius_um", round_to(m.support_radius.in(core::units::um), 1)},
          {"tilt_deg", round_to(m.tilt_deg, 2)},
          {"slit_um", round_to(m.slit.in(core::units::um), 1)},
          {"damaged_volume_nl", round_to(m.damaged_volume_nl, 3)},
          {"skin_clamped_by_cartridge", m.clamped}};
}

double ug(core::ArealMass m) { return m.in(core::units::ug_per_cm2); }

// The transport and barrier sections of summary.json for one area (the last reported time).
ordered_json transport_json(const course::AreaResult& a, const std::string& active) {
  if (!a.transport || a.transport->samples.empty()) return nullptr;
  const auto& t = *a.transport;
  const auto& s = t.samples.back();
  const auto& m = s.amounts;
  ordered_json enhancement = s.enhancement ? ordered_json(round_to(*s.enhancement, 3)) : ordered_json(nullptr);
  return {
      {"active", active},
      {"at_h", round_to(s.time.in(core::units::h), 3)},
      {"geometry", std::string(transport::to_string(t.geometry))},  // axisymmetric_cell (fast) or patch_3d
      {"delivered_ug_per_cm2", round_to(ug(m.delivered()), 4)},
      {"fraction_of_dose", s.fraction_of_dose ? ordered_json(round_to(*s.fraction_of_dose, 5)) : ordered_json(nullptr)},
      {"enhancement_vs_intact", enhancement},
      {"enhancement_unbounded", s.enhancement_unbounded},
      {"by_layer_ug_per_cm2",
       {{"stratum_corneum", round_to(ug(m.stratum_corneum), 4)},
        {"epidermis", round_to(ug(m.viable_epidermis), 4)},
        {"dermis", round_to(ug(m.dermis + m.hypodermis), 4)},
        {"systemic", round_to(ug(m.systemic), 4)}}},
      {"remaining_on_skin_ug_per_cm2", round_to(ug(m.donor), 4)},
      {"mass_balance_residual", t.mass_balance_residual},
  };
}

ordered_json warnings_json(const std::vector<core::Diagnostic>& warnings) {
  ordered_json out = ordered_json::array();
  for (const auto& w : warnings)
    out.push_back({{"code", std::string(core::error_info(w.code).id)}, {"message", w.message}});
  return out;
}

}  // namespace

std::string summary_json(const course::CourseResult& result, const Scenario& scenario) {
  ordered_json areas = ordered_json::array();
  for (const auto& a : result.areas) {
    ordered_json area = {
        {"site", a.treatment.site},
        {"concern", a.treatment.concern},
        {"area_cm2", round_to(a.treatment.area.in(core::units::cm2), 3)},
        {"passes", a.treatment.passes},
        {"tip_layer",
         a.stats.channels ? a.skin.layer_at(core::Length::from_si(a.stats.depth_max_mean_um * 1e-6)) : "none"},
        {"layers_um", layers_json(a.skin)},
        {"lesion", a.lesion ? ordered_json{{"type", a.lesion->name},
                                           {"shape", std::string(skin::to_string(a.lesion->shape))},
                                           {"width_mm", round_to(a.lesion->width.mean * 1e3, 3)},
                                           {"depth_mm", round_to(a.lesion->depth.mean * 1e3, 3)},
                                           {"dermis_factor", round_to(a.lesion->dermis_factor.mean, 3)},
                                           {"tethered", a.lesion->tethered}}
                            : ordered_json(nullptr)},
        {"channels", stats_json(a.stats)},
        {"mean_channel", mean_channel_json(a.mean_channel, a.stats)},
    };
    areas.push_back(std::move(area));
  }
  auto channels = stats_json(result.pooled);
  channels["by_area"] = areas;
  // Transport and barrier: the first treated area that has them (every area is in by_area).
  ordered_json transport = nullptr;
  ordered_json barrier = nullptr;
  const std::string active = scenario.topical ? scenario.topical->active.name : "";
  for (std::size_t i = 0; i < result.areas.size(); ++i) {
    const auto& a = result.areas[i];
    auto& area = channels["by_area"][i];
    area["transport"] = transport_json(a, active);
    area["barrier"] = a.barrier_recovery_h > 0 ? ordered_json{{"tewl_recovery_h", round_to(a.barrier_recovery_h, 3)}}
                                               : ordered_json(nullptr);
    if (transport.is_null()) transport = area["transport"];
    if (barrier.is_null()) barrier = area["barrier"];
  }
  // Tissue, outcomes and safety: tissue of the first area (every area in by_area), one outcome
  // entry per area, the worst safety over the areas.
  const auto outcome_model = bundled_outcomes();
  ordered_json tissue = nullptr;
  ordered_json outcomes = ordered_json::array();
  ordered_json safety_by_area = ordered_json::array();
  for (std::size_t i = 0; i < result.areas.size(); ++i) {
    const auto& a = result.areas[i];
    auto& area = channels["by_area"][i];
    area["tissue"] = tissue_json(a);
    area["safety"] = safety_json(a);
    safety_by_area.push_back(area["safety"]);
    if (tissue.is_null()) tissue = area["tissue"];
    if (auto o = outcome_json(a, i, outcome_model); !o.is_null()) outcomes.push_back(std::move(o));
  }
  const auto& d = scenario.device;
  ordered_json device = ordered_json::object();
  if (d) {
    device = {{"kind", std::string(device::to_string(d->kind))},
              {"model", d->model},
              {"cartridge", d->cartridge},
              {"needles", d->needles},
              {"needle_length_mm", round_to(d->needle_length.in(core::units::mm), 4)},
              {"frequency_hz", round_to(d->frequency.in(core::units::Hz), 3)},
              {"hand_speed_cm_per_s", round_to(d->operator_prior.speed.in(core::units::cm_per_s), 3)}};
  }
  const ordered_json j = {
      {"version", core::build_info().version},
      {"seed", scenario.seed},
      {"scenario_sha256", scenario.sha256},
      {"fidelity", course::to_string(result.fidelity)},
      {"stages",
       {{"device", "modelled"},
        {"insertion", "modelled"},
        {"transport", scenario.topical ? "modelled (one application, fast axisymmetric cell; 3D patch not yet)"
                                       : "no [topical] in the scenario"},
        {"barrier", "modelled (first-order recovery)"},
        {"healing", "modelled (three depth compartments, SUNDIALS CVODE)"},
        {"outcomes", "modelled (transfer functions, virtual patients)"},
        {"safety", "modelled"}}},
      {"device", device},
      {"warnings", warnings_json(scenario.warnings)},
      {"channels", channels},
      {"barrier", barrier},
      {"transport", transport},
      {"tissue", tissue},
      {"outcomes", outcomes},
      {"safety", pooled_safety_json(safety_by_area)},
      {"disclaimer",
       "needlework is a research and education tool, not a medical device. Predictions come from mechanistic "
       "models with few fitted parameters and carry the uncertainty shown (p05-p95 over virtual patients) and the "
       "strength of evidence of each concern; see docs/model/ for their checks and limits."},
  };
  return j.dump(2) + "\n";
}

std::string channels_csv(const course::CourseResult& result) {
  std::string out =
      "area,site,pass,x_mm,y_mm,depth_max_um,depth_um,surface_radius_um,tilt_deg,slit_um,damaged_volume_nl,bled\n";
  for (std::size_t a = 0; a < result.areas.size(); ++a) {
    const auto& c = result.areas[a].channels;
    const auto& site = result.areas[a].treatment.site;
    // std::to_chars with a fixed precision: the same bytes as "{:.Nf}" at half the cost of fmt's
    // per-row format parsing (a full face is ~2 M rows; docs/performance.md).
    char buffer[256];
    const auto fixed = [&buffer](char* p, float v, int precision) {
      p = std::to_chars(p, buffer + sizeof buffer, v, std::chars_format::fixed, precision).ptr;
      *p++ = ',';
      return p;
    };
    const auto prefix = fmt::format("{},{},", a, site);
    for (std::size_t i = 0; i < c.size(); ++i) {
      char* p = std::to_chars(buffer, buffer + sizeof buffer, c.pass[i] + 1).ptr;
      *p++ = ',';
      p = fixed(p, c.x_mm[i], 4);
      p = fixed(p, c.y_mm[i], 4);
      p = fixed(p, c.depth_max_um[i], 2);
      p = fixed(p, c.depth_um[i], 2);
      p = fixed(p, c.surface_radius_um[i], 2);
      p = fixed(p, c.tilt_deg[i], 2);
      p = fixed(p, c.slit_um[i], 1);
      p = fixed(p, c.damaged_volume_nl[i], 4);
      *p++ = c.bled[i] ? '1' : '0';
      *p++ = '\n';
      out += prefix;
      out.append(buffer, p);
    }
  }
  return out;
}

std::string puncture_map_svg(const course::CourseResult& result) {
  SvgStyle style{640, 640, "Puncture map, session 1", "x (mm)", "y (mm)"};
  if (result.areas.empty() || result.areas.front().channels.size() == 0) {
    return svg_scatter({}, {}, {}, 0, 10, 0, 10, true, 2, 0, style, {});
  }
  const auto& a = result.areas.front();
  const auto& c = a.channels;
  const double window = std::min(10.0, std::sqrt(a.treatment.area.in(core::units::mm2)));
  std::vector<double> x, y;
  std::vector<int> group;
  int passes = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (c.x_mm[i] > window || c.y_mm[i] > window) continue;
    x.push_back(c.x_mm[i]);
    y.push_back(c.y_mm[i]);
    group.push_back(std::min<int>(c.pass[i], 7));
    passes = std::max(passes, c.pass[i] + 1);
  }
  std::vector<std::string> names;
  for (int p = 0; p < std::min(passes, 8); ++p)
    names.push_back(p == 7 && passes > 8 ? "pass 8+" : fmt::format("pass {}", p + 1));
  style.title = fmt::format("Punctures of session 1 in a {:.0f} x {:.0f} mm window ({}, {})", window, window,
                            a.treatment.site, fmt::format("{:.0f} per cm2", a.stats.per_cm2_per_session));
  return svg_scatter(x, y, group, 0, window, 0, window, true, 1.5, 20000, style, names);
}

std::string depth_histogram_svg(const course::CourseResult& result) {
  SvgStyle style{720, 420, "Open channel depth, session 1", "depth below the surface (um)", "channels"};
  if (result.areas.empty() || result.areas.front().channels.size() == 0) return svg_histogram({}, 0, 1, 10, style, {});
  const auto& a = result.areas.front();
  const std::vector<double> depths(a.channels.depth_um.begin(), a.channels.depth_um.end());
  const auto& l = a.skin.layers;
  const double setting = a.channels.needle_length.in(core::units::um);
  const std::vector<SvgMarker> markers{
      {l.epidermis().in(core::units::um), "epidermis | dermis"},
      {(l.epidermis() + l.papillary_dermis).in(core::units::um), "papillary | reticular"},
      {l.dermis_bottom().in(core::units::um), "dermis | fat"},
      {a.skin.bleeding_depth.in(core::units::um), "median bleeding depth"},
      {setting, "needle setting"},
  };
  const double hi = std::max(setting, l.dermis_bottom().in(core::units::um)) * 1.1;
  style.title = fmt::format("Open channel depth, {} ({} channels)", a.treatment.site, a.channels.size());
  return svg_histogram(depths, 0.0, hi, 80, style, markers);
}

std::string transport_csv(const course::CourseResult& result) {
  std::string out =
      "area,site,time_h,donor_ug_per_cm2,stratum_corneum_ug_per_cm2,epidermis_ug_per_cm2,dermis_ug_per_cm2,"
      "hypodermis_ug_per_cm2,systemic_ug_per_cm2,delivered_ug_per_cm2,intact_delivered_ug_per_cm2,enhancement,"
      "barrier_state,closure_state\n";
  for (std::size_t a = 0; a < result.areas.size(); ++a) {
    const auto& area = result.areas[a];
    if (!area.transport) continue;
    for (const auto& s : area.transport->samples) {
      const auto& m = s.amounts;
      fmt::format_to(std::back_inserter(out),
                     "{},{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{},{},{:.6g},{:.6g}\n", a,
                     area.treatment.site, s.time.in(core::units::h), ug(m.donor), ug(m.stratum_corneum),
                     ug(m.viable_epidermis), ug(m.dermis), ug(m.hypodermis), ug(m.systemic), ug(m.delivered()),
                     s.intact ? fmt::format("{:.6g}", ug(s.intact->delivered())) : "",
                     s.enhancement ? fmt::format("{:.6g}", *s.enhancement) : "", s.barrier_state, s.closure_state);
    }
  }
  return out;
}

std::string uptake_svg(const course::CourseResult& result, const std::string& active) {
  SvgStyle style{720, 420, fmt::format("Uptake of {} past the stratum corneum", active), "time after application (h)",
                 "delivered (ug/cm2)"};
  for (const auto& a : result.areas) {
    if (!a.transport) continue;
    std::vector<double> x;
    SvgSeries needled{"needled skin", {}}, intact{"intact skin", {}};
    for (const auto& s : a.transport->samples) {
      x.push_back(s.time.in(core::units::h));
      needled.y.push_back(ug(s.amounts.delivered()));
      intact.y.push_back(s.intact ? ug(s.intact->delivered()) : 0.0);
    }
    style.title = fmt::format("Uptake of {} past the stratum corneum, {} (log scale)", active, a.treatment.site);
    return svg_lines(x, {needled, intact}, true, style);
  }
  return svg_lines({}, {}, true, style);
}

std::string simulation_text(const course::CourseResult& result, const Scenario& scenario,
                            const std::filesystem::path& dir) {
  std::string out = fmt::format("Simulation of {} (seed {}, fidelity {})\n", scenario.path, scenario.seed,
                                course::to_string(result.fidelity));
  if (scenario.device) {
    const auto& d = *scenario.device;
    out += fmt::format("Device: {} {} {}, {} needles, {:.2f} mm, {:.0f} Hz, hand {:.1f} cm/s\n",
                       device::to_string(d.kind), d.model, d.cartridge.empty() ? "" : "cartridge " + d.cartridge,
                       d.needles, d.needle_length.in(core::units::mm), d.frequency.in(core::units::Hz),
                       d.operator_prior.speed.in(core::units::cm_per_s));
  }
  for (const auto& a : result.areas) {
    const auto& s = a.stats;
    out += fmt::format(
        "\n{} ({}, {:.0f} cm2, {} passes)\n"
        "  channels      {:.0f} per cm2 per session ({:.0f} per pass), {:.1f} min to treat\n"
        "  open depth    mean {:.0f} um (p10 {:.0f}, p90 {:.0f}), {:.2f} of the setting; tip reaches the {}\n"
        "  surface       diameter {:.0f} um, spacing {:.0f} um (nearest neighbour, mean), {:.0f}% of the surface\n"
        "                within a channel's damage rim\n"
        "  bleeding      {:.0f}% of channels (median bleeding depth {:.0f} um); tip past the dermis-fat junction\n"
        "                (lower plexus, bruising risk) in {:.1f}%\n",
        a.treatment.site, a.treatment.concern, a.treatment.area.in(core::units::cm2), a.treatment.passes,
        s.per_cm2_per_session, s.per_cm2_per_pass, s.treatment_minutes, s.depth_mean_um, s.depth_p10_um, s.depth_p90_um,
        s.depth_to_length_ratio,
        s.channels ? a.skin.layer_at(core::Length::from_si(s.depth_max_mean_um * 1e-6)) : "surface", s.diameter_um,
        s.spacing.mean_um, 100 * s.coverage_fraction, 100 * s.bleeding_fraction,
        a.skin.bleeding_depth.in(core::units::um), 100 * s.bruising_fraction);
  }
  for (const auto& a : result.areas) {
    if (!a.transport || a.transport->samples.empty() || !scenario.topical) continue;
    const auto& s = a.transport->samples.back();
    const auto one_hour = std::find_if(a.transport->samples.begin(), a.transport->samples.end(),
                                       [](const auto& x) { return x.time.in(core::units::h) >= 1.0 - 1e-9; });
    out += fmt::format(
        "  {}  delivered {:.3g} ug/cm2 by 1 h and {:.3g} ug/cm2 ({:.1f}% of the dose) by {:.0f} h; {} intact skin\n",
        scenario.topical->active.name, ug(one_hour->amounts.delivered()), ug(s.amounts.delivered()),
        100 * s.fraction_of_dose.value_or(0.0), s.time.in(core::units::h),
        s.enhancement_unbounded ? std::string("none through")
        : s.enhancement         ? fmt::format("{:.3g} x", *s.enhancement)
                                : std::string("(no reference)"));
    out += fmt::format("  barrier       recovers in {:.1f} h; channels close with a half-life of {:.1f} h\n",
                       a.barrier_recovery_h, a.stats.closure_half_life_h);
  }
  for (const auto& a : result.areas) {
    out += fmt::format("\n{} ({})\n{}", a.treatment.site, a.treatment.concern, course_text(a));
  }
  std::string fields;
  for (std::size_t a = 0; a < result.areas.size(); ++a) {
    const auto& area = result.areas[a];
    if (!area.transport || !area.transport->fields) continue;
    auto xmf = transport_fields_stem(a, area.treatment.site);
    xmf += ".xmf";
    fields += fmt::format("  {} ({} times; the .h5 beside it holds the data)\n", xmf.string(),
                          area.transport->fields->snapshots.size());
  }
  if (!fields.empty()) out += "\nConcentration fields for ParaView (XDMF + HDF5):\n" + fields;
  out += fmt::format("\nFiles in {}\n", dir.string());
  out += fmt::format("{}\n", "needlework is a research and education tool, not a medical device.");
  return out;
}

std::vector<std::filesystem::path> write_simulation(const std::filesystem::path& dir,
                                                    const course::CourseResult& result, const Scenario& scenario,
                                                    const Provenance& provenance) {
  std::vector<std::filesystem::path> written;
  const auto put = [&](const char* name, const std::string& content) {
    write_file_atomically(dir / name, content);
    written.push_back(dir / name);
  };
  put("summary.json", summary_json(result, scenario));
  put("channels.csv", channels_csv(result));
  put("parameters.csv", parameters_csv(scenario));
  put("puncture_map.svg", puncture_map_svg(result));
  put("depth_histogram.svg", depth_histogram_svg(result));
  if (scenario.topical) {
    put("transport.csv", transport_csv(result));
    put("uptake.svg", uptake_svg(result, scenario.topical->active.name));
    for (std::size_t a = 0; a < result.areas.size(); ++a) {
      const auto& area = result.areas[a];
      if (!area.transport || !area.transport->fields) continue;
      const auto& active = scenario.topical->active.name;
      const FieldsInfo info{fmt::format("{} in {}, area {}", active, area.treatment.site, a), active,
                            area.treatment.site};
      for (auto& p : write_fields(dir / transport_fields_stem(a, area.treatment.site), *area.transport->fields, info))
        written.push_back(std::move(p));
    }
  }
  for (std::size_t i = 0; i < result.areas.size(); ++i) {
    const auto& a = result.areas[i];
    if (a.healing.treated.empty()) continue;
    put(timeline_csv_name(a, i).c_str(), timeline_csv(a));
    put(tissue_svg_name(a, i).c_str(), tissue_svg(a));
    if (!a.cohort.empty()) put(outcome_svg_name(a, i).c_str(), outcome_svg(a));
  }
  write_run_record(dir, scenario.config, *scenario.spec, provenance);
  written.push_back(dir / "effective_config.toml");
  written.push_back(dir / "provenance.json");
  return written;
}

}  // namespace nw::io
