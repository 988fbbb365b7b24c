#include "models/spec/param_table.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "models/spec/error.hpp"

namespace hwsim {

const Param& ParamTable::at(const std::string& key) const {
  auto it = params_.find(key);
  if (it == params_.end()) throw Error("hardware parameter '" + key + "' is missing");
  return it->second;
}

double ParamTable::number(const std::string& key) const {
  const Param& p = at(key);
  if (const double* d = std::get_if<double>(&p.value)) return *d;
  throw Error("hardware parameter '" + key + "' (" + p.origin + ") must be a number");
}

std::int64_t ParamTable::integer(const std::string& key) const {
  double d = number(key);
  if (std::floor(d) != d || std::fabs(d) > 9.0e15) {
    throw Error("hardware parameter '" + key + "' (" + at(key).origin + ") must be a whole number, got " +
                fmt::format("{}", d));
  }
  return static_cast<std::int64_t>(d);
}

bool ParamTable::flag(const std::string& key) const {
  const Param& p = at(key);
  if (const bool* b = std::get_if<bool>(&p.value)) return *b;
  throw Error("hardware parameter '" + key + "' (" + p.origin + ") must be true or false");
}

const std::string& ParamTable::text(const std::string& key) const {
  const Param& p = at(key);
  if (const std::string* s = std::get_if<std::string>(&p.value)) return *s;
  throw Error("hardware parameter '" + key + "' (" + p.origin + ") must be text");
}

std::vector<double> ParamTable::numbers(const std::string& key) const {
  const Param& p = at(key);
  if (const auto* v = std::get_if<std::vector<double>>(&p.value)) return *v;
  throw Error("hardware parameter '" + key + "' (" + p.origin + ") must be a list of numbers");
}

std::string to_string(const ParamValue& v) {
  struct Visitor {
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::vector<double>& l) const { return fmt::format("[{}]", fmt::join(l, ", ")); }
  };
  return std::visit(Visitor{}, v);
}

nlohmann::json to_json(const ParamValue& v) {
  struct Visitor {
    nlohmann::json operator()(double d) const {
      if (std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
      return d;
    }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(const std::vector<double>& l) const {
      nlohmann::json a = nlohmann::json::array();
      for (double d : l) a.push_back((*this)(d));
      return a;
    }
  };
  return std::visit(Visitor{}, v);
}

}  // namespace hwsim
