// Clinical outcomes: scales, transfer functions, natural course, cohort statistics, safety and
// refits. Equations (1)-(7) are in include/needlework/outcomes/outcomes.hpp and
// docs/model/outcomes.md; every coefficient and its source is in data/outcomes/outcomes.toml.
#include "needlework/outcomes/outcomes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "needlework/core/random.hpp"

namespace nw::outcomes {

namespace param = core::param;
using core::ErrorCode;
using core::TableSpec;

namespace {

constexpr double kSecondsPerDay = 86400.0;
constexpr double kSecondsPerYear = 365.25 * kSecondsPerDay;

[[noreturn]] void inconsistent(const core::SourceLoc& where, const std::string& key, const std::string& message) {
  throw core::Error(std::vector<core::Diagnostic>{
      core::make_diagnostic(ErrorCode::cfg_consistency, where, key, fmt::arg("message", message))});
}

std::shared_ptr<TableSpec> table_of(const char* name, const char* doc, std::vector<core::ParamSpec> params) {
  return std::make_shared<TableSpec>(TableSpec{name, doc, std::move(params)});
}

core::ParamSpec required_text(const char* key, const char* doc) {
  return core::required(param::text(key, std::nullopt, doc), "\"\"");
}

std::shared_ptr<const TableSpec> make_spec() {
  using core::dim::length;
  using core::dim::none;
  using core::dim::time;
  auto responder = table_of(
      "responder", "responder definition",
      {core::required(
           param::word("kind", core::word_specs({{"relative", "fraction of baseline"}, {"absolute", "scale points"}}),
                       "", "how the threshold is measured"),
           "\"relative\""),
       core::required(param::real("threshold", std::nullopt, 0.0, 1000.0, "improvement needed"), "0.5"),
       param::text("note", "", "why this definition")});
  auto scale = table_of(
      "scale", "one clinical scale",
      {required_text("name", "scale name (PRODUCT.md vocabulary)"), param::text("display", "", "display name"),
       core::required(param::real("min", std::nullopt, -1e6, 1e6, "lowest score"), "0"),
       core::required(param::real("max", std::nullopt, -1e6, 1e6, "highest score"), "4"),
       core::required(
           param::word("better", core::word_specs({{"lower", "lower is better"}, {"higher", "higher is better"}}), "",
                       "direction of improvement"),
           "\"lower\""),
       core::required(param::table("responder", responder, "responder definition"), "{}"),
       param::measure("default_baseline", none, "population default baseline")});
  auto concern = table_of("concern", "one treated concern",
                          {required_text("name", "scenario concern word"),
                           core::required(param::text_list("scales", "scales, default first"), "[\"masi\"]"),
                           core::required(param::word("transfer",
                                                      core::word_specs({{"lesion_fill", "new matrix fills a lesion"},
                                                                        {"pigment", "epidermal melanin"},
                                                                        {"hair", "follicle stimulation"},
                                                                        {"laxity", "elastic matrix"}}),
                                                      "", "transfer function"),
                                          "\"pigment\""),
                           param::measure("coefficient", none, "the concern's one coefficient"),
                           param::measure("placebo", none, "plateau fraction of the untreated score change"),
                           param::measure("placebo_tau", time, "time constant of the placebo change"),
                           param::measure("ageing", none, "fractional score change per year untreated"),
                           param::fact("evidence", "strength of evidence")});
  auto matrix = table_of("matrix", "matrix weights",
                         {param::measure("collagen_i", none, "weight of collagen I"),
                          param::measure("collagen_iii", none, "weight of collagen III"),
                          param::measure("elastin", none, "weight of elastin")});
  auto tethering = table_of("tethering", "tethered lesions",
                            {param::measure("transmitted", none, "transmitted fraction of the lift")});
  auto pih = table_of("pih", "PIH model",
                      {param::measure("floor_probability", none, "sporadic PIH probability at phototype III"),
                       param::measure("floor_odds_ratio_per_phototype", none, "odds ratio of the floor per step"),
                       param::measure("hazard_per_drive", none, "hazard per unit of healing pih_drive"),
                       param::measure("high_threshold", none, "flag threshold")});
  auto safety = table_of("safety", "flag thresholds",
                         {param::measure("bleeding_pinpoint", none, "pinpoint bleeding from this fraction"),
                          param::measure("bleeding_confluent", none, "confluent bleeding from this fraction"),
                          param::measure("downtime_flag", time, "downtime flagged beyond"),
                          param::measure("tram_track_roller_length", length, "roller length flagged over bone"),
                          param::measure("tram_track_margin", length, "margin to the dermis-fat junction"),
                          param::fact("bone_sites", "sites over bone")});
  auto active = table_of("active", "intradermal suitability of a topical",
                         {required_text("name", "active library name"),
                          core::required(param::word("intradermal",
                                                     core::word_specs({{"grade", "sterile intradermal product exists"},
                                                                       {"not_for_intradermal", "topical only"},
                                                                       {"unknown", "no information"}}),
                                                     "", "intradermal suitability"),
                                         "\"unknown\""),
                          param::text_list("source", "source ids"), param::text("note", "", "remarks")});
  return std::make_shared<TableSpec>(TableSpec{
      "",
      "needlework outcome library",
      {core::required(param::text("schema", std::nullopt, "format"), "\"needlework-outcomes/1\""),
       param::any("source", "sources"), param::table_array("scale", scale, "clinical scales"),
       core::required(param::table("matrix", matrix, "matrix weights"), "{}"),
       core::required(param::table("tethering", tethering, "tethered lesions"), "{}"),
       param::table_array("concern", concern, "concerns"), core::required(param::table("pih", pih, "PIH model"), "{}"),
       core::required(param::table("safety", safety, "safety thresholds"), "{}"),
       param::table_array("active", active, "topicals")}});
}

std::shared_ptr<const TableSpec> make_published_spec() {
  auto result = table_of(
      "result", "one published result",
      {required_text("id", "result id"), required_text("concern", "concern"), param::text("scar_type", "", "scar type"),
       required_text("scale", "scale"),
       core::required(param::word("role",
                                  core::word_specs({{"fit", "the one result a coefficient is fitted on"},
                                                    {"validation", "checked, not fitted"},
                                                    {"context", "shown, not checked"}}),
                                  "", "use"),
                      "\"validation\""),
       core::required(param::word("quantity",
                                  core::word_specs({{"relative_change", "fraction of baseline"},
                                                    {"absolute_change", "scale points"},
                                                    {"responder_fraction", "fraction of patients"}}),
                                  "", "compared quantity"),
                      "\"relative_change\""),
       core::required(param::real("value", std::nullopt, -1e6, 1e6, "published value"), "0"),
       param::text("spread", "", "spread as reported"), param::integer("n", 0, 0, 1000000, "patients (0 = not read)"),
       core::required(param::real("day", std::nullopt, 0, 3650, "days after the first session"), "0"),
       param::text("protocol", "", "protocol"), param::text_list("source", "source ids"), param::text("url", "", "url"),
       param::text("note", "", "what was read")});
  return std::make_shared<TableSpec>(
      TableSpec{"",
                "needlework published outcomes",
                {core::required(param::text("schema", std::nullopt, "format"), "\"needlework-published-outcomes/1\""),
                 param::table_array("result", result, "published results")}});
}

double measure_mean(const core::ConfigTable& t, std::string_view key) { return core::read_measure(t, key).mean; }

Transfer parse_transfer(const std::string& s) {
  if (s == "pigment") return Transfer::pigment;
  if (s == "hair") return Transfer::hair;
  if (s == "laxity") return Transfer::laxity;
  return Transfer::lesion_fill;
}

Intradermal parse_intradermal(const std::string& s) {
  if (s == "grade") return Intradermal::grade;
  if (s == "not_for_intradermal") return Intradermal::not_for_intradermal;
  return Intradermal::unknown;
}

// The transfer function a scale is read through (eq. 3-6).
Transfer transfer_of_scale(std::string_view scale) {
  if (scale == "masi" || scale == "mmasi" || scale == "melanin_index") return Transfer::pigment;
  if (scale == "hair_count_per_cm2") return Transfer::hair;
  if (scale == "laxity_grade") return Transfer::laxity;
  return Transfer::lesion_fill;
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : text) {
    if (c == ' ' || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// Matrix gain of one compartment (eq. 1).
double matrix_gain(const OutcomeModel& m, const healing::TissueSample& s, int c) {
  return m.matrix_weight_collagen_i() * (s.collagen_i[c] - 1) +
         m.matrix_weight_collagen_iii() * (s.collagen_iii[c] - 1) + m.matrix_weight_elastin() * (s.elastin[c] - 1);
}

// Filled fraction of a lesion's deficit for a fill drive x (eq. 2): the floor rises in proportion
// to the deficit that remains, dI/dx = 1 - I, so I = 1 - exp(-x); a loss of matrix (x < 0)
// deepens it the same way, I = -(1 - exp(x)). Bounded in (-1, 1), slope 1 at x = 0.
double filled_fraction(double x) { return std::copysign(-std::expm1(-std::abs(x)), x); }

constexpr int kPap = static_cast<int>(healing::Compartment::papillary);
constexpr int kRet = static_cast<int>(healing::Compartment::reticular);

}  // namespace

// ------------------------------------------------------------------------------------- scales

double ScaleInfo::clamp(double score) const { return std::clamp(score, min, max); }

double ScaleInfo::improvement(double baseline, double score) const {
  return better == Better::lower ? baseline - score : score - baseline;
}

double ScaleInfo::responder_probability(double baseline, double score) const {
  const double gain = improvement(baseline, score);
  if (responder_kind == ResponderKind::relative) return baseline > 0 && gain >= responder_threshold * baseline;
  // Whole grades: severity s0 uniform on the baseline grade's rounding interval (within the
  // scale), moved to s1 = s0 score / baseline; recorded as a responder when s1 rounds to a grade
  // `threshold` better, i.e. crosses the edge e of the grade interval that far away.
  const double lo = std::max(min, baseline - 0.5), hi = std::min(max, baseline + 0.5);
  if (baseline <= 0 || score < 0 || hi <= lo) return gain >= responder_threshold;
  const double ratio = score / baseline;
  double p = 0;
  if (better == Better::lower) {
    const double edge = baseline - responder_threshold + 0.5;  // s1 below it: responder
    if (edge <= 0) return 0;
    p = ratio > 0 ? (edge / ratio - lo) / (hi - lo) : 1.0;
  } else {
    const double edge = baseline + responder_threshold - 0.5;  // s1 above it: responder
    p = ratio > 0 ? (hi - edge / ratio) / (hi - lo) : 0.0;
  }
  return std::clamp(p, 0.0, 1.0);
}

std::string_view to_string(Transfer t) {
  switch (t) {
    case Transfer::lesion_fill:
      return "lesion_fill";
    case Transfer::pigment:
      return "pigment";
    case Transfer::hair:
      return "hair";
    case Transfer::laxity:
      return "laxity";
  }
  return "lesion_fill";
}

std::string_view to_string(Intradermal i) {
  switch (i) {
    case Intradermal::grade:
      return "grade";
    case Intradermal::not_for_intradermal:
      return "not_for_intradermal";
    case Intradermal::unknown:
      return "unknown";
  }
  return "unknown";
}

// -------------------------------------------------------------------------------------- model

const core::TableSpec& OutcomeModel::spec() {
  static const auto s = make_spec();
  return *s;
}

OutcomeModel OutcomeModel::from_config(const core::ConfigTable& v) {
  OutcomeModel m;
  for (const auto& item : v.get_array("scale")) {
    const auto& t = *item.get_if<core::ConfigTable>();
    ScaleInfo s;
    s.name = t.get_text("name");
    s.display = t.get_text("display");
    s.min = t.get_real("min");
    s.max = t.get_real("max");
    s.better = t.get_text("better") == "higher" ? Better::higher : Better::lower;
    const auto& r = t.get_table("responder");
    s.responder_kind = r.get_text("kind") == "absolute" ? ResponderKind::absolute : ResponderKind::relative;
    s.responder_threshold = r.get_real("threshold");
    s.responder_note = r.get_text("note");
    s.default_baseline = core::read_measure(t, "default_baseline");
    if (!(s.min < s.max))
      inconsistent(t.where_of("max"), "scale.max", fmt::format("scale '{}': max must exceed min", s.name));
    if (m.scale(s.name)) inconsistent(t.where_of("name"), "scale.name", fmt::format("scale '{}' repeats", s.name));
    m.scales_.push_back(std::move(s));
  }
  const auto& mx = v.get_table("matrix");
  m.w_col_i_ = measure_mean(mx, "collagen_i");
  m.w_col_iii_ = measure_mean(mx, "collagen_iii");
  m.w_elastin_ = measure_mean(mx, "elastin");
  if (std::abs(m.w_col_i_ + m.w_col_iii_ + m.w_elastin_ - 1.0) > 1e-9) {
    inconsistent(mx.where, "matrix", "the matrix weights must sum to 1");
  }
  m.tether_ = core::read_measure(v.get_table("tethering"), "transmitted");
  for (const auto& item : v.get_array("concern")) {
    const auto& t = *item.get_if<core::ConfigTable>();
    ConcernInfo c;
    c.name = t.get_text("name");
    c.scales = t.get_words("scales");
    c.transfer = parse_transfer(t.get_text("transfer"));
    c.coefficient = core::read_measure(t, "coefficient");
    c.coefficient_basis = t.get_table("coefficient").get_text("basis");
    c.placebo = core::read_measure(t, "placebo");
    c.placebo_tau_s = measure_mean(t, "placebo_tau");
    c.ageing_per_yr = measure_mean(t, "ageing");
    c.evidence = core::read_fact_text(t, "evidence");
    c.evidence_sources = t.get_table("evidence").get_words("source");
    c.evidence_note = t.get_table("evidence").get_text("note");
    if (c.scales.empty())
      inconsistent(t.where_of("scales"), "concern.scales", fmt::format("concern '{}' has no scale", c.name));
    for (const auto& s : c.scales) {
      if (!m.scale(s)) {
        inconsistent(t.where_of("scales"), "concern.scales",
                     fmt::format("concern '{}' names unknown scale '{}'", c.name, s));
      }
    }
    if (transfer_of_scale(c.scales.front()) != c.transfer) {
      inconsistent(t.where_of("transfer"), "concern.transfer",
                   fmt::format("concern '{}': transfer '{}' does not read its default scale '{}'", c.name,
                               to_string(c.transfer), c.scales.front()));
    }
    static const std::vector<std::string> kEvidence{"RCT", "controlled", "case_series", "expert_opinion", "assumption"};
    if (!contains(kEvidence, c.evidence)) {
      inconsistent(
          t.where_of("evidence"), "concern.evidence",
          fmt::format("concern '{}': evidence must be RCT, controlled, case_series, expert_opinion or assumption",
                      c.name));
    }
    if (c.placebo_tau_s <= 0) {
      inconsistent(t.where_of("placebo_tau"), "concern.placebo_tau",
                   fmt::format("concern '{}': placebo_tau must be > 0", c.name));
    }
    if (m.concern(c.name))
      inconsistent(t.where_of("name"), "concern.name", fmt::format("concern '{}' repeats", c.name));
    m.concerns_.push_back(std::move(c));
  }
  const auto& p = v.get_table("pih");
  m.pih_.floor_probability = measure_mean(p, "floor_probability");
  m.pih_.floor_odds_ratio_per_phototype = measure_mean(p, "floor_odds_ratio_per_phototype");
  m.pih_.hazard_per_drive = measure_mean(p, "hazard_per_drive");
  m.pih_.high_threshold = measure_mean(p, "high_threshold");
  if (!(m.pih_.floor_probability > 0 && m.pih_.floor_probability < 1) || m.pih_.floor_odds_ratio_per_phototype <= 1 ||
      m.pih_.hazard_per_drive < 0) {
    inconsistent(p.where, "pih",
                 "floor_probability must lie in (0, 1), floor_odds_ratio_per_phototype must exceed 1 and "
                 "hazard_per_drive must be >= 0");
  }
  const auto& sf = v.get_table("safety");
  m.safety_.bleeding_pinpoint = measure_mean(sf, "bleeding_pinpoint");
  m.safety_.bleeding_confluent = measure_mean(sf, "bleeding_confluent");
  m.safety_.downtime_flag_s = measure_mean(sf, "downtime_flag");
  m.safety_.tram_track_roller_length_m = measure_mean(sf, "tram_track_roller_length");
  m.safety_.tram_track_margin_m = measure_mean(sf, "tram_track_margin");
  m.safety_.bone_sites = split_words(core::read_fact_text(sf, "bone_sites"));
  for (const auto& item : v.get_array("active")) {
    const auto& t = *item.get_if<core::ConfigTable>();
    ActiveSafety a{t.get_text("name"), parse_intradermal(t.get_text("intradermal")), t.get_words("source"),
                   t.get_text("note")};
    if (m.active(a.name)) inconsistent(t.where_of("name"), "active.name", fmt::format("active '{}' repeats", a.name));
    m.actives_.push_back(std::move(a));
  }
  return m;
}

const ScaleInfo* OutcomeModel::scale(std::string_view name) const {
  for (const auto& s : scales_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const ConcernInfo* OutcomeModel::concern(std::string_view name) const {
  for (const auto& c : concerns_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ActiveSafety* OutcomeModel::active(std::string_view name) const {
  for (const auto& a : actives_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

OutcomeModel OutcomeModel::with_coefficient(std::string_view concern, double value) const {
  OutcomeModel copy = *this;
  for (auto& c : copy.concerns_) {
    if (c.name == concern) {
      c.coefficient.mean = value;
      return copy;
    }
  }
  core::raise(ErrorCode::internal, fmt::arg("reason", fmt::format("with_coefficient: unknown concern '{}'", concern)));
}

// ------------------------------------------------------------------------------ virtual people

LesionGeometry mean_geometry(const skin::Lesion& lesion) {
  return {lesion.width.mean, lesion.depth.mean, lesion.dermis_factor.mean, lesion.tethered};
}

namespace {

// A normal draw around a measure, clipped to its [min, max] (and to >= 0 if it has no min).
double draw(const core::Measure& m, const core::RandomStream& stream) {
  const double x = m.mean + m.sd * stream.normal(0);
  const double lo = m.min.value_or(0.0);
  return std::clamp(x, lo, std::max(lo, m.max.value_or(std::numeric_limits<double>::infinity())));
}

core::RandomStream person_stream(std::uint64_t seed, std::uint64_t patient, std::string_view purpose) {
  return core::RandomStream(seed, core::StreamKey{0, core::Stage::outcomes, patient, purpose});
}

}  // namespace

VirtualPerson sample_person(const ConcernInfo& concern, const skin::Lesion* lesion, std::uint64_t seed,
                            std::uint64_t patient) {
  VirtualPerson p;
  if (lesion) {
    p.lesion = {draw(lesion->width, person_stream(seed, patient, "lesion_width")),
                draw(lesion->depth, person_stream(seed, patient, "lesion_depth")),
                draw(lesion->dermis_factor, person_stream(seed, patient, "lesion_dermis_factor")), lesion->tethered};
    // A lesion needs a positive depth for eq. 2 (clip to a micrometre if a draw reached 0), and
    // the lesions are atrophic: the dermis under them is never thicker than normal (the library
    // gives no max for some dermal factors, and a draw above 1 would erase the deficit).
    p.lesion.depth_m = std::max(p.lesion.depth_m, 1e-6);
    p.lesion.dermis_factor = std::min(p.lesion.dermis_factor, 1.0);
  }
  const double cv = concern.coefficient.mean > 0 ? concern.coefficient.sd / concern.coefficient.mean : 0.0;
  p.coefficient_factor = std::max(0.0, 1.0 + cv * person_stream(seed, patient, "outcome_coefficient").normal(0));
  p.placebo_fraction = concern.placebo.mean + concern.placebo.sd * person_stream(seed, patient, "placebo").normal(0);
  return p;
}

// ---------------------------------------------------------------------------------- transfer

const ScaleInfo& resolve_scale(const OutcomeModel& model, const AreaContext& area) {
  const auto* concern = model.concern(area.concern);
  if (!concern) {
    core::raise(
        ErrorCode::cfg_consistency,
        fmt::arg("message", fmt::format("concern '{}' has no clinical scale in the outcome model", area.concern)));
  }
  const std::string& name = area.scale.empty() ? concern->scales.front() : area.scale;
  if (!contains(concern->scales, name)) {
    core::raise(ErrorCode::cfg_consistency,
                fmt::arg("message", fmt::format("scale '{}' does not measure concern '{}' (expected one of: {})", name,
                                                area.concern, fmt::join(concern->scales, ", "))));
  }
  return *model.scale(name);
}

double resolve_baseline(const OutcomeModel& model, const AreaContext& area) {
  const auto& scale = resolve_scale(model, area);
  return scale.clamp(area.baseline.value_or(scale.default_baseline.mean));
}

double score_at(const OutcomeModel& model, const AreaContext& area, const healing::TissueSample& s) {
  const auto& scale = resolve_scale(model, area);
  const auto& concern = *model.concern(area.concern);
  const double s0 = resolve_baseline(model, area);
  double score = s0;
  switch (transfer_of_scale(scale.name)) {
    case Transfer::lesion_fill: {
      if (!area.lesion) {
        core::raise(ErrorCode::cfg_consistency,
                    fmt::arg("message", fmt::format("concern '{}' needs a lesion geometry for scale '{}'", area.concern,
                                                    scale.name)));
      }
      const auto& l = *area.lesion;
      const double dermis_m = area.papillary_thickness_m + area.reticular_thickness_m;
      // Thickness-weighted matrix gain of the dermis, and the dermis left under the lesion floor:
      // the lesion's own dermal thinning, or what lies below a floor that reaches deep (icepick).
      const double gain = dermis_m > 0 ? (matrix_gain(model, s, kPap) * area.papillary_thickness_m +
                                          matrix_gain(model, s, kRet) * area.reticular_thickness_m) /
                                             dermis_m
                                       : 0.0;
      const double under_m =
          dermis_m > 0 ? dermis_m * std::clamp(std::min(l.dermis_factor, 1.0 - l.depth_m / dermis_m), 0.0, 1.0) : 0.0;
      const double lift_m = gain * under_m;
      const double deficit_m = l.depth_m + std::max(0.0, 1.0 - l.dermis_factor) * dermis_m;
      const double floor_fraction = l.width_m / (l.width_m + 2.0 * l.depth_m);
      const double transmitted = l.tethered ? model.tether_transmission().mean : 1.0;
      const double k = concern.coefficient.mean * area.coefficient_factor;
      const double drive = deficit_m > 0 ? k * transmitted * floor_fraction * lift_m / deficit_m : 0.0;
      score = s0 * (1.0 - filled_fraction(drive));
      break;
    }
    case Transfer::pigment: {
      // The melanin index reads epidermal melanin directly (k = 1, instrument definition).
      const double k = scale.name == "melanin_index" ? 1.0 : concern.coefficient.mean * area.coefficient_factor;
      score = s0 * (1.0 - k * (1.0 - s.pigment));
      break;
    }
    case Transfer::hair:
      score = s0 * (1.0 + concern.coefficient.mean * area.coefficient_factor * s.follicle_stimulation);
      break;
    case Transfer::laxity: {
      const auto* laxity = model.concern("laxity");
      const double k = (laxity ? laxity->coefficient.mean : concern.coefficient.mean) * area.coefficient_factor;
      double g = 0;
      for (const int c : {kPap, kRet}) g += 0.5 * ((s.elastin[c] - 1) + (s.collagen_i[c] - 1));
      score = s0 * (1.0 - k * g / 2.0);
      break;
    }
  }
  // Natural course (eq. 7): placebo / photoprotection plateau and ageing, shared by both arms.
  const double t_s = s.day * kSecondsPerDay;
  const double a_p = area.placebo_sampled ? area.placebo_fraction : concern.placebo.mean;
  const double drift =
      a_p * (1.0 - std::exp(-t_s / concern.placebo_tau_s)) + concern.ageing_per_yr * t_s / kSecondsPerYear;
  return scale.clamp(score * (1.0 + drift));
}

ScoreTimeline score_timeline(const OutcomeModel& model, const AreaContext& area, const healing::HealingResult& result) {
  ScoreTimeline t;
  t.scale = resolve_scale(model, area).name;
  t.baseline = resolve_baseline(model, area);
  const std::size_t n = std::min(result.treated.size(), result.untreated.size());
  t.day.reserve(n);
  t.treated.reserve(n);
  t.untreated.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    t.day.push_back(result.treated[i].day);
    t.treated.push_back(score_at(model, area, result.treated[i]));
    t.untreated.push_back(score_at(model, area, result.untreated[i]));
  }
  return t;
}

// -------------------------------------------------------------------------------- statistics

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double h = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

Spread spread_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {quantile(values, 0.5), quantile(values, 0.05), quantile(values, 0.95)};
}

CohortOutcome cohort_statistics(const ScaleInfo& scale, const std::vector<ScoreTimeline>& patients,
                                std::size_t sample_index) {
  CohortOutcome out;
  out.scale = scale.name;
  if (patients.empty()) return out;
  std::vector<double> baseline, treated, untreated, change, net;
  double responders = 0, control_responders = 0;
  std::size_t counted = 0;
  for (const auto& p : patients) {
    if (p.treated.empty() || p.untreated.empty()) continue;
    const std::size_t i = std::min(sample_index, std::min(p.treated.size(), p.untreated.size()) - 1);
    baseline.push_back(p.baseline);
    treated.push_back(p.treated[i]);
    untreated.push_back(p.untreated[i]);
    change.push_back(p.treated[i] - p.baseline);
    net.push_back(p.treated[i] - p.untreated[i]);
    responders += scale.responder_probability(p.baseline, p.treated[i]);
    control_responders += scale.responder_probability(p.baseline, p.untreated[i]);
    ++counted;
  }
  if (counted == 0) return out;
  out.baseline = quantile(baseline, 0.5);
  out.at_follow_up = spread_of(treated);
  out.change = spread_of(change);
  out.untreated_at_follow_up = spread_of(untreated);
  out.net_effect = spread_of(net);
  out.responder_fraction = responders / static_cast<double>(counted);
  out.untreated_responder_fraction = control_responders / static_cast<double>(counted);
  return out;
}

// ------------------------------------------------------------------------------------ safety

double pih_probability(const PihModel& pih, int fitzpatrick, double pih_drive) {
  const double logit_floor = std::log(pih.floor_probability / (1.0 - pih.floor_probability)) +
                             std::log(pih.floor_odds_ratio_per_phototype) * (fitzpatrick - 3);
  const double floor = 1.0 / (1.0 + std::exp(-logit_floor));
  return 1.0 - (1.0 - floor) * std::exp(-pih.hazard_per_drive * std::max(0.0, pih_drive));
}

double refit_pih_hazard(const PihModel& pih, const std::vector<std::pair<int, double>>& people, double target) {
  if (people.empty()) {
    core::raise(ErrorCode::num_failure, fmt::arg("stage", "PIH refit"), fmt::arg("reason", "no reference people"));
  }
  auto mean_p = [&](double beta) {
    auto m = pih;
    m.hazard_per_drive = beta;
    double sum = 0;
    for (const auto& [fitz, drive] : people) sum += pih_probability(m, fitz, drive);
    return sum / static_cast<double>(people.size());
  };
  double lo = 0, hi = 100;
  if (mean_p(lo) > target || mean_p(hi) < target) {
    core::raise(
        ErrorCode::num_failure, fmt::arg("stage", "PIH refit"),
        fmt::arg("reason", fmt::format("target {} is outside {} .. {} (no drive, or the floor alone exceeds it)",
                                       target, mean_p(lo), mean_p(hi))));
  }
  for (int it = 0; it < 200 && hi - lo > 1e-12; ++it) {
    const double mid = 0.5 * (lo + hi);
    (mean_p(mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

SafetyReport assess_safety(const OutcomeModel& model, const SafetyInputs& in) {
  const auto& rules = model.safety();
  const bool needled = in.device_kind != "none" && !in.device_kind.empty();
  SafetyReport r;
  r.erythema_h = in.erythema_h;
  r.downtime_days = in.downtime_days;
  r.bleeding_fraction = needled ? in.bleeding_fraction : 0.0;
  r.bleeding = r.bleeding_fraction >= rules.bleeding_confluent  ? "confluent"
               : r.bleeding_fraction >= rules.bleeding_pinpoint ? "pinpoint"
                                                                : "none";
  r.pih_probability = needled ? pih_probability(model.pih(), in.fitzpatrick, in.pih_drive) : 0.0;
  auto flag = [&](std::string code, std::string message, std::vector<std::string> sources) {
    r.flags.push_back({std::move(code), std::move(message), std::move(sources)});
  };
  const bool over_bone = contains(rules.bone_sites, in.site);
  if (needled && over_bone) {
    const bool roller = in.device_kind == "roller";
    const bool roller_risk = roller && (in.roller_dragged || in.needle_length_m >= rules.tram_track_roller_length_m);
    const bool deep = in.dermis_bottom_m > 0 && in.open_depth_m >= in.dermis_bottom_m - rules.tram_track_margin_m;
    if (roller_risk || deep) {
      flag("S-TRAM-TRACK",
           fmt::format("tram-track scarring risk on the {} (thin skin over bone): {}", in.site,
                       deep ? fmt::format("channels reach {:.2f} mm, the dermis ends at {:.2f} mm",
                                          in.open_depth_m * 1e3, in.dermis_bottom_m * 1e3)
                            : (in.roller_dragged ? "a roller pressed or dragged with force"
                                                 : fmt::format("a {:.1f} mm roller", in.needle_length_m * 1e3))),
           {"SRC-PAH12", "S16", "S60"});
    }
  }
  if (needled && !in.active.empty()) {
    const auto* a = model.active(in.active);
    const Intradermal status = a ? a->intradermal : Intradermal::unknown;
    if (status == Intradermal::not_for_intradermal) {
      flag("S-GRANULOMA",
           fmt::format(
               "granuloma / allergic reaction risk: '{}' is not made for intradermal use and open channels carry it "
               "into the dermis",
               in.active),
           {"S40", "S41", "S07"});
    } else if (status == Intradermal::unknown) {
      flag("S-GRANULOMA",
           fmt::format("granuloma risk unknown: no information that '{}' is sterile and suitable for intradermal use",
                       in.active),
           {"S40", "S41"});
    }
  }
  const bool infection = in.home_device || contains(in.conditions, "home_device_use") ||
                         contains(in.conditions, "immunosuppression") ||
                         contains(in.conditions, "diabetes_uncontrolled") ||
                         contains(in.medications, "immunosuppressant") || contains(in.medications, "systemic_steroid");
  if (needled && infection) {
    flag("S-INFECTION",
         in.home_device || contains(in.conditions, "home_device_use")
             ? "infection risk: home or non-sterile device (sterility, reuse, sharing)"
             : "infection risk: impaired immune defence (condition or medication)",
         {"S07", "S42", "S45"});
  }
  if (needled && r.pih_probability >= model.pih().high_threshold) {
    flag("S-PIH-HIGH",
         fmt::format(
             "post-inflammatory hyperpigmentation probability {:.0f} % (phototype {}, {:.2f} mm): shallower settings, "
             "strict sun protection, consider pigment-safe pre-treatment",
             100 * r.pih_probability, in.fitzpatrick, in.open_depth_m * 1e3),
         {"S16", "S19", "S60"});
  }
  if (needled && contains(in.conditions, "keloid_tendency")) {
    flag("S-KELOID", "keloid / hypertrophic scar tendency: test a small area first and wait several weeks",
         {"S50", "S60"});
  }
  if (needled && contains(in.conditions, "metal_allergy")) {
    flag("S-METAL", "metal allergy: allergic and granulomatous reactions to needle metal reported", {"S07"});
  }
  const bool bleeding_risk = contains(in.conditions, "bleeding_disorder") ||
                             contains(in.medications, "anticoagulant") || contains(in.medications, "antiplatelet");
  if (needled && bleeding_risk && r.bleeding_fraction > 0) {
    flag("S-BLEEDING",
         fmt::format("bleeding tendency with {:.0f} % of channels reaching the capillaries", 100 * r.bleeding_fraction),
         {"S50"});
  }
  if (needled && in.downtime_days * kSecondsPerDay > rules.downtime_flag_s) {
    flag("S-DOWNTIME",
         fmt::format("downtime {:.1f} d exceeds the {:.0f} d of transient reactions reported", in.downtime_days,
                     rules.downtime_flag_s / kSecondsPerDay),
         {"C-ERY4"});
  }
  return r;
}

// ------------------------------------------------------------------------------- calibration

double predicted(const OutcomeModel& model, const RefitTarget& target) {
  const auto& samples = target.reference.treated;
  if (samples.empty()) {
    core::raise(ErrorCode::num_failure, fmt::arg("stage", "outcomes"),
                fmt::arg("reason", "reference course has no samples"));
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    if (std::abs(samples[i].day - target.day) < std::abs(samples[best].day - target.day)) best = i;
  }
  const double s0 = resolve_baseline(model, target.area);
  const double s = score_at(model, target.area, samples[best]);
  if (target.quantity == RefitTarget::Quantity::absolute_change) return s - s0;
  return s0 > 0 ? (s - s0) / s0 : 0.0;
}

double refit_coefficient(const OutcomeModel& model, const RefitTarget& target) {
  const auto* concern = model.concern(target.concern);
  if (!concern) {
    core::raise(ErrorCode::internal, fmt::arg("reason", fmt::format("refit: unknown concern '{}'", target.concern)));
  }
  double lo = concern->coefficient.min.value_or(0.0);
  double hi = concern->coefficient.max.value_or(20.0);
  auto at = [&](double k) { return predicted(model.with_coefficient(target.concern, k), target) - target.value; };
  double f_lo = at(lo);
  const double f_hi = at(hi);
  if (f_lo == 0) return lo;
  if (f_lo * f_hi > 0) {
    core::raise(ErrorCode::num_failure, fmt::arg("stage", "outcomes refit"),
                fmt::arg("reason",
                         fmt::format("concern '{}': target {} is outside the predictions {} .. {} over the "
                                     "coefficient range [{}, {}]",
                                     target.concern, target.value, f_lo + target.value, f_hi + target.value, lo, hi)));
  }
  for (int it = 0; it < 200 && hi - lo > 1e-12 * std::max(1.0, hi); ++it) {
    const double mid = 0.5 * (lo + hi);
    const double f_mid = at(mid);
    if ((f_mid < 0) == (f_lo < 0)) {
      lo = mid;
      f_lo = f_mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// ------------------------------------------------------------------------------ published rows

const core::TableSpec& published_spec() {
  static const auto s = make_published_spec();
  return *s;
}

std::vector<PublishedResult> published_from_config(const core::ConfigTable& v) {
  std::vector<PublishedResult> out;
  for (const auto& item : v.get_array("result")) {
    const auto& t = *item.get_if<core::ConfigTable>();
    PublishedResult r;
    r.id = t.get_text("id");
    r.concern = t.get_text("concern");
    r.scar_type = t.get_text("scar_type");
    r.scale = t.get_text("scale");
    r.role = t.get_text("role");
    r.quantity = t.get_text("quantity");
    r.value = t.get_real("value");
    r.spread = t.get_text("spread");
    r.n = t.get_int("n");
    r.day = t.get_real("day");
    r.protocol = t.get_text("protocol");
    r.sources = t.get_words("source");
    r.url = t.get_text("url");
    r.note = t.get_text("note");
    for (const auto& o : out) {
      if (o.id == r.id) inconsistent(t.where_of("id"), "result.id", fmt::format("result '{}' repeats", r.id));
    }
    out.push_back(std::move(r));
  }
  return out;
}

RefitTarget refit_target(const PublishedResult& row, healing::HealingResult reference, AreaContext area) {
  RefitTarget t;
  if (row.quantity == "relative_change") {
    t.quantity = RefitTarget::Quantity::relative_change;
  } else if (row.quantity == "absolute_change") {
    t.quantity = RefitTarget::Quantity::absolute_change;
  } else {
    core::raise(ErrorCode::internal,
                fmt::arg("reason", fmt::format("published row '{}' ({}) is not a score change", row.id, row.quantity)));
  }
  t.concern = row.concern;
  t.reference = std::move(reference);
  t.area = std::move(area);
  t.area.concern = row.concern;
  t.area.scale = row.scale;
  if (!row.scar_type.empty()) t.area.scar_type = row.scar_type;
  t.day = row.day;
  t.value = row.value;
  return t;
}

}  // namespace nw::outcomes
