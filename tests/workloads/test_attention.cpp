// The attention kernel (FlashAttention-3 forward and backward): FLOPs equal
// the roofline's formula, causal masking halves the work of long sequences,
// the simulated time stays within sane bounds of the roofline, and the
// backward's five GEMMs are all issued.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

using namespace hwsim;
using nlohmann::json;

namespace {
KernelDescriptor attention(std::int64_t seq, bool causal, const char* pass, std::int64_t heads = 16) {
  return {"attention",
          json{{"seq", seq}, {"heads", heads}, {"qk_dim", 192}, {"v_dim", 128}, {"causal", causal}, {"pass", pass}}};
}
}  // namespace

TEST_CASE("Attention FLOPs equal the roofline's formula", "[attention]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  for (const char* pass : {"fwd", "bwd"}) {
    for (bool causal : {true, false}) {
      const KernelDescriptor d = attention(1024, causal, pass, 4);
      CHECK(sim.run(d).flops == kernel_work("attention", d.params).flops);
    }
  }
  // Forward wgmma count: per 64-row warp group and KV tile, qk/16 + 128/16.
  const KernelResult full = sim.run(attention(1024, false, "fwd", 4));
  CHECK(full.launch.at("wgmma").get<double>() == 4.0 * (1024 / 64) * (1024 / 128) * (192 / 16 + 128 / 16));
}

TEST_CASE("Causal attention takes about half the time of full attention on long sequences", "[attention]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  for (const char* pass : {"fwd", "bwd"}) {
    const double full = sim.run(attention(4096, false, pass)).kernel_time_us;
    const double causal = sim.run(attention(4096, true, pass)).kernel_time_us;
    INFO(pass << ": full " << full << " us, causal " << causal << " us");
    CHECK(causal / full > 0.45);
    CHECK(causal / full < 0.65);
  }
}

TEST_CASE("Attention runs within sane bounds of its roofline", "[attention][slow]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  GpuSimulator sim(spec);
  auto roofline = make_roofline_predictor(spec);
  for (const char* pass : {"fwd", "bwd"}) {
    const KernelDescriptor d = attention(4096, true, pass, 128);
    const KernelResult r = sim.run(d);
    const double bound = roofline->predict("attention", d.params).time_us.value();
    const double tflops = r.achieved.at("flop_per_s") / 1e12;
    INFO(pass << ": simulated " << r.time_us << " us, roofline " << bound << " us, " << tflops << " TFLOP/s");
    CHECK(r.time_us >= bound);
    // FA3 reaches 40-75% of the BF16 peak on H100 (Shah et al. 2024, Fig. 5-7).
    CHECK(r.time_us <= 3.5 * bound);
    CHECK(r.busy.at("sfu") > 0);
    CHECK(r.ops.at("softmax") > 0);
  }
}

TEST_CASE("Attention rejects shapes it cannot tile", "[attention]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  CHECK_THROWS_WITH(sim.run({"attention", json{{"seq", 1000}, {"heads", 1}, {"qk_dim", 128}, {"v_dim", 128}}}),
                    Catch::Contains("param seq = 1000 must be a multiple of 128"));
  CHECK_THROWS_WITH(sim.run({"attention", json{{"seq", 1024}, {"heads", 1}, {"qk_dim", 100}, {"v_dim", 128}}}),
                    Catch::Contains("param qk_dim = 100"));
  CHECK_THROWS_WITH(
      sim.run({"attention", json{{"seq", 1024}, {"heads", 1}, {"qk_dim", 128}, {"v_dim", 128}, {"pass", "sideways"}}}),
      Catch::Contains("must be one of fwd, bwd"));
}

TEST_CASE("Only causal attention spends mask ops, and only on diagonal tiles", "[attention]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  const KernelResult full = sim.run(attention(2048, false, "fwd", 2));
  const KernelResult causal = sim.run(attention(2048, true, "fwd", 2));
  CHECK(full.ops.at("mask") == 0);
  // One diagonal 128x128 tile per query tile and head: 2 lane ops per score.
  CHECK(causal.ops.at("mask") == 2.0 * 2 * (2048 / 128) * 128 * 128);
  CHECK(causal.ops.at("softmax") < 0.6 * full.ops.at("softmax"));
}

// The backward accumulates dQ by reductions at the L2: traffic the L2 absorbs
// on chip, which the power model prices like the reads it serves
// (GpuSimulator::apply_power_cap, docs/engine.md "Power").
TEST_CASE("The power model counts the backward's L2 reductions as on-chip traffic", "[attention][power]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  const KernelResult r = sim.run(attention(2048, true, "bwd", 16));
  REQUIRE(r.launch.contains("power"));
  const double t_s = r.launch["power"]["time_us_at_max_clock"].get<double>() * 1e-6;
  const double reads = (r.bytes.at("l2_read") - r.bytes.at("hbm_read")) / t_s / 1e12;
  const double kept_writes = (r.bytes.at("l2_write") - r.bytes.at("hbm_write")) / t_s / 1e12;
  CHECK(kept_writes > reads);  // dQ's FP32 reductions outweigh the hits of the loads
  CHECK(r.launch["power"]["l2_onchip_TBps"].get<double>() == Approx(reads + kept_writes).epsilon(1e-6));
}
