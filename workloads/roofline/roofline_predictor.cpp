#include "workloads/roofline/roofline_predictor.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim {
namespace {

class RooflinePredictor final : public KernelPredictor {
 public:
  explicit RooflinePredictor(const HardwareSpec& spec) : spec_(spec) {}

  Prediction predict(const std::string& kernel, const nlohmann::json& params) override {
    const KernelWork w = kernel_work(kernel, params);
    require_features(w, kernel);
    // A launch restricted to fewer SMs (`sms`, as every kernel accepts) gets
    // their share of the compute rate; HBM is shared by all SMs.
    const LaunchOptions o = launch_options({kernel, params}, spec_.sm.count);
    const double sms = o.sms > 0 ? o.sms : spec_.sm.count;
    const double sm_share = sms / spec_.sm.count;
    const double compute_rate =
        sm_share * (w.tensor ? spec_.peak_flops(w.mma_type)
                             : spec_.cuda_core.fp32_flop_per_clk * spec_.sm.count * spec_.sm_clock_hz());
    // Reads and writes mixed in proportion, each at its sustained efficiency.
    const double hbm = spec_.hbm_bytes_per_s();
    const double mem_s =
        w.read_bytes / (hbm * spec_.hbm.read_efficiency) + w.write_bytes / (hbm * spec_.hbm.write_efficiency);
    double s = std::max({w.flops / compute_rate, mem_s, w.link_s});
    if (w.tma_cast_bytes > 0) {
      s = std::max(s, w.tma_cast_bytes / (spec_.tma.fp8_cast_bytes_per_clk * spec_.sm.count * spec_.sm_clock_hz()));
    }
    if (w.near_memory_bytes > 0) {
      const double rate = std::min(spec_.hbm.near_memory_cast_GBps, spec_.hbm.internal_bandwidth_GBps) * 1e9;
      s = std::max(s, w.near_memory_bytes / rate);
    }
    const double flops_s = w.flops / compute_rate;
    return {
        sim::us_from_seconds(s) + spec_.launch.overhead_us,
        "",
        {{"flops", w.flops},
         {"hbm_bytes", w.read_bytes + w.write_bytes},
         {"tensor_busy", w.tensor && s > 0 ? flops_s / (s + sim::seconds_from_us(spec_.launch.overhead_us)) : 0.0}}};
  }

 private:
  // A kernel that asks for a feature this GPU lacks is an error, not a
  // silent baseline: the proposal's spec delta must come with its rewrite.
  void require_features(const KernelWork& w, const std::string& kernel) const {
    auto need = [&](bool ok, const char* feature, const char* key) {
      if (!ok) {
        throw Error(fmt::format("kernel {} asks for {}, which {} lacks ({}); apply the proposal's spec delta", kernel,
                                feature, spec_.name, key));
      }
    };
    if (w.tma_cast_bytes > 0)
      need(spec_.tma.fp8_cast_bytes_per_clk > 0, "a TMA FP8 cast", "tma.fp8_cast_bytes_per_clk = 0");
    if (w.near_memory_bytes > 0)
      need(spec_.hbm.near_memory_cast_GBps > 0, "a near-memory FP8 cast", "hbm.near_memory_cast_GBps = 0");
    if (w.group_scaled)
      need(spec_.tensor_core.group_scaled_mma, "group-scaled MMA", "tensor_core.group_scaled_mma = false");
    if (w.transposed_operands)
      need(spec_.tensor_core.transposed_fp8_operands, "transposed FP8 operands",
           "tensor_core.transposed_fp8_operands = false");
  }

 private:
  HardwareSpec spec_;
};

}  // namespace

std::unique_ptr<KernelPredictor> make_roofline_predictor(const HardwareSpec& spec) {
  return std::make_unique<RooflinePredictor>(spec);
}

}  // namespace hwsim
