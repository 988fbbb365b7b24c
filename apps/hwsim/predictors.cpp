#include "apps/hwsim/predictors.hpp"

#include <fmt/format.h>

#include "apps/hwsim/cache_options.hpp"
#include "models/spec/error.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

namespace hwsim::cli {
namespace {

// The cycle-approximate simulator behind the KernelPredictor interface: one
// GpuSimulator per process (SystemC elaborates once), each launch independent.
class SimulatorPredictor final : public KernelPredictor {
 public:
  SimulatorPredictor(const HardwareSpec& spec, const ResultCacheOptions& cache) : sim_(spec, {}, cache) {}

  void prepare(const std::vector<KernelRequest>& kernels, int jobs) override {
    std::vector<KernelDescriptor> ds;
    for (const KernelRequest& k : kernels) ds.push_back({k.kind, k.params});
    sim_.prefetch(ds, jobs);
  }

  Prediction predict(const std::string& kernel, const nlohmann::json& params) override {
    const KernelResult r = sim_.run({kernel, params});
    // What the launch draws at the maximum clock, for sequences that carry the
    // power controller's state across predicted kernels (a layer, the step).
    const KernelResult raw = sim_.run_unthrottled({kernel, params});
    const nlohmann::json load = to_json(sim_.power_load(raw, launch_options({kernel, params}, sim_.spec().sm.count)));
    auto at = [](const std::map<std::string, double>& m, const char* k) {
      auto it = m.find(k);
      return it == m.end() ? 0.0 : it->second;
    };
    return {r.time_us,
            "",
            {{"flops", r.flops},
             {"hbm_bytes", at(r.bytes, "hbm_read") + at(r.bytes, "hbm_write")},
             {"tensor_busy", at(r.busy, "tensor_core")},
             {"cycles", r.cycles},
             {"kernel_time_us", r.kernel_time_us},
             {"power_load", load}}};
  }

 private:
  GpuSimulator sim_;
};

}  // namespace

std::vector<std::string> predictor_names() { return {"sim", "roofline"}; }

PredictorFactory predictor_factory(const std::string& name, const ResultCacheOptions& cache) {
  if (name == "sim") {
    return [usable = usable_or_none(cache)](const HardwareSpec& s) {
      return std::make_unique<SimulatorPredictor>(s, usable);
    };
  }
  if (name == "roofline") return [](const HardwareSpec& s) { return make_roofline_predictor(s); };
  throw Error(
      fmt::format("--model {}: unknown timing model; expected one of: {}", name, fmt::join(predictor_names(), ", ")));
}

}  // namespace hwsim::cli
