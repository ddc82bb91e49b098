#include "needlework/core/config.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "needlework/core/text.hpp"

namespace nw::core {

// ---------------------------------------------------------------------------------------------
// ConfigTable / ConfigValue
// ---------------------------------------------------------------------------------------------

void ConfigTable::set(std::string key, ConfigValue value, SourceLoc key_where) {
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      e.key_where = std::move(key_where);
      return;
    }
  }
  entries_.push_back({std::move(key), std::move(value), std::move(key_where)});
}

std::vector<WordSpec> word_specs(std::initializer_list<std::pair<const char*, const char*>> list) {
  std::vector<WordSpec> out;
  out.reserve(list.size());
  for (const auto& [w, doc] : list) out.push_back({w, doc});
  return out;
}

std::size_t ConfigTable::size() const { return entries_.size(); }

const ConfigValue* ConfigTable::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

const ConfigValue& ConfigTable::at(std::string_view key) const {
  if (const auto* v = find(key)) return *v;
  raise(ErrorCode::internal, fmt::arg("reason", fmt::format("key '{}' read but not present after validation", key)));
}

namespace {
template <typename T>
const T& expect(const ConfigValue& v, std::string_view key) {
  if (const auto* p = v.get_if<T>()) return *p;
  raise(ErrorCode::internal,
        fmt::arg("reason", fmt::format("key '{}' read as the wrong type ({})", key, v.type_name())));
}
}  // namespace

bool ConfigTable::get_bool(std::string_view key) const { return expect<bool>(at(key), key); }
std::int64_t ConfigTable::get_int(std::string_view key) const { return expect<std::int64_t>(at(key), key); }
double ConfigTable::get_real(std::string_view key) const {
  const auto& v = at(key);
  if (const auto* i = v.get_if<std::int64_t>()) return static_cast<double>(*i);
  return expect<double>(v, key);
}
const std::string& ConfigTable::get_text(std::string_view key) const { return expect<std::string>(at(key), key); }
Date ConfigTable::get_date(std::string_view key) const { return expect<Date>(at(key), key); }
DynQuantity ConfigTable::get_quantity(std::string_view key) const { return expect<DynQuantity>(at(key), key); }
const ConfigTable& ConfigTable::get_table(std::string_view key) const { return expect<ConfigTable>(at(key), key); }
ConfigTable& ConfigTable::get_table_mut(std::string_view key) {
  for (auto& e : entries_) {
    if (e.key == key) {
      if (auto* t = std::get_if<ConfigTable>(&e.value.value())) return *t;
    }
  }
  raise(ErrorCode::internal, fmt::arg("reason", fmt::format("table '{}' not present after validation", key)));
}

const ConfigArray& ConfigTable::get_array(std::string_view key) const { return expect<ConfigArray>(at(key), key); }
std::vector<std::string> ConfigTable::get_words(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& v : get_array(key)) out.push_back(expect<std::string>(v, key));
  return out;
}
SourceLoc ConfigTable::where_of(std::string_view key) const {
  if (const auto* v = find(key)) return v->where();
  return where;
}

std::string ConfigValue::type_name() const {
  struct Visitor {
    std::string operator()(bool) const { return "a boolean"; }
    std::string operator()(std::int64_t) const { return "an integer"; }
    std::string operator()(double) const { return "a floating-point number"; }
    std::string operator()(const std::string&) const { return "a string"; }
    std::string operator()(const Date&) const { return "a date"; }
    std::string operator()(const DynQuantity&) const { return "a quantity"; }
    std::string operator()(const ConfigArray&) const { return "an array"; }
    std::string operator()(const ConfigTable&) const { return "a table"; }
  };
  return std::visit(Visitor{}, value_);
}

std::string ConfigValue::to_text() const {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return fmt::format("\"{}\"", s); }
    std::string operator()(const Date& d) const { return d.iso(); }
    std::string operator()(const DynQuantity& q) const {
      return fmt::format("{} {}", q.si, si_expression(q.dimension));
    }
    std::string operator()(const ConfigArray&) const { return "an array"; }
    std::string operator()(const ConfigTable&) const { return "a table"; }
  };
  return std::visit(Visitor{}, value_);
}

const ParamSpec* TableSpec::find(std::string_view key) const {
  for (const auto& p : params) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

namespace {

DynQuantity must_parse(const std::string& text, const std::string& key) {
  auto parsed = parse_quantity(text);
  if (!parsed.value) {
    raise(ErrorCode::internal,
          fmt::arg("reason", fmt::format("declared default or bound \"{}\" of '{}' does not parse: {}", text, key,
                                         parsed.error)));
  }
  return *parsed.value;
}

std::string unit_of(const std::string& quantity_text) {
  const auto space = quantity_text.find(' ');
  return space == std::string::npos ? std::string{} : quantity_text.substr(space + 1);
}

}  // namespace

namespace param {

ParamSpec boolean(std::string key, bool dflt, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::boolean, .doc = std::move(doc)};
  p.default_value = ConfigValue(dflt);
  p.default_text = dflt ? "true" : "false";
  return p;
}

ParamSpec integer(std::string key, std::optional<std::int64_t> dflt, std::int64_t min, std::int64_t max,
                  std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::integer, .doc = std::move(doc)};
  if (dflt) {
    p.default_value = ConfigValue(*dflt);
    p.default_text = std::to_string(*dflt);
  }
  p.min = static_cast<double>(min);
  p.max = static_cast<double>(max);
  return p;
}

ParamSpec real(std::string key, std::optional<double> dflt, double min, double max, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::real, .doc = std::move(doc)};
  if (dflt) {
    p.default_value = ConfigValue(*dflt);
    p.default_text = fmt::format("{}", *dflt);
  }
  p.min = min;
  p.max = max;
  return p;
}

ParamSpec quantity(std::string key, Dimension dimension, std::string dflt_text, const std::string& min_text,
                   const std::string& max_text, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::quantity, .doc = std::move(doc)};
  p.dimensions = {dimension};
  if (!dflt_text.empty()) {
    p.default_value = ConfigValue(must_parse(dflt_text, p.key));
    p.default_text = fmt::format("\"{}\"", dflt_text);
  }
  if (!min_text.empty()) p.min = must_parse(min_text, p.key).si;
  if (!max_text.empty()) p.max = must_parse(max_text, p.key).si;
  p.range_unit = unit_of(!max_text.empty() ? max_text : !min_text.empty() ? min_text : dflt_text);
  if (p.range_unit.empty()) p.range_unit = std::string(example_unit(dimension));
  return p;
}

ParamSpec word(std::string key, std::vector<WordSpec> words, std::string dflt, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::word, .doc = std::move(doc)};
  p.words = std::move(words);
  if (!dflt.empty()) {
    p.default_value = ConfigValue(dflt);
    p.default_text = fmt::format("\"{}\"", dflt);
  }
  return p;
}

ParamSpec word_list(std::string key, std::vector<WordSpec> words, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::word_list, .doc = std::move(doc)};
  p.words = std::move(words);
  p.default_value = ConfigValue(ConfigArray{});
  p.default_text = "[]";
  return p;
}

ParamSpec text(std::string key, std::optional<std::string> dflt, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::text, .doc = std::move(doc)};
  if (dflt) {
    p.default_value = ConfigValue(*dflt);
    p.default_text = fmt::format("\"{}\"", *dflt);
  }
  return p;
}

ParamSpec text_list(std::string key, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::text_list, .doc = std::move(doc)};
  p.default_value = ConfigValue(ConfigArray{});
  p.default_text = "[]";
  return p;
}

ParamSpec any(std::string key, std::string doc) {
  return ParamSpec{.key = std::move(key), .type = ParamType::any, .doc = std::move(doc)};
}

ParamSpec measure(std::string key, Dimension dimension, std::string doc) {
  auto q = [&](const char* name, std::string what) {
    auto p = optional_(quantity(name, dimension, "", "", "", std::move(what)));
    p.allow_bare = dimension == dim::none;
    return p;
  };
  auto mean = q("mean", "mean value");
  mean.required = true;
  auto spec =
      std::make_shared<TableSpec>(TableSpec{key,
                                            doc,
                                            {
                                                mean,
                                                q("sd", "between-person (or between-channel) standard deviation"),
                                                q("min", "smallest plausible value"),
                                                q("max", "largest plausible value"),
                                                text_list("source", "source ids"),
                                                text("basis", "", "how it was obtained"),
                                                text("note", "", "remarks"),
                                            }});
  auto p = table(std::move(key), spec, std::move(doc));
  p.required = true;
  return p;
}

ParamSpec fact(std::string key, std::string doc) {
  auto spec = std::make_shared<TableSpec>(TableSpec{key,
                                                    doc,
                                                    {
                                                        required(any("value", "the value"), "\"\""),
                                                        text_list("source", "source ids"),
                                                        text("note", "", "remarks"),
                                                    }});
  auto p = table(std::move(key), spec, std::move(doc));
  p.required = true;
  return p;
}

ParamSpec date(std::string key, std::string doc) {
  return ParamSpec{.key = std::move(key), .type = ParamType::date, .doc = std::move(doc)};
}

ParamSpec table(std::string key, std::shared_ptr<const TableSpec> spec, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::table, .doc = std::move(doc)};
  p.table = std::move(spec);
  return p;
}

ParamSpec table_array(std::string key, std::shared_ptr<const TableSpec> spec, std::string doc) {
  ParamSpec p{.key = std::move(key), .type = ParamType::table_array, .doc = std::move(doc)};
  p.table = std::move(spec);
  p.default_value = ConfigValue(ConfigArray{});
  p.default_text = "[]";
  return p;
}

}  // namespace param

ParamSpec required(ParamSpec p, std::string example_text) {
  p.required = true;
  p.default_value.reset();
  p.default_text.clear();
  p.example_text = std::move(example_text);
  return p;
}

ParamSpec optional_(ParamSpec p) {
  p.default_value.reset();
  p.default_text.clear();
  return p;
}

ParamSpec sourced(ParamSpec p, std::string source_id) {
  p.source = std::move(source_id);
  return p;
}

Measure read_measure(const ConfigTable& table, std::string_view key) {
  const auto& t = table.get_table(key);
  Measure m;
  m.mean = t.get_quantity("mean").si;
  if (t.contains("sd")) m.sd = t.get_quantity("sd").si;
  if (t.contains("min")) m.min = t.get_quantity("min").si;
  if (t.contains("max")) m.max = t.get_quantity("max").si;
  m.sources = t.get_words("source");
  return m;
}

double read_fact_quantity(const ConfigTable& table, std::string_view key, Dimension d) {
  const auto& t = table.get_table(key);
  const auto* text = t.find("value") ? t.find("value")->get_if<std::string>() : nullptr;
  const auto parsed = text ? parse_quantity(*text, d == dim::none) : QuantityParse{std::nullopt, "not a string"};
  if (!parsed.value || !(parsed.value->dimension == d)) {
    const auto where = t.where_of("value");
    raise(ErrorCode::data_invalid, fmt::arg("path", fmt::format("{}:{}:{}", where.file, where.line, where.column)),
          fmt::arg("reason", fmt::format("'{}.value' must be {}", key, describe(d))));
  }
  return parsed.value->si;
}

std::string read_fact_text(const ConfigTable& table, std::string_view key) {
  const auto& t = table.get_table(key);
  if (const auto* s = t.find("value") ? t.find("value")->get_if<std::string>() : nullptr) return *s;
  const auto where = t.where_of("value");
  raise(ErrorCode::data_invalid, fmt::arg("path", fmt::format("{}:{}:{}", where.file, where.line, where.column)),
        fmt::arg("reason", fmt::format("'{}.value' must be a string", key)));
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

namespace {

std::string join_key(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

std::string number_text(double v) {
  if (std::abs(v) < 1e15 && v == std::round(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:g}", v);
}

double unit_scale(const std::string& unit) {
  const auto parsed = parse_unit(unit);
  return parsed.value ? parsed.value->si : 1.0;
}

std::string range_text(const ParamSpec& p) {
  const double scale = p.type == ParamType::quantity ? unit_scale(p.range_unit) : 1.0;
  const std::string unit = p.type == ParamType::quantity && !p.range_unit.empty() ? " " + p.range_unit : "";
  const auto show = [&](double v) { return number_text(v / scale) + unit; };
  if (p.min && p.max) return fmt::format("between {} and {}", show(*p.min), show(*p.max));
  if (p.min) return fmt::format("at least {}", show(*p.min));
  if (p.max) return fmt::format("at most {}", show(*p.max));
  return "any value";
}

std::vector<std::string> words_of(const ParamSpec& p) {
  std::vector<std::string> out;
  for (const auto& w : p.words) out.push_back(w.word);
  return out;
}

std::string suggestion_for(std::string_view got, const std::vector<std::string>& candidates) {
  const auto best = did_you_mean(got, candidates);
  return best ? fmt::format("; did you mean '{}'?", *best) : std::string{};
}

std::string expected_type(const ParamSpec& p) {
  switch (p.type) {
    case ParamType::boolean:
      return "true or false";
    case ParamType::integer:
      return "an integer";
    case ParamType::real:
      return "a number";
    case ParamType::quantity:
      return p.quantity_name.empty() ? describe(p.dimensions.front()) : p.quantity_name;
    case ParamType::word:
      return "one of the words listed for it";
    case ParamType::text:
      return "a string";
    case ParamType::date:
      return "a date";
    case ParamType::table:
      return "a table";
    case ParamType::table_array:
      return "an array of tables";
    case ParamType::word_list:
      return "an array of words";
    case ParamType::text_list:
      return "an array of strings";
    case ParamType::any:
      return "any value";
  }
  return "a value";
}

// "a string \"four\"", "a boolean true", "a table" for type errors.
std::string got_text(const ConfigValue& v) {
  if (v.get_if<ConfigTable>() || v.get_if<ConfigArray>()) return v.type_name();
  return fmt::format("{} {}", v.type_name(), v.to_text());
}

class Validator {
 public:
  explicit Validator(std::vector<Diagnostic>& out) : out_(out) {}

  ConfigTable table(const ConfigTable& raw, const TableSpec& spec, const std::string& path) {
    ConfigTable result;
    result.where = raw.where;
    std::vector<std::string> known;
    for (const auto& p : spec.params) known.push_back(p.key);
    for (const auto& e : raw.entries()) {
      if (spec.find(e.key) == nullptr) {
        const auto& where = e.key_where.line > 0 ? e.key_where : e.value.where();
        out_.push_back(make_diagnostic(ErrorCode::cfg_unknown, where, join_key(path, e.key),
                                       fmt::arg("key", join_key(path, e.key)),
                                       fmt::arg("suggestion", suggestion_for(e.key, known))));
      }
    }
    for (const auto& p : spec.params) {
      const auto key = join_key(path, p.key);
      if (const auto* v = raw.find(p.key)) {
        if (auto checked = value(*v, p, key)) result.set(p.key, std::move(*checked), v->where());
      } else if (p.required) {
        out_.push_back(
            make_diagnostic(ErrorCode::cfg_required, raw.where, key, fmt::arg("key", key), fmt::arg("doc", p.doc)));
      } else if (p.default_value) {
        result.set(p.key, *p.default_value);
      }
    }
    return result;
  }

 private:
  std::optional<ConfigValue> value(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    switch (p.type) {
      case ParamType::boolean:
        if (v.get_if<bool>()) return v;
        return type_error(v, p, key);
      case ParamType::integer:
        if (const auto* i = v.get_if<std::int64_t>()) return in_range(static_cast<double>(*i), v, p, key);
        return type_error(v, p, key);
      case ParamType::real: {
        if (const auto* i = v.get_if<std::int64_t>())
          return in_range(static_cast<double>(*i), ConfigValue(static_cast<double>(*i), v.where()), p, key);
        if (const auto* d = v.get_if<double>()) return in_range(*d, v, p, key);
        return type_error(v, p, key);
      }
      case ParamType::quantity:
        return quantity(v, p, key);
      case ParamType::word:
        return word(v, p, key);
      case ParamType::text:
        if (v.get_if<std::string>()) return v;
        return type_error(v, p, key);
      case ParamType::date:
        return date(v, p, key);
      case ParamType::table:
        if (const auto* t = v.get_if<ConfigTable>()) return ConfigValue(table(*t, *p.table, key), v.where());
        return type_error(v, p, key);
      case ParamType::table_array:
        return table_array(v, p, key);
      case ParamType::word_list:
        return word_list(v, p, key);
      case ParamType::text_list:
        return text_list(v, p, key);
      case ParamType::any:
        return v;
    }
    return std::nullopt;
  }

  std::optional<ConfigValue> type_error(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    out_.push_back(make_diagnostic(ErrorCode::cfg_type, v.where(), key, fmt::arg("key", key),
                                   fmt::arg("expected", expected_type(p)), fmt::arg("got", got_text(v))));
    return std::nullopt;
  }

  // `shown` is the value as the user wrote it (quantities are checked in SI but reported as written).
  std::optional<ConfigValue> in_range(double x, const ConfigValue& v, const ParamSpec& p, const std::string& key,
                                      const std::string& shown = "") {
    if (!std::isfinite(x) || (p.min && x < *p.min) || (p.max && x > *p.max)) {
      out_.push_back(make_diagnostic(ErrorCode::cfg_range, v.where(), key, fmt::arg("key", key),
                                     fmt::arg("range", range_text(p)),
                                     fmt::arg("got", shown.empty() ? v.to_text() : shown)));
      return std::nullopt;
    }
    return v;
  }

  std::optional<ConfigValue> quantity(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    const auto* text = v.get_if<std::string>();
    if (text == nullptr) {
      if (v.get_if<std::int64_t>() || v.get_if<double>()) {
        out_.push_back(make_diagnostic(ErrorCode::cfg_unit, v.where(), key, fmt::arg("key", key),
                                       fmt::arg("expected", expected_type(p)), fmt::arg("example", example_for(p)),
                                       fmt::arg("got", v.to_text()), fmt::arg("reason", "a bare number has no unit")));
        return std::nullopt;
      }
      return type_error(v, p, key);
    }
    const auto parsed = parse_quantity(*text, p.allow_bare);
    if (!parsed.value) {
      out_.push_back(make_diagnostic(ErrorCode::cfg_unit, v.where(), key, fmt::arg("key", key),
                                     fmt::arg("expected", expected_type(p)), fmt::arg("example", example_for(p)),
                                     fmt::arg("got", v.to_text()), fmt::arg("reason", parsed.error)));
      return std::nullopt;
    }
    if (std::find(p.dimensions.begin(), p.dimensions.end(), parsed.value->dimension) == p.dimensions.end()) {
      out_.push_back(make_diagnostic(ErrorCode::cfg_dimension, v.where(), key, fmt::arg("key", key),
                                     fmt::arg("expected", expected_type(p)), fmt::arg("example", example_for(p)),
                                     fmt::arg("got", *text), fmt::arg("actual", describe(parsed.value->dimension))));
      return std::nullopt;
    }
    ConfigValue checked(*parsed.value, v.where());
    if (!(parsed.value->dimension == p.dimensions.front())) return checked;  // ranges are stated in the main dimension
    return in_range(parsed.value->si, checked, p, key, fmt::format("\"{}\"", *text));
  }

  static std::string example_for(const ParamSpec& p) {
    if (!p.default_text.empty()) return p.default_text.substr(1, p.default_text.size() - 2);
    if (!p.example_text.empty() && p.example_text.front() == '"')
      return p.example_text.substr(1, p.example_text.size() - 2);
    return fmt::format("1 {}", example_unit(p.dimensions.front()));
  }

  std::optional<ConfigValue> word(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    const auto* text = v.get_if<std::string>();
    if (text == nullptr) return type_error(v, p, key);
    const auto words = words_of(p);
    if (std::find(words.begin(), words.end(), *text) != words.end()) return v;
    out_.push_back(make_diagnostic(ErrorCode::cfg_word, v.where(), key, fmt::arg("key", key), fmt::arg("got", *text),
                                   fmt::arg("suggestion", suggestion_for(*text, words)),
                                   fmt::arg("choices", join(words))));
    return std::nullopt;
  }

  std::optional<ConfigValue> word_list(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    const auto* items = v.get_if<ConfigArray>();
    if (items == nullptr) return type_error(v, p, key);
    ConfigArray result;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto checked = word((*items)[i], p, fmt::format("{}[{}]", key, i));
      if (checked)
        result.push_back(std::move(*checked));
      else
        ok = false;
    }
    if (!ok) return std::nullopt;
    return ConfigValue(std::move(result), v.where());
  }

  std::optional<ConfigValue> text_list(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    const auto* items = v.get_if<ConfigArray>();
    if (items == nullptr) return type_error(v, p, key);
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
      if (!(*items)[i].get_if<std::string>()) {
        type_error((*items)[i], p, fmt::format("{}[{}]", key, i));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return v;
  }

  std::optional<ConfigValue> date(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    if (v.get_if<Date>()) return v;
    if (const auto* text = v.get_if<std::string>()) {
      if (const auto d = parse_date(*text)) return ConfigValue(*d, v.where());
    }
    (void)p;
    out_.push_back(
        make_diagnostic(ErrorCode::cfg_date, v.where(), key, fmt::arg("key", key), fmt::arg("got", v.to_text())));
    return std::nullopt;
  }

  std::optional<ConfigValue> table_array(const ConfigValue& v, const ParamSpec& p, const std::string& key) {
    const auto* items = v.get_if<ConfigArray>();
    if (items == nullptr) return type_error(v, p, key);
    ConfigArray result;
    bool ok = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const auto& item = (*items)[i];
      const auto item_key = fmt::format("{}[{}]", key, i);
      if (const auto* t = item.get_if<ConfigTable>()) {
        const auto before = out_.size();
        auto checked = table(*t, *p.table, item_key);
        if (out_.size() != before) ok = false;
        result.push_back(ConfigValue(std::move(checked), item.where()));
      } else {
        type_error(item, p, item_key);
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return ConfigValue(std::move(result), v.where());
  }

  std::vector<Diagnostic>& out_;
};

}  // namespace

ConfigTable validate(const ConfigTable& raw, const TableSpec& spec, std::vector<Diagnostic>& diagnostics,
                     const std::string& path) {
  return Validator(diagnostics).table(raw, spec, path);
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

namespace {

std::string describe_param(const ParamSpec& p) {
  std::string out = p.doc;
  if (p.type == ParamType::quantity) out += fmt::format(" [{}", expected_type(p));
  if (p.min || p.max) out += fmt::format("{}{}", p.type == ParamType::quantity ? ", " : " [", range_text(p));
  if (p.type == ParamType::quantity || p.min || p.max) out += "]";
  if (p.required) out += " (required)";
  if (!p.source.empty()) out += fmt::format(" (source: {})", p.source);
  return out;
}

void render_words(std::string& out, const ParamSpec& p, std::string_view indent) {
  if (p.words.empty()) return;
  out += fmt::format("{}#   words: {}\n", indent, join(words_of(p)));
}

void render_line(std::string& out, std::string_view key, std::string_view value, std::string_view comment,
                 bool commented) {
  const auto line = fmt::format("{}{} = {}", commented ? "# " : "", key, value);
  out += fmt::format("{:<40} # {}\n", line, comment);
}

std::string element_keys(const TableSpec& spec) {
  std::vector<std::string> keys;
  for (const auto& q : spec.params) keys.push_back(q.required ? q.key + " (required)" : q.key);
  return join(keys);
}

void render_table_body(std::string& out, const TableSpec& spec) {
  const bool root = spec.name.empty();
  for (const auto& p : spec.params) {
    const bool nested = p.type == ParamType::table || p.type == ParamType::table_array;
    if (root && nested) continue;  // rendered as [section] / [[section]] by render_defaults
    if (p.type == ParamType::table) {
      render_line(out, p.key, p.example_text.empty() ? "{}" : p.example_text, describe_param(p) + " (optional)", true);
      continue;
    }
    if (p.type == ParamType::table_array) {
      render_line(out, p.key, p.default_text, describe_param(p), false);
      out += fmt::format("#   each element: {{ {} }}", element_keys(*p.table));
      out += p.example_text.empty() ? "\n" : fmt::format("; e.g. {}\n", p.example_text);
      continue;
    }
    if (p.required) {
      render_line(out, p.key, p.example_text, describe_param(p), false);
    } else if (p.default_value) {
      render_line(out, p.key, p.default_text, describe_param(p), false);
    } else {
      render_line(out, p.key, p.example_text.empty() ? "\"\"" : p.example_text, describe_param(p) + " (optional)",
                  true);
    }
    render_words(out, p, "");
  }
}

}  // namespace

std::string render_defaults(const TableSpec& root, std::string_view header_comment) {
  std::string out(header_comment);
  if (!out.empty() && out.back() != '\n') out += '\n';
  render_table_body(out, root);
  for (const auto& p : root.params) {
    if (p.type == ParamType::table) {
      out += fmt::format("\n[{}]\n# {}\n", p.key, p.doc);
      render_table_body(out, *p.table);
    } else if (p.type == ParamType::table_array) {
      out += fmt::format("\n[[{}]]\n# {} (one table per element; this is one example)\n", p.key, p.doc);
      render_table_body(out, *p.table);
    }
  }
  return out;
}

namespace {

std::string effective_value(const ConfigValue& v, const ParamSpec* p);

std::string effective_inline_table(const ConfigTable& t, const TableSpec* spec) {
  std::vector<std::string> parts;
  for (const auto& e : t.entries()) {
    const ParamSpec* q = spec ? spec->find(e.key) : nullptr;
    parts.push_back(fmt::format("{} = {}", e.key, effective_value(e.value, q)));
  }
  return fmt::format("{{ {} }}", join(parts));
}

std::string effective_value(const ConfigValue& v, const ParamSpec* p) {
  if (const auto* q = v.get_if<DynQuantity>()) {
    std::string unit = p && !p->range_unit.empty() ? p->range_unit : std::string(example_unit(q->dimension));
    const auto parsed = parse_unit(unit);
    if (!parsed.value || !(parsed.value->dimension == q->dimension))
      return fmt::format("\"{:.9g} {}\"", q->si, si_expression(q->dimension));
    return fmt::format("\"{:.9g} {}\"", q->si / parsed.value->si, unit);
  }
  if (const auto* d = v.get_if<Date>()) return fmt::format("\"{}\"", d->iso());
  if (const auto* s = v.get_if<std::string>()) return fmt::format("\"{}\"", *s);
  if (const auto* a = v.get_if<ConfigArray>()) {
    std::vector<std::string> parts;
    for (const auto& item : *a) {
      if (const auto* t = item.get_if<ConfigTable>())
        parts.push_back(effective_inline_table(*t, p ? p->table.get() : nullptr));
      else
        parts.push_back(effective_value(item, p));
    }
    return fmt::format("[{}]", join(parts));
  }
  if (const auto* t = v.get_if<ConfigTable>()) return effective_inline_table(*t, p ? p->table.get() : nullptr);
  if (const auto* d = v.get_if<double>()) return fmt::format("{:.17g}", *d);
  return v.to_text();
}

// Keys in the order the spec declares them, so the effective configuration has one canonical form.
void effective_body(std::string& out, const ConfigTable& t, const TableSpec& spec, bool skip_sections) {
  for (const auto& p : spec.params) {
    const auto* v = t.find(p.key);
    if (v == nullptr) continue;
    const bool section = p.type == ParamType::table || p.type == ParamType::table_array;
    if (skip_sections && section) continue;
    out += fmt::format("{} = {}\n", p.key, effective_value(*v, &p));
  }
}

}  // namespace

std::string render_effective(const ConfigTable& validated, const TableSpec& spec) {
  std::string out = "# Effective configuration: every default filled in, quantities in canonical units.\n";
  effective_body(out, validated, spec, true);
  for (const auto& p : spec.params) {
    const auto* v = validated.find(p.key);
    if (v == nullptr || !p.table) continue;
    if (const auto* t = v->get_if<ConfigTable>(); t && p.type == ParamType::table) {
      out += fmt::format("\n[{}]\n", p.key);
      effective_body(out, *t, *p.table, false);
    } else if (const auto* items = v->get_if<ConfigArray>()) {
      for (const auto& item : *items) {
        out += fmt::format("\n[[{}]]\n", p.key);
        if (const auto* element = item.get_if<ConfigTable>()) effective_body(out, *element, *p.table, false);
      }
    }
  }
  return out;
}

}  // namespace nw::core
