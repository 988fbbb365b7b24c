#pragma once
// The interface every timing model offers to the layers above it (workloads,
// studies, validation): the time of one kernel launch, given by the record
// schema's kernel kind and params. The cycle-approximate simulator and the
// roofline baseline both implement it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hwsim {

struct Prediction {
  std::optional<double> time_us;  // absent when the model cannot run the kernel
  std::string error;              // why, when time_us is absent
  // Optional statistics for reports: "flops", "hbm_bytes", "tensor_busy"
  // (fraction), and whatever else the model knows (the simulator's KernelResult).
  nlohmann::json detail = nlohmann::json::object();
  bool crashed = false;    // the process simulating it died: a fault of hwsim, never of the record
  bool timed_out = false;  // its simulation ran longer than the caller's limit and was stopped
};

struct KernelRequest {
  std::string kind;
  nlohmann::json params;
};

// Contract: constructed once per process for one GPU; predict() may be called
// many times and each call is independent of the ones before it. prepare()
// only changes how fast later predict() calls answer, never what they answer.
class KernelPredictor {
 public:
  virtual ~KernelPredictor() = default;
  virtual Prediction predict(const std::string& kernel, const nlohmann::json& params) = 0;
  // The kernels a caller is about to ask for, costliest first: a model may
  // compute them ahead, in up to `jobs` processes at once.
  virtual void prepare(const std::vector<KernelRequest>& /*kernels*/, int /*jobs*/) {}
};

}  // namespace hwsim
