#include "workloads/comm/unified_fabric.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::comm {
namespace {

void require_adapter(const HardwareSpec& spec) {
  if (!spec.nic.unified_scaleup_scaleout) {
    throw Error(fmt::format(
        "unified_scaleup_scaleout: {} has no unified scale-up/scale-out adapter (nic.unified_scaleup_scaleout is "
        "false); the unified_scaleup_scaleout proposal's spec delta "
        "(hw_proposals/unified_scaleup_scaleout/spec_delta.yaml) describes one",
        spec.name));
  }
}

class UnifiedFabric final : public EpComm {
 public:
  explicit UnifiedFabric(const UnifiedFabricParams& p) {
    if (p.adapter_latency_us < 0) {
      throw Error(
          fmt::format("unified_scaleup_scaleout: nic.adapter_latency_us must be >= 0 (got {})", p.adapter_latency_us));
    }
    config_ = p.chunking;
    config_.copy = CopyResource{0, 0, 0, sim::seconds_from_us(p.adapter_latency_us), false};
  }
  std::string name() const override { return "unified_scaleup_scaleout"; }
  CommKernelResult dispatch(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    require_adapter(s);
    return strip_relay_hbm(run_deepep(s, r, p, config_, false), r);
  }
  CommKernelResult combine(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    require_adapter(s);
    return strip_relay_hbm(run_deepep(s, r, p, config_, true), r);
  }
  int sms_held() const override { return 0; }

 private:
  // Data lands once in the destination's HBM and is read once at the source:
  // the relay's buffer round trip (one write and one read per forwarded
  // byte) disappears. Approximated on the slowest GPU's totals by removing
  // the NVLink-forwarded bytes once from each.
  static CommKernelResult strip_relay_hbm(CommKernelResult k, const EpRouting&) {
    k.hbm_read_bytes = std::max(0.0, k.hbm_read_bytes - k.nvlink_tx_bytes);
    k.hbm_write_bytes = std::max(0.0, k.hbm_write_bytes - k.nvlink_tx_bytes);
    k.name += ".unified";
    return k;
  }
  DeepEpConfig config_;
};

}  // namespace

UnifiedFabricParams UnifiedFabricParams::from_spec(const HardwareSpec& spec) {
  require_adapter(spec);
  UnifiedFabricParams p;
  p.adapter_latency_us = spec.nic.adapter_latency_us;
  return p;
}

std::unique_ptr<EpComm> make_unified_scaleup_scaleout(const UnifiedFabricParams& params) {
  return std::make_unique<UnifiedFabric>(params);
}

}  // namespace hwsim::comm
