#pragma once
// The Simulation object: one treatment course, its stages coupled in order.
//
// Stages so far: device kinematics (punctures of a session over each treated area), insertion
// (the channels they leave in this patient's skin at that site). Every session of a course
// lays a new field from its own random streams; statistics are reported for session 1, which
// every later session repeats in distribution. Transport, healing and outcomes join here as
// their stages are written.
//
// Fidelity: `detailed` inserts every puncture with its own draws; `fast` uses the mean channel
// scaled by the expected density. Both are always computed for the channel statistics, and a
// test checks that they agree.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "needlework/core/log.hpp"
#include "needlework/course/treatment.hpp"
#include "needlework/device/device.hpp"
#include "needlework/device/kinematics.hpp"
#include "needlework/healing/model.hpp"
#include "needlework/mechanics/insertion.hpp"
#include "needlework/outcomes/outcomes.hpp"
#include "needlework/skin/channels.hpp"
#include "needlework/skin/skin.hpp"
#include "needlework/transport/transport.hpp"

namespace nw::course {

/// A topical active applied right after needling (resolved from [topical]).
struct Topical {
  transport::Active active;
  transport::Dose dose;
  bool occluded = false;
  transport::Schedule schedule = transport::Schedule::session;  // daily: a home product, once a day
};

/// Hours after application at which transport is reported (the last one is the summary's).
inline constexpr double kTransportHours[] = {0.25, 0.5, 1, 2, 4, 8, 12, 24};

struct CourseInputs {
  std::uint64_t seed = 1;
  skin::Sex sex = skin::Sex::female;
  core::Time age;
  device::Device device;
  int fitzpatrick = 3;
  std::vector<std::string> conditions;   // screening vocabulary (keloid_tendency, home_device_use, ...)
  std::vector<std::string> medications;  // ongoing ones
  std::vector<TreatmentArea> areas;
  Protocol protocol;
  std::optional<Topical> topical;
  Settings settings;
  bool keep_transport_fields = false;  // keep concentration fields at the transport output times (files)
};

/// The data libraries a course reads (owned by the caller, outliving the Simulation).
struct Libraries {
  const skin::SiteLibrary& sites;
  const skin::LesionLibrary& lesions;
  const transport::TissueRules& tissue;
  const healing::Parameters& healing;
  const outcomes::OutcomeModel& outcomes;
};

/// Statistics of the channels of one session (per area, and pooled over areas).
struct ChannelStats {
  std::size_t channels = 0;
  double per_cm2_per_pass = 0;
  double per_cm2_per_session = 0;
  double expected_per_cm2_per_pass = 0;                          // closed form (fast path)
  double depth_mean_um = 0, depth_p10_um = 0, depth_p90_um = 0;  // open channel depth
  double depth_max_mean_um = 0;
  double depth_to_length_ratio = 0;
  double diameter_um = 0;  // mean open diameter at the surface
  double bleeding_fraction = 0;
  double bruising_fraction = 0;  // tip reached the lower plexus (dermis-hypodermis junction)
  double coverage_fraction = 0;  // surface within (open radius + damage rim) of a channel
  double damaged_volume_nl_per_cm2 = 0;
  device::SpacingStats spacing;
  double treatment_minutes = 0;
  double closure_half_life_h = 0;
};

struct AreaResult {
  TreatmentArea treatment;
  skin::Skin skin;
  std::optional<skin::Lesion> lesion;  // the contour lesion of the concern, if it has one
  mechanics::MeanChannel mean_channel;
  skin::ChannelSet channels;  // session 1
  ChannelStats stats;
  double barrier_recovery_h = 0;                        // TEWL recovery (tissue.toml barrier kinetics)
  std::optional<transport::TransportResult> transport;  // when a topical is applied
  // Healing and outcomes over the course.
  std::vector<healing::SessionInjury> injuries;  // one per session
  std::vector<healing::ActiveDose> doses;        // one per application
  healing::HealingResult healing;                // the nominal person
  healing::TissueChange tissue_at_follow_up;     // nominal person, treated vs untreated
  outcomes::ScoreTimeline nominal_scores;        // the nominal person's daily scores
  std::vector<outcomes::CohortOutcome> cohort;   // virtual patients, one per healing sample
  outcomes::SafetyReport safety;                 // nominal person
  int virtual_patients = 0;
};

struct CourseResult {
  std::vector<AreaResult> areas;
  ChannelStats pooled;
  Fidelity fidelity = Fidelity::fast;
};

class Simulation {
 public:
  Simulation(CourseInputs inputs, Libraries libraries);
  /// Runs the stages; reports progress to `log`. Deterministic for a given seed.
  CourseResult run(core::LogSink& log) const;

  /// The two halves of run() for one area (index into inputs.areas), for callers that vary the
  /// calendar of a course without redoing its channels and transport (the planner):
  /// prepare = channels of a session and transport of the topical (independent of the protocol
  /// and of the virtual patients); assess = healing, outcomes and safety over the protocol.
  AreaResult prepare(std::size_t area, core::LogSink& log) const;
  void assess(AreaResult& prepared, std::size_t area, core::LogSink& log) const;

 private:
  transport::TransportResult transport_for(const AreaResult& area, bool occluded, core::LogSink& log,
                                           const std::string& task) const;
  void heal_and_assess(AreaResult& area, std::size_t index, core::LogSink& log, const std::string& task) const;
  CourseInputs inputs_;
  Libraries libs_;
};

/// Statistics of one area's channels (session 1).
ChannelStats channel_stats(const skin::ChannelSet& channels, const device::PunctureField& field, const skin::Skin& skin,
                           const device::Device& device);

}  // namespace nw::course
