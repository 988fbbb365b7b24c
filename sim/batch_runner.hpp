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
// crashes gives each of its kernels a message saying so.
std::vector<std::vector<Prediction>> run_batches(const std::vector<ConfigBatch>& batches,
                                                 const PredictorFactory& factory, int jobs);

}  // namespace hwsim
