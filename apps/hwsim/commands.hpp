#pragma once
// The one place where hwsim's subcommands are listed (commands.cpp). Each
// subcommand lives in its own cmd_*.cpp and exposes a factory here.
#include <string>
#include <utility>
#include <vector>

#include "apps/hwsim/cli.hpp"

namespace hwsim::cli {

std::vector<Command> all_commands();

// The command `args` (the command line after "hwsim") names, longest match
// first ("gpus show" before "gpus"), and how many words its name took.
// Throws hwsim::Error with a did-you-mean for an unknown command. `args`
// must not be empty.
std::pair<const Command*, size_t> select_command(const std::vector<Command>& commands,
                                                 const std::vector<std::string>& args);

// Factories, one per file.
Command gpus_list_command();
Command gpus_show_command();
Command gpus_schema_command();
Command kernels_list_command();
Command kernels_show_command();
Command predict_command();
Command validate_command();
Command study_command();
Command numerics_gemm_command();
Command numerics_error_command();
Command numerics_check_command();
Command numerics_evidence_command();
Command numerics_bench_command();
Command run_command();
Command bench_command();
Command numerics_quantize_command();
Command report_command();
Command step_command();
Command sweep_run_command();
Command sweep_status_command();
Command sweep_collect_command();
Command sweep_exec_command();
Command trace_predict_command();

}  // namespace hwsim::cli
