#include "apps/hwsim/commands.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::cli {

std::vector<Command> all_commands() {
  return {
      gpus_list_command(),
      gpus_show_command(),
      gpus_schema_command(),
      kernels_list_command(),
      kernels_show_command(),
      run_command(),
      bench_command(),
      predict_command(),
      validate_command(),
      study_command(),
      numerics_gemm_command(),
      numerics_error_command(),
      numerics_quantize_command(),
      numerics_check_command(),
      numerics_evidence_command(),
      numerics_bench_command(),
      report_command(),
      step_command(),
      sweep_run_command(),
      sweep_status_command(),
      sweep_collect_command(),
      sweep_exec_command(),
      trace_predict_command(),
  };
}

std::pair<const Command*, size_t> select_command(const std::vector<Command>& commands,
                                                 const std::vector<std::string>& args) {
  if (args.empty()) throw Error("no command given; `hwsim --help` lists the commands");
  const Command* cmd = nullptr;
  size_t words = 0;
  for (const auto& c : commands) {
    std::vector<std::string> parts;
    for (size_t s = 0, e; s <= c.name.size(); s = e + 1) {
      e = c.name.find(' ', s);
      if (e == std::string::npos) e = c.name.size();
      parts.push_back(c.name.substr(s, e - s));
    }
    if (parts.size() <= args.size() && parts.size() > words && std::equal(parts.begin(), parts.end(), args.begin())) {
      cmd = &c;
      words = parts.size();
    }
  }
  if (cmd != nullptr) return {cmd, words};
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.name);
  std::string attempt = args[0];
  if (args.size() > 1 && !args[1].starts_with("-")) attempt += " " + args[1];
  std::string hint = closest_match(attempt, names);
  if (hint.empty()) hint = closest_match(args[0], names);
  for (const auto& n : names) {  // "hwsim gpus" alone: list the group's commands
    if (n.starts_with(args[0] + " ") && hint.empty()) hint = n;
  }
  throw Error(fmt::format("unknown command '{}'{}; `hwsim --help` lists the commands", attempt,
                          hint.empty() ? "" : fmt::format(" (did you mean 'hwsim {}'?)", hint)));
}

}  // namespace hwsim::cli
