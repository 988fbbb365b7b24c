#pragma once
// One DeepSeek-V3 pre-training step on the report's cluster (V3 3.1-3.2):
// 2,048 H800s, PP16 with DualPipe, EP64 over 8 nodes, ZeRO-1 data
// parallelism, no tensor parallelism. Compute comes from a KernelPredictor
// (the roofline baseline today, the cycle-approximate simulator later: only
// the predictor changes), communication from workloads/comm over the
// interconnect model, the schedule from dualpipe.hpp, then the ZeRO-1
// optimizer. Every assumption is listed in docs/multigpu.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"
#include "workloads/comm/comm_kernel.hpp"
#include "workloads/comm/ep_comm.hpp"
#include "workloads/comm/routing.hpp"
#include "workloads/deepseek_v3/dualpipe.hpp"
#include "workloads/deepseek_v3/step_costs.hpp"

namespace hwsim::deepseek_v3 {

struct StepOptions {
  int gpus = 2048;                // V3 3.1
  int pp = 16;                    // V3 3.2
  int ep = 64;                    // V3 3.2
  int seq = 4096;                 // one 4K sequence per micro-batch per GPU (V3 4.2)
  int global_batch_seqs = 15360;  // V3 4.2, the batch after its ramp
  bool mtp = true;                // multi-token prediction module (depth from config.json)
  bool skewed_routing = false;    // balanced by default, as DeepSeek's published profile
  double skew_sigma = 0.5;
  std::uint64_t seed = 1;

  // Throws hwsim::Error naming the option when a `key=value` is unknown or invalid.
  void set(const std::string& assignment);
};

struct StepResult {
  std::string gpu;
  std::string comm_model;
  StepOptions options;
  int micro_batches = 0;
  int dp = 0, expert_dp = 0;
  double step_s = 0;
  // Breakdown of the reported rank (rank 0), V3 / ISCA Table 4's columns.
  double f_s = 0, b_s = 0, w_s = 0, fb_s = 0, bubble_s = 0, optimizer_s = 0;
  double tokens_per_step = 0;
  double tokens_per_gpu_s = 0;
  double model_flops_per_token = 0;  // causal attention, as the kernels compute
  double tflops_per_gpu = 0;         // non-causal attention FLOPs (ISCA Table 4 convention)
  double tflops_per_gpu_causal = 0;
  double mfu = 0;  // non-causal TFLOPS / dense BF16 peak of the spec
  double gpu_hours_per_trillion_tokens = 0;
  double p2p_s = 0;
  std::vector<ChunkTimes> stage_times;
  std::vector<RankBreakdown> ranks;
  std::vector<BlockCost> moe_block;  // one MoE layer (for reports)
  comm::CommKernelResult dispatch, combine;
  std::vector<comm::CommKernelResult> optimizer_collectives;
  int distinct_kernels = 0;

  nlohmann::json to_json() const;
};

// Throughput metrics from a step time (shared by the model and its checks
// against published figures).
double tokens_per_gpu_second(double tokens_per_step, int gpus, double step_s);
double gpu_hours_per_trillion_tokens(double tokens_per_gpu_s);

// `routings`: where to keep sampled routings across calls (a study's many
// steps); null samples afresh. The result is the same either way.
StepResult simulate_step(const HardwareSpec& spec, KernelPredictor& predictor, const comm::EpComm& comm,
                         const StepOptions& options, comm::RoutingSamples* routings = nullptr);

}  // namespace hwsim::deepseek_v3
