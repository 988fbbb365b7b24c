#include "apps/hwsim/cli.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::cli {

const std::string& Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it != values_.end()) return it->second.back();
  auto d = defaults_.find(name);
  if (d != defaults_.end() && !d->second.empty()) return d->second;
  throw Error("missing required option --" + name);
}

std::optional<std::string> Args::maybe(const std::string& name) const {
  if (has(name) || (defaults_.count(name) && !defaults_.at(name).empty())) return get(name);
  return std::nullopt;
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

namespace {

// A 64-bit whole number, or an error naming the option and, where the option
// declares one, its range; never a wrapped or truncated value.
long long parse_integer(const std::string& name, const std::string& s, const std::optional<IntRange>& range) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  const bool parsed = ec == std::errc{} && p == s.data() + s.size();
  if (parsed && (!range || (v >= range->min && v <= range->max))) return v;
  if (!range) throw Error(fmt::format("--{} {}: expected a whole number", name, s));
  throw Error(fmt::format("--{} {}: expected a whole number in {}..{}", name, s, range->min, range->max));
}

}  // namespace

long long Args::integer(const std::string& name) const {
  const auto r = ranges_.find(name);
  return parse_integer(name, get(name), r == ranges_.end() ? std::nullopt : std::optional<IntRange>(r->second));
}

double Args::number(const std::string& name) const {
  const std::string& s = get(name);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range && p == s.data() + s.size()) {
    // Beyond a double ("1e400", "1e-400"): as strtod reads it (an infinity or zero), so that the option's own
    // range check refuses it with the range instead of "expected a number".
    return std::strtod(s.c_str(), nullptr);
  }
  if (ec != std::errc{} || p != s.data() + s.size()) throw Error(fmt::format("--{} {}: expected a number", name, s));
  return v;
}

Args parse(const Command& cmd, const std::vector<std::string>& argv) {
  Args args;
  for (const Option& o : cmd.options) {
    args.defaults_[o.name] = o.default_value;
    if (o.range) args.ranges_[o.name] = *o.range;
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() > 2 && a.starts_with("--")) {
      std::string name = a.substr(2);
      std::optional<std::string> inline_value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      const Option* opt = nullptr;
      for (const Option& o : cmd.options) {
        if (o.name == name) opt = &o;
      }
      if (opt == nullptr) {
        std::vector<std::string> names;
        for (const Option& o : cmd.options) names.push_back(o.name);
        const std::string hint = closest_match(name, names);
        throw Error(fmt::format("hwsim {}: unknown option --{}{}", cmd.name, name,
                                hint.empty() ? "" : fmt::format("; did you mean --{}?", hint)));
      }
      if (opt->value_name.empty()) {
        if (inline_value) throw Error(fmt::format("hwsim {}: --{} takes no value", cmd.name, name));
        args.values_[name].push_back("true");
        continue;
      }
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else {
        if (i + 1 >= argv.size()) {
          throw Error(fmt::format("hwsim {}: --{} needs a value ({})", cmd.name, name, opt->value_name));
        }
        value = argv[++i];
      }
      if (!opt->repeatable && args.values_.count(name)) {
        throw Error(fmt::format("hwsim {}: --{} given twice", cmd.name, name));
      }
      if (opt->range) parse_integer(name, value, opt->range);  // fail before anything runs
      args.values_[name].push_back(value);
    } else {
      args.positional_.push_back(a);
    }
  }
  const int n = static_cast<int>(args.positional_.size());
  if (n < cmd.min_positional) {
    throw Error(fmt::format("hwsim {}: missing {}; usage: hwsim {} {}", cmd.name, cmd.usage, cmd.name, cmd.usage));
  }
  if (n > cmd.max_positional) {
    throw Error(fmt::format("hwsim {}: unexpected argument '{}'", cmd.name, args.positional_[cmd.max_positional]));
  }
  return args;
}

std::string help_text(const Command& cmd) {
  std::string out = fmt::format("usage: hwsim {}{}{}\n\n{}\n", cmd.name, cmd.options.empty() ? "" : " [options]",
                                cmd.usage.empty() ? "" : " " + cmd.usage, cmd.description);
  if (!cmd.options.empty()) out += "\noptions:\n";
  for (const Option& o : cmd.options) {
    std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    std::string right = o.help;
    if (o.range) right += fmt::format(" ({}..{})", o.range->min, o.range->max);
    if (!o.default_value.empty() && !o.value_name.empty()) right += " (default: " + o.default_value + ")";
    if (o.repeatable) right += " [repeatable]";
    out += fmt::format("{:<28} {}\n", left, right);
  }
  out += fmt::format("{:<28} {}\n", "  --help", "show this help");
  return out;
}

Option gpu_option(std::string default_gpu) {
  return {"gpu", "NAME|FILE", "GPU preset (hwsim gpus list) or a .yaml description", std::move(default_gpu)};
}

Option set_option() {
  return {"set", "KEY=VALUE", "override a hardware parameter, e.g. hbm.bandwidth_GBps=4800", "", true};
}

}  // namespace hwsim::cli
