// Higher FP8 accumulation precision (DeepSeek-V3 3.5.2; ISCA 2025 3.1.2): the
// tensor core keeps more accumulator bits (FP32, or a configurable width). In
// DeepSeek's recipe every FP8 GEMM is block-scaled, and block scales must
// still be applied every 128 of K on the CUDA cores unless the tensor core
// also applies them (group_scaled_mma): so the kernels do not change and the
// proposal buys accuracy, which the numerics model measures, not time.
#include "hw_proposals/accumulation_precision/accumulation_precision.hpp"

#include "hw_proposals/proposal_assets.hpp"

namespace hwsim::proposals {
namespace {

class AccumulationPrecision final : public Proposal {
 public:
  std::string_view name() const override { return "accumulation_precision"; }
  std::string_view title() const override { return "FP32 accumulation in FP8 MMA"; }
  std::string_view summary() const override {
    return "The FP8 tensor-core accumulator keeps 23 fraction bits instead of Hopper's 13, removing the error "
           "that grows with K; block scales still need CUDA-core promotion, so GEMM time is unchanged.";
  }
  Level level() const override { return Level::kLayer; }
  std::vector<ConfigOverlay> spec_delta() const override { return {proposal_spec_delta("accumulation_precision")}; }
  void rewrite(std::vector<StudyKernel>&) const override {}
  std::vector<SensitivityParam> sensitivity() const override {
    return {
        {"tensor_core.fp8_accum_fraction_bits", "bits", "fraction bits the FP8 accumulator keeps", {13, 16, 19, 23}}};
  }
};

}  // namespace

std::unique_ptr<Proposal> make_accumulation_precision() { return std::make_unique<AccumulationPrecision>(); }

}  // namespace hwsim::proposals
