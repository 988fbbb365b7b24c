#include "sim/config/gpu_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "models/io/json_input.hpp"
#include "models/spec/embedded_file.hpp"
#include "models/spec/error.hpp"
#include "models/spec/units.hpp"

namespace hwsim {
std::span<const EmbeddedFile> embedded_gpu_presets();  // generated (cmake/EmbedFiles.cmake)

namespace {

namespace fs = std::filesystem;

struct Document {
  std::string label;  // file name as shown in messages
  fs::path path;      // empty for an embedded preset
  YAML::Node root;
};

std::string at_line(const std::string& label, const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return label;
  return fmt::format("{}:{}", label, m.line + 1);
}

const ParamDef* find_def(std::string_view key) {
  for (const ParamDef& d : gpu_param_schema()) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  for (const ParamDef& d : gpu_param_schema()) keys.emplace_back(d.key);
  return keys;
}

std::string kind_text(ValueKind k) {
  switch (k) {
    case ValueKind::kNumber:
      return "a number";
    case ValueKind::kInteger:
      return "a whole number";
    case ValueKind::kText:
      return "text";
    case ValueKind::kFlag:
      return "true or false";
    case ValueKind::kNumberList:
      return "a list of numbers";
  }
  return "?";
}

bool scalar_number(const YAML::Node& n, double& out) {
  if (!n.IsScalar() || n.Tag() == "!") return false;  // "!" marks a quoted scalar
  try {
    out = n.as<double>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool scalar_bool(const YAML::Node& n, bool& out) {
  if (!n.IsScalar() || n.Tag() == "!") return false;
  const std::string& s = n.Scalar();
  if (s == "true") {
    out = true;
    return true;
  }
  if (s == "false") {
    out = false;
    return true;
  }
  return false;
}

// The rule first (its message is the one people know: "must be > 0"), then
// the key's range, before anything narrows the value to its member's type.
// "in 1..4096", "in [0, 1e+06]" or "0 or in [0.001, 1e+06]": the key's range, as every message gives it.
std::string within(const ParamDef& def) {
  const std::string range = range_text(def);
  return range.starts_with("0 or ") ? "0 or in " + range.substr(5) : "in " + range;
}

void check_rule(const ParamDef& def, double v, const std::string& where) {
  if (!std::isfinite(v)) {
    throw Error(fmt::format("{}: {} = {} must be a finite number in {}", where, def.key, v, range_text(def)));
  }
  bool ok = true;
  switch (def.rule) {
    case Rule::kAny:
      break;
    case Rule::kPositive:
      ok = v > 0;
      break;
    case Rule::kNonNegative:
      ok = v >= 0;
      break;
    case Rule::kFraction:
      ok = v > 0 && v <= 1;
      break;
  }
  if (!ok) {
    throw Error(fmt::format("{}: {} = {} {}", where, def.key, v, rule_text(def.rule)));
  }
  if (!in_range(def, v)) {
    throw Error(fmt::format("{}: {} = {} must be {}", where, def.key, v, within(def)));
  }
}

// Text that reads as a number no key accepts: an infinity or NaN as C spells it ("inf", "-Infinity", "nan";
// yaml-cpp reads only ".inf" and ".nan" as numbers, and --set's "inf" arrives as text) or a number beyond a
// double ("1e400"). Read as a quantity, such text was "'inf' has no unit" or "expected a quantity", a message
// without the key's range; refused here with it.
void refuse_nonfinite_text(const ParamDef& def, const YAML::Node& value, const std::string& where) {
  if (!value.IsScalar()) return;
  std::string_view s = value.Scalar();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ptr == s.data() || ptr != s.data() + s.size()) return;  // not a bare number: a quantity or text
  if (ec == std::errc::result_out_of_range) {
    throw Error(fmt::format("{}: {} = {} must be a finite number in {}", where, def.key, s, range_text(def)));
  }
  if (ec == std::errc{} && !std::isfinite(v)) check_rule(def, v, where);
}

// A whole number, tested without a cast (a double beyond 2^63 has no integer
// to cast to); callers check the range first.
bool whole(double v) { return std::floor(v) == v; }

// Converts one YAML value for `key` into a Param, applying the schema: the key
// must exist (or be a unit-less spelling whose value carries a unit), the type
// must match and the rule must hold. `where` prefixes every message.
std::pair<std::string, ParamValue> convert(const std::string& key, const YAML::Node& value, const std::string& where) {
  const ParamDef* def = find_def(key);
  if (def == nullptr) {
    // The unit may be in the value instead of the key: "hbm.bandwidth: 3.35 TB/s".
    for (const ParamDef& d : gpu_param_schema()) {
      auto unit = unit_of_key(d.key);
      if (!unit || d.key.size() <= key.size() || !d.key.starts_with(key) || d.key[key.size()] != '_' ||
          d.key.size() != key.size() + 1 + unit->suffix.size()) {
        continue;
      }
      refuse_nonfinite_text(d, value, where);
      double plain = 0;
      if (scalar_number(value, plain)) {
        throw Error(fmt::format("{}: {} = {} has no unit; write {}: {} or {}: \"{} {}\"", where, key, value.Scalar(),
                                d.key, value.Scalar(), key, value.Scalar(), unit->display));
      }
      if (!value.IsScalar()) throw Error(fmt::format("{}: {} must be a quantity with a unit", where, key));
      const double v = parse_quantity(value.Scalar(), *unit, where + ": " + key);
      check_rule(d, v, where);
      if (d.kind == ValueKind::kInteger && !whole(v)) {
        throw Error(fmt::format("{}: {} = {} must be a whole number of {}", where, d.key, v, unit->display));
      }
      return {std::string(d.key), v};
    }
    const std::string hint = closest_match(key, all_keys());
    throw Error(fmt::format("{}: unknown key '{}'{}", where, key,
                            hint.empty() ? "" : fmt::format("; did you mean '{}'?", hint)));
  }
  switch (def->kind) {
    case ValueKind::kNumber:
    case ValueKind::kInteger: {
      double v = 0;
      if (!scalar_number(value, v)) {
        refuse_nonfinite_text(*def, value, where);
        if (value.IsScalar()) {
          if (auto unit = unit_of_key(def->key)) {  // a unit in the value, matching the key's
            v = parse_quantity(value.Scalar(), *unit, where + ": " + key);
            check_rule(*def, v, where);
            if (def->kind == ValueKind::kInteger && !whole(v)) {
              throw Error(fmt::format("{}: {} = {} must be a whole number of {}", where, key, v, unit->display));
            }
            return {key, v};
          }
        }
        throw Error(fmt::format("{}: {} must be {} {}, got '{}'", where, key, kind_text(def->kind), within(*def),
                                value.IsScalar() ? value.Scalar() : std::string("a list or map")));
      }
      if (def->kind == ValueKind::kInteger && std::isfinite(v) && !whole(v)) {
        throw Error(fmt::format("{}: {} must be a whole number {}, got {}", where, key, within(*def), value.Scalar()));
      }
      check_rule(*def, v, where);
      return {key, v};
    }
    case ValueKind::kNumberList: {
      if (!value.IsSequence()) throw Error(fmt::format("{}: {} must be a list of numbers", where, key));
      std::vector<double> list;
      for (const auto& item : value) {
        double v = 0;
        if (!scalar_number(item, v)) {
          refuse_nonfinite_text(*def, item, where);
          throw Error(fmt::format("{}: {} must be a list of numbers", where, key));
        }
        check_rule(*def, v, where);
        list.push_back(v);
      }
      return {key, list};
    }
    case ValueKind::kFlag: {
      bool b = false;
      if (!scalar_bool(value, b)) throw Error(fmt::format("{}: {} must be true or false", where, key));
      return {key, b};
    }
    case ValueKind::kText:
      if (!value.IsScalar()) throw Error(fmt::format("{}: {} must be text", where, key));
      return {key, value.Scalar()};
  }
  throw Error(where + ": internal: unhandled value kind");
}

// Walks `params:` and collects leaves ({value, source} maps) under dotted keys.
void flatten(const YAML::Node& node, const std::string& prefix, const Document& doc, ParamTable& out) {
  if (!node.IsMap()) {
    throw Error(fmt::format("{}: '{}' must be a map of parameters or {{value, source}}", at_line(doc.label, node),
                            prefix.empty() ? "params" : prefix));
  }
  for (const auto& kv : node) {
    const std::string name = kv.first.as<std::string>();
    const std::string key = prefix.empty() ? name : prefix + "." + name;
    const YAML::Node& child = kv.second;
    const std::string where = at_line(doc.label, kv.first);
    if (child.IsMap() && child["value"]) {
      for (const auto& field : child) {
        const std::string f = field.first.as<std::string>();
        if (f != "value" && f != "source") {
          throw Error(
              fmt::format("{}: {}: unknown field '{}'; a parameter has only 'value' and 'source'", where, key, f));
        }
      }
      if (!child["source"] || !child["source"].IsScalar() || child["source"].Scalar().empty()) {
        throw Error(
            fmt::format("{}: {} has no source; every number needs 'source:' (datasheet, paper, derived, "
                        "measured: <record id>, or assumption)",
                        where, key));
      }
      auto [canonical, value] = convert(key, child["value"], where);
      out.set(canonical, Param{value, child["source"].Scalar(), where});
    } else if (child.IsMap()) {
      flatten(child, key, doc, out);
    } else {
      // A bare number: refuse it with the reason (no source), after checking the key.
      convert(key, child, where);
      throw Error(fmt::format("{}: {} has no source; write {}: {{value: {}, source: \"...\"}}", where, key, name,
                              child.IsScalar() ? child.Scalar() : std::string("...")));
    }
  }
}

// yaml-cpp keeps both entries of a key given twice and lookups see only the
// first, so a second value would be ignored without a word; and a list or map
// used as a key has no name to report. Both are errors, checked over the whole
// document before anything reads it.
//
// YAML aliases may make the tree a graph: an alias inside its own anchor
// (`a: &x {b: *x}`) is a cycle, and nested aliases expand exponentially
// ("billion laughs"); both are refused rather than walked forever.
constexpr size_t kMaxYamlNodes = 100000;  // a GPU description has ~200
constexpr size_t kMaxYamlDepth = 64;

void check_keys(const YAML::Node& node, const std::string& label, const std::string& prefix,
                std::vector<YAML::Node>& path, size_t& visited) {
  if (node.IsScalar()) {
    // yaml-cpp can return a scalar that is not UTF-8 from well-formed text (fuzzing found one: control
    // characters around U+0485, whose second byte 0x85 is YAML's NEL break); results carry scalars into JSON.
    if (const size_t bad = invalid_utf8_at(node.Scalar()); bad != std::string_view::npos) {
      throw Error(fmt::format("{}: the value of '{}' is not UTF-8 text as YAML reads it (byte 0x{:02X})",
                              at_line(label, node), prefix.empty() ? "the document" : prefix,
                              static_cast<unsigned char>(node.Scalar()[bad])));
    }
    return;
  }
  if (!node.IsSequence() && !node.IsMap()) return;
  for (const YAML::Node& above : path) {
    if (above.is(node)) {
      throw Error(fmt::format("{}: '{}' contains itself through a YAML alias", at_line(label, node),
                              prefix.empty() ? "the document" : prefix));
    }
  }
  if (path.size() >= kMaxYamlDepth) {
    throw Error(fmt::format("{}: lists and maps nested more than {} deep; a GPU description nests 5",
                            at_line(label, node), kMaxYamlDepth));
  }
  if (++visited > kMaxYamlNodes) {
    throw Error(fmt::format("{}: more than {} YAML nodes (aliases expanding?); a GPU description has a few hundred",
                            label, kMaxYamlNodes));
  }
  path.push_back(node);
  if (node.IsSequence()) {
    for (const auto& item : node) check_keys(item, label, prefix, path, visited);
    path.pop_back();
    return;
  }
  std::map<std::string, int> first_line;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar())
      throw Error(fmt::format("{}: a key must be a plain name, not a list or map", at_line(label, kv.first)));
    if (invalid_utf8_at(kv.first.Scalar()) != std::string_view::npos)
      throw Error(fmt::format("{}: a key is not UTF-8 text as YAML reads it", at_line(label, kv.first)));
    const std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
    const auto [it, fresh] = first_line.emplace(kv.first.Scalar(), kv.first.Mark().line + 1);
    if (!fresh) {
      throw Error(
          fmt::format("{}: duplicate key '{}' (first given at line {})", at_line(label, kv.first), key, it->second));
    }
    check_keys(kv.second, label, key, path, visited);
  }
  path.pop_back();
}

void parse_document(Document& doc, const std::string& text) {
  if (const size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n');
    throw Error(fmt::format("{}:{}: not UTF-8 text (byte 0x{:02X}); a GPU description is UTF-8 YAML", doc.label, line,
                            static_cast<unsigned char>(text[bad])));
  }
  try {
    doc.root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw Error(fmt::format("{}:{}:{}: malformed YAML: {}", doc.label, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (!doc.root.IsMap()) throw Error(doc.label + ": a GPU description must be a YAML map with name and params");
  std::vector<YAML::Node> path;
  size_t visited = 0;
  check_keys(doc.root, doc.label, "", path, visited);
  for (const auto& kv : doc.root) {
    const std::string k = kv.first.as<std::string>();
    static const std::vector<std::string> kTop = {"name", "display_name", "inherits", "params"};
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) {
      const std::string hint = closest_match(k, kTop);
      throw Error(fmt::format("{}: unknown top-level key '{}'{}", at_line(doc.label, kv.first), k,
                              hint.empty() ? "; expected name, display_name, inherits, params"
                                           : fmt::format("; did you mean '{}'?", hint)));
    }
  }
  for (const char* k : {"name", "params"}) {
    if (!doc.root[k]) throw Error(fmt::format("{}: missing top-level key '{}'", doc.label, k));
  }
  for (const char* k : {"name", "display_name", "inherits"}) {
    if (doc.root[k] && !doc.root[k].IsScalar()) {
      throw Error(fmt::format("{}: '{}' must be text", at_line(doc.label, doc.root[k]), k));
    }
  }
}

Document read_document(std::string_view name_or_path, const fs::path& relative_to) {
  const std::string s(name_or_path);
  const bool is_path = s.find('/') != std::string::npos || s.ends_with(".yaml") || s.ends_with(".yml");
  Document doc;
  std::string text;
  if (!is_path && !relative_to.empty() && fs::exists(relative_to / (s + ".yaml"))) {
    doc.path = relative_to / (s + ".yaml");
  } else if (is_path) {
    doc.path = fs::path(s);
    if (doc.path.is_relative() && !relative_to.empty() && !fs::exists(doc.path)) doc.path = relative_to / doc.path;
  }
  if (!doc.path.empty()) {
    // A folder, FIFO or device (`inherits: /dev/zero`) would read as empty or never end.
    if (fs::exists(doc.path) && !fs::is_regular_file(doc.path)) {
      throw Error(fmt::format("cannot read GPU description '{}': not a regular file (a folder, device or FIFO)",
                              doc.path.string()));
    }
    std::ifstream in(doc.path);
    if (!in) {
      throw Error(fmt::format("cannot read GPU description '{}': {}", doc.path.string(),
                              fs::exists(doc.path) ? "permission denied or not a file" : "no such file"));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    doc.label = doc.path.string();
  } else {
    bool found = false;
    for (const EmbeddedFile& f : embedded_gpu_presets()) {
      if (f.name == s + ".yaml") {
        text = std::string(f.text);
        doc.label = "models/gpus/" + std::string(f.name);
        found = true;
      }
    }
    if (!found) {
      std::vector<std::string> names;
      for (const auto& p : list_gpu_presets()) names.push_back(p.name);
      const std::string hint = closest_match(s, names);
      throw Error(fmt::format("unknown GPU '{}'{}; known presets: {} (or give a path to a .yaml file)", s,
                              hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), fmt::join(names, ", ")));
    }
  }
  parse_document(doc, text);
  return doc;
}

struct Resolved {
  std::string name;
  std::string display_name;
  std::vector<std::string> chain;
  ParamTable table;
};

Resolved resolve(std::string_view name_or_path, const fs::path& relative_to, std::vector<std::string>& visiting) {
  Document doc = read_document(name_or_path, relative_to);
  const std::string name = doc.root["name"].as<std::string>();
  if (std::find(visiting.begin(), visiting.end(), name) != visiting.end()) {
    visiting.push_back(name);
    throw Error(fmt::format("{}: inheritance cycle: {}", doc.label, fmt::join(visiting, " -> ")));
  }
  visiting.push_back(name);
  Resolved r;
  if (doc.root["inherits"]) {
    const fs::path dir = doc.path.empty() ? fs::path() : doc.path.parent_path();
    r = resolve(doc.root["inherits"].as<std::string>(), dir, visiting);
  }
  r.name = name;
  r.display_name = doc.root["display_name"] ? doc.root["display_name"].as<std::string>() : name;
  r.chain.insert(r.chain.begin(), name);
  ParamTable own;
  flatten(doc.root["params"], "", doc, own);
  for (const auto& [k, p] : own.all()) r.table.set(k, p);
  visiting.pop_back();
  return r;
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      }
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = std::max<size_t>(3, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    // A word that begins a candidate ("h800" of "h800-sxm") counts as close.
    const size_t d = c.starts_with(word) && !word.empty() ? 1 : distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

std::vector<PresetInfo> list_gpu_presets() {
  std::vector<PresetInfo> out;
  for (const EmbeddedFile& f : embedded_gpu_presets()) {
    YAML::Node root = YAML::Load(std::string(f.text));
    out.push_back({root["name"].as<std::string>(), root["display_name"] ? root["display_name"].as<std::string>() : "",
                   root["inherits"] ? root["inherits"].as<std::string>() : ""});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

HardwareSpec load_gpu(std::string_view name_or_path, const std::vector<std::string>& overrides,
                      const std::vector<ConfigOverlay>& overlays) {
  std::vector<std::string> visiting;
  Resolved r = resolve(name_or_path, fs::path(), visiting);
  for (const ConfigOverlay& o : overlays) {
    Document doc;
    doc.label = o.label;
    parse_document(doc, o.yaml);
    if (doc.root["inherits"]) throw Error(o.label + ": an overlay cannot inherit; it applies to the GPU it is given");
    ParamTable own;
    flatten(doc.root["params"], "", doc, own);
    for (const auto& [k, p] : own.all()) r.table.set(k, p);
  }
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw Error(fmt::format("--set '{}': expected key=value, e.g. --set hbm.bandwidth_GBps=4800", o));
    }
    const std::string key = o.substr(0, eq);
    const std::string text = o.substr(eq + 1);
    if (invalid_utf8_at(o) != std::string_view::npos) throw Error(fmt::format("--set: '{}' is not UTF-8 text", o));
    YAML::Node value;
    try {
      value = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
      throw Error(fmt::format("--set {}: cannot parse value '{}': {}", key, text, e.msg));
    }
    if (!value.IsDefined() || value.IsNull()) throw Error(fmt::format("--set {}: missing value", key));
    auto [canonical, v] = convert(key, value, "--set " + key);
    r.table.set(canonical, Param{v, "override: --set " + o, "--set"});
  }
  for (const ParamDef& d : gpu_param_schema()) {
    if (!r.table.contains(std::string(d.key))) {
      throw Error(fmt::format("{}: missing key '{}' ({}); add it to the file or to a preset it inherits", r.name, d.key,
                              d.description));
    }
  }
  return HardwareSpec::from_params(r.name, r.display_name, r.chain, std::move(r.table));
}

nlohmann::json resolved_config_json(const HardwareSpec& spec) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [key, p] : spec.params.all()) {
    auto unit = unit_of_key(key);
    params[key] = {{"value", to_json(p.value)},
                   {"unit", unit ? std::string(unit->display) : std::string()},
                   {"source", p.source},
                   {"set_at", p.origin}};
  }
  return {
      {"gpu", spec.name}, {"display_name", spec.display_name}, {"inherits", spec.inherits_chain}, {"params", params}};
}

}  // namespace hwsim
