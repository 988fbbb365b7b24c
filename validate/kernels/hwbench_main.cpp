// hwbench: Hopper (sm_90a) microbenchmarks and validation kernels for hwsim.
// Writes one JSON Lines record per measured kernel; see
// validate/data/README.md for the record schema and validate/kernels/README.md
// for the kernels' designs.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <string>

#include "bench_context.hpp"

namespace {

constexpr const char* kUsage =
    "usage: hwbench --suite calibration|validation|all --gpu-name NAME --out FILE.jsonl [--quick]\n"
    "\n"
    "  --suite      calibration: microbenchmarks (ubench_* records, role calibration)\n"
    "               validation:  cuBLASLt GEMMs and hwbench kernels (role validation)\n"
    "               all:         both\n"
    "  --gpu-name   the record's \"gpu\" field and id prefix, e.g. h100-sxm\n"
    "  --out        output JSON Lines file (written atomically at the end;\n"
    "               FILE.partial holds the records taken so far)\n"
    "  --role-override validation\n"
    "               mark every record role validation (for GPUs whose data may\n"
    "               never calibrate the model, e.g. the H200)\n"
    "  --quick      few shapes and repetitions (a smoke test)\n"
    "  --only NAME  run only this part of the suite (memory, tma, wgmma, power, core,\n"
    "               elementwise, quant, gemm, training, scaling,\n"
    "               power_movement, power_cores, power_dynamics, sustained, l2_sharing, l2_readers,\n"
    "               gemm_forced, pipes)\n"
    "  --self-test  check the JSON writer and exit (needs no GPU)\n"
    "  --help       print this and exit (needs no GPU)\n";

// Checks the hand-written JSON writer (escaping, number formatting, key
// order) so that a record a parser would reject cannot go unnoticed.
int self_test() {
  using hwbench::Json;
  int failures = 0;
  auto expect = [&](const std::string& got, const std::string& want) {
    if (got != want) {
      std::fprintf(stderr, "self-test: got %s, want %s\n", got.c_str(), want.c_str());
      ++failures;
    }
  };
  expect(Json::quote("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
  expect(Json::number(3.0), "3");
  expect(Json::number(0.125), "0.125");
  expect(Json::number(1.0 / 3.0), "0.333333");
  expect(Json::number(std::numeric_limits<double>::infinity()), "null");
  Json inner;
  inner.add("m", 4096).add("fast_accum", true);
  Json outer;
  outer.add("id", "h100-sxm/gemm/x").add("params", inner).add("t", 1.5).add("unsigned", uint64_t(1) << 40);
  expect(outer.str(),
         "{\"id\": \"h100-sxm/gemm/x\", \"params\": {\"m\": 4096, \"fast_accum\": true}, \"t\": 1.5, \"unsigned\": "
         "1099511627776}");
  if (failures != 0) return 1;
  std::puts("hwbench: self-test passed");
  return 0;
}

int fail(const std::string& msg) {
  std::fprintf(stderr, "hwbench: error: %s\n", msg.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  hwbench::RunOptions opt;
  std::string command = "hwbench";
  for (int i = 1; i < argc; ++i) {
    command += " ";
    command += argv[i];
  }
  opt.command = command;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) throw hwbench::BenchError(std::string(name) + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--help" || a == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--self-test") {
        return self_test();
      } else if (a == "--suite") {
        opt.suite = value("--suite");
      } else if (a == "--gpu-name") {
        opt.gpu_name = value("--gpu-name");
      } else if (a == "--out") {
        opt.out_path = value("--out");
      } else if (a == "--role-override") {
        opt.role_override = value("--role-override");
      } else if (a == "--only") {
        opt.only = value("--only");
      } else if (a == "--quick") {
        opt.quick = true;
      } else {
        return fail("unknown option '" + a + "'\n" + kUsage);
      }
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  }
  if (opt.suite != "calibration" && opt.suite != "validation" && opt.suite != "all") {
    return fail("--suite must be calibration, validation or all (got '" + opt.suite + "')");
  }
  if (opt.gpu_name.empty()) return fail("--gpu-name is required (e.g. h100-sxm)");
  static const char* const kParts[] = {"memory",         "tma",         "wgmma",          "power",     "core",
                                       "elementwise",    "quant",       "gemm",           "training",  "scaling",
                                       "power_movement", "power_cores", "power_dynamics", "sustained", "l2_sharing",
                                       "l2_readers",     "gemm_forced", "pipes"};
  if (!opt.only.empty() && std::find(std::begin(kParts), std::end(kParts), opt.only) == std::end(kParts)) {
    return fail(
        "--only must name a part of the suite (memory, tma, wgmma, power, core, elementwise, quant, gemm, training, "
        "scaling, power_movement, power_cores, power_dynamics, sustained, l2_sharing, l2_readers, gemm_forced, pipes), "
        "got '" +
        opt.only + "'");
  }
  if (opt.out_path.empty()) return fail("--out is required");
  if (!opt.role_override.empty() && opt.role_override != "validation") {
    return fail("--role-override accepts only 'validation'");
  }

  try {
    hwbench::BenchContext ctx(opt);
    std::printf("hwbench: %s, %d SMs, L2 %zu MiB, suite %s%s\n", ctx.prop().name, ctx.sm_count(), ctx.l2_bytes() >> 20,
                opt.suite.c_str(), opt.quick ? " (quick)" : "");
    std::fflush(stdout);
    struct Suite {
      const char* name;
      bool calibration;
      void (*run)(hwbench::BenchContext&);
    };
    const Suite suites[] = {
        {"memory", true, hwbench::run_memory_ubench},
        {"tma", true, hwbench::run_tma_ubench},
        {"l2_sharing", true, hwbench::run_l2_sharing_ubench},
        {"l2_readers", true, hwbench::run_l2_readers_ubench},
        {"wgmma", true, hwbench::run_wgmma_ubench},
        {"power", true, hwbench::run_power_ubench},
        {"scaling", true, hwbench::run_sm_scaling_ubench},
        {"power_movement", true, hwbench::run_power_movement_ubench},
        {"power_cores", true, hwbench::run_power_cores_ubench},
        {"power_dynamics", true, hwbench::run_power_dynamics_ubench},
        {"core", true, hwbench::run_core_ubench},
        {"pipes", true, hwbench::run_pipes_ubench},
        {"elementwise", false, hwbench::run_elementwise_validation},
        {"quant", false, hwbench::run_quant_validation},
        {"gemm", false, hwbench::run_gemm_validation},
        {"training", false, hwbench::run_gemm_training_validation},
        {"sustained", false, hwbench::run_gemm_sustained_validation},
        {"gemm_forced", false, hwbench::run_gemm_forced_validation},
    };
    for (const Suite& s : suites) {
      const bool wanted = opt.suite == "all" || (s.calibration == (opt.suite == "calibration"));
      if (!wanted || (!opt.only.empty() && opt.only != s.name)) continue;
      const size_t before = ctx.record_count();
      s.run(ctx);
      std::printf("hwbench: suite %s: %zu records\n", s.name, ctx.record_count() - before);
      std::fflush(stdout);
    }
    ctx.finish();
    std::printf("\n%-52s %s\n", "summary", "value");
    for (const auto& line : ctx.summary()) std::printf("%s\n", line.c_str());
    std::printf("hwbench: %zu records written to %s\n", ctx.record_count(), opt.out_path.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hwbench: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
