#pragma once
// Runs batches of kernel launches, one hardware configuration per batch, each
// batch in a child process of its own (SystemC elaborates once per process),
// several at a time. Within a batch, identical kernels are simulated once.
// The parent never touches SystemC and may call this repeatedly.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/spec/hardware_spec.hpp"
#include "sim/config/gpu_loader.hpp"
#include "sim/kernel_predictor.hpp"

namespace hwsim {

using PredictorFactory = std::function<std::unique_ptr<KernelPredictor>(const HardwareSpec&)>;

struct ConfigBatch {
  std::string gpu;                     // preset name or .yaml path
  std::vector<std::string> overrides;  // "key=value", as --set
  std::vector<KernelRequest> kernels;
  std::vector<ConfigOverlay> overlays = {};  // spec deltas, applied before the overrides
};

// One Prediction per kernel of every batch, in order. A configuration that
// cannot be loaded gives each of its kernels the load error; a child that
// crashes gives the kernels it had not finished a message saying so.
//
// `max_seconds_per_kernel` > 0 bounds each kernel's simulation: a child that
// reports no result for that long is killed, the kernel it was simulating is
// answered "timed out after S s" (timed_out set), and a fresh child goes on
// with the batch's next kernel. The first kernel of a child's share also
// loads the GPU description within its limit.
std::vector<std::vector<Prediction>> run_batches(const std::vector<ConfigBatch>& batches,
                                                 const PredictorFactory& factory, int jobs,
                                                 double max_seconds_per_kernel = 0);

}  // namespace hwsim
