// The SM units behind one interface (docs/engine.md, "How to extend hwsim"):
// every op kind has exactly one unit on an SM, and a unit implementation
// registered from outside sim/ (as a proposal folder does) is picked by its
// spec key, changes the timing, and is refused by name when unknown.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "sim/gpu/gpu.hpp"
#include "sim/gpu/sm.hpp"
#include "sim/gpu/units/implementations.hpp"

using namespace hwsim;
using namespace hwsim::sim;

namespace {

// A TMA implementation that holds every box `delay_us` longer before it
// lands: the smallest behaviour change a proposal could bring.
class DelayingTma final : public TmaUnit {
 public:
  explicit DelayingTma(const TmaEnv& env) : TmaUnit(env), delay_(kTicksPerUs) {}

 protected:
  Tick process(const Op& /*op*/, Tick start, std::int64_t /*fetched*/, LaunchStats& /*st*/) override {
    return start + delay_;
  }

 private:
  Tick delay_;
};

// The one registration line a proposal folder adds.
const UnitRegistration kDelaying{tma_implementations(),
                                 {"test_delaying", "TMA that lands every box 1 us late (test only)",
                                  [](const TmaEnv& env) { return std::make_unique<DelayingTma>(env); }}};

// 16 CTAs, each streaming 32 boxes through a 4-stage TMA pipeline to a
// consumer that spends tensor time on each.
KernelProgram pipeline_grid() {
  constexpr int kStages = 4, kBlocks = 32, kCtas = 16;
  KernelProgram k;
  k.name = "pipeline";
  k.ctas = kCtas;
  k.work_units = kCtas;
  k.resources = {256, 64, 64 * 1024};
  k.roles = {{"producer", 4}, {"math", 4}};
  k.barriers = 2 * kStages;
  for (int i = 0; i < 2 * kStages; ++i) k.barrier_arrivals.push_back(1);
  k.tensors = {{"B", kCtas * 128LL, 128LL * kBlocks, 1}};
  k.emit = [](int role, std::int64_t unit, std::int64_t, int, OpList& out) {
    for (int kb = 0; kb < kBlocks; ++kb) {
      const int s = kb % kStages;
      if (role == 0) {
        out.push_back(barrier_wait(kStages + s, kb / kStages));
        out.push_back(tma_load(0, unit * 128, kb * 128, 128, 128, s));
        out.push_back(barrier_arrive(s));
      } else {
        out.push_back(barrier_wait(s, kb / kStages + 1));
        out.push_back(wgmma(DataType::kFp8E4M3, 128, 8));
        out.push_back(wgmma_wait(0));
        out.push_back(barrier_arrive(kStages + s));
      }
    }
  };
  return k;
}

double kernel_us(const std::string& tma) {
  Gpu gpu(load_gpu("h100-sxm", {"tma.implementation=" + tma}), {});
  const LaunchStats st = gpu.run_one(pipeline_grid());
  return static_cast<double>(st.end - st.start) / static_cast<double>(kTicksPerUs);
}

}  // namespace

TEST_CASE("every op kind has exactly one unit on an SM", "[units]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  const ClockDomain clock(spec.clock.sm_MHz);
  const Sm sm(spec, clock, nullptr, 0);
  for (size_t i = 0; i < kOpKinds; ++i) {
    const auto kind = static_cast<OpKind>(i);
    int claimed = 0;
    for (OpKind k : sm.unit_for(kind).ops()) claimed += k == kind;
    INFO("op kind " << i);
    CHECK(claimed == 1);
  }
}

TEST_CASE("a registered TMA implementation is chosen by tma.implementation and changes the timing", "[units]") {
  const double standard = kernel_us("standard");
  const double delayed = kernel_us("test_delaying");
  INFO("standard " << standard << " us, delaying " << delayed << " us");
  // The delaying TMA lands each box 1 us after issue and never asks the memory
  // system, so the kernel's time is set by the ring alone: 32 boxes per CTA
  // behind a 4-deep ring, each slot cycling no faster than 1 us, cannot finish
  // before 32 / 4 = 8 us. The standard TMA (memory-bound 16 KiB boxes) gives a
  // different time, so the key really switched the unit.
  CHECK(delayed >= 8.0);
  CHECK(std::abs(delayed - standard) > 1.0);
}

TEST_CASE("an unknown unit implementation is refused with the key and the known names", "[units]") {
  CHECK_THROWS_WITH(
      kernel_us("bogus"),
      Catch::Contains("tma.implementation = 'bogus' is not an implementation hwsim has; known: standard") &&
          Catch::Contains("test_delaying"));
  CHECK_THROWS_WITH(tma_implementations().add({"standard", "again", nullptr}),
                    "tma.implementation: implementation 'standard' is registered twice");
}
