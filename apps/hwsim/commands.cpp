#include "apps/hwsim/commands.hpp"

namespace hwsim::cli {

std::vector<Command> all_commands() {
  return {
      gpus_list_command(),
      gpus_show_command(),
      run_command(),
      bench_command(),
  };
}

}  // namespace hwsim::cli
