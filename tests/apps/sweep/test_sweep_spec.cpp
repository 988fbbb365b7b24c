// The sweep file reader and the points (apps/hwsim/sweep/): every bad input is
// one error naming the file, line and key; grid order, random and Latin
// hypercube sampling from an explicit seed; the `hwsim run` a point asks for.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "apps/hwsim/sweep/sweep_spec.hpp"
#include "models/spec/error.hpp"

namespace fs = std::filesystem;
using namespace hwsim;
using namespace hwsim::sweep;

namespace {

const std::string kKernel = R"(workload:
  kernel: gemm
  params: {m: 1024, n: 1024, k: 1024, a_dtype: bf16, b_dtype: bf16, out_dtype: bf16}
)";

struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& text) {
    static int serial = 0;
    path =
        fs::temp_directory_path() / ("sweep_" + std::to_string(::getpid()) + "_" + std::to_string(serial++) + ".yaml");
    std::ofstream(path) << text;
  }
  ~TempFile() { fs::remove(path); }
};

std::string error_of(const std::string& text) {
  const TempFile f(text);
  try {
    read_sweep(f.path);
  } catch (const Error& e) {
    const std::string m = e.what();
    return m.starts_with(f.path.string()) ? m.substr(f.path.string().size()) : m;
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a bad sweep file is one error naming the line and key") {
  const std::string axis = "axes:\n  hbm.bandwidth_GBps: {values: [3352, 4800]}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kKernel + axis + "samplng: {method: grid}\n", ":6: samplng: unknown key (did you mean 'sampling'?)"},
      {kKernel + "axes:\n  hbm.bandwith_GBps: {values: [1]}\n",
       ":5: hbm.bandwith_GBps: not a GPU description key, param.NAME, tokens, proposal or numerics.promote_every (did "
       "you "
       "mean 'hbm.bandwidth_GBps'?)"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {from: 5000, to: 3000, steps: 3}\n",
       ":5: l2.bytes_per_clk: an empty or inverted range: from 5000 to 3000"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {from: 3000, to: 3000, steps: 3}\n",
       ":5: l2.bytes_per_clk: an empty or inverted range: from 3000 to 3000"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {values: []}\n",
       ":5: l2.bytes_per_clk.values: expected a non-empty list of numbers"},
      {kKernel + "axes:\n  hbm.bandwidth_GBps: {values: [1]}\n  hbm.bandwidth_GBps: {values: [2]}\n",
       ":6: hbm.bandwidth_GBps: given twice (line 5 and here)"},
      {kKernel + "set: {hbm.bandwidth_GBps: 4000}\n" + axis,
       ":6: hbm.bandwidth_GBps: is both an axis and a fixed set: value"},
      {kKernel + "axes:\n  param.mm: {values: [1]}\n",
       ":5: param.mm: kernel gemm has no param 'mm' (did you mean 'param.m'?)"},
      {"workload: {layer: deepseek-v3-layer}\naxes:\n  param.m: {values: [1]}\n",
       ":3: param.m: param.* axes need a kernel workload"},
      {kKernel + "axes:\n  tokens: {values: [1024]}\n", ":5: tokens: tokens is an axis of the layer workload only"},
      {kKernel + "axes:\n  tma.implementation: {values: [1]}\n",
       ":5: tma.implementation: only number and integer keys can be swept"},
      {kKernel + axis + "sampling: {method: sobol}\n",
       ":6: sampling.method: expected grid, random or lhs, got 'sobol'"},
      {kKernel + axis + "sampling: {method: lhs}\n", ":6: sampling: lhs sampling needs samples: N"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {values: [fast]}\n",
       ":5: l2.bytes_per_clk.values: expected a quantity such as '3.35 TB/s', got 'fast'"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {from: 0, to: 10, steps: 3, scale: log}\n",
       ":5: l2.bytes_per_clk: a log range needs from > 0"},
      {kKernel + "axes:\n  l2.bytes_per_clk: {from: 1, to: 10}\n",
       ":5: l2.bytes_per_clk: a range needs from, to and steps (missing steps)"},
      {"workload: {kernel: gemmm}\naxes:\n  l2.bytes_per_clk: {values: [1]}\n",
       ":1: workload.kernel: unknown kernel 'gemmm'"},
      {"axes:\n  l2.bytes_per_clk: {values: [1]}\n", ":1: workload: missing (a kernel, the layer or the step)"},
      {kKernel + axis + "constraints: ['hbm.bandwith_GBps > 1']\n",
       ":6: constraints[0]: 'hbm.bandwith_GBps > 1': column 1: 'hbm.bandwith_GBps' names no axis (did you mean "
       "'hbm.bandwidth_GBps'?)"},
      {kKernel + axis + "constraints: ['3 > 2']\n",
       ":6: constraints[0]: '3 > 2': column 1: the constraint names no axis"},
      {kKernel + axis + "constraints: ['hbm.bandwidth_GBps > (1']\n", ":6: constraints[0]: "},
      {kKernel + "axes:\n  numerics.promote_every: {values: [128]}\n",
       ":5: numerics.promote_every: needs a numerics: {k: K} section"},
      {kKernel + "numerics: {k: 4096}\naxes:\n  numerics.promote_every: {values: [100]}\n",
       ":6: numerics.promote_every.values: '100': must be a positive multiple of the accumulator's group of 32"},
      {kKernel + "numerics: {promote_every: 128}\n" + axis, ":4: numerics: needs k: the K the error is taken at"},
      {kKernel + "axes:\n  hbm.bandwidth_GBps: {values: [3.35 TB/s, 2 GHz]}\n",
       ":5: hbm.bandwidth_GBps.values: unit 'GHz' is a frequency, expected a bandwidth"},
      {kKernel + axis + "outputs: [time]\n", ":6: outputs: unknown output 'time' (did you mean 'time_us'?)"},
      {kKernel + axis + "outputs: [time_us, time_us]\n", ":6: outputs: time_us is listed twice"},
      {kKernel + "axes:\n  proposal: {values: [none]}\n",
       ":5: proposal: proposal is an axis of the layer and step workloads only"},
      {kKernel + axis + "proposals: [fused_cast_tma]\n",
       ":6: proposals: proposals apply to the layer and step workloads only"},
      {"workload: {layer: deepseek-v3-layer}\naxes:\n  proposal: {values: [none, fused_cast]}\n",
       ":3: proposal.values: unknown proposal 'fused_cast'"},
      {"workload: {layer: deepseek-v3-layer}\naxes:\n  proposal: {values: [none, comm_offload]}\n",
       ":3: proposal.values: comm_offload changes the training step's communication"},
      {"workload: {layer: deepseek-v3-layer}\naxes:\n  proposal: {values: [none]}\n"
       "constraints: [\"proposal < 'none'\"]\n",
       ":4: constraints[0]: 'proposal < 'none'': column 10: proposal takes names: compare it with == or !="},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(error_of(text).starts_with(expected));
  }
}

TEST_CASE("a bad step sweep is one error naming the line and key") {
  const std::string step = "workload: {step: deepseek-v3-step, model: roofline}\n";
  const std::string axis = "axes:\n  nic.effective_GBps: {values: [40, 80]}\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"workload: {step: deepseek-v3-stp}\n" + axis, ":1: workload.step: expected deepseek-v3-step, got"},
      {"workload: {step: deepseek-v3-step, layer: deepseek-v3-layer}\n" + axis,
       ":1: workload: give exactly one of kernel, layer or step"},
      {"workload: {step: deepseek-v3-step, model: fast}\n" + axis,
       ":1: workload.model: expected sim or roofline (hwsim step --model), got 'fast'"},
      {"workload: {layer: deepseek-v3-layer, model: roofline}\n" + axis,
       ":1: workload.model: a timing model is chosen for the step only"},
      {"workload: {step: deepseek-v3-step, tokens: 512}\n" + axis,
       ":1: workload.tokens: tokens is an option of the layer workload only"},
      {step + "axes:\n  tokens: {values: [1024]}\n", ":3: tokens: tokens is an axis of the layer workload only"},
      {step + "axes:\n  param.m: {values: [1]}\n", ":3: param.m: param.* axes need a kernel workload"},
      {step + "axes:\n  proposal: {values: [none, fused_cast_tma]}\n",
       ":3: proposal.values: fused_cast_tma changes the layer's kernels; the step sweeps the communication "
       "proposals"},
      {step + axis + "proposals: [comm_offload, unified_scaleup_scaleout]\n",
       ":4: proposals: the step runs one communication proposal (its all-to-all); give at most one"},
      {step + "axes:\n  proposal: {values: [none, comm_offload]}\nproposals: [unified_scaleup_scaleout]\n",
       ":4: proposals: the step runs one communication proposal; it is already the proposal axis"},
      {step + "numerics: {k: 7168}\n" + axis,
       ":2: numerics: the FP8 error is reported for kernel and layer workloads, not the step"},
      {step + axis + "outputs: [total_us]\n", ":4: outputs: unknown output 'total_us'"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(error_of(text).starts_with(expected));
  }
}

TEST_CASE("a step sweep runs hwsim step with the model, the GPU keys and the all-to-all of each point") {
  const TempFile f(
      "workload: {step: deepseek-v3-step, model: roofline}\n"
      "axes:\n  proposal: {values: [none, comm_offload]}\n  nic.effective_GBps: {values: [40, 80]}\n");
  const SweepSpec s = read_sweep(f.path);
  CHECK(s.step);
  CHECK(workload_name(s) == "deepseek-v3-step");
  const auto pts = expand(s);
  REQUIRE(pts.size() == 4);
  const auto args = [&](size_t i) {
    std::string joined;
    for (const auto& a : point_arguments(s, pts[i])) joined += a + " ";
    return joined;
  };
  CHECK(args(0) == "--gpu h800-sxm --set nic.effective_GBps=40 --model roofline --comm deepep_sm ");
  CHECK(args(3) == "--gpu h800-sxm --set nic.effective_GBps=80 --model roofline --comm comm_offload ");
  CHECK(point_spec(s, pts[3], "v").contains("hwsim_step"));
  CHECK(available_outputs(s).front() == "step_s");
}

// Inputs found in the sweep file's review and fuzzing (tests/fuzz, docs/reliability.md "Fuzzing").
TEST_CASE("a sweep file that is not UTF-8, a list param, an integer out of range or a device is one located error") {
  const std::string axis = "axes:\n  hbm.bandwidth_GBps: {values: [3352]}\n";
  CHECK(error_of("workload:\n  kernel: grouped_gemm\n  params: {groups: 2, group_rows: [512, 1024]}\n" + axis) ==
        ":3: workload.params.group_rows: expected a single value (a list as text, e.g. \"512,1024\")");
  CHECK(error_of("workload:\n  kernel: gemm\n  params: {m: 1, a_dtype: \"bf\xff\"}\n" + axis) ==
        ":3: not UTF-8 text (byte 0xFF); a sweep file is UTF-8 YAML");
  // Found by fuzz_sweep_spec: a whole-number axis beyond 64 bits was cast to an integer (undefined behaviour).
  CHECK(error_of(kKernel + "axes:\n  param.m: {from: 1, to: 1e31, steps: 3}\n") ==
        ":5: param.m: 5e+30 is outside 0..16777216, the range of param.m");
  CHECK(error_of(kKernel + "axes:\n  sm.count: {values: [0, 132]}\n") ==
        ":5: sm.count: 0 is outside 1..4096, the range of sm.count");
  CHECK(error_of("workload: {layer: deepseek-v3-layer}\naxes:\n  tokens: {values: [4096, 2097152]}\n") ==
        ":3: tokens: 2097152 is outside 1..1048576, the range of tokens");
  // A list as a key once became the empty name (": : not a GPU description key"); "inf" and "1e400" as a GPU
  // key's value once read as a quantity without its unit ("'inf' has no unit").
  CHECK(error_of(kKernel + "axes:\n  ? [a]\n  : {values: [1]}\n") ==
        ":5: axes: a key must be a plain name, not a list or map");
  CHECK(error_of(kKernel + "axes:\n  hbm.bandwidth_GBps: {values: [inf, 3352]}\n") ==
        ":5: hbm.bandwidth_GBps.values: expected a finite number in [0.001, 1000000], got inf");
  CHECK(error_of(kKernel + "axes:\n  hbm.bandwidth_GBps: {from: 1, to: 1e400, steps: 2}\n") ==
        ":5: hbm.bandwidth_GBps.to: expected a finite number in [0.001, 1000000], got 1e400");
  try {
    read_sweep("/dev/null");
    FAIL("a device was read as a sweep file");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "cannot read sweep file '/dev/null': not a regular file (a folder, device or FIFO)");
  }
}

TEST_CASE("a grid takes every combination, the last axis fastest") {
  const TempFile f(kKernel +
                   "axes:\n  hbm.bandwidth_GBps: {values: [3352, 4800]}\n"
                   "  l2.bytes_per_clk: {from: 3000, to: 5000, steps: 3}\n");
  const SweepSpec s = read_sweep(f.path);
  const auto pts = expand(s);
  REQUIRE(pts.size() == 6);
  CHECK(pts[0].values == std::vector<double>{3352, 3000});
  CHECK(pts[1].values == std::vector<double>{3352, 4000});
  CHECK(pts[5].values == std::vector<double>{4800, 5000});
  // The point's run: the fixed params, the axes as --set.
  const auto argv = point_arguments(s, pts[1]);
  const std::string joined = [&] {
    std::string j;
    for (const auto& a : argv) j += a + " ";
    return j;
  }();
  CHECK(joined.find("--set hbm.bandwidth_GBps=3352 --set l2.bytes_per_clk=4000") != std::string::npos);
  CHECK(joined.find("--kernel gemm") != std::string::npos);
  CHECK(point_spec(s, pts[0], "v1") != point_spec(s, pts[1], "v1"));
  CHECK(point_spec(s, pts[0], "v1") != point_spec(s, pts[0], "v2"));  // never shared across simulator versions
}

TEST_CASE("Latin hypercube puts one point in each stratum of every axis; the seed fixes the points") {
  const std::string text = kKernel +
                           "axes:\n  l2.bytes_per_clk: {from: 1000, to: 2000, steps: 2}\n"
                           "  param.m: {from: 64, to: 8192, steps: 2, scale: log}\n"
                           "sampling: {method: lhs, samples: 10, seed: 7}\n";
  const TempFile f(text);
  const SweepSpec s = read_sweep(f.path);
  const auto a = expand(s), b = expand(s);
  REQUIRE(a.size() == 10);
  std::set<int> strata;
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].values == b[i].values);
    strata.insert(static_cast<int>((a[i].values[0] - 1000) / 100));
    CHECK(a[i].values[1] == std::round(a[i].values[1]));  // a kernel param is whole
    CHECK(a[i].values[1] >= 64);
    CHECK(a[i].values[1] <= 8192);
  }
  CHECK(strata.size() == 10);
  SweepSpec other = s;
  other.sampling.seed = 8;
  CHECK(expand(other)[0].values != a[0].values);
  other.sampling.method = "random";
  CHECK(expand(other).size() == 10);
}

TEST_CASE("constraints drop points, which keep their index; the proposal axis runs each proposal") {
  const TempFile f(
      "workload: {layer: deepseek-v3-layer, tokens: 512}\n"
      "proposals: [group_scaled_mma]\n"
      "axes:\n  proposal: {values: [none, fused_cast_tma]}\n  hbm.bandwidth_GBps: {values: [3352, 4800, 8000]}\n"
      "constraints:\n  - \"proposal == 'none' or hbm.bandwidth_GBps / 2 > 2000\"\n  - not hbm.bandwidth_GBps == 8000\n"
      "outputs: [forward_us, total_us]\n");
  const SweepSpec s = read_sweep(f.path);
  const auto pts = expand(s);
  REQUIRE(pts.size() == 3);  // none x {3352, 4800}, fused_cast_tma x 4800
  CHECK(pts[0].index == 0);
  CHECK(pts[1].index == 1);
  CHECK(pts[2].index == 4);
  CHECK(format_value(s.axes[0], pts[2].values[0]) == "fused_cast_tma");
  CHECK(s.outputs == std::vector<std::string>{"forward_us", "total_us"});
  std::string joined;
  for (const auto& a : point_arguments(s, pts[2])) joined += a + " ";
  CHECK(joined.find("--proposal group_scaled_mma --proposal fused_cast_tma --set hbm.bandwidth_GBps=4800") !=
        std::string::npos);
  std::string base;
  for (const auto& a : point_arguments(s, pts[0])) base += a + " ";
  CHECK(base.find("fused_cast_tma") == std::string::npos);  // none: the baseline (plus the fixed proposals)
  CHECK(point_spec(s, pts[2], "v")["axes"]["proposal"] == "fused_cast_tma");
}

TEST_CASE("a constraint's arithmetic and logic") {
  const std::vector<std::string> axes = {"a", "b"};
  const std::vector<std::vector<std::string>> labels = {{}, {}};
  auto holds = [&](const std::string& text, double a, double b) {
    return Constraint::parse(text, axes, labels).holds({a, b});
  };
  CHECK(holds("a + b * 2 == 7", 1, 3));
  CHECK_FALSE(holds("(a + b) * 2 == 7", 1, 3));
  CHECK(holds("-a < b and not b < 0", 1, 3));
  CHECK(holds("a / b >= 0.5 or a > 100", 2, 4));
  CHECK_FALSE(holds("a / b > 0.5 or a > 100", 2, 4));
  CHECK(holds("a != b", 1.5, 2));
  CHECK(holds("b > 0 and a / b < 1", 1, 0) == false);  // short-circuit: no division by zero asked
  CHECK(holds("1e3 <= a", 1000, 0));
  CHECK_THROWS_WITH(Constraint::parse("a >", axes, labels), "column 4: the expression ends too early");
  CHECK_THROWS_WITH(Constraint::parse("a # b", axes, labels), "column 3: unexpected character '#'");
}

TEST_CASE("the numerics section adds the FP8 error to every point's run and outputs") {
  const TempFile f(kKernel +
                   "numerics: {k: 7168}\naxes:\n  tensor_core.fp8_accum_fraction_bits: {values: [13, 23]}\n"
                   "  numerics.promote_every: {values: [128, none]}\n");
  const SweepSpec s = read_sweep(f.path);
  CHECK(s.outputs == std::vector<std::string>{"time_us", "sm_clock_mhz", "fp8_max_rel_error", "fp8_mean_rel_error"});
  const auto pts = expand(s);
  REQUIRE(pts.size() == 4);
  std::string joined;
  for (const auto& a : point_arguments(s, pts[3])) joined += a + " ";
  CHECK(joined.find("--set tensor_core.fp8_accum_fraction_bits=23") != std::string::npos);
  CHECK(joined.find("--fp8-error-k 7168 --fp8-error-promote-every none") != std::string::npos);
  CHECK(point_spec(s, pts[2], "v")["axes"]["numerics.promote_every"] == "128");
}

TEST_CASE("an axis of a GPU key with a unit takes quantities as --set does") {
  const TempFile f(kKernel +
                   "axes:\n  hbm.bandwidth_GBps: {values: [3.35 TB/s, 4800]}\n"
                   "  l2.size_bytes: {from: 25 MB, to: 100 MB, steps: 2}\n");
  const SweepSpec s = read_sweep(f.path);
  CHECK(s.axes[0].values == std::vector<double>{3350, 4800});
  CHECK(s.axes[1].values.front() == 25e6);
  CHECK(s.axes[1].values.back() == 100e6);
}
