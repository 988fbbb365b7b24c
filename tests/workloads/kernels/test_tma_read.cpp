// tma_read (workloads/kernels/tma_read.cpp), the model's side of hwbench's
// ubench_l2_sharing: it delivers exactly the boxes it loads, each cluster
// reads a box from L2 once, and no pattern reads L2 faster than the L2's
// calibrated rate allows.
#include <catch2/catch.hpp>

#include "sim/config/gpu_loader.hpp"
#include "workloads/gpu_simulator.hpp"

using namespace hwsim;
using nlohmann::json;

TEST_CASE("tma_read delivers every box and reads each from L2 once per cluster", "[kernels][tma_read]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  GpuSimulator sim(spec);
  const double box = 128.0 * 128;
  for (const char* pattern : {"distinct", "shared", "panels16"}) {
    for (int cluster : {1, 2, 4}) {
      const int ctas = 132 / cluster * cluster;
      const KernelResult r = sim.run({"tma_read", json{{"pattern", pattern},
                                                       {"cluster", cluster},
                                                       {"ctas", ctas},
                                                       {"iterations", 40},
                                                       {"regime", "sustained"}}});
      INFO(pattern << " cluster " << cluster);
      const double delivered = ctas * 40 * 4 * box;
      CHECK(r.bytes.at("smem") == Approx(delivered));
      CHECK(r.bytes.at("l2_read") == Approx(delivered / cluster));
      // L2 bytes per second never beat the L2's rate at the launch's clock (+1% for rounding).
      const double l2_rate = spec.l2.bytes_per_clk * r.sm_clock_mhz * 1e6;
      CHECK(r.bytes.at("l2_read") / (r.kernel_time_us * 1e-6) <= l2_rate * 1.01);
    }
  }
}

// The ring form (the microbenchmark's l2_ring_kernel): `boxes` boxes per CTA
// with B in flight; more boxes in flight never make it slower.
TEST_CASE("tma_read's ring loads its boxes with B in flight", "[kernels][tma_read]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  GpuSimulator sim(spec);
  const double box = 128.0 * 128;
  double previous_us = 0;
  for (int in_flight : {1, 4, 12}) {
    const KernelResult r = sim.run({"tma_read", json{{"pattern", "walk"},
                                                     {"ctas", 132},
                                                     {"boxes_in_flight", in_flight},
                                                     {"boxes", 96},
                                                     {"regime", "sustained"}}});
    INFO("boxes in flight " << in_flight);
    CHECK(r.bytes.at("smem") == Approx(132 * 96 * box));
    CHECK(r.bytes.at("l2_read") == Approx(132 * 96 * box));
    if (previous_us > 0) CHECK(r.kernel_time_us <= previous_us * 1.001);
    previous_us = r.kernel_time_us;
  }
}

TEST_CASE("tma_read refuses a ring in clusters and a walk without the ring", "[kernels][tma_read]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  CHECK_THROWS_WITH(sim.run({"tma_read", json{{"cluster", 2}, {"ctas", 132}, {"boxes_in_flight", 4}}}),
                    Catch::Contains("boxes_in_flight") && Catch::Contains("cluster = 1"));
  CHECK_THROWS_WITH(sim.run({"tma_read", json{{"pattern", "walk"}, {"ctas", 132}}}),
                    Catch::Contains("walk needs the ring form"));
  CHECK_THROWS_WITH(sim.run({"tma_read", json{{"ctas", 132}, {"boxes_in_flight", 13}}}),
                    Catch::Contains("must be 1 to 12"));
}

// The reader patterns (hwbench part l2_readers) address the same boxes as the
// patterns they generalise: group of all CTAs and lag 0 are `shared`, group
// of one is one panel sequence per CTA; issuers split a CTA's boxes.
TEST_CASE("tma_read's reader patterns read the boxes the microbenchmark reads", "[kernels][tma_read]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  auto ring = [&](json extra) {
    json p{{"ctas", 132}, {"boxes_in_flight", 4}, {"boxes", 64}, {"regime", "sustained"}};
    p.update(extra);
    return sim.run({"tma_read", p});
  };
  const KernelResult shared = ring({{"pattern", "shared"}});
  for (const json& same : {json{{"pattern", "group"}, {"readers", 132}}, json{{"pattern", "lag"}, {"lag_boxes", 0}}}) {
    INFO(same.dump());
    const KernelResult r = ring(same);
    CHECK(r.kernel_time_us == shared.kernel_time_us);
    CHECK(r.bytes.at("l2_read") == shared.bytes.at("l2_read"));
  }
  for (const json& p : {json{{"pattern", "grid"}, {"grid_rows", 12}}, json{{"pattern", "lag"}, {"lag_boxes", 8}},
                        json{{"pattern", "group"}, {"readers", 8}, {"issuers", 4}, {"boxes_in_flight", 2}}}) {
    INFO(p.dump());
    const KernelResult r = ring(p);
    CHECK(r.bytes.at("smem") == Approx(132 * 64 * 128.0 * 128));
    CHECK(r.bytes.at("l2_read") == Approx(132 * 64 * 128.0 * 128));
  }
}

TEST_CASE("tma_read refuses reader patterns outside the ring and bad reader params", "[kernels][tma_read]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  CHECK_THROWS_WITH(sim.run({"tma_read", json{{"pattern", "group"}, {"ctas", 132}}}),
                    Catch::Contains("pattern") && Catch::Contains("ring form"));
  CHECK_THROWS_WITH(sim.run({"tma_read", json{{"ctas", 132}, {"boxes_in_flight", 2}, {"issuers", 5}}}),
                    Catch::Contains("issuers") && Catch::Contains("1 to 4"));
  CHECK_THROWS_WITH(
      sim.run({"tma_read", json{{"pattern", "grid"}, {"ctas", 132}, {"boxes_in_flight", 2}, {"grid_rows", 5}}}),
      Catch::Contains("grid_rows") && Catch::Contains("divide"));
  CHECK_THROWS_WITH(
      sim.run({"tma_read", json{{"pattern", "lag"}, {"ctas", 132}, {"boxes_in_flight", 2}, {"lag_boxes", 1.5}}}),
      Catch::Contains("lag_boxes") && Catch::Contains("whole number"));
}
