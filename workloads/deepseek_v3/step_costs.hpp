#pragma once
// Per-micro-batch costs of the pieces of a DeepSeek-V3 pipeline stage, from
// the kernel lists of layer.hpp timed by a KernelPredictor (roofline now, the
// simulator later) and the EP communication model, and the overlap of a
// forward chunk with a backward chunk (V3 3.2.1, Fig. 4).
#include <map>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"
#include "workloads/deepseek_v3/layer.hpp"

namespace hwsim::deepseek_v3 {

// Seconds (and FLOPs) of one transformer block for one micro-batch on one
// GPU, split as the V3 chunk is: attention, dispatch, MLP, combine; the
// backward into backward-for-input (B) and backward-for-weights (W).
struct BlockCost {
  std::string kind;  // "dense", "moe", "head"
  double attn_f = 0, mlp_f = 0, attn_b = 0, mlp_b = 0, attn_w = 0, mlp_w = 0;
  double dispatch_f = 0, combine_f = 0;  // forward all-to-all (FP8 out, BF16 back)
  double dispatch_b = 0,
         combine_b = 0;        // backward: combine's gradient goes out in FP8 (V3 3.3.3), dispatch's back in BF16
  double flops = 0;            // forward + backward model FLOPs (recomputation excluded), attention as emitted (causal)
  double attention_flops = 0;  // of which the attention core
  // HBM bytes of the compute parts the overlap schedules as one item each
  // (attention forward, MLP forward, MLP backward B+W, attention backward B+W).
  double attn_f_hbm = 0, mlp_f_hbm = 0, mlp_bw_hbm = 0, attn_bw_hbm = 0;
  // The same four items' times with the communication's HBM traffic beside
  // them drawing power (the clock the cap then leaves); 0 = not timed, as alone.
  double attn_f_beside = 0, mlp_f_beside = 0, mlp_bw_beside = 0, attn_bw_beside = 0;
  // Takes the four items' times from the same block timed beside communication.
  void set_beside(const BlockCost& beside);
  double params = 0;         // weights replicated across the EP group (dense data parallel)
  double expert_params = 0;  // weights of the local experts (expert data parallel)

  double forward() const { return attn_f + dispatch_f + mlp_f + combine_f; }
  double backward_input() const { return combine_b + mlp_b + dispatch_b + attn_b; }
  double backward_weight() const { return attn_w + mlp_w; }
};

// Times kernels through the predictor, once per distinct (kind, params), on
// `sms` SMs (0: all): the SMs the communication kernels leave to compute. V3
// sets that split by hand (3.2.1) and DeepSeek's training profile shows its
// GEMMs launched on 112 CTAs beside DeepEP's 20 (REFERENCE A2), so every
// compute kernel of the step runs on the same SM subset.
// Each kernel is timed as the predictor gives it: in the sustained power
// regime, a kernel's own. The step's regime is sustained and a lone block's
// light kernels do not let the GPU cool: in the DualPipe overlap a forward and
// a backward chunk run together, so the heat follows both streams (not
// modelled; docs/multigpu.md section 5).
class KernelTimer {
 public:
  // `beside_hbm_GBps` > 0: kernels are timed with that much HBM traffic of
  // other kernels beside them (the power cap's share; param beside_hbm_GBps).
  explicit KernelTimer(KernelPredictor& predictor, int sms = 0, double beside_hbm_GBps = 0)
      : predictor_(predictor), sms_(sms), beside_(beside_hbm_GBps) {}
  // Seconds of `count` launches; throws hwsim::Error naming the kernel when
  // the predictor cannot time it.
  double seconds(const LayerKernel& k);
  // HBM bytes of `count` launches, as the predictor reports them.
  double hbm_bytes(const LayerKernel& k);
  int distinct() const { return static_cast<int>(cache_.size()); }

 private:
  struct Timed {
    double s = 0;
    double hbm_bytes = 0;
  };
  const Timed& lookup(const LayerKernel& k);
  KernelPredictor& predictor_;
  int sms_ = 0;
  double beside_ = 0;
  std::map<std::string, Timed> cache_;
};

// A kernel entry built by member (LayerKernel may grow fields).
LayerKernel make_kernel(std::string name, Phase phase, std::string kind, nlohmann::json params, std::string stands_for);

// Compute parts of a block from its kernel list (communication added by the caller).
BlockCost block_compute_cost(const std::string& kind, const std::vector<LayerKernel>& kernels, KernelTimer& timer);

// The kernels of a dense-MLP block (the first `first_k_dense_replace` layers):
// the MoE layer's attention part and, as MLP, the shared-expert path sized at
// `intermediate_size` (same kernels as a shared expert of that width).
std::vector<LayerKernel> dense_layer_kernels(const ModelShape& shape, const LayerOptions& options);

// Output head (BF16, V3 3.3.1) and the loss over the vocabulary.
std::vector<LayerKernel> head_kernels(const ModelShape& shape, int tokens);

// What the communication kernels take from compute while they run beside it:
// HBM bandwidth (the SMs they hold are already gone: kernels are timed on the
// rest). `comm_hbm_Bps` is the communication kernels' own HBM rate while they
// run (their buffer bytes over their time, workloads/comm); `hbm_Bps` what
// the compute kernels can get from HBM alone.
struct OverlapContention {
  double comm_hbm_Bps = 0;
  double hbm_Bps = 1;
};

// Forward of one micro-batch overlapped with the full backward (B + W) of
// another on one stage: two dependency chains (attention -> dispatch -> MLP
// -> combine forward; the reverse backward) list-scheduled on two resources,
// the compute SMs and the communication kernels, each running one operation
// at a time. While communication runs a fraction phi of the pair, a compute
// item moves to its time beside communication (the power cap's clock with the
// communication's HBM traffic counted) by phi of the difference, and one moving
// b HBM bytes loses bandwidth to it: phi * b * (1 / (B - r) - 1 / B) longer
// (B = hbm_Bps, r = comm_hbm_Bps); phi comes from the schedule itself (fixed
// point, two passes). The engine's
// concurrent run of ep_comm beside a memory-bound pass checks this rule
// (tests/workloads/test_kernels.cpp, "[ep_comm]").
double overlapped_fb_s(const std::vector<BlockCost>& blocks, const OverlapContention& contention);
// The same with the forward on one stage's blocks and the backward on
// another's (DualPipe rank r overlaps stage r with stage PP-1-r).
double overlapped_fb_s(const std::vector<BlockCost>& forward_blocks, const std::vector<BlockCost>& backward_blocks,
                       const OverlapContention& contention);

}  // namespace hwsim::deepseek_v3
