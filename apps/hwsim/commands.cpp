#include "apps/hwsim/commands.hpp"

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

}  // namespace hwsim::cli
