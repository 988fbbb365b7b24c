// The hardware-proposal variants of the kernel programs, measured from the
// simulation itself: each mechanism (promotion ops, cast bytes, near-memory
// reads, extra outputs) is read off the KernelResult, and every variant
// refuses to run on a GPU that lacks its feature. The casting TMA and the
// near-memory read path are unit implementations registered by the
// fused_cast_tma and near_memory_compute folders, so these tests live with
// the proposals.
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

using namespace hwsim;
using nlohmann::json;

namespace {

KernelDescriptor block_gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  return {"gemm", json{{"m", m},
                       {"n", n},
                       {"k", k},
                       {"a_dtype", "fp8_e4m3"},
                       {"b_dtype", "fp8_e4m3"},
                       {"out_dtype", "bf16"},
                       {"scaling", "block_1x128_128x128"}}};
}

KernelDescriptor with(KernelDescriptor d, const json& extra) {
  for (const auto& [key, v] : extra.items()) d.params[key] = v;
  return d;
}

double hbm(const KernelResult& r) { return r.bytes.at("hbm_read") + r.bytes.at("hbm_write"); }

}  // namespace

TEST_CASE("Group-scaled MMA removes every promotion op", "[variants][group_scaled]") {
  // Ample L2 and HBM make the GEMM compute-bound, where promotion costs time.
  GpuSimulator sim(load_gpu(
      "h100-sxm", {"tensor_core.group_scaled_mma=true", "l2.bytes_per_clk=40000", "hbm.bandwidth_GBps=30000"}));
  const KernelDescriptor base = block_gemm(2048, 2048, 2048);
  const KernelResult promoted = sim.run(base);
  // Same tiles for both, so that only the promotion differs.
  const KernelResult grouped = sim.run(with(base, {{"promotion", "tensor_core"}, {"tile_n", 128}}));
  // One FFMA per accumulator element and K block, plus one per row for the scales.
  const double acc_ffma = 2048.0 * 2048 * (2048 / 128);
  CHECK(promoted.ops.at("promotion_ffma") >= acc_ffma);
  CHECK(promoted.ops.at("promotion_ffma") < 1.02 * acc_ffma);
  CHECK(grouped.ops.at("promotion_ffma") == 0);
  CHECK(grouped.time_us < promoted.time_us);
  CHECK(grouped.flops == promoted.flops);
  CHECK(grouped.launch.at("wgmma") == promoted.launch.at("wgmma"));
  // Left to choose, the group-scaled GEMM holds one accumulator and takes the
  // wider tiles of an unpromoted GEMM (DeepGEMM's 128 bound comes from two).
  const KernelResult wide = sim.run(with(base, {{"promotion", "tensor_core"}}));
  CHECK(std::stoi(wide.launch.at("block_n").get<std::string>()) > 128);
  CHECK(std::stoi(promoted.launch.at("block_n").get<std::string>()) <= 128);
}

TEST_CASE("Group-scale cycles cost tensor-pipe time", "[variants][group_scaled]") {
  auto time_at = [](int cycles) {
    GpuSimulator sim(load_gpu(
        "h100-sxm", {"tensor_core.group_scaled_mma=true", "tensor_core.group_scale_cycles=" + std::to_string(cycles),
                     "l2.bytes_per_clk=40000", "hbm.bandwidth_GBps=30000"}));
    return sim.run(with(block_gemm(2048, 2048, 4096), {{"promotion", "tensor_core"}})).kernel_time_us;
  };
  const double free = time_at(0), costly = time_at(64);
  INFO("0 cycles: " << free << " us, 64 cycles: " << costly << " us");
  CHECK(costly > 1.2 * free);
}

TEST_CASE("Fused cast: A is read in BF16 (2 bytes per element) and cast by the TMA", "[variants][tma_cast]") {
  GpuSimulator sim(load_gpu("h100-sxm", {"tma.implementation=casting", "tma.fp8_cast_bytes_per_clk=128"}));
  const std::int64_t m = 4096, n = 128, k = 2048;  // one N tile (pinned): A is fetched exactly once
  const KernelDescriptor base = with(block_gemm(m, n, k), {{"tile_n", 128}});
  const KernelResult fp8 = sim.run(base);
  const KernelResult cast = sim.run(with(base, {{"a_source", "bf16_tma_cast"}}));
  const double mk = static_cast<double>(m * k);
  CHECK(cast.bytes.at("tma_cast") == mk * 2);
  CHECK(fp8.bytes.at("tma_cast") == 0);
  // A: FP8 + 1x128 scales replaced by BF16; the A-scale loads are gone.
  CHECK(cast.bytes.at("hbm_read") - fp8.bytes.at("hbm_read") == Approx(mk - mk / 128 * 4).epsilon(0.001));
  // The roofline baseline moves the same bytes.
  const KernelWork w = kernel_work("gemm", with(base, {{"a_source", "bf16_tma_cast"}}).params);
  CHECK(hbm(cast) == Approx(w.read_bytes + w.write_bytes).epsilon(0.01));
  CHECK(w.tma_cast_bytes == cast.bytes.at("tma_cast"));
}

TEST_CASE("Fused cast: the FP8 copy of A adds m k + m k / 32 bytes of writes", "[variants][tma_cast]") {
  GpuSimulator sim(load_gpu("h100-sxm", {"tma.implementation=casting", "tma.fp8_cast_bytes_per_clk=128"}));
  const std::int64_t m = 2048, n = 1024, k = 2048;
  const KernelDescriptor cast = with(block_gemm(m, n, k), {{"a_source", "bf16_tma_cast"}});
  const KernelResult plain = sim.run(cast);
  const KernelResult copy = sim.run(with(cast, {{"write_a_fp8_copy", true}}));
  const double mk = static_cast<double>(m * k);
  CHECK(copy.bytes.at("hbm_write") - plain.bytes.at("hbm_write") == Approx(mk + mk / 32).epsilon(1e-6));
  CHECK(copy.time_us >= plain.time_us);
}

TEST_CASE("Fused cast: a slow cast unit makes the GEMM slower", "[variants][tma_cast]") {
  auto time_at = [](int bytes_per_clk) {
    GpuSimulator sim(load_gpu(
        "h100-sxm", {"tma.implementation=casting", "tma.fp8_cast_bytes_per_clk=" + std::to_string(bytes_per_clk)}));
    return sim.run(with(block_gemm(4096, 2048, 4096), {{"a_source", "bf16_tma_cast"}})).time_us;
  };
  const double slow = time_at(8), fast = time_at(256);
  INFO("cast at 8 B/clk: " << slow << " us, at 256 B/clk: " << fast << " us");
  CHECK(slow > 1.5 * fast);
}

TEST_CASE("Near-memory cast: off-chip bytes as FP8, 2 m k bytes read inside the stacks", "[variants][near_memory]") {
  GpuSimulator sim(load_gpu("h100-sxm", {"hbm.implementation=near_memory_cast", "hbm.near_memory_cast_GBps=3352"}));
  const std::int64_t m = 4096, n = 128, k = 2048;
  const KernelDescriptor base = with(block_gemm(m, n, k), {{"tile_n", 128}});
  const KernelResult fp8 = sim.run(base);
  const KernelResult near = sim.run(with(base, {{"a_source", "bf16_near_memory_cast"}}));
  CHECK(near.bytes.at("hbm_read") == fp8.bytes.at("hbm_read"));
  CHECK(near.bytes.at("hbm_write") == fp8.bytes.at("hbm_write"));
  CHECK(near.bytes.at("hbm_internal") == 2.0 * m * k);
  CHECK(fp8.bytes.at("hbm_internal") == 0);
  CHECK(near.time_us >= fp8.time_us);
  // A slow near-memory cast bounds the GEMM.
  GpuSimulator slow(load_gpu("h100-sxm", {"hbm.implementation=near_memory_cast", "hbm.near_memory_cast_GBps=200"}));
  const KernelResult s = slow.run(with(base, {{"a_source", "bf16_near_memory_cast"}}));
  CHECK(s.kernel_time_us * 1e-6 >= 0.95 * 2.0 * m * k / 200e9);
}

TEST_CASE("Near-memory cast feeds the transposed re-quantization", "[variants][near_memory]") {
  GpuSimulator sim(load_gpu("h100-sxm", {"hbm.implementation=near_memory_cast", "hbm.near_memory_cast_GBps=3352"}));
  const KernelDescriptor base{"transpose_requant", json{{"m", 4096}, {"k", 2048}}};
  const KernelResult fp8 = sim.run(base);
  const KernelResult near = sim.run(with(base, {{"input_source", "bf16_near_memory_cast"}}));
  CHECK(near.bytes.at("hbm_internal") == 2.0 * 4096 * 2048);
  CHECK(near.bytes.at("hbm_read") == fp8.bytes.at("hbm_read"));
  GpuSimulator h100(load_gpu("h100-sxm"));
  CHECK_THROWS_WITH(h100.run(with(base, {{"input_source", "bf16_near_memory_cast"}})),
                    Catch::Contains("needs hbm.implementation = near_memory_cast"));
}

TEST_CASE("Transposed GEMM: MN-major operands pass the TMA re-scaling, (m + n) k bytes", "[variants][transposed]") {
  GpuSimulator sim(load_gpu("h100-sxm", {"tensor_core.transposed_fp8_operands=true", "tma.implementation=casting",
                                         "tma.fp8_cast_bytes_per_clk=128"}));
  const std::int64_t m = 2048, n = 1536, k = 4096;
  const KernelResult kmajor = sim.run(block_gemm(m, n, k));
  const KernelResult mn = sim.run(with(block_gemm(m, n, k), {{"operand_major", "mn"}}));
  CHECK(mn.flops == kmajor.flops);
  // Every tile's share is re-scaled once per fetch from L2: at least each
  // operand once, and exactly the L2 traffic of A and B.
  CHECK(mn.bytes.at("tma_cast") >= static_cast<double>((m + n) * k));
  CHECK(hbm(mn) == Approx(hbm(kmajor)).epsilon(0.02));
  const KernelWork w = kernel_work("gemm", with(block_gemm(m, n, k), {{"operand_major", "mn"}}).params);
  CHECK(hbm(mn) == Approx(w.read_bytes + w.write_bytes).epsilon(0.02));
}

TEST_CASE("Proposal params need their hardware feature", "[variants][errors]") {
  GpuSimulator h100(load_gpu("h100-sxm"));
  const KernelDescriptor g = block_gemm(1024, 1024, 1024);
  CHECK_THROWS_WITH(h100.run(with(g, {{"a_source", "bf16_tma_cast"}})),
                    "kernel gemm: its TMA loads of tensor A pass the TMA's FP8 cast/re-scaling path, which this "
                    "GPU's TMA lacks (needs tma.implementation = casting: apply the fused_cast_tma or transposed_gemm "
                    "spec delta)");
  CHECK_THROWS_WITH(h100.run(with(g, {{"a_source", "bf16_near_memory_cast"}})),
                    Catch::Contains("needs hbm.implementation = near_memory_cast"));
  CHECK_THROWS_WITH(h100.run(with(g, {{"promotion", "tensor_core"}})),
                    Catch::Contains("tensor_core.group_scaled_mma = true"));
  CHECK_THROWS_WITH(h100.run(with(g, {{"operand_major", "mn"}})),
                    Catch::Contains("tensor_core.transposed_fp8_operands = true"));
  CHECK_THROWS_WITH(h100.run(with(g, {{"a_source", "fp16"}})), Catch::Contains("must be one of fp8, bf16_tma_cast"));
  GpuSimulator all(load_gpu("h100-sxm", {"tensor_core.group_scaled_mma=true", "tma.implementation=casting",
                                         "tma.fp8_cast_bytes_per_clk=64"}));
  KernelDescriptor per_tensor = with(g, {{"scaling", "per_tensor"}, {"promotion", "tensor_core"}});
  CHECK_THROWS_WITH(all.run(per_tensor), Catch::Contains("needs scaling = block_1x128_128x128"));
  CHECK_THROWS_WITH(all.run(with(g, {{"write_a_fp8_copy", true}})), Catch::Contains("needs a_source = bf16_tma_cast"));
}

TEST_CASE("RMSNorm FP8 output writes about half the bytes and adds cast ops", "[variants][rmsnorm]") {
  GpuSimulator sim(load_gpu("h100-sxm"));
  const std::int64_t m = 4096, n = 7168;
  const KernelDescriptor base{"rmsnorm", json{{"m", m}, {"n", n}}};
  const KernelResult bf16 = sim.run(base);
  const KernelResult fp8 = sim.run(with(base, {{"out_dtype", "fp8_e4m3"}}));
  const KernelResult both = sim.run(with(base, {{"out_dtype", "bf16_and_fp8_e4m3"}}));
  const double elems = static_cast<double>(m * n);
  CHECK(bf16.bytes.at("hbm_write") == Approx(2 * elems).epsilon(0.001));
  CHECK(fp8.bytes.at("hbm_write") == Approx(elems + elems / 32).epsilon(0.001));
  CHECK(both.bytes.at("hbm_write") == Approx(3 * elems + elems / 32).epsilon(0.001));
  CHECK(fp8.busy.at("cuda_core") * fp8.kernel_time_us > bf16.busy.at("cuda_core") * bf16.kernel_time_us);
  CHECK(fp8.time_us < bf16.time_us);
  CHECK(both.time_us > bf16.time_us);
  CHECK_THROWS_WITH(sim.run({"rmsnorm", json{{"m", 8}, {"n", 200}, {"out_dtype", "fp8_e4m3"}}}),
                    Catch::Contains("multiple of 128"));
}

TEST_CASE("Variant results are deterministic", "[variants][determinism]") {
  const HardwareSpec spec = load_gpu(
      "h100-sxm", {"tma.implementation=casting", "tma.fp8_cast_bytes_per_clk=64", "hbm.implementation=near_memory_cast",
                   "hbm.near_memory_cast_GBps=1600", "tensor_core.group_scaled_mma=true"});
  const KernelDescriptor d =
      with(block_gemm(2048, 1024, 2048),
           {{"a_source", "bf16_tma_cast"}, {"write_a_fp8_copy", true}, {"promotion", "tensor_core"}});
  GpuSimulator a(spec);
  const std::string first = a.run(d).to_json().dump();
  GpuSimulator b(spec);
  CHECK(b.run(d).to_json().dump() == first);
  const KernelDescriptor t{"transpose_requant",
                           json{{"m", 1024}, {"k", 1024}, {"input_source", "bf16_near_memory_cast"}}};
  CHECK(a.run(t).to_json().dump() == b.run(t).to_json().dump());
}

TEST_CASE("Transposed GEMM: a slow re-scaling path bounds the Wgrad GEMM", "[variants][transposed]") {
  auto time_at = [](int bytes_per_clk) {
    GpuSimulator sim(load_gpu("h100-sxm", {"tensor_core.transposed_fp8_operands=true", "tma.implementation=casting",
                                           "tma.fp8_cast_bytes_per_clk=" + std::to_string(bytes_per_clk)}));
    return sim.run(with(block_gemm(2048, 1536, 4096), {{"operand_major", "mn"}})).time_us;
  };
  const double slow = time_at(8), fast = time_at(256);
  INFO("re-scaling at 8 B/clk: " << slow << " us, at 256 B/clk: " << fast << " us");
  CHECK(slow > 1.5 * fast);
}
