#pragma once
// Configuration trees and parameter schemas.
//
// Input files (scenarios, bundled data) are read by io into a ConfigTable: a format-neutral
// tree whose every value remembers where it came from. Each module declares the parameters it
// reads as a TableSpec before anything is parsed; validate() checks a raw tree against a spec,
// reports every problem at once, converts quantity strings to SI, and fills in defaults. After
// validation a module reads its values through the typed getters, which cannot fail on a
// declared key. Documentation and `needlework config --defaults` are generated from the specs.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "needlework/core/date.hpp"
#include "needlework/core/error.hpp"
#include "needlework/core/units.hpp"

namespace nw::core {

class ConfigValue;
class ConfigTable;
using ConfigArray = std::vector<ConfigValue>;

/// A table: ordered (key, value) pairs plus where the table starts.
class ConfigTable {
 public:
  SourceLoc where;

  void set(std::string key, ConfigValue value, SourceLoc key_where = {});
  const ConfigValue* find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  std::size_t size() const;

  struct Entry;
  const std::vector<Entry>& entries() const { return entries_; }

  // Typed getters for validated tables. Precondition: the key is declared with that type in
  // the spec the table was validated against (else Error{internal}).
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_real(std::string_view key) const;
  const std::string& get_text(std::string_view key) const;
  Date get_date(std::string_view key) const;
  DynQuantity get_quantity(std::string_view key) const;
  template <Dimension D>
  Quantity<D> get(std::string_view key) const {
    return get_quantity(key).as<D>();
  }
  const ConfigTable& get_table(std::string_view key) const;
  /// Mutable access to a nested table (to record values resolved after validation).
  ConfigTable& get_table_mut(std::string_view key);
  const ConfigArray& get_array(std::string_view key) const;
  /// Elements of a word_list or text_list.
  std::vector<std::string> get_words(std::string_view key) const;
  /// Location of a key's value, for diagnostics raised after validation.
  SourceLoc where_of(std::string_view key) const;

 private:
  const ConfigValue& at(std::string_view key) const;
  std::vector<Entry> entries_;
};

/// One value of a tree. Raw trees hold what the file said; validated trees hold quantities
/// as DynQuantity (SI) and dates as Date.
class ConfigValue {
 public:
  using Variant = std::variant<bool, std::int64_t, double, std::string, Date, DynQuantity, ConfigArray, ConfigTable>;

  ConfigValue() = default;
  /// From exactly one of the alternatives (no silent const char* -> bool conversion).
  template <typename T>
  requires(std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, double> ||
           std::is_same_v<T, std::string> || std::is_same_v<T, Date> || std::is_same_v<T, DynQuantity> ||
           std::is_same_v<T, ConfigArray> || std::is_same_v<T, ConfigTable>) ConfigValue(T value, SourceLoc where = {})
      : value_(std::move(value)), where_(std::move(where)) {}

  const Variant& value() const { return value_; }
  Variant& value() { return value_; }
  const SourceLoc& where() const { return where_; }
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&value_);
  }
  /// "a string", "an integer", ... for messages.
  std::string type_name() const;
  /// The value as it would be written in TOML (strings quoted), for messages.
  std::string to_text() const;

 private:
  Variant value_;
  SourceLoc where_;
};

struct ConfigTable::Entry {
  std::string key;
  ConfigValue value;
  SourceLoc key_where;
};

/// `any` accepts any value unvalidated: for documentation-only tables in data files.
enum class ParamType {
  boolean,
  integer,
  real,
  quantity,
  word,
  text,
  date,
  table,
  table_array,
  word_list,
  text_list,
  any
};

struct WordSpec {
  std::string word;
  std::string doc;
};

struct TableSpec;

/// A vocabulary from (word, doc) pairs, for param::word and param::word_list.
std::vector<WordSpec> word_specs(std::initializer_list<std::pair<const char*, const char*>> list);

/// The declaration of one parameter.
struct ParamSpec {
  std::string key;
  ParamType type = ParamType::text;
  std::string doc;     // one line: what it is, in the user's terms
  std::string source;  // source id of the default (calibration row, clinical source) or ""
  bool required = false;
  std::optional<ConfigValue> default_value;  // validated form (SI quantities)
  std::string default_text;                  // how the default is written in TOML, e.g. "\"1.5 mm\""
  std::string example_text;                  // for required keys and list keys: a value to show in --defaults
  std::vector<Dimension> dimensions;         // quantity: the accepted dimensions (first is the main one)
  std::string
      quantity_name;  // quantity: how to name it in messages if not describe(dimension), e.g. "a volume per area"
  std::vector<WordSpec> words;             // word, word_list: the vocabulary
  std::optional<double> min, max;          // inclusive; SI for quantities
  std::string range_unit;                  // unit used to print the range, e.g. "mm"
  bool allow_bare = false;                 // quantity: a bare number string ("4") is dimensionless
  std::shared_ptr<const TableSpec> table;  // table, table_array: the element schema
};

/// The declaration of a table and its parameters.
struct TableSpec {
  std::string name;  // "" for the document root
  std::string doc;
  std::vector<ParamSpec> params;

  const ParamSpec* find(std::string_view key) const;
};

/// Builders that keep a default's value and its text consistent.
namespace param {
ParamSpec boolean(std::string key, bool dflt, std::string doc);
ParamSpec integer(std::string key, std::optional<std::int64_t> dflt, std::int64_t min, std::int64_t max,
                  std::string doc);
ParamSpec real(std::string key, std::optional<double> dflt, double min, double max, std::string doc);
/// `dflt_text` like "1.5 mm" (empty = no default); `min_text`/`max_text` like "0.1 mm" (empty = unbounded).
ParamSpec quantity(std::string key, Dimension dimension, std::string dflt_text, const std::string& min_text,
                   const std::string& max_text, std::string doc);
ParamSpec word(std::string key, std::vector<WordSpec> words, std::string dflt, std::string doc);
ParamSpec word_list(std::string key, std::vector<WordSpec> words, std::string doc);
ParamSpec text(std::string key, std::optional<std::string> dflt, std::string doc);
ParamSpec text_list(std::string key, std::string doc);
ParamSpec date(std::string key, std::string doc);
/// Any value, kept but not validated (documentation tables in data files).
ParamSpec any(std::string key, std::string doc);
/// A sourced measurement in a data file: { mean = "<q>", sd = "<q>", min, max, source = [ids], basis, note }.
/// mean is required; a dimensionless measure may be written without a unit ("4").
ParamSpec measure(std::string key, Dimension dimension, std::string doc);
/// A sourced fact in a data file: { value = ..., source = [ids], note }.
ParamSpec fact(std::string key, std::string doc);
ParamSpec table(std::string key, std::shared_ptr<const TableSpec> spec, std::string doc);
ParamSpec table_array(std::string key, std::shared_ptr<const TableSpec> spec, std::string doc);
}  // namespace param

/// A measure read back from a validated table (SI units).
struct Measure {
  double mean = 0.0;
  double sd = 0.0;
  std::optional<double> min, max;
  std::vector<std::string> sources;
};
Measure read_measure(const ConfigTable& table, std::string_view key);
/// The `value` of a fact, parsed as a quantity of dimension `d` (dimensionless may be bare).
/// Throws Error{data_invalid} naming the key and location if it does not parse.
double read_fact_quantity(const ConfigTable& table, std::string_view key, Dimension d);
std::string read_fact_text(const ConfigTable& table, std::string_view key);

/// Fluent modifiers for a ParamSpec built above.
ParamSpec required(ParamSpec p, std::string example_text);
ParamSpec optional_(ParamSpec p);  // no default: the key may be absent
ParamSpec sourced(ParamSpec p, std::string source_id);

/// Validates `raw` against `spec`. Appends every problem to `diagnostics` (key paths are
/// prefixed by `path`) and returns the validated table: quantities in SI, dates parsed,
/// defaults filled in, nested tables and arrays validated recursively.
ConfigTable validate(const ConfigTable& raw, const TableSpec& spec, std::vector<Diagnostic>& diagnostics,
                     const std::string& path = "");

/// A fully commented TOML document listing every parameter of `root` with its default,
/// dimension, range, source and doc. Required keys show their example value. The output
/// passes validation against `root`.
std::string render_defaults(const TableSpec& root, std::string_view header_comment);

/// Renders a validated table as TOML with quantities in canonical units (the effective
/// configuration written beside results).
std::string render_effective(const ConfigTable& validated, const TableSpec& spec);

}  // namespace nw::core
