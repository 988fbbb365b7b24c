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
#include "validate/compare/records.hpp"

namespace hwsim {

struct Prediction {
  std::optional<double> time_us;  // absent when the model cannot run the kernel
  std::string error;              // why, when time_us is absent
};

// Contract: constructed once per process for one GPU; predict() may be called
// many times and each call is independent of the ones before it.
class KernelPredictor {
 public:
  virtual ~KernelPredictor() = default;
  virtual Prediction predict(const std::string& kernel, const nlohmann::json& params) = 0;
};

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
