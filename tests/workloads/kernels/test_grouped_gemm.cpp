// The grouped GEMM (workloads/kernels/grouped_gemm.cpp) against closed forms
// and against the plain gemm it is built from: one group is the gemm; groups
// whose rows are multiples of BLOCK_M cost what one gemm of all the rows costs
// plus the other groups' B; a ragged remainder in every group wastes a tile
// per group; the masked layout never beats the contiguous one; nothing beats
// the roofline; bad params are errors naming the param.
#include <algorithm>
#include <catch2/catch.hpp>
#include <utility>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "tests/support/h100_simulator.hpp"
#include "workloads/gpu_simulator.hpp"

using namespace hwsim;
using nlohmann::json;

using hwsim::testing::h100;
using hwsim::testing::h100_simulator;

namespace {

json operands(std::int64_t n, std::int64_t k, const char* ab, const char* scaling) {
  return {{"n", n}, {"k", k}, {"a_dtype", ab}, {"b_dtype", ab}, {"out_dtype", "bf16"}, {"scaling", scaling}};
}

KernelDescriptor grouped(std::int64_t groups, std::int64_t rows, std::int64_t n, std::int64_t k, const char* ab,
                         const char* scaling) {
  json p = operands(n, k, ab, scaling);
  p["groups"] = groups;
  p["m_per_group"] = rows;
  return {"grouped_gemm", p};
}

KernelDescriptor plain_gemm(std::int64_t m, std::int64_t n, std::int64_t k, const char* ab, const char* scaling) {
  json p = operands(n, k, ab, scaling);
  p["m"] = m;
  return {"gemm", p};
}

KernelDescriptor with(KernelDescriptor d, const json& extra) {
  for (const auto& [key, value] : extra.items()) d.params[key] = value;
  return d;
}

}  // namespace

TEST_CASE("a grouped GEMM of one group is the plain gemm of its shape", "[kernels][grouped_gemm]") {
  for (const auto& [ab, scaling] :
       {std::pair{"bf16", "none"}, std::pair{"fp8_e4m3", "block_1x128_128x128"}, std::pair{"fp8_e4m3", "per_tensor"}}) {
    for (std::int64_t m : {2048, 1000}) {  // a tile multiple, and a ragged last tile
      INFO(ab << " " << scaling << " m = " << m);
      const KernelDescriptor g = grouped(1, m, 4096, 2048, ab, scaling), p = plain_gemm(m, 4096, 2048, ab, scaling);
      const KernelResult rg = h100_simulator().run(g), rp = h100_simulator().run(p);
      CHECK(rg.time_us == Approx(rp.time_us).epsilon(0.02));
      CHECK(rg.flops == rp.flops);
      CHECK(rg.launch.at("block_n") == rp.launch.at("block_n"));
      const KernelWork wg = kernel_work(g.kind, g.params), wp = kernel_work(p.kind, p.params);
      CHECK(wg.read_bytes == Approx(wp.read_bytes));
      CHECK(wg.write_bytes == Approx(wp.write_bytes));
    }
  }
}

TEST_CASE("no grouped GEMM beats its roofline", "[kernels][grouped_gemm][roofline]") {
  const HardwareSpec& spec = h100();
  const std::vector<KernelDescriptor> cases = {
      grouped(4, 1024, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"),
      with(grouped(4, 1, 2048, 2048, "fp8_e4m3", "rowwise"), {{"group_rows", "512,1024,0,2048"}}),
      with(grouped(8, 256, 2048, 2048, "bf16", "none"), {{"layout", "masked"}, {"max_rows", 1024}}),
      grouped(16, 64, 7168, 2048, "fp8_e4m3", "per_tensor"),  // the decode-like small-M regime: HBM-bound
  };
  for (KernelDescriptor d : cases) {
    if (d.params.contains("group_rows")) d.params.erase("m_per_group");
    const KernelResult r = h100_simulator().run(d);
    const KernelWork w = kernel_work(d.kind, d.params);
    INFO(d.params.dump() << " -> " << r.time_us << " us");
    const double floor_s =
        std::max(w.flops / spec.peak_flops(w.mma_type), (w.read_bytes + w.write_bytes) / spec.hbm_bytes_per_s());
    CHECK(r.time_us * 1e-6 >= floor_s);
    CHECK(r.flops == w.flops);
    CHECK(r.bytes.at("hbm_read") + r.bytes.at("hbm_write") >= 0.99 * (w.read_bytes + w.write_bytes));
  }
}

TEST_CASE("groups of whole tiles cost one gemm of all their rows plus the other groups' weights",
          "[kernels][grouped_gemm]") {
  // 4 experts of 1024 tokens (8 M blocks each) against one GEMM of M = 4096:
  // the same tiles, the same FLOPs; the grouped GEMM also reads 3 more B
  // matrices (88 MB more at FP8) through L2 and HBM. Compute-bound (240 GFLOP
  // against 117 MB of compulsory bytes), so within 10%, and not faster.
  const KernelResult g = h100_simulator().run(grouped(4, 1024, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  const KernelResult p = h100_simulator().run(plain_gemm(4096, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  CHECK(g.flops == p.flops);
  CHECK(g.launch.at("tiles") == p.launch.at("tiles"));
  CHECK(g.time_us >= p.time_us * 0.995);
  CHECK(g.time_us == Approx(p.time_us).epsilon(0.10));
}

TEST_CASE("a ragged remainder in every group wastes a tile per group", "[kernels][grouped_gemm]") {
  // 8 groups of 129 rows: 2 M blocks each (16) where one GEMM of the 1032
  // rows needs 9; the wasted tiles run in full on the tensor cores.
  const KernelResult g = h100_simulator().run(grouped(8, 129, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  const KernelResult p = h100_simulator().run(plain_gemm(8 * 129, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  CHECK(g.launch.at("m_blocks") == "16");
  CHECK(g.flops == p.flops);
  CHECK(g.time_us > p.time_us * 1.2);
  // Aligned to the tile, the same rows lose nothing: 8 groups of 128 against one GEMM of 1024.
  const KernelResult aligned = h100_simulator().run(grouped(8, 128, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  CHECK(aligned.time_us < g.time_us);
}

TEST_CASE("the masked layout is not faster than the contiguous one", "[kernels][grouped_gemm]") {
  // Same valid rows; masked groups hold 1024 rows of which 384 are valid. The
  // scheduler takes the same tiles, but the masked launch cannot pair M
  // blocks of a group into clusters (the valid rows are on the device).
  for (const char* rows : {"384,384,384,384,384,384,384,384", "300,520,129,1000,384,64,700,256"}) {
    INFO(rows);
    json p = operands(4096, 7168, "fp8_e4m3", "block_1x128_128x128");
    p["groups"] = 8;
    p["group_rows"] = rows;
    const KernelResult contiguous = h100_simulator().run({"grouped_gemm", p});
    p["layout"] = "masked";
    p["max_rows"] = 1024;
    const KernelResult masked = h100_simulator().run({"grouped_gemm", p});
    CHECK(masked.flops == contiguous.flops);
    CHECK(masked.launch.at("tiles") == contiguous.launch.at("tiles"));
    CHECK(masked.launch.at("multicast") == "none");
    CHECK(masked.time_us >= contiguous.time_us);
  }
}

TEST_CASE("row-wise scaling reads a scale per row and per column and costs an epilogue multiply",
          "[kernels][grouped_gemm]") {
  // The same tiles and cluster for both (row-wise scaling otherwise takes
  // torch._scaled_grouped_mm's own, below).
  const json config = {{"tile_m", 128}, {"tile_n", 128}, {"cluster_m", 2}, {"cluster_n", 2}};
  const KernelDescriptor per_tensor = with(grouped(4, 512, 4096, 2048, "fp8_e4m3", "per_tensor"), config);
  const KernelDescriptor rowwise = with(grouped(4, 512, 4096, 2048, "fp8_e4m3", "rowwise"), config);
  const KernelWork a = kernel_work("grouped_gemm", per_tensor.params), b = kernel_work("grouped_gemm", rowwise.params);
  CHECK(b.read_bytes - a.read_bytes == Approx(4 * 512 * 4 + 4 * 4096 * 4));  // FP32 scales of A's rows, B's rows
  const KernelResult ra = h100_simulator().run(per_tensor), rb = h100_simulator().run(rowwise);
  CHECK(rb.time_us >= ra.time_us);
  CHECK(rb.bytes.at("l2_read") > ra.bytes.at("l2_read"));
}

TEST_CASE("row-wise scaling runs torch._scaled_grouped_mm's tile and 2x2 cluster", "[kernels][grouped_gemm]") {
  // PyTorch's dispatch (ScaledGroupMM.cu) on the average group's M, N, K.
  struct Case {
    std::int64_t groups, rows, n, k;
    bool fast;
    const char* block_m;
    const char* block_n;
  };
  for (const Case& c : {Case{8, 1024, 4096, 7168, false, "128", "128"},    // large, promoted: no spilling
                        Case{8, 1024, 4096, 7168, true, "256", "128"},     // large, fast accumulation
                        Case{8, 64, 4096, 7168, false, "64", "128"},       // M <= 128: small
                        Case{4, 512, 1024, 1024, false, "128", "256"}}) {  // neither
    INFO(c.groups << " x " << c.rows << " x " << c.n << " x " << c.k << (c.fast ? " fast" : ""));
    const KernelResult r = h100_simulator().run(
        with(grouped(c.groups, c.rows, c.n, c.k, "fp8_e4m3", "rowwise"), {{"fast_accum", c.fast}}));
    CHECK(r.launch.at("block_m") == c.block_m);
    CHECK(r.launch.at("block_n") == c.block_n);
    CHECK(r.launch.at("cluster") == "2x2 (M x N)");
  }
  // What the user gives wins; other scalings keep gemm's heuristic.
  const KernelResult given = h100_simulator().run(
      with(grouped(8, 1024, 4096, 7168, "fp8_e4m3", "rowwise"), {{"tile_n", 256}, {"cluster_m", 2}, {"cluster_n", 1}}));
  CHECK(given.launch.at("block_n") == "256");
  CHECK(given.launch.at("cluster") == "2x1 (M x N)");
  const KernelResult block = h100_simulator().run(grouped(8, 1024, 4096, 7168, "fp8_e4m3", "block_1x128_128x128"));
  CHECK(block.launch.at("cluster") != "2x2 (M x N)");
}

TEST_CASE("grouped GEMM params are checked, each error naming its param", "[kernels][grouped_gemm]") {
  GpuSimulator& sim = h100_simulator();
  const KernelDescriptor base = grouped(4, 256, 1024, 1024, "fp8_e4m3", "block_1x128_128x128");
  auto fails = [&](json params, const std::string& text) {
    INFO(params.dump());
    CHECK_THROWS_WITH(sim.run({"grouped_gemm", params}), Catch::Contains(text));
    CHECK_THROWS_WITH(kernel_work("grouped_gemm", params), Catch::Contains(text));
  };
  json p = base.params;
  p.erase("m_per_group");
  p["group_rows"] = "256,256,256";
  fails(p, "param group_rows lists 3 groups' rows but groups = 4");
  p["group_rows"] = "256,x,256,256";
  fails(p, "param group_rows");
  p["group_rows"] = "256,256,256,256";
  CHECK(sim.run({"grouped_gemm", p}).time_us > 0);
  p["m_per_group"] = 256;
  fails(p, "param m_per_group and group_rows are both given");
  p.erase("m_per_group");
  p.erase("group_rows");
  fails(p, "param m_per_group is required unless group_rows is given");
  json masked = with(base, {{"layout", "masked"}}).params;
  fails(masked, "param max_rows is required with layout = masked");
  masked["max_rows"] = 200;
  fails(masked, "param max_rows = 200 is less than a group's 256 rows");
  fails(with(base, {{"max_rows", 512}}).params, "param max_rows applies to layout = masked only");
  fails(with(base, {{"scaling", "none"}}).params, "param scaling = none applies to bf16 inputs only");
  fails(grouped(4, 256, 1024, 1024, "bf16", "rowwise").params, "param scaling = rowwise applies to fp8_e4m3");
  fails(with(base, {{"scaling", "block_1x128_1x128"}}).params, "param scaling = 'block_1x128_1x128' must be one of");
  fails(with(base, {{"operand_major", "mn"}}).params, "unknown param 'operand_major'");
  fails(with(base, {{"cluster_m", 4}}).params, "param cluster_m must be 1 or 2 for a grouped GEMM");
  json masked_cluster = with(base, {{"layout", "masked"}, {"max_rows", 256}, {"cluster_n", 2}}).params;
  fails(masked_cluster, "param cluster_m and cluster_n must be 1 with layout = masked");
}
