// hwsim: the command-line front end. Dispatches to the subcommands listed in
// commands.cpp; every hwsim::Error becomes one line on stderr and exit code 1.
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/version.hpp"
#include "models/io/interrupt_cleanup.hpp"
#include "models/spec/error.hpp"

namespace {

void print_overview(const std::vector<hwsim::cli::Command>& commands) {
  fmt::print(
      "hwsim {}: a cycle-approximate simulator of H800-class GPUs and of the hardware\n"
      "recommendations of the DeepSeek-V3 report.\n\nusage: hwsim COMMAND [options]\n\ncommands:\n",
      hwsim::kVersion);
  for (const auto& c : commands) fmt::print("  {:<20} {}\n", c.name, c.summary);
  fmt::print("\n`hwsim COMMAND --help` describes a command; `hwsim --version` prints the version.\n");
}

}  // namespace

int main(int argc, char** argv) {
  hwsim::install_interrupt_cleanup();  // before any thread or child process exists
  std::vector<std::string> args(argv + 1, argv + argc);
  const auto commands = hwsim::cli::all_commands();
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      print_overview(commands);
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      fmt::print("hwsim {} (git {})\n", hwsim::kVersion, hwsim::kGitHash);
      return 0;
    }
    const auto [cmd, words] = hwsim::cli::select_command(commands, args);
    std::vector<std::string> rest(args.begin() + static_cast<long>(words), args.end());
    for (const auto& r : rest) {
      if (r == "--help" || r == "-h") {
        fmt::print("{}", hwsim::cli::help_text(*cmd));
        return 0;
      }
    }
    const hwsim::cli::Args parsed = hwsim::cli::parse(*cmd, rest);
    return cmd->run(parsed);
  } catch (const hwsim::Error& e) {
    std::cout.flush();
    fmt::print(stderr, "hwsim: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    fmt::print(stderr, "hwsim: internal error: {}\n", e.what());
    return 3;
  }
}
