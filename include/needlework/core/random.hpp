#pragma once
// Counter-based random streams.
//
// Every random draw in needlework is a pure function of (seed, session, stage, entity, purpose,
// index): the Philox4x32-10 bijection (Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3", SC'11) applied to a counter built from (entity, index) under a key hashed from
// (seed, session, stage, purpose). No state is shared or advanced, so the draws do not depend
// on the order in which entities are visited or on how many threads visit them.

#include <array>
#include <cstdint>
#include <string_view>

namespace nw::core {

/// The stages that draw random numbers; the value is part of the key, so never renumber.
enum class Stage : std::uint32_t {
  device = 1,
  mechanics = 2,
  transport = 3,
  healing = 4,
  outcomes = 5,
  cohort = 6,
  test = 99,
};

/// 64-bit FNV-1a hash, used to turn a purpose name ("needle_jitter") into a key component.
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// Philox4x32 with 10 rounds: maps a 128-bit counter under a 64-bit key to 128 random bits.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter, std::array<std::uint32_t, 2> key);

struct StreamKey {
  std::uint64_t session = 0;
  Stage stage = Stage::test;
  std::uint64_t entity = 0;  // e.g. a channel, a virtual patient, a grid cell
  std::string_view purpose;  // e.g. "needle_position"
};

/// A random stream addressed by index: draw(i) always returns the same value for the same key.
class RandomStream {
 public:
  RandomStream(std::uint64_t seed, const StreamKey& key);

  /// Uniform on [0, 1) with 53 random bits.
  double uniform(std::uint64_t index) const;
  /// Standard normal (Box-Muller on the four words of one Philox block).
  double normal(std::uint64_t index) const;
  /// 128 raw bits for draw `index`.
  std::array<std::uint32_t, 4> bits(std::uint64_t index) const;

 private:
  std::array<std::uint32_t, 2> key_{};
  std::uint64_t entity_ = 0;
};

}  // namespace nw::core
