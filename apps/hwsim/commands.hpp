#pragma once
// The one place where hwsim's subcommands are listed (commands.cpp). Each
// subcommand lives in its own cmd_*.cpp and exposes a factory here.
#include <vector>

#include "apps/hwsim/cli.hpp"

namespace hwsim::cli {

std::vector<Command> all_commands();

// Factories, one per file.
Command gpus_list_command();
Command gpus_show_command();
Command predict_command();
Command validate_command();
Command step_command();

}  // namespace hwsim::cli
