// A GEMM's configuration (workloads/kernels/gemm_tiles.cpp): how the math warp
// groups cover a tile, that the heuristic is what it was when no configuration
// is named, that a named cluster shares its operand tiles in L2 as the
// multicast arithmetic says, that a partial cluster at D's edge writes nothing
// outside D, and that configurations no Hopper GEMM can run are errors naming
// the param.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "tests/support/h100_simulator.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/kernels/gemm_tiles.hpp"

using namespace hwsim;
using namespace hwsim::kernels;
using nlohmann::json;

using hwsim::testing::h100;
using hwsim::testing::h100_simulator;

namespace {

GemmWarpLayout layout(int bm, int bn) {
  GemmWarpLayout l;
  std::string why;
  REQUIRE(gemm_warp_layout(bm, bn, l, why));
  return l;
}

KernelDescriptor bf16_gemm(std::int64_t m, std::int64_t n, std::int64_t k, json config = json::object()) {
  json p = {{"m", m}, {"n", n}, {"k", k}, {"a_dtype", "bf16"}, {"b_dtype", "bf16"}, {"out_dtype", "bf16"}};
  p.update(config);
  return {"gemm", p};
}

}  // namespace

TEST_CASE("Math warp groups cover a tile with m64 wgmmas", "[kernels][gemm][config]") {
  // DeepGEMM's tiles: one warp group per 64 rows, the whole BLOCK_N per wgmma.
  const GemmWarpLayout a = layout(128, 176);
  CHECK(a.math_wgs == 2);
  CHECK(a.split_rows);
  CHECK(a.wg_rows == 64);
  CHECK(a.wg_cols == 176);
  CHECK(a.wgmma_n == 176);
  CHECK(a.wgmmas == 1);
  // 256 rows: two warp groups of 128 rows, two wgmmas each.
  const GemmWarpLayout b = layout(256, 128);
  CHECK((b.math_wgs == 2 && b.wg_rows == 128 && b.wgmmas == 2 && b.wgmma_n == 128));
  // 192 rows do not halve into m64s: the warp groups split the columns.
  const GemmWarpLayout c = layout(192, 192);
  CHECK((c.math_wgs == 2 && !c.split_rows && c.wg_rows == 192 && c.wg_cols == 96));
  CHECK((c.wgmma_n == 96 && c.wgmmas == 3));
  // 320 columns: two n160 wgmmas.
  const GemmWarpLayout d = layout(128, 320);
  CHECK((d.wg_cols == 320 && d.wgmma_n == 160 && d.wgmmas == 2));
  // 160 rows: the wgmma's rows run along N (transposed), each warp group 64 columns.
  const GemmWarpLayout e = layout(160, 128);
  CHECK((e.math_wgs == 2 && !e.split_rows && e.wg_rows == 160 && e.wg_cols == 64));
  CHECK((e.wgmma_n == 160 && e.wgmmas == 1));
  // Every layout covers its tile exactly.
  for (const auto& [bm, bn] : {std::pair{128, 176}, {256, 128}, {192, 192}, {128, 320}, {160, 128}, {64, 256}}) {
    const GemmWarpLayout l = layout(bm, bn);
    CHECK(l.math_wgs * l.wg_rows * l.wg_cols == bm * bn);
    CHECK(l.math_wgs * l.wgmmas * 64 * l.wgmma_n == bm * bn);
  }
  GemmWarpLayout none;
  std::string why;
  CHECK_FALSE(gemm_warp_layout(96, 96, none, why));
  CHECK(why.find("multiple of 64") != std::string::npos);
}

TEST_CASE("Without a named configuration the heuristic chooses as before", "[kernels][gemm][config]") {
  const GemmShape bf16{4096, 2112, 7168, DataType::kBf16, DataType::kBf16, GemmScaling::kNone, false};
  const GemmTiles t = choose_gemm_tiles(bf16, h100().sm, 132);
  CHECK(t.block_m == 128);
  CHECK(t.block_n == 176);  // 384 tiles: 2.9 waves, the fullest last wave
  CHECK(t.cluster_m == 2);  // BLOCK_N > BLOCK_M: the B tile is shared along M
  CHECK(t.cluster_n == 1);
  // Block-scaled with 17 N blocks of 128 and 128 M blocks: B along M pairs up.
  const GemmShape block{16384, 2112, 7168, DataType::kFp8E4M3, DataType::kBf16, GemmScaling::kBlock1x128x128, true};
  const GemmTiles u = choose_gemm_tiles(block, h100().sm, 132);
  CHECK(u.block_n <= 128);
  CHECK(u.cluster() <= 2);
}

TEST_CASE("A named cluster shares operand tiles: L2 reads follow the multicast arithmetic", "[kernels][gemm][config]") {
  // 1024 x 1024 x 1024 BF16, 128 x 128 tiles: 64 tiles of 16 K blocks; each K
  // block reads a 16 KiB A box and a 16 KiB B box. A cluster of cm x cn CTAs
  // reads A once per cn CTAs and B once per cm CTAs (multicast): per tile
  // 16 x 16 KiB x (1/cn + 1/cm), plus the scales (none) and D (not read).
  const double box = 128.0 * 64 * 2;
  for (const auto& [cm, cn] : {std::pair{1, 1}, {2, 1}, {1, 2}, {2, 2}, {4, 2}, {2, 4}}) {
    const KernelResult r = h100_simulator().run(
        bf16_gemm(1024, 1024, 1024,
                  {{"tile_m", 128}, {"tile_n", 128}, {"cluster_m", cm}, {"cluster_n", cn}, {"regime", "sustained"}}));
    const double expected = 64 * 16 * box * (1.0 / cn + 1.0 / cm);
    INFO("cluster " << cm << "x" << cn);
    CHECK(r.bytes.at("l2_read") == Approx(expected).epsilon(0.001));
    CHECK(r.bytes.at("hbm_write") == Approx(1024.0 * 1024 * 2).epsilon(0.001));
  }
}

TEST_CASE("A partial cluster at D's edge runs its main loop and writes nothing outside D", "[kernels][gemm][config]") {
  // N = 2112 is 16.5 tiles of 128: with clusters of 4 along N the last
  // cluster has CTAs past the edge.
  const KernelResult r = h100_simulator().run(
      bf16_gemm(1024, 2112, 1024,
                {{"tile_m", 128}, {"tile_n", 128}, {"cluster_m", 2}, {"cluster_n", 4}, {"regime", "sustained"}}));
  CHECK(r.bytes.at("hbm_write") == Approx(1024.0 * 2112 * 2).epsilon(0.001));
  CHECK(r.time_us > 0);
  // The CTAs past the edge load nothing of their own, so the partial cluster
  // reads no more of L2 than 17 N blocks would.
  const double box = 128.0 * 64 * 2;
  const double bound = 8 * 17 * 16 * box * (1.0 / 4 + 1.0 / 2) * 1.05;
  CHECK(r.bytes.at("l2_read") < bound);
}

TEST_CASE("Configurations no Hopper GEMM runs are errors naming the param", "[kernels][gemm][config][errors]") {
  GpuSimulator& sim = h100_simulator();
  CHECK_THROWS_WITH(sim.run(bf16_gemm(1024, 1024, 1024, {{"tile_m", 100}})),
                    Catch::Contains("tile_m") && Catch::Contains("multiple of 8"));
  CHECK_THROWS_WITH(sim.run(bf16_gemm(1024, 1024, 1024, {{"tile_m", 96}, {"tile_n", 96}})),
                    Catch::Contains("multiple of 64"));
  CHECK_THROWS_WITH(sim.run(bf16_gemm(1024, 1024, 1024, {{"cluster_m", 4}, {"cluster_n", 4}})),
                    Catch::Contains("sm.max_cluster_size"));
  CHECK_THROWS_WITH(sim.run(bf16_gemm(1024, 1024, 1024, {{"cluster_m", 32}})), Catch::Contains("cluster_m"));
  // A 256 x 256 tile holds 256 accumulators per math thread: more than setmaxnreg gives.
  CHECK_THROWS_WITH(sim.run(bf16_gemm(1024, 1024, 1024, {{"tile_m", 128}, {"tile_n", 512}})),
                    Catch::Contains("accumulator registers"));
}
