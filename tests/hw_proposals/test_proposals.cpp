// Each proposal's mechanism, computed from the model: what its rewrite removes
// and what the traffic of the kernels it touches becomes.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "hw_proposals/proposal.hpp"
#include "hw_proposals/study.hpp"
#include "models/numerics/error_study.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

using namespace hwsim;
using namespace hwsim::proposals;

namespace {

std::vector<StudyKernel> rewritten(const std::string& proposal) {
  auto ks = as_study(deepseek_v3::moe_layer_kernels(deepseek_v3::published_shape(), {}));
  find_proposal(proposal)->rewrite(ks);
  return ks;
}

double hbm_bytes(const std::vector<StudyKernel>& ks, bool include_removed = false) {
  double b = 0;
  for (const auto& k : ks) {
    if (k.change == Change::kRemoved && !include_removed) continue;
    const KernelWork w = kernel_work(k.kernel.kind, k.kernel.params);
    b += (w.read_bytes + w.write_bytes) * k.kernel.count;
  }
  return b;
}

const StudyKernel& named(const std::vector<StudyKernel>& ks, const std::string& name) {
  for (const auto& k : ks) {
    if (k.kernel.name == name) return k;
  }
  FAIL("no kernel " << name);
  return ks.front();
}

}  // namespace

TEST_CASE("the registry lists the seven proposals and the compute ones' combination; unknown names are refused") {
  std::vector<std::string> names;
  for (const auto& p : all_proposals()) names.emplace_back(p->name());
  CHECK(names == std::vector<std::string>{"fused_cast_tma", "group_scaled_mma", "accumulation_precision",
                                          "transposed_gemm", "near_memory_compute", "comm_offload",
                                          "unified_scaleup_scaleout", "combined"});
  CHECK_THROWS_WITH(find_proposal("fused_cast"), Catch::StartsWith("unknown proposal 'fused_cast'; known: "));
}

TEST_CASE("every spec delta loads over every preset and only switches features on") {
  for (const auto& p : all_proposals()) {
    for (const auto& gpu : {"h100-sxm", "h800-sxm", "h200-sxm"}) {
      INFO(p->name() << " on " << gpu);
      const HardwareSpec base = load_gpu(gpu);
      const HardwareSpec with = load_gpu(gpu, {}, p->spec_delta());
      for (const auto& [key, param] : with.params.all()) {
        if (to_string(param.value) == to_string(base.params.at(key).value)) continue;
        const bool feature = key == "tma.fp8_cast_bytes_per_clk" || key == "hbm.near_memory_cast_GBps" ||
                             key == "tma.implementation" || key == "hbm.implementation" ||
                             key.starts_with("tensor_core.group_scale") ||
                             key == "tensor_core.fp8_accum_fraction_bits" ||
                             key == "tensor_core.transposed_fp8_operands" || key.starts_with("comm_coprocessor.") ||
                             key == "nic.unified_scaleup_scaleout" || key == "nic.adapter_latency_us";
        CHECK(feature);
      }
    }
  }
}

TEST_CASE("fused cast + TMA removes exactly the quantization round trip of each GEMM input") {
  const auto base = rewritten("accumulation_precision");  // no kernel changes: the baseline list
  const auto fused = rewritten("fused_cast_tma");
  int removed = 0;
  double expected_saving = 0;
  for (size_t i = 0; i < fused.size(); ++i) {
    if (fused[i].change != Change::kRemoved) continue;
    REQUIRE(fused[i].kernel.kind == "quant_1x128");
    ++removed;
    // The quantization kernel's own traffic disappears...
    const KernelWork q = kernel_work("quant_1x128", fused[i].kernel.params);
    expected_saving += (q.read_bytes + q.write_bytes) * fused[i].kernel.count;
  }
  // ...and the kernels that absorbed the cast change their traffic by what
  // they now read (BF16 instead of FP8 + scales) or write (FP8 copy, FP8 norm).
  for (size_t i = 0; i < fused.size(); ++i) {
    if (fused[i].change != Change::kRewritten) continue;
    const KernelWork before = kernel_work(base[i].kernel.kind, base[i].kernel.params);
    const KernelWork after = kernel_work(fused[i].kernel.kind, fused[i].kernel.params);
    expected_saving -=
        (after.read_bytes + after.write_bytes - before.read_bytes - before.write_bytes) * fused[i].kernel.count;
  }
  CHECK(removed >= 10);
  CHECK(hbm_bytes(base) - hbm_bytes(fused) == Approx(expected_saving));
  // Per GEMM input of m x k: the standalone kernel read 2mk and wrote mk + mk/32,
  // the GEMM read mk + mk/32; now the GEMM reads 2mk and writes the FP8 copy once.
  // The saving is the quantization's FP8 write and the GEMM's FP8 read minus the copy: mk + mk/32.
  const auto& q = named(base, "fwd.o_quant");
  const double mk = q.kernel.params["m"].get<double>() * q.kernel.params["k"].get<double>();
  const auto& gemm = named(fused, "fwd.o_proj");
  CHECK(gemm.kernel.params["a_source"] == "bf16_tma_cast");
  CHECK(gemm.kernel.params["write_a_fp8_copy"] == true);
  const double gemm_delta = [&] {
    const KernelWork a = kernel_work("gemm", named(base, "fwd.o_proj").kernel.params);
    const KernelWork b = kernel_work("gemm", gemm.kernel.params);
    return (b.read_bytes + b.write_bytes) - (a.read_bytes + a.write_bytes);
  }();
  const KernelWork qw = kernel_work("quant_1x128", q.kernel.params);
  CHECK((qw.read_bytes + qw.write_bytes) - gemm_delta == Approx(mk + mk / 32));
  // Norm-fed quantizations go into the norm through the warp-level cast.
  CHECK(named(fused, "fwd.attn_norm").kernel.params["out_dtype"] == "fp8_e4m3");
  CHECK(named(fused, "fwd.mlp_norm").kernel.params["out_dtype"] == "bf16_and_fp8_e4m3");
}

TEST_CASE("transposed GEMM removes every transposed re-quantization and reads the Wgrad operands MN-major") {
  const auto ks = rewritten("transposed_gemm");
  int wgrads = 0;
  for (const auto& k : ks) {
    if (k.kernel.kind == "transpose_requant") CHECK(k.change == Change::kRemoved);
    if (k.kernel.name.starts_with("bwd.wgrad.")) {
      wgrads += k.kernel.count;
      CHECK(k.kernel.params["operand_major"] == "mn");
    } else if (k.kernel.kind == "gemm") {
      CHECK_FALSE(k.kernel.params.contains("operand_major"));
    }
  }
  CHECK(wgrads == 14);  // 4 attention projections, 4 + 4 expert launches, 2 shared
}

TEST_CASE("group-scaled MMA asks every block-scaled GEMM to promote in the tensor core") {
  for (const auto& k : rewritten("group_scaled_mma")) {
    if (k.kernel.kind != "gemm") continue;
    const std::string scaling = k.kernel.params["scaling"];
    const bool block = scaling == "block_1x128_128x128" || scaling == "block_1x128_1x128";
    CHECK(k.kernel.params.contains("promotion") == block);
  }
}

TEST_CASE("the compute proposals reach the routed experts' grouped GEMMs") {
  // The experts' FP8 inputs feed grouped GEMMs, which take gemm's proposal params.
  const auto fused = rewritten("fused_cast_tma");
  CHECK(named(fused, "fwd.expert_swiglu_quant").change == Change::kRemoved);
  CHECK(named(fused, "fwd.expert_down").kernel.params["a_source"] == "bf16_tma_cast");
  CHECK(named(fused, "fwd.expert_down").kernel.params["write_a_fp8_copy"] == true);
  CHECK(named(fused, "bwd.dgrad.expert_up").kernel.params["a_source"] == "bf16_tma_cast");
  const auto near = rewritten("near_memory_compute");
  CHECK(named(near, "bwd.dgrad.expert_down").kernel.params["a_source"] == "bf16_near_memory_cast");
  for (const char* name : {"fwd.expert_up", "fwd.expert_down", "bwd.dgrad.expert_up", "bwd.dgrad.expert_down"})
    CHECK(named(rewritten("group_scaled_mma"), name).kernel.params["promotion"] == "tensor_core");
  // Every rewritten grouped GEMM is a valid request with the work it asks for.
  for (const auto& k : rewritten("combined")) {
    if (k.kernel.kind != "grouped_gemm") continue;
    INFO(k.kernel.name << " " << k.kernel.params.dump());
    CHECK(k.change == Change::kRewritten);
    CHECK(kernel_work(k.kernel.kind, k.kernel.params).group_scaled);
  }
}

TEST_CASE("near-memory compute cuts the cast's off-chip bytes by the modelled fraction") {
  const auto base = rewritten("accumulation_precision");
  const auto near = rewritten("near_memory_compute");
  // Off-chip bytes of the cast path of one GEMM input (m x k): before, the
  // quantization kernel reads BF16 and writes FP8 + scales, and the GEMM reads
  // FP8 + scales; after, only the GEMM's FP8 + scales cross the package.
  const auto& q = named(base, "fwd.o_quant");
  const KernelWork qw = kernel_work("quant_1x128", q.kernel.params);
  const double mk = q.kernel.params["m"].get<double>() * q.kernel.params["k"].get<double>();
  const double fp8 = mk + mk / 32;
  const double before = qw.read_bytes + qw.write_bytes + fp8;
  const double after = fp8;
  CHECK(named(near, "fwd.o_quant").change == Change::kRemoved);
  CHECK(named(near, "fwd.o_proj").kernel.params["a_source"] == "bf16_near_memory_cast");
  const double cut = 1 - after / before;
  CHECK(cut == Approx(1 - fp8 / (2 * mk + 2 * fp8)));
  // Against reading BF16 directly (the fused TMA cast), the cut is about half,
  // the paper's "roughly 50%" (V3 3.5.2).
  CHECK(1 - fp8 / (2 * mk) == Approx(0.5).margin(0.02));
  CHECK(hbm_bytes(near) < hbm_bytes(base));
}

TEST_CASE("a rewritten kernel on a GPU without the feature is refused, not silently timed") {
  auto model = make_roofline_predictor(load_gpu("h800-sxm"));
  const auto ks = rewritten("fused_cast_tma");
  CHECK_THROWS_WITH(model->predict("gemm", named(ks, "fwd.o_proj").kernel.params),
                    Catch::Contains("asks for a TMA FP8 cast, which h800-sxm lacks"));
}

TEST_CASE("the study keeps the baseline time of unchanged kernels and is deterministic") {
  StudyOptions o;
  o.model_name = "roofline";
  o.proposals = {"fused_cast_tma", "combined"};
  const PredictorFactory f = [](const HardwareSpec& s) { return make_roofline_predictor(s); };
  const auto a = run_study(o, f);
  CHECK(a.dump() == run_study(o, f).dump());
  const auto& base = a["baseline"]["kernels"];
  for (const auto& p : a["proposals"]) {
    for (size_t i = 0; i < base.size(); ++i) {
      if (p["kernels"][i]["change"] == "unchanged") CHECK(p["kernels"][i]["time_us"] == base[i]["time_us"]);
      if (p["kernels"][i]["change"] == "removed") CHECK(p["kernels"][i]["time_us"] == 0.0);
    }
    CHECK(p["speedup"].get<double>() > 1.0);
  }
  // The combination is at least as fast as its best part on this model.
  CHECK(a["proposals"][1]["total_us"].get<double>() <= a["proposals"][0]["total_us"].get<double>());
}

TEST_CASE("a wider FP8 accumulator lowers the GEMM error monotonically (accumulation_precision)") {
  // The widths the accumulation_precision study sweeps, on the numerics model
  // calibrated bit for bit on the H100 (docs/numerics.md), at K = 4096 without
  // promotion: the DeepSeek-V3 3.3.2 setting.
  numerics::ErrorStudy study;
  study.m = 32;
  study.n = 32;
  study.ks = {4096};
  for (const auto& p : all_proposals()) {
    if (p->name() != "accumulation_precision") continue;
    for (const auto& s : p->sensitivity()) {
      for (double bits : s.values) {
        const std::string spec = fmt::format("bits={}", static_cast<int>(bits));
        study.configs.push_back({spec, {numerics::accumulator_preset(spec), std::nullopt}});
      }
    }
  }
  REQUIRE(study.configs.size() >= 3);
  const auto rows = numerics::run_error_study(study);
  REQUIRE(rows.size() == study.configs.size());
  for (size_t i = 1; i < rows.size(); ++i) {
    INFO(rows[i - 1].config << " " << rows[i - 1].max_rel << " -> " << rows[i].config << " " << rows[i].max_rel);
    CHECK(rows[i].max_rel < rows[i - 1].max_rel);
    CHECK(rows[i].mean_rel < rows[i - 1].mean_rel);
  }
}
