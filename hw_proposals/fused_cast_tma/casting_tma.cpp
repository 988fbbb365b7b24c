// The casting TMA of the fused-cast proposal (DeepSeek-V3 3.5.2, "online
// quantization"): a TMA load marked DataPath::kTmaCast reads its box as BF16
// through L2/HBM like any other and writes FP8 plus FP32 1x128 scales into
// shared memory. The cast unit streams the bytes this CTA fetched as they
// arrive (multicast peers cast their own shares); its rate,
// tma.fp8_cast_bytes_per_clk per SM, is the only new limit. Selected by
// `tma.implementation: casting` (this folder's spec_delta.yaml).
#include <fmt/format.h>

#include "models/spec/error.hpp"
#include "sim/gpu/units/implementations.hpp"

namespace hwsim::proposals {
namespace {

using sim::DataPath;

class CastingTma final : public sim::TmaUnit {
 public:
  explicit CastingTma(const sim::TmaEnv& env) : TmaUnit(env), cast_(env.clock.per_tick(cast_rate(env.spec)), 0) {}

 protected:
  bool serves(DataPath /*path*/) const override { return true; }
  // The box is read as stored (BF16); only shared memory sees FP8.
  DataPath memory_path(const sim::Op& op) const override {
    return op.path == DataPath::kTmaCast ? DataPath::kDirect : op.path;
  }
  // FP8 + one FP32 scale per 128 elements: 1 + 4/128 bytes per element.
  std::int64_t landed_bytes(const sim::Op& op, const sim::TensorDesc& td, std::int64_t box_bytes) const override {
    return op.path == DataPath::kTmaCast ? box_bytes / td.elem_bytes * 33 / 32 : box_bytes;
  }
  sim::Tick process(const sim::Op& op, sim::Tick start, std::int64_t fetched, sim::LaunchStats& st) override {
    if (op.path != DataPath::kTmaCast) return start;
    st.tma_cast += fetched;
    return cast_.request(start, static_cast<double>(fetched)).end;
  }

 private:
  static double cast_rate(const HardwareSpec& spec) {
    const double rate = spec.tma.fp8_cast_bytes_per_clk;
    if (!(rate > 0)) {
      throw Error(fmt::format("tma.fp8_cast_bytes_per_clk = {} must be > 0 for tma.implementation = casting", rate));
    }
    return rate;
  }
  sim::BandwidthServer cast_;
};

const sim::UnitRegistration kCastingTma{
    sim::tma_implementations(),
    {"casting", "TMA that casts BF16 to FP8 + 1x128 scales on its way into shared memory (fused_cast_tma)",
     [](const sim::TmaEnv& env) { return std::make_unique<CastingTma>(env); }}};

}  // namespace
}  // namespace hwsim::proposals
