#include "needlework/core/random.hpp"

#include <cmath>

namespace nw::core {
namespace {

constexpr std::uint32_t kMul0 = 0xD2511F53U;  // Philox4x32 multipliers and Weyl key increments,
constexpr std::uint32_t kMul1 = 0xCD9E8D57U;  // as published by Salmon et al. (SC'11)
constexpr std::uint32_t kWeyl0 = 0x9E3779B9U;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85U;

// SplitMix64 finaliser: a strong 64-bit mixer used to derive the Philox key.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> c, std::array<std::uint32_t, 2> k) {
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = static_cast<std::uint64_t>(kMul0) * c[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kMul1) * c[2];
    const auto hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    const auto hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c = {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
    k = {k[0] + kWeyl0, k[1] + kWeyl1};
  }
  return c;
}

RandomStream::RandomStream(std::uint64_t seed, const StreamKey& key) : entity_(key.entity) {
  std::uint64_t h = mix64(seed ^ 0x6E6565646C65776FULL);  // "needlewo"
  h = mix64(h ^ key.session);
  h = mix64(h ^ static_cast<std::uint64_t>(key.stage));
  h = mix64(h ^ hash_name(key.purpose));
  key_ = {static_cast<std::uint32_t>(h), static_cast<std::uint32_t>(h >> 32)};
}

std::array<std::uint32_t, 4> RandomStream::bits(std::uint64_t index) const {
  return philox4x32_10({static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                        static_cast<std::uint32_t>(entity_), static_cast<std::uint32_t>(entity_ >> 32)},
                       key_);
}

namespace {
double to_unit(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t x = (static_cast<std::uint64_t>(hi) << 32 | lo) >> 11;  // 53 bits
  return static_cast<double>(x) * 0x1.0p-53;
}
}  // namespace

double RandomStream::uniform(std::uint64_t index) const {
  const auto b = bits(index);
  return to_unit(b[0], b[1]);
}

double RandomStream::normal(std::uint64_t index) const {
  const auto b = bits(index);
  const double u1 = 1.0 - to_unit(b[0], b[1]);  // (0, 1]: log is finite
  const double u2 = to_unit(b[2], b[3]);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
}

}  // namespace nw::core
