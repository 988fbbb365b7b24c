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
  double flops = 0;          // tensor-core FLOPs (GEMMs) or CUDA-core FLOPs
  bool tensor = false;       // whether flops run on tensor cores
  DataType mma_type = DataType::kBf16;
  double read_bytes = 0;     // compulsory HBM reads (each input once)
  double write_bytes = 0;    // compulsory HBM writes (each output once)
};

// Throws hwsim::Error naming the kernel or parameter when a record's kernel
// is unknown or a parameter is missing or invalid.
KernelWork kernel_work(const std::string& kernel, const nlohmann::json& params);

std::unique_ptr<KernelPredictor> make_roofline_predictor(const HardwareSpec& spec);

}  // namespace hwsim
