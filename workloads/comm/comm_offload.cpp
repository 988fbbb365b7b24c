#include "workloads/comm/comm_offload.hpp"

#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim::comm {
namespace {

void require_coprocessor(const HardwareSpec& spec) {
  if (!spec.comm_coprocessor.present) {
    throw Error(fmt::format(
        "comm_offload: {} has no communication co-processor (comm_coprocessor.present is false); the comm_offload "
        "proposal's spec delta (hw_proposals/comm_offload/spec_delta.yaml) describes one",
        spec.name));
  }
}

class CommOffload final : public EpComm {
 public:
  explicit CommOffload(const CommOffloadParams& p) {
    if (!(p.coprocessor_GBps > 0) || p.coprocessor_latency_us < 0) {
      throw Error(
          fmt::format("comm_offload: comm_coprocessor.throughput_GBps must be > 0 and comm_coprocessor.latency_us >= 0 "
                      "(got {}, {})",
                      p.coprocessor_GBps, p.coprocessor_latency_us));
    }
    config_ = p.chunking;
    // One engine serves every role: split its throughput between forwarding
    // and send/receive copies.
    const double half = p.coprocessor_GBps * 1e9 / 2;
    config_.copy = CopyResource{half, half, 0, sim::seconds_from_us(p.coprocessor_latency_us), true};
  }
  std::string name() const override { return "comm_offload"; }
  CommKernelResult dispatch(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    require_coprocessor(s);
    return run_deepep(s, r, p, config_, false);
  }
  CommKernelResult combine(const HardwareSpec& s, const EpRouting& r, const TokenPayload& p) const override {
    require_coprocessor(s);
    return run_deepep(s, r, p, config_, true);
  }
  int sms_held() const override { return 0; }

 private:
  DeepEpConfig config_;
};

}  // namespace

CommOffloadParams CommOffloadParams::from_spec(const HardwareSpec& spec) {
  require_coprocessor(spec);
  CommOffloadParams p;
  p.coprocessor_GBps = spec.comm_coprocessor.throughput_GBps;
  p.coprocessor_latency_us = spec.comm_coprocessor.latency_us;
  return p;
}

std::unique_ptr<EpComm> make_comm_offload(const CommOffloadParams& params) {
  return std::make_unique<CommOffload>(params);
}

}  // namespace hwsim::comm
