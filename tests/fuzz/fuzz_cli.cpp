// Fuzz target: the command line (apps/hwsim/cli.cpp, commands.cpp). The input
// is the arguments after "hwsim", one per line; the command is selected and
// its options parsed as main() does, then every option is read back the way
// the commands read them (text, whole numbers, numbers). Nothing is run.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/hwsim/commands.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<hwsim::cli::Command> commands = hwsim::cli::all_commands();
  const std::vector<std::string> args = hwsim::fuzz::lines(std::string_view(reinterpret_cast<const char*>(data), size));
  if (args.empty()) return 0;
  hwsim::fuzz::expect_clean_error([&] {
    const auto [cmd, words] = hwsim::cli::select_command(commands, args);
    (void)hwsim::cli::help_text(*cmd);
    const std::vector<std::string> rest(args.begin() + static_cast<long>(words), args.end());
    const hwsim::cli::Args parsed = hwsim::cli::parse(*cmd, rest);
    for (const hwsim::cli::Option& o : cmd->options) {
      (void)parsed.all(o.name);
      if (!parsed.maybe(o.name)) continue;
      if (o.range) {
        (void)parsed.integer(o.name);
      } else if (!o.value_name.empty()) {
        hwsim::fuzz::expect_clean_error([&] { (void)parsed.number(o.name); });
      }
    }
  });
  return 0;
}
