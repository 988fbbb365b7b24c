#include "apps/hwsim/commands.hpp"

namespace hwsim::cli {

std::vector<Command> all_commands() {
  return {
      gpus_list_command(),
      gpus_show_command(),
      predict_command(),
      validate_command(),
      step_command(),
  };
}

}  // namespace hwsim::cli
