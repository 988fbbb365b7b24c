// Occupancy and the wgmma timing rule.
#include <catch2/catch.hpp>

#include "models/sm/occupancy.hpp"
#include "models/sm/tensor_core.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

TEST_CASE("Occupancy is limited by threads, registers or shared memory, whichever binds", "[sm][occupancy]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  const auto threads = occupancy(spec.sm, {256, 32, 0}, "t");
  CHECK(threads.ctas_per_sm == 8);  // 2048 threads / 256
  CHECK(threads.limiter == "threads");
  const auto regs = occupancy(spec.sm, {256, 64, 0}, "t");
  CHECK(regs.ctas_per_sm == 4);  // 65536 / (64 * 256)
  CHECK(regs.limiter == "registers");
  // 33 registers x 32 lanes round up to the 256-register warp granule: 1280 per warp.
  CHECK(occupancy(spec.sm, {256, 33, 0}, "t").ctas_per_sm == 65536 / (1280 * 8));
  const auto smem = occupancy(spec.sm, {128, 32, 100 * 1024}, "t");
  CHECK(smem.ctas_per_sm == 2);  // (100 KB + 1 KB reserved) x 2 <= 228 KB
  CHECK(smem.limiter == "smem");
  CHECK(occupancy(spec.sm, {32, 16, 0}, "t").ctas_per_sm == spec.sm.max_ctas);
}

TEST_CASE("Occupancy rejects a CTA that cannot fit, naming the limit", "[sm][occupancy]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  CHECK_THROWS_WITH(occupancy(spec.sm, {384, 168, 240 * 1024}, "gemm"),
                    Catch::Contains("gemm") && Catch::Contains("sm.smem_per_block_max_bytes"));
  CHECK_THROWS_AS(occupancy(spec.sm, {4096, 32, 0}, "k"), Error);
  CHECK_THROWS_AS(occupancy(spec.sm, {128, 300, 0}, "k"), Error);
}

TEST_CASE("wgmma timing: FLOPs over the SM's rate, latency between the calibrated m64n64 and m64n256",
          "[sm][tensor_core]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  const auto& tc = spec.tensor_core;
  const auto bf16 = wgmma_timing(tc, DataType::kBf16, 64, 256, 16);
  CHECK(bf16.issue_cycles == Approx(128));  // 2*64*256*16 / 4096
  CHECK(bf16.latency_cycles == Approx(tc.wgmma_latency_cycles));
  const auto fp8 = wgmma_timing(tc, DataType::kFp8E4M3, 64, 128, 32);
  CHECK(fp8.issue_cycles == Approx(64));
  // Halfway in work between N = 64 and N = 256 is a third of the way: N = 128.
  CHECK(fp8.latency_cycles ==
        Approx(tc.wgmma_min_latency_cycles + (tc.wgmma_latency_cycles - tc.wgmma_min_latency_cycles) / 3));
  const auto small = wgmma_timing(tc, DataType::kBf16, 64, 16, 16);
  CHECK(small.issue_cycles == Approx(8));
  CHECK(small.latency_cycles == Approx(tc.wgmma_min_latency_cycles));
  CHECK(wgmma_k(DataType::kBf16) == 16);
  CHECK(wgmma_k(DataType::kFp8E4M3) == 32);
}
