#pragma once
// A small command-line layer: each subcommand declares its options (name,
// value, help, default) and gets parsed arguments; unknown options, missing
// values and stray arguments are errors with a did-you-mean. Subcommands are
// listed in one place, commands.cpp.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hwsim::cli {

// The whole numbers an integer option accepts, checked when the command line
// is parsed (64-bit, before any narrowing) so a bad value stops before
// anything runs.
struct IntRange {
  long long min;
  long long max;
};

struct Option {
  std::string name;        // without dashes: "gpu"
  std::string value_name;  // "NAME"; empty for a flag
  std::string help;
  std::string default_value;  // shown in help and returned when absent; empty = none
  bool repeatable = false;
  std::optional<IntRange> range = std::nullopt;  // set: a whole number in range (shown in help)
};

class Args {
 public:
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  // The last value given, or the option's default; throws if neither exists.
  const std::string& get(const std::string& name) const;
  std::optional<std::string> maybe(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;
  long long integer(const std::string& name) const;  // throws naming the option
  double number(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend Args parse(const struct Command&, const std::vector<std::string>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::map<std::string, std::string> defaults_;
  std::map<std::string, IntRange> ranges_;
  std::vector<std::string> positional_;
};

struct Command {
  std::string name;         // "gpus show"
  std::string summary;      // one line for `hwsim --help`
  std::string usage;        // positional part, e.g. "NAME"
  std::string description;  // paragraph for `hwsim NAME --help`
  std::vector<Option> options;
  int min_positional = 0;
  int max_positional = 0;
  std::function<int(const Args&)> run;
};

Args parse(const Command& cmd, const std::vector<std::string>& argv);
std::string help_text(const Command& cmd);

// The `--gpu` and `--set` options every simulating command shares.
Option gpu_option(std::string default_gpu = "h800-sxm");
Option set_option();

}  // namespace hwsim::cli
