#pragma once
// Physical dimensions, strong quantity types and unit parsing.
//
// Every dimensional value in needlework is held in SI base units (m, kg, s, mol) inside a
// Quantity<D> whose dimension D is part of its type, so adding a length to a time does not
// compile. Values that arrive as text ("1.5 mm", "10 uL/cm2") are parsed into a
// DynQuantity (value + runtime dimension) and converted to a Quantity<D> only after the
// dimension has been checked.
//
// Calendar units: 1 d = 86400 s, 1 wk = 7 d, 1 yr = 365.25 d (Julian year), 1 mo = 1/12 yr.
// Angles (deg, rad) and percent are dimensionless: 1 deg = pi/180, 1 % = 0.01.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nw::core {

/// Exponents of the SI base dimensions a quantity carries.
struct Dimension {
  std::int8_t length = 0;
  std::int8_t mass = 0;
  std::int8_t time = 0;
  std::int8_t amount = 0;

  constexpr bool operator==(const Dimension&) const = default;
};

constexpr Dimension operator*(Dimension a, Dimension b) {
  return {static_cast<std::int8_t>(a.length + b.length), static_cast<std::int8_t>(a.mass + b.mass),
          static_cast<std::int8_t>(a.time + b.time), static_cast<std::int8_t>(a.amount + b.amount)};
}
constexpr Dimension operator/(Dimension a, Dimension b) {
  return {static_cast<std::int8_t>(a.length - b.length), static_cast<std::int8_t>(a.mass - b.mass),
          static_cast<std::int8_t>(a.time - b.time), static_cast<std::int8_t>(a.amount - b.amount)};
}

namespace dim {
inline constexpr Dimension none{};
inline constexpr Dimension length{1, 0, 0, 0};
inline constexpr Dimension mass{0, 1, 0, 0};
inline constexpr Dimension time{0, 0, 1, 0};
inline constexpr Dimension amount{0, 0, 0, 1};
inline constexpr Dimension area = length * length;
inline constexpr Dimension volume = area * length;
inline constexpr Dimension frequency = none / time;
inline constexpr Dimension velocity = length / time;
inline constexpr Dimension molar_mass = mass / amount;
inline constexpr Dimension force = mass * length / (time * time);
inline constexpr Dimension pressure = force / area;
inline constexpr Dimension diffusivity = area / time;
inline constexpr Dimension mass_concentration = mass / volume;
inline constexpr Dimension areal_mass = mass / area;
}  // namespace dim

/// "a length", "a time", ... for messages; falls back to the SI expression.
std::string describe(Dimension d);
/// SI expression of a dimension, e.g. "m^2 s^-1"; "1" for dimensionless.
std::string si_expression(Dimension d);
/// A unit a user would write for this dimension, e.g. "mm" for a length (used in examples).
std::string_view example_unit(Dimension d);

/// A value with a compile-time dimension, stored in SI base units.
template <Dimension D>
class Quantity {
 public:
  static constexpr Dimension dimension = D;

  constexpr Quantity() = default;
  /// Builds from a value already in SI base units. Prefer `1.5 * units::mm`.
  static constexpr Quantity from_si(double si) { return Quantity(si); }

  constexpr double si() const { return si_; }
  /// Value expressed in `unit` (same dimension), e.g. depth.in(units::um).
  constexpr double in(Quantity unit) const { return si_ / unit.si_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(si_ + o.si_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(si_ - o.si_); }
  constexpr Quantity operator-() const { return Quantity(-si_); }
  constexpr Quantity& operator+=(Quantity o) {
    si_ += o.si_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    si_ -= o.si_;
    return *this;
  }
  constexpr Quantity operator*(double k) const { return Quantity(si_ * k); }
  constexpr Quantity operator/(double k) const { return Quantity(si_ / k); }
  friend constexpr Quantity operator*(double k, Quantity q) { return Quantity(k * q.si_); }
  constexpr auto operator<=>(const Quantity&) const = default;

  template <Dimension E>
  constexpr Quantity<D * E> operator*(Quantity<E> o) const {
    return Quantity<D * E>::from_si(si_ * o.si());
  }
  template <Dimension E>
  constexpr auto operator/(Quantity<E> o) const {
    if constexpr (D == E) {
      return si_ / o.si();  // same dimension: a plain ratio
    } else {
      return Quantity<D / E>::from_si(si_ / o.si());
    }
  }

 private:
  constexpr explicit Quantity(double si) : si_(si) {}
  double si_ = 0.0;
};

using Dimensionless = Quantity<dim::none>;
using Length = Quantity<dim::length>;
using Area = Quantity<dim::area>;
using Volume = Quantity<dim::volume>;
using Mass = Quantity<dim::mass>;
using Time = Quantity<dim::time>;
using Frequency = Quantity<dim::frequency>;
using Velocity = Quantity<dim::velocity>;
using MolarMass = Quantity<dim::molar_mass>;
using Force = Quantity<dim::force>;
using Pressure = Quantity<dim::pressure>;
using Diffusivity = Quantity<dim::diffusivity>;
using MassConcentration = Quantity<dim::mass_concentration>;
using ArealMass = Quantity<dim::areal_mass>;

/// Unit constants: `1.5 * units::mm` is a Length, `t.in(units::h)` a double in hours.
namespace units {
inline constexpr Dimensionless one = Dimensionless::from_si(1.0);
inline constexpr Dimensionless percent = Dimensionless::from_si(0.01);
inline constexpr Dimensionless degree = Dimensionless::from_si(3.14159265358979323846 / 180.0);
inline constexpr Length m = Length::from_si(1.0);
inline constexpr Length cm = Length::from_si(1e-2);
inline constexpr Length mm = Length::from_si(1e-3);
inline constexpr Length um = Length::from_si(1e-6);
inline constexpr Length nm = Length::from_si(1e-9);
inline constexpr Area cm2 = Area::from_si(1e-4);
inline constexpr Area mm2 = Area::from_si(1e-6);
inline constexpr Area um2 = Area::from_si(1e-12);
inline constexpr Volume uL = Volume::from_si(1e-9);
inline constexpr Volume mL = Volume::from_si(1e-6);
inline constexpr Mass kg = Mass::from_si(1.0);
inline constexpr Mass g = Mass::from_si(1e-3);
inline constexpr Mass mg = Mass::from_si(1e-6);
inline constexpr Mass ug = Mass::from_si(1e-9);
inline constexpr Time s = Time::from_si(1.0);
inline constexpr Time min = Time::from_si(60.0);
inline constexpr Time h = Time::from_si(3600.0);
inline constexpr Time d = Time::from_si(86400.0);
inline constexpr Time wk = Time::from_si(7 * 86400.0);
inline constexpr Time yr = Time::from_si(365.25 * 86400.0);
inline constexpr Time mo = Time::from_si(365.25 * 86400.0 / 12.0);
inline constexpr Frequency Hz = Frequency::from_si(1.0);
inline constexpr Velocity mm_per_s = Velocity::from_si(1e-3);
inline constexpr Velocity cm_per_s = Velocity::from_si(1e-2);
inline constexpr MolarMass g_per_mol = MolarMass::from_si(1e-3);
inline constexpr Force N = Force::from_si(1.0);
inline constexpr Pressure Pa = Pressure::from_si(1.0);
inline constexpr Pressure kPa = Pressure::from_si(1e3);
inline constexpr Diffusivity cm2_per_s = Diffusivity::from_si(1e-4);
inline constexpr Diffusivity um2_per_s = Diffusivity::from_si(1e-12);
inline constexpr ArealMass ug_per_cm2 = ArealMass::from_si(1e-9 / 1e-4);
}  // namespace units

/// A parsed value whose dimension is known only at run time.
struct DynQuantity {
  double si = 0.0;
  Dimension dimension{};

  /// Converts to a strong type; the caller has checked the dimension (precondition).
  template <Dimension D>
  Quantity<D> as() const {
    return Quantity<D>::from_si(si);
  }
};

/// Result of parsing a quantity string: a value, or a message saying what is wrong.
struct QuantityParse {
  std::optional<DynQuantity> value;
  std::string error;  // empty when value is set
};

/// Parses "<number> <unit>", e.g. "1.5 mm", "10 uL/cm2", "236 g/mol", "15 %", "4 wk".
/// Unit grammar: terms separated by '*' or '.' with at most one '/', each term a symbol with
/// an optional SI prefix (n u µ m c k M) and an optional integer power ("cm2", "cm^2").
/// A number with no unit parses as dimensionless only when `allow_bare` is true.
QuantityParse parse_quantity(std::string_view text, bool allow_bare = false);

/// Parses a unit expression alone ("uL/cm2") into its SI scale and dimension.
QuantityParse parse_unit(std::string_view unit);

}  // namespace nw::core
