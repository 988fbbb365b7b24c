// hwsim numerics gemm | error | check | evidence | bench: the FP8 tensor-core
// accumulation model (models/numerics/, docs/numerics.md) from the command line.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/fp8_error.hpp"
#include "models/io/atomic_file.hpp"
#include "models/numerics/error_study.hpp"
#include "models/numerics/formats.hpp"
#include "models/numerics/gemm_input.hpp"
#include "models/numerics/measurement.hpp"
#include "models/numerics/quantize.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace hwsim::cli {
namespace {

using namespace hwsim::numerics;

Option accumulator_option(bool repeatable = false) {
  return {"accumulator", "SPEC", "hopper (measured), fp32_exact, or bits=N (Hopper with N fraction bits)",
          repeatable ? "" : "hopper", repeatable};
}

GemmOptions gemm_options(const Args& a) {
  GemmOptions o;
  o.accumulator = accumulator_preset(a.get("accumulator"));
  o.promote_every = parse_promote_every(a.get("promote-every"), o.accumulator.group_size);
  return o;
}

std::vector<int> parse_ks(const std::string& text) {
  std::vector<int> ks;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const int k = std::stoi(item, &used);
      if (used != item.size() || k < 1) throw std::invalid_argument(item);
      ks.push_back(k);
    } catch (const std::exception&) {
      throw Error("--ks " + text + ": '" + item + "' is not a positive whole number");
    }
  }
  if (ks.empty()) throw Error("--ks: give at least one K");
  return ks;
}

}  // namespace

Command numerics_gemm_command() {
  Command c;
  c.name = "numerics gemm";
  c.summary = "emulate an FP8 (E4M3) GEMM C = A*B^T on the tensor-core accumulation model";
  c.description =
      "Reads FILE {\"a\": [[...]], \"b\": [[...]]} (A is M x K, B is N x K, every value exactly an E4M3\n"
      "number) and writes {\"c\": [[\"0x...\"]]}, each element the bit pattern of its FP32 value, with unit\n"
      "scales. --promote-every 128 is cuBLASLt without fast accumulation (and DeepGEMM); none is fast\n"
      "accumulation. Compare the output with a GPU's to check the model against your own measurement.";
  c.options = {{"in", "FILE", "input JSON with \"a\" and \"b\"", ""},
               {"out", "FILE", "output JSON", ""},
               accumulator_option(),
               {"promote-every", "N|none", "add the tensor-core sum into FP32 every N elements of K", "none"}};
  c.run = [](const Args& a) {
    const std::string in = a.get("in"), out = a.get("out");
    const GemmOptions o = gemm_options(a);
    const GemmInput input = load_gemm_input(in);
    const FloatMatrix cm = emulate_gemm(input.a, input.b, o);
    // Rows as hand-written JSON: nlohmann would print the same, one row per line is easier to diff.
    std::string text = "{\"c\": [\n";
    for (Eigen::Index i = 0; i < cm.rows(); ++i) {
      text += "  [";
      for (Eigen::Index jj = 0; jj < cm.cols(); ++jj)
        text += fmt::format("{}\"{:#010x}\"", jj ? ", " : "", f32_bits(cm(i, jj)));
      text += i + 1 < cm.rows() ? "],\n" : "]\n";
    }
    text += "]}\n";
    write_file_atomic(out, text);
    return 0;
  };
  return c;
}

Command numerics_error_command() {
  Command c;
  c.name = "numerics error";
  c.summary = "error of emulated FP8 GEMMs against FP64 as a function of K";
  c.description =
      "Draws seeded random E4M3 matrices (M x K and N x K) for each K and compares each accumulator\n"
      "configuration with an FP64 reference of the same inputs: hopper without promotion, hopper with\n"
      "promotion every 128, fp32_exact, and each --accumulator given; with --gpu, also the accumulator that\n"
      "GPU description implies (the Hopper rule with its tensor_core.fp8_accum_fraction_bits, promoted every\n"
      "--gpu-promote-every). Errors are relative per element (max and mean over elements with a non-zero\n"
      "reference) and normwise (max |error| / max |ref|).";
  c.options = {
      {"ks", "LIST", "comma-separated K values", "128,256,512,1024,2048,4096,8192,16384"},
      {"distribution", "NAME", "normal4, uniform_pos or wide (validate/kernels/numerics/README.md)", "uniform_pos"},
      {"m", "M", "rows of A", "64", false, IntRange{1, 65536}},
      {"n", "N", "rows of B", "64", false, IntRange{1, 65536}},
      {"seed", "S", "base seed (inputs of each K use seed + K)", "1", false, IntRange{0, 1LL << 53}},
      accumulator_option(true),
      {"gpu", "NAME|FILE", "also the accumulator of this GPU description (preset or .yaml)", ""},
      set_option(),
      {"gpu-promote-every", "N|none", "--gpu: promote into FP32 every N products of K, or never", "128"},
      {"json", "FILE", "write the rows as JSON", ""},
      {"csv", "FILE", "write the rows as CSV", ""}};
  c.run = [](const Args& a) {
    if (!a.all("set").empty() && !a.has("gpu"))
      throw Error("numerics error: --set needs --gpu (the description it sets)");
    ErrorStudy s;
    s.ks = parse_ks(a.get("ks"));
    s.distribution = random_distribution_by_name(a.get("distribution"));
    s.m = int(a.integer("m"));
    s.n = int(a.integer("n"));
    s.seed = uint64_t(a.integer("seed"));
    const AccumulatorParams hopper = accumulator_preset("hopper");
    const auto promote = accumulator_preset_with_sources("hopper").cublaslt_promote_every;
    s.configs = {{"hopper", {hopper, std::nullopt}},
                 {fmt::format("hopper+promote{}", promote.value_or(128)), {hopper, promote.value_or(128)}},
                 {"fp32_exact", {accumulator_preset("fp32_exact"), std::nullopt}}};
    for (const std::string& spec : a.all("accumulator"))
      s.configs.push_back({spec, {accumulator_preset(spec), std::nullopt}});
    if (a.has("gpu")) {
      const HardwareSpec spec = load_gpu(a.get("gpu"), a.all("set"));
      const AccumulatorParams acc = accumulator_of(spec);
      const auto every = parse_promote_every(a.get("gpu-promote-every"), acc.group_size, "--gpu-promote-every");
      s.configs.push_back({fmt::format("{}:bits={}{}", spec.name, acc.fraction_bits,
                                       every ? fmt::format("+promote{}", *every) : std::string()),
                           {acc, every}});
    }
    const std::vector<ErrorRow> rows = run_error_study(s);
    fmt::print("FP8 E4M3 GEMM accumulation error vs FP64, {} inputs, M = {}, N = {}, seed {} + K\n",
               a.get("distribution"), s.m, s.n, s.seed);
    fmt::print("{:>6}  {:<20} {:>12} {:>12} {:>12} {:>13}\n", "K", "accumulator", "max rel", "mean rel", "normwise",
               "mean signed");
    nlohmann::json j = nlohmann::json::array();
    std::string csv = "k,accumulator,max_rel,mean_rel,norm_rel,mean_signed_rel\n";
    for (const ErrorRow& r : rows) {
      fmt::print("{:>6}  {:<20} {:>12.4e} {:>12.4e} {:>12.4e} {:>13.4e}\n", r.k, r.config, r.max_rel, r.mean_rel,
                 r.norm_rel, r.mean_signed_rel);
      j.push_back({{"k", r.k},
                   {"accumulator", r.config},
                   {"max_rel", r.max_rel},
                   {"mean_rel", r.mean_rel},
                   {"norm_rel", r.norm_rel},
                   {"mean_signed_rel", r.mean_signed_rel}});
      csv += fmt::format("{},{},{:.6e},{:.6e},{:.6e},{:.6e}\n", r.k, r.config, r.max_rel, r.mean_rel, r.norm_rel,
                         r.mean_signed_rel);
    }
    if (auto f = a.maybe("json")) {
      nlohmann::json doc = {
          {"distribution", a.get("distribution")}, {"m", s.m}, {"n", s.n}, {"seed", s.seed}, {"rows", j}};
      write_file_atomic(*f, doc.dump(2) + "\n");
    }
    if (auto f = a.maybe("csv")) write_file_atomic(*f, csv);
    return 0;
  };
  return c;
}

Command numerics_check_command() {
  Command c;
  c.name = "numerics check";
  c.summary = "compare measured FP8 GEMM outputs (validate/data/*/numerics) with the emulator, bit for bit";
  c.description =
      "Reads a measurement file written by validate/kernels/numerics/hwnumerics and emulates every case on\n"
      "each measured path: the chained wgmma (from its initial accumulator), cuBLASLt with fast\n"
      "accumulation (no promotion) and without it (promotion every --promote-every). Prints the number of\n"
      "differing outputs per case and path; exits 1 if any differs.";
  c.options = {{"data", "FILE", "measurement JSON", ""},
               accumulator_option(),
               {"promote-every", "N", "promotion interval for the cuBLASLt path without fast accumulation", "128"}};
  c.run = [](const Args& a) {
    const Measurement m = load_measurement(a.get("data"));
    const GemmOptions o = gemm_options(a);
    fmt::print("{}\n{:<28} {:>22} {:>22} {:>22}\n", describe(o.accumulator), "case", "wgmma", "cublaslt_fast_accum",
               "cublaslt_promote");
    long bad = 0, total = 0;
    for (const MeasuredCase& mc : m.cases) {
      fmt::print("{:<28}", mc.name);
      for (MeasuredPath p : kMeasuredPaths) {
        const Mismatches r = compare(mc, p, o);
        bad += r.different;
        total += r.compared;
        fmt::print(" {:>22}", r.compared ? fmt::format("{} of {} differ", r.different, r.compared) : "not measured");
      }
      fmt::print("\n");
    }
    fmt::print("total: {} of {} outputs differ\n", bad, total);
    return bad == 0 ? 0 : 1;
  };
  return c;
}

Command numerics_evidence_command() {
  Command c;
  c.name = "numerics evidence";
  c.summary = "which probe cases rule out each alternative to the measured Hopper rule";
  c.description =
      "For the measured hopper preset and each single change to it (group size, fraction bits, rounding of\n"
      "the alignment and of the normalisation, the exponent used for alignment, the accumulator inside or\n"
      "outside the alignment), counts the wgmma outputs of each case of --data that the variant gets wrong.";
  c.options = {{"data", "FILE", "measurement JSON (probes.json)", ""}};
  c.run = [](const Args& a) {
    const Measurement m = load_measurement(a.get("data"));
    const AccumulatorParams base = accumulator_preset("hopper");
    std::vector<std::pair<std::string, AccumulatorParams>> variants = {{"hopper (measured)", base}};
    const auto add = [&](const std::string& label, auto change) {
      AccumulatorParams p = base;
      change(p);
      variants.push_back({label, p});
    };
    add("group 16", [](AccumulatorParams& p) { p.group_size = 16; });
    add("group 64", [](AccumulatorParams& p) { p.group_size = 64; });
    add("12 fraction bits", [](AccumulatorParams& p) { p.fraction_bits = 12; });
    add("14 fraction bits", [](AccumulatorParams& p) { p.fraction_bits = 14; });
    add("align cut to -inf", [](AccumulatorParams& p) { p.alignment_rounding = Rounding::toward_neg_inf; });
    add("align cut nearest", [](AccumulatorParams& p) { p.alignment_rounding = Rounding::nearest_even; });
    add("normalise nearest", [](AccumulatorParams& p) { p.normalize_rounding = Rounding::nearest_even; });
    add("normalise to -inf", [](AccumulatorParams& p) { p.normalize_rounding = Rounding::toward_neg_inf; });
    add("align to product exp", [](AccumulatorParams& p) { p.alignment_exponent = AlignmentExponent::product; });
    add("accumulator outside", [](AccumulatorParams& p) { p.accumulator_in_alignment = false; });
    fmt::print("{:<22}", "variant \\ case");
    for (const MeasuredCase& mc : m.cases) fmt::print(" {:>8.8}", mc.name);
    fmt::print("\n");
    for (const auto& [label, p] : variants) {
      fmt::print("{:<22}", label);
      for (const MeasuredCase& mc : m.cases)
        fmt::print(" {:>8}", compare(mc, MeasuredPath::wgmma, GemmOptions{p, std::nullopt}).different);
      fmt::print("\n");
    }
    fmt::print("(wrong wgmma outputs of {} per case; columns are the first 8 letters of each case name)\n",
               m.cases.empty() ? 0 : m.cases[0].outputs[0].size());
    return 0;
  };
  return c;
}

Command numerics_bench_command() {
  Command c;
  c.name = "numerics bench";
  c.summary = "time the emulation of an FP8 GEMM on one core";
  c.options = {{"m", "M", "rows of A", "256", false, IntRange{1, 65536}},
               {"n", "N", "rows of B", "256", false, IntRange{1, 65536}},
               {"k", "K", "depth", "4096", false, IntRange{1, 1 << 20}},
               accumulator_option(),
               {"promote-every", "N|none", "promotion interval", "none"},
               {"repeat", "R", "timed repetitions (the minimum is reported)", "3", false, IntRange{1, 1000}}};
  c.description = "Emulates C = A*B^T on seeded normal4 inputs and prints the fastest of --repeat runs.";
  c.run = [](const Args& a) {
    const GemmOptions o = gemm_options(a);
    const RandomPair p =
        random_matrices(RandomDistribution::normal4, int(a.integer("m")), int(a.integer("n")), int(a.integer("k")), 1);
    double best = 1e30;
    for (long long r = 0; r < std::max(1LL, a.integer("repeat")); ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const FloatMatrix cm = emulate_gemm(p.a, p.b, o);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      if (!std::isfinite(cm(0, 0))) throw Error("bench: non-finite output");
    }
    fmt::print("emulated {} x {} x {} FP8 GEMM ({}, promote {}): {:.3f} s (best of {})\n", a.get("m"), a.get("n"),
               a.get("k"), o.accumulator.name, a.get("promote-every"), best, a.get("repeat"));
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli

namespace hwsim::cli {

Command numerics_quantize_command() {
  Command c;
  c.name = "numerics quantize";
  c.summary = "quantisation error of FP8 per-tensor, 1x128, 128x128 and 128x1 scaling";
  c.description =
      "Quantises seeded activation-like data (bell-shaped values, a fraction of the channels scaled up as\n"
      "outliers) with each granularity, with amax / max_finite scales and with power-of-two (UE8M0) scales,\n"
      "dequantises, and prints the error statistics.";
  c.options = {{"rows", "R", "tokens", "512", false, IntRange{1, 1 << 20}},
               {"cols", "C", "channels", "7168", false, IntRange{1, 1 << 20}},
               {"seed", "S", "seed", "1", false, IntRange{0, 1LL << 53}},
               {"outlier-fraction", "F", "fraction of channels that are outliers", "0.01"},
               {"outlier-scale", "X", "factor of the outlier channels", "100"},
               {"format", "NAME", "e4m3 or e5m2", "e4m3"},
               {"json", "FILE", "write the rows as JSON", ""},
               {"csv", "FILE", "write the rows as CSV", ""}};
  c.run = [](const Args& a) {
    using namespace hwsim::numerics;
    const FloatFormat& f = format_by_name(a.get("format"));
    if (&f != &kE4M3 && &f != &kE5M2) throw Error("--format " + a.get("format") + ": expected e4m3 or e5m2");
    // Checked before anything is printed: a fraction of NaN, -1 or 2 once ran as 0 or 1 without a word, and a
    // scale of NaN or 1e300 stopped halfway through the table with "non-finite input at row 0 column 98".
    const double fraction = a.number("outlier-fraction"), scale = a.number("outlier-scale");
    if (!(fraction >= 0 && fraction <= 1)) {
      throw Error(fmt::format("--outlier-fraction {}: expected a fraction in [0, 1]", a.get("outlier-fraction")));
    }
    if (!(scale > 0 && scale <= 1e6)) {
      throw Error(fmt::format("--outlier-scale {}: expected a factor in (0, 1000000]", a.get("outlier-scale")));
    }
    const FloatMatrix x = synthetic_activations(int(a.integer("rows")), int(a.integer("cols")),
                                                uint64_t(a.integer("seed")), fraction, scale);
    fmt::print("{} quantisation of {} x {} activations ({} of channels x {}), seed {}\n", f.name, x.rows(), x.cols(),
               a.get("outlier-fraction"), a.get("outlier-scale"), a.get("seed"));
    fmt::print("{:<11} {:<6} {:>11} {:>11} {:>11} {:>9} {:>10}\n", "granularity", "scales", "max rel", "mean rel",
               "rmse", "SQNR dB", "to zero");
    nlohmann::json rows = nlohmann::json::array();
    std::string csv = "granularity,scales,max_rel,mean_rel,rmse,sqnr_db,flushed_to_zero\n";
    for (Granularity g :
         {Granularity::per_tensor, Granularity::tile_1x128, Granularity::block_128x128, Granularity::tile_128x1}) {
      for (bool pow2 : {false, true}) {
        const QuantizationError e = quantization_error(x, dequantize(quantize(x, {&f, g, 128, pow2})));
        const char* scales = pow2 ? "pow2" : "amax";
        fmt::print("{:<11} {:<6} {:>11.4e} {:>11.4e} {:>11.4e} {:>9.2f} {:>10}\n", to_string(g), scales, e.max_rel,
                   e.mean_rel, e.rmse, e.sqnr_db, e.flushed_to_zero);
        rows.push_back({{"granularity", to_string(g)},
                        {"scales", scales},
                        {"max_rel", e.max_rel},
                        {"mean_rel", e.mean_rel},
                        {"rmse", e.rmse},
                        {"sqnr_db", e.sqnr_db},
                        {"flushed_to_zero", e.flushed_to_zero}});
        csv += fmt::format("{},{},{:.6e},{:.6e},{:.6e},{:.4f},{}\n", to_string(g), scales, e.max_rel, e.mean_rel,
                           e.rmse, e.sqnr_db, e.flushed_to_zero);
      }
    }
    if (auto file = a.maybe("json"))
      write_file_atomic(*file, nlohmann::json{{"format", f.name}, {"rows", rows}}.dump(2) + "\n");
    if (auto file = a.maybe("csv")) write_file_atomic(*file, csv);
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
