#pragma once
// The roofline baseline: time = launch overhead + max(FLOPs / tensor or CUDA-core
// peak, compulsory bytes / sustained HBM bandwidth). It knows the kernels of
// the record schema only by their arithmetic and compulsory traffic, so it is
// the yardstick the cycle-approximate simulator must beat (`--model roofline`).
#include <memory>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"

namespace hwsim {

struct KernelWork {
  double flops = 0;     // tensor-core FLOPs (GEMMs) or CUDA-core FLOPs
  bool tensor = false;  // whether flops run on tensor cores
  DataType mma_type = DataType::kBf16;
  double read_bytes = 0;   // compulsory HBM reads (each input once)
  double write_bytes = 0;  // compulsory HBM writes (each output once)
  double link_s = 0;       // communication kernels: time through their network port
  // Hardware features the kernel's params ask for (hw_proposals/):
  double tma_cast_bytes = 0;         // BF16 bytes the TMA casts to FP8
  double near_memory_bytes = 0;      // BF16 bytes cast beside the HBM (read inside the stacks)
  bool group_scaled = false;         // promotion inside the tensor core
  bool transposed_operands = false;  // MN-major FP8 operands
};

// Throws hwsim::Error naming the kernel or parameter when a record's kernel
// is unknown or a parameter is missing or invalid. Besides the record schema's
// kinds it knows `attention` {seq, heads, qk_dim, v_dim, causal, pass: fwd|bwd}
// and the proposals' params: gemm `a_source` (fp8 | bf16_tma_cast |
// bf16_near_memory_cast), `write_a_fp8_copy`, `promotion` (cuda_core |
// tensor_core), `operand_major` (k | mn); rmsnorm `out_dtype` (bf16 | fp8_e4m3 |
// bf16_and_fp8_e4m3); transpose_requant `input_source`.
KernelWork kernel_work(const std::string& kernel, const nlohmann::json& params);

std::unique_ptr<KernelPredictor> make_roofline_predictor(const HardwareSpec& spec);

}  // namespace hwsim
