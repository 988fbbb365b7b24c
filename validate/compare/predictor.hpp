#pragma once
// Runs the simulator over measurement records. SystemC can elaborate only once
// per process, so each GPU's records are simulated in a child process of
// their own (fork), several at a time; the parent never touches SystemC and
// can call this repeatedly. Records come back in their input order.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/spec/hardware_spec.hpp"
#include "sim/kernel_predictor.hpp"
#include "validate/compare/records.hpp"

namespace hwsim {

using PredictorFactory = std::function<std::unique_ptr<KernelPredictor>(const HardwareSpec&)>;

struct PredictOptions {
  std::vector<std::string> overrides;  // --set, applied to every GPU
  int jobs = 2;                        // child processes at once
};

// One Prediction per record, in order. A GPU that cannot be loaded gives every
// one of its records the load error.
std::vector<Prediction> predict_records(const std::vector<Record>& records, const PredictorFactory& factory,
                                        const PredictOptions& options);

}  // namespace hwsim
