#pragma once
// A resolved, flat table of hardware parameters: dotted key -> value, unit and
// source. Built once by the loader (sim/config) and read by the typed
// parameter structs (hardware_spec.hpp); nothing reads YAML after that.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <variant>
#include <vector>

namespace hwsim {

using ParamValue = std::variant<double, std::string, bool, std::vector<double>>;

struct Param {
  ParamValue value;
  std::string source;  // "datasheet: ...", "paper: ...", "measured: <record id>", ...
  std::string origin;  // "h100-sxm.yaml:42" or "--set"
};

class ParamTable {
 public:
  void set(const std::string& key, Param p) { params_[key] = std::move(p); }
  bool contains(const std::string& key) const { return params_.count(key) != 0; }
  const Param& at(const std::string& key) const;

  // Typed reads; each throws hwsim::Error naming the key when it is missing
  // or of another type. Integers must be whole numbers.
  double number(const std::string& key) const;
  std::int64_t integer(const std::string& key) const;
  bool flag(const std::string& key) const;
  const std::string& text(const std::string& key) const;
  std::vector<double> numbers(const std::string& key) const;

  const std::map<std::string, Param>& all() const { return params_; }

 private:
  std::map<std::string, Param> params_;  // ordered: deterministic output
};

std::string to_string(const ParamValue& v);
nlohmann::json to_json(const ParamValue& v);

}  // namespace hwsim
