#pragma once
// The roofline baseline: time = launch overhead + max(FLOPs / tensor or CUDA-core
// peak, compulsory bytes / sustained HBM bandwidth). It knows the kernels of
// the record schema only by their arithmetic and compulsory traffic, so it is
// the yardstick the cycle-approximate simulator must beat (`--model roofline`).
#include <memory>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"
#include "workloads/kernel_descriptor.hpp"

namespace hwsim {

// The kernels' work (KernelWork, kernel_work) comes from the kernel registry
// (workloads/kernel_descriptor.hpp): each kernel file declares it beside its
// program, so the roofline knows every kernel the engine does.
std::unique_ptr<KernelPredictor> make_roofline_predictor(const HardwareSpec& spec);

}  // namespace hwsim
