// Near-memory compute (DeepSeek-V3 3.5.2): logic beside the HBM casts BF16 to
// FP8 with 1x128 scales as the data is read, so a GEMM that asks for FP8 tiles
// gets them while only FP8 crosses the package; the quantization kernels
// disappear and their BF16 reads stay inside the stacks.
#include "hw_proposals/near_memory_compute/near_memory_compute.hpp"

namespace hwsim::proposals {

void apply_near_memory_cast(std::vector<StudyKernel>& kernels) {
  for (auto& q : kernels) {
    if (q.kernel.kind != "quant_1x128" || q.change == Change::kRemoved) continue;
    bool served = false;
    for (const auto& c : q.kernel.consumers) {
      StudyKernel* k = find_kernel(kernels, c);
      if (k == nullptr || k->change == Change::kRemoved) continue;
      if (is_gemm(*k) && !served) {
        set_param(*k, "a_source", "bf16_near_memory_cast",
                  "A arrives as FP8 + scales, cast from BF16 by logic beside the HBM");
        served = true;
      } else if (k->kernel.kind == "transpose_requant") {
        set_param(*k, "input_source", "bf16_near_memory_cast", "reads the BF16 original through the near-memory cast");
      }
    }
    if (q.kernel.consumers == std::vector<std::string>{"dispatch"})
      served = true;  // the all-to-all reads it the same way
    if (served) mark_removed(q, "cast by logic beside the HBM as its consumers read");
  }
}

// The registration (internal linkage: a namespace-scope const).
const ProposalRegistration kRegistration{
    {.name = "near_memory_compute",
     .title = "Near-memory FP8 cast",
     .summary = "Logic beside the HBM casts BF16 to FP8 as it is read, so quantization kernels disappear and only FP8 "
                "crosses the package.",
     .rewrite = apply_near_memory_cast,
     .sensitivity = {sweep("hbm.near_memory_cast_GBps", "GB/s", "BF16 bytes per second the memory-side logic casts",
                           {800, 1600, 3352, 6704})}}};

}  // namespace hwsim::proposals
