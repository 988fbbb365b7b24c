// hwsim run: simulate one kernel launch on one GPU description and print its
// time, throughput, traffic per memory level, unit busy fractions and stall
// reasons; --json prints the KernelResult contract (docs/engine.md) instead.
// With --workload deepseek-v3-layer it simulates every distinct kernel of one
// DeepSeek-V3 MoE layer (forward and backward) once and prints per-kernel,
// per-phase and layer times; --proposal NAME runs that layer as a hardware
// proposal changes it (its spec delta and its rewrite of the kernels).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>
#include <optional>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/fp8_error.hpp"
#include "hw_proposals/proposal.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/deepseek_v3/layer.hpp"
#include "workloads/deepseek_v3/model_shape.hpp"
#include "workloads/gpu_simulator.hpp"

namespace hwsim::cli {
namespace {

// Command-line options that map one to one onto kernel params.
struct ParamOption {
  const char* option;
  const char* param;
  bool integer;
};
constexpr ParamOption kParamOptions[] = {
    {"m", "m", true},
    {"n", "n", true},
    {"k", "k", true},
    {"bytes", "bytes", true},
    {"a-dtype", "a_dtype", false},
    {"b-dtype", "b_dtype", false},
    {"out-dtype", "out_dtype", false},
    {"dtype", "dtype", false},
    {"scaling", "scaling", false},
    {"sms", "sms", true},
    {"tile-m", "tile_m", true},
    {"tile-n", "tile_n", true},
    {"regime", "regime", false},
};

KernelDescriptor descriptor_from(const Args& a) {
  KernelDescriptor d{a.get("kernel"), nlohmann::json::object()};
  for (const ParamOption& p : kParamOptions) {
    if (!a.has(p.option)) continue;
    if (p.integer) {
      d.params[p.param] = a.integer(p.option);
    } else {
      d.params[p.param] = a.get(p.option);
    }
  }
  if (a.has("fast-accum")) d.params["fast_accum"] = true;
  for (const std::string& kv : a.all("param")) set_param_from_text(d.params, kv);
  return d;
}

void print_human(const KernelResult& r) {
  fmt::print("{} on {} ({:.0f} MHz)\n", r.kernel, r.gpu, r.sm_clock_mhz);
  fmt::print("  params        {}\n", r.params.dump());
  fmt::print("  time          {:.3f} us ({} cycles; kernel {:.3f} us + launch {:.3f} us)\n", r.time_us, r.cycles,
             r.kernel_time_us, r.launch_overhead_us);
  fmt::print("  CTAs          {} in {} wave(s), {} per SM ({}-limited), cluster {}\n", r.ctas, r.waves,
             r.launch.at("ctas_per_sm").get<int>(), r.launch.at("occupancy_limiter").get<std::string>(),
             r.launch.at("cluster_size").get<int>());
  if (r.flops > 0) fmt::print("  achieved      {:.1f} TFLOP/s\n", r.achieved.at("flop_per_s") / 1e12);
  fmt::print("  HBM           {:.1f} GB/s ({:.2f} MB read, {:.2f} MB written)\n",
             r.achieved.at("hbm_bytes_per_s") / 1e9, r.bytes.at("hbm_read") / 1e6, r.bytes.at("hbm_write") / 1e6);
  fmt::print("  L2            {:.2f} MB read ({:.1f}% hit), {:.2f} MB written\n", r.bytes.at("l2_read") / 1e6,
             100.0 * r.l2_hit_rate, r.bytes.at("l2_write") / 1e6);
  fmt::print("  shared memory {:.2f} MB\n", r.bytes.at("smem") / 1e6);
  fmt::print("  busy         ");
  for (const auto& [unit, f] : r.busy) fmt::print(" {} {:.1f}%", unit, 100.0 * f);
  fmt::print("\n  stalls (share of role time)\n");
  for (const auto& [why, f] : r.stalls) fmt::print("    {:<32} {:5.1f}%\n", why, 100.0 * f);
  for (const auto& [key, v] : r.launch.items()) {
    if (v.is_string() && key != "occupancy_limiter") fmt::print("  {:<13} {}\n", key, v.get<std::string>());
  }
  if (r.launch.contains("power")) {
    const auto& p = r.launch.at("power");
    fmt::print(
        "  power         regime {}: {:.0f} MHz mean (budget {:.3f} of the sustained one at the start), "
        "{:.3f} us at the maximum clock\n",
        p.at("regime").get<std::string>(), p.at("clock_mhz").get<double>(), p.at("budget_at_start").get<double>(),
        p.at("time_us_at_max_clock").get<double>());
  }
}

// The layer's options from the command line.
deepseek_v3::LayerOptions layer_options(const Args& a) {
  deepseek_v3::LayerOptions lo;
  const long long tokens = a.integer("tokens");
  if (tokens <= 0 || tokens > (1 << 20)) throw Error(fmt::format("--tokens {} must be in 1..1048576", tokens));
  lo.tokens_per_gpu = static_cast<int>(tokens);
  lo.routing = a.get("routing");
  if (lo.routing != "balanced" && lo.routing != "skewed")
    throw Error(fmt::format("--routing {} must be balanced or skewed", lo.routing));
  const long long seed = a.integer("seed");
  if (seed < 0) throw Error(fmt::format("--seed {} must be >= 0", seed));
  lo.seed = static_cast<std::uint64_t>(seed);
  return lo;
}

// --proposal: the layer-level proposals asked for, in order. A step-level
// proposal changes only how the all-to-all runs beside compute, which one
// layer's kernels do not show, so it is refused with where to study it.
std::vector<std::unique_ptr<proposals::Proposal>> chosen_proposals(const Args& a) {
  std::vector<std::unique_ptr<proposals::Proposal>> out;
  for (const auto& name : a.all("proposal")) {
    auto p = proposals::find_proposal(name);
    if (p->level() == proposals::Level::kStep)
      throw Error(
          fmt::format("--proposal {}: it changes the training step's communication, not the layer's kernels "
                      "(hwsim step --comm, or hwsim study {})",
                      name, name));
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<ConfigOverlay> proposal_overlays(const std::vector<std::unique_ptr<proposals::Proposal>>& chosen) {
  std::vector<ConfigOverlay> out;
  for (const auto& p : chosen)
    for (auto& o : p->spec_delta()) out.push_back(std::move(o));
  return out;
}

// The layer's kernels as the proposals rewrite them; removed kernels are dropped.
std::vector<deepseek_v3::LayerKernel> proposed_kernels(
    std::vector<deepseek_v3::LayerKernel> kernels, const std::vector<std::unique_ptr<proposals::Proposal>>& chosen) {
  if (chosen.empty()) return kernels;
  auto study = proposals::as_study(kernels);
  for (const auto& p : chosen) p->rewrite(study);
  kernels.clear();
  for (auto& k : study)
    if (k.change != proposals::Change::kRemoved) kernels.push_back(std::move(k.kernel));
  return kernels;
}

// One kernel as the proposals rewrite it on its own (proposals::rewrite_standalone);
// `removed` is set to why when a proposal removes it. A proposal that leaves it
// unchanged is said on stderr: only its spec delta then applies.
KernelDescriptor proposed_kernel(const KernelDescriptor& d, const std::vector<std::string>& names,
                                 std::string& removed) {
  const proposals::StudyKernel k = proposals::rewrite_standalone(d.kind, d.params, names);
  if (k.change == proposals::Change::kRemoved) removed = k.why;
  if (k.change == proposals::Change::kUnchanged)
    fmt::print(stderr,
               "hwsim run: note: --proposal {} leaves a {} run on its own unchanged (its rewrite names the layer's "
               "kernels); only its spec delta applies\n",
               fmt::join(names, ", "), d.kind);
  return {k.kernel.kind, k.kernel.params};
}

// A kernel a proposal removes takes no time: said, and written as such.
int print_removed(const Args& a, const KernelDescriptor& d, const std::string& why) {
  const nlohmann::json j = {
      {"kind", d.kind}, {"params", d.params}, {"proposals", a.all("proposal")}, {"removed", why}, {"time_us", 0.0}};
  if (auto out = a.maybe("out")) write_file_atomic(*out, j.dump(2) + "\n");
  if (a.has("json")) {
    std::cout << j.dump(2) << "\n";
  } else {
    fmt::print("{}: removed by --proposal {}: {}; it takes no time\n", d.kind, fmt::join(a.all("proposal"), ", "), why);
  }
  return 0;
}

// --fp8-error-k: the accumulation error the description implies (fp8_error.hpp),
// added to the result as "fp8_gemm_error".
void add_fp8_error(const Args& a, const HardwareSpec& spec, nlohmann::json& result) {
  if (!a.has("fp8-error-k")) return;
  Fp8ErrorOptions o;
  o.k = static_cast<int>(a.integer("fp8-error-k"));
  o.promote_every = numerics::parse_promote_every(a.get("fp8-error-promote-every"), accumulator_of(spec).group_size,
                                                  "--fp8-error-promote-every");
  result["fp8_gemm_error"] = fp8_gemm_error(spec, o);
}

void print_fp8_error(const nlohmann::json& j) {
  if (!j.contains("fp8_gemm_error")) return;
  const nlohmann::json& e = j["fp8_gemm_error"];
  fmt::print(
      "  FP8 GEMM accumulation error at K = {} ({} fraction bits, promotion {}): max {:.3e}, mean {:.3e} "
      "relative\n",
      e["k"].get<int>(), e["fraction_bits"].get<int>(),
      e["promote_every"].is_null() ? std::string("never") : "every " + e["promote_every"].dump(),
      e["max_rel"].get<double>(), e["mean_rel"].get<double>());
}

// One DeepSeek-V3 layer on one simulated GPU: each distinct (kind, params)
// is simulated once at the maximum clock (launches with identical descriptors
// take the same time from a flushed L2); then the power controller runs the
// layer's launches in order, repeated as a training step repeats its layers,
// carrying its state from launch to launch (models/power/controller.hpp).
nlohmann::json run_layer(const Args& a, GpuSimulator& simulator,
                         const std::vector<std::unique_ptr<proposals::Proposal>>& chosen) {
  const deepseek_v3::LayerOptions lo = layer_options(a);
  auto kernels = proposed_kernels(deepseek_v3::moe_layer_kernels(deepseek_v3::published_shape(), lo), chosen);
  // --sms: every kernel on the first N SMs (e.g. the 112 DeepEP leaves to compute).
  std::optional<long long> sms;
  if (a.has("sms")) {
    sms = a.integer("sms");
    const int count = simulator.spec().sm.count;
    if (*sms < 1 || *sms > count) throw Error(fmt::format("--sms {} must be in 1..{}", *sms, count));
    for (auto& k : kernels) k.params["sms"] = *sms;
  }
  // Key: kind + canonical params. A kernel the engine cannot run (bad shape
  // for its program) is reported with its error and left out of the totals.
  struct Outcome {
    std::optional<KernelResult> raw;
    std::string error;
  };
  std::map<std::string, Outcome> cache;
  std::vector<KernelDescriptor> all;
  for (const auto& k : kernels) all.push_back({k.kind, k.params});
  simulator.prefetch(all, static_cast<int>(a.integer("jobs")));
  std::vector<const Outcome*> outcome;
  std::vector<SequenceItem> sequence;
  int simulated = 0;
  for (const auto& k : kernels) {
    const std::string key = k.kind + " " + k.params.dump();
    auto it = cache.find(key);
    if (it == cache.end()) {
      Outcome o;
      try {
        o.raw = simulator.run_unthrottled({k.kind, k.params});
      } catch (const Error& e) {
        o.error = e.what();
      }
      it = cache.emplace(key, std::move(o)).first;
      ++simulated;
    }
    outcome.push_back(&it->second);
    if (it->second.raw) {
      const auto o = launch_options({k.kind, k.params}, simulator.spec().sm.count);
      sequence.push_back({simulator.power_load(*it->second.raw, o), k.count});
    }
  }
  const SequenceOutcome clocks = run_periodic_sequence(simulator.spec(), sequence);
  nlohmann::json rows = nlohmann::json::array();
  nlohmann::json phases = nlohmann::json::object();
  double total = 0;
  int not_modelled = 0;
  size_t seq = 0;
  for (size_t i = 0; i < kernels.size(); ++i) {
    const auto& k = kernels[i];
    const std::string phase = deepseek_v3::to_string(k.phase);
    nlohmann::json row = {
        {"name", k.name}, {"phase", phase}, {"kind", k.kind}, {"params", k.params}, {"count", k.count}};
    if (!outcome[i]->raw) {
      ++not_modelled;
      row["error"] = outcome[i]->error;
      rows.push_back(row);
      continue;
    }
    KernelResult r = *outcome[i]->raw;
    simulator.apply_clock(r, launch_options({k.kind, k.params}, simulator.spec().sm.count), sequence[seq].load,
                          clocks.items[seq], "periodic layer");
    ++seq;
    const double each = r.time_us;
    row.update({{"time_us_each", each},
                {"time_us_total", each * k.count},
                {"sm_clock_mhz", r.sm_clock_mhz},
                {"flops_each", r.flops},
                {"hbm_bytes_each", r.bytes.at("hbm_read") + r.bytes.at("hbm_write")}});
    rows.push_back(row);
    phases[phase] = phases.value(phase, 0.0) + each * k.count;
    total += each * k.count;
  }
  nlohmann::json out = {
      {"workload", "deepseek-v3-layer"},
      {"gpu", simulator.spec().name},
      {"tokens_per_gpu", lo.tokens_per_gpu},
      {"routing", lo.routing},
      {"seed", lo.seed},
      {"sms", sms ? *sms : static_cast<long long>(simulator.spec().sm.count)},
      {"power",
       {{"regime", "the layer repeated back to back (periodic state)"}, {"heat_at_start", clocks.periodic_heat}}},
      {"kernels", rows},
      {"distinct_kernels_simulated", simulated},
      {"kernels_not_modelled", not_modelled},
      {"phases_us", phases},
      {"total_us", total}};
  if (!chosen.empty()) {
    out["proposals"] = nlohmann::json::array();
    for (const auto& p : chosen) out["proposals"].push_back(std::string(p->name()));
  }
  return out;
}

void print_layer(const nlohmann::json& j) {
  fmt::print("deepseek-v3-layer on {} ({} tokens per GPU, {} routing, seed {}, {} SMs)\n", j["gpu"].get<std::string>(),
             j["tokens_per_gpu"].get<int>(), j["routing"].get<std::string>(), j["seed"].get<std::uint64_t>(),
             j["sms"].get<long long>());
  if (j.contains("proposals"))
    fmt::print("  with proposals: {}\n", fmt::join(j["proposals"].get<std::vector<std::string>>(), ", "));
  fmt::print("  {:<32} {:<16} {:<18} {:>5} {:>11} {:>12} {:>6}\n", "kernel", "phase", "kind", "count", "us each",
             "us total", "MHz");
  for (const auto& k : j["kernels"]) {
    if (k.contains("error")) {
      fmt::print("  {:<32} {:<16} {:<18} {:>5}   not modelled: {}\n", k["name"].get<std::string>(),
                 k["phase"].get<std::string>(), k["kind"].get<std::string>(), k["count"].get<int>(),
                 k["error"].get<std::string>());
      continue;
    }
    fmt::print("  {:<32} {:<16} {:<18} {:>5} {:>11.2f} {:>12.2f} {:>6.0f}\n", k["name"].get<std::string>(),
               k["phase"].get<std::string>(), k["kind"].get<std::string>(), k["count"].get<int>(),
               k["time_us_each"].get<double>(), k["time_us_total"].get<double>(), k["sm_clock_mhz"].get<double>());
  }
  for (const auto& item : j["phases_us"].items())
    fmt::print("  phase {:<26} {:>12.2f} us\n", item.key(), item.value().get<double>());
  fmt::print(
      "  layer total                      {:>12.2f} us ({} distinct kernels simulated, {} kernels not modelled)\n",
      j["total_us"].get<double>(), j["distinct_kernels_simulated"].get<int>(), j["kernels_not_modelled"].get<int>());
  fmt::print(
      "  power: the layer repeated back to back, the controller's heat {:.3f} at its start (MHz: mean clock "
      "per launch)\n",
      j["power"]["heat_at_start"].get<double>());
}

}  // namespace

Command run_command() {
  Command c;
  c.name = "run";
  c.summary = "simulate one kernel launch and print its time, throughput, traffic and stalls";
  c.description =
      "Simulates one launch of a kernel (see docs/engine.md for kinds and params) on a GPU description,\n"
      "starting from a flushed L2. Params come from the named options or --param NAME=VALUE.\n"
      "Example: hwsim run --gpu h800-sxm --kernel gemm --m 4096 --n 7168 --k 2048 --a-dtype fp8_e4m3\n"
      "         --b-dtype fp8_e4m3 --out-dtype bf16 --scaling block_1x128_128x128 --json\n"
      "With --workload deepseek-v3-layer it simulates the kernels of one DeepSeek-V3 MoE layer instead\n"
      "(each distinct kernel once) and prints per-kernel, per-phase and layer times.";
  c.options = {
      gpu_option(),
      set_option(),
      {"kernel", "KIND",
       "kernel kind: gemm, memcpy, read, write, elementwise, ep_comm, quant_1x128, quant_128x128, "
       "transpose_requant, transpose, swiglu, rmsnorm, attention, grouped_gemm (params of the new kinds via --param, "
       "e.g. --param groups=4 --param group_rows=512,1024,384,2048)",
       ""},
      {"workload", "NAME",
       "simulate a workload instead of one kernel: deepseek-v3-layer, or deepseek-v3-step (as hwsim step)", ""},
      {"tokens", "N", "deepseek-v3-layer: tokens per GPU per micro-batch", "4096", false, IntRange{1, 1 << 20}},
      {"routing", "R", "deepseek-v3-layer: expert loads, balanced or skewed", "balanced"},
      {"seed", "N", "deepseek-v3-layer: seed of the skewed expert loads", "1", false, IntRange{0, 1LL << 53}},
      {"jobs", "N", "deepseek-v3-layer: kernels simulated at once (processes)", "2", false, IntRange{1, 256}},
      {"proposal", "NAME",
       "apply a layer-level hardware proposal (hwsim study --list): its spec delta, and its rewrite of the layer's "
       "kernels (of a kernel run on its own: the rewrite of its kind, e.g. the GEMMs' params)",
       "", true},
      {"m", "N", "rows (gemm, quant_1x128, transpose*, swiglu, rmsnorm)", ""},
      {"n", "N", "columns of the output / weight rows", ""},
      {"k", "N", "reduction / inner dimension", ""},
      {"bytes", "N", "bytes moved (memcpy, read, write)", ""},
      {"a-dtype", "T", "gemm A dtype (bf16, fp8_e4m3)", ""},
      {"b-dtype", "T", "gemm B dtype", ""},
      {"out-dtype", "T", "gemm output dtype (bf16, fp32)", ""},
      {"dtype", "T", "transpose element dtype", ""},
      {"scaling", "S", "gemm scaling: none, per_tensor, block_1x128_128x128, block_1x128_1x128 (grouped_gemm: rowwise)",
       ""},
      {"fast-accum", "", "gemm: FP8 fast accumulation (no promotion)", ""},
      {"sms", "N", "run on the first N SMs only", "", false, IntRange{1, 4096}},
      {"tile-m", "N", "gemm: force BLOCK_M", "", false, IntRange{1, 4096}},
      {"tile-n", "N", "gemm: force BLOCK_N", "", false, IntRange{1, 4096}},
      {"regime", "R",
       "power history of the launch: sustained (back to back for seconds), idle[:idle_before_ms=N] (one launch "
       "after idle time) or train[:idle_before_ms=N,launches=N,gap_us=N] (the median of a train after idle "
       "time); sustained when absent",
       ""},
      {"param", "NAME=VALUE", "any kernel param (repeatable)", "", true},
      {"fp8-error-k", "K",
       "also report the FP8 GEMM accumulation error this GPU's tensor_core.fp8_accum_fraction_bits give at this K "
       "(64 x 64 outputs of uniform E4M3 inputs against FP64; docs/numerics.md)",
       "", false, IntRange{1, 1 << 20}},
      {"fp8-error-promote-every", "N|none", "--fp8-error-k: promotion into FP32 every N products of K, or never",
       "128"},
      {"chunk-bytes", "N", "memory-system chunk (transfer and L2 tag granule)", "2048", false, IntRange{32, 1 << 20}},
      {"trace", "FILE", "write a Chrome-trace timeline (Perfetto) to FILE", ""},
      {"trace-max-events", "N", "cap on spans kept in the trace", "200000", false, IntRange{1000, 100000000}},
      {"json", "", "print the KernelResult JSON on stdout", ""},
      {"out", "FILE", "also write the KernelResult JSON to FILE", ""}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    const bool workload = a.has("workload");
    if (workload && a.get("workload") == "deepseek-v3-step") {
      // The training step is `hwsim step`; this is the spelling of the multi-GPU issue.
      std::vector<std::string> argv = {"--gpu", a.get("gpu")};
      for (const auto& s : a.all("set")) argv.insert(argv.end(), {"--set", s});
      if (auto out = a.maybe("out")) argv.insert(argv.end(), {"--json", *out});
      for (const auto& s : cache_arguments(a)) argv.push_back(s);
      argv.insert(argv.end(), {"--jobs", a.get("jobs")});
      const Command step = step_command();
      return step.run(parse(step, argv));
    }
    if (workload && a.get("workload") != "deepseek-v3-layer")
      throw Error(fmt::format("--workload {}: expected deepseek-v3-layer or deepseek-v3-step", a.get("workload")));
    if (workload && a.has("kernel")) throw Error("hwsim run: give --kernel or --workload, not both");
    if (!workload && !a.has("kernel"))
      throw Error("hwsim run: --kernel is required (e.g. --kernel gemm), or --workload deepseek-v3-layer");
    const auto chosen = chosen_proposals(a);
    const HardwareSpec spec = load_gpu(a.get("gpu"), a.all("set"), proposal_overlays(chosen));
    for (const char* file : {"out", "trace"}) {
      if (auto path = a.maybe(file)) check_output_path(*path);  // refused before the simulation, not after
    }
    SimOptions opt;
    opt.chunk_bytes = a.integer("chunk-bytes");
    if (opt.chunk_bytes <= 0) throw Error("--chunk-bytes must be > 0");
    if (auto t = a.maybe("trace")) opt.trace_path = *t;
    opt.trace_max_events = a.integer("trace-max-events");
    const ResultCacheOptions cache = result_cache_options(a);
    if (workload) {
      GpuSimulator simulator(spec, opt, cache);
      nlohmann::json j = run_layer(a, simulator, chosen);
      add_fp8_error(a, spec, j);
      simulator.write_trace();
      const std::string json = j.dump(2) + "\n";
      if (auto out = a.maybe("out")) write_file_atomic(*out, json);
      if (a.has("json")) {
        std::cout << json;
      } else {
        print_layer(j);
        print_fp8_error(j);
      }
      return 0;
    }
    KernelDescriptor d = descriptor_from(a);
    std::string removed;
    if (!chosen.empty()) d = proposed_kernel(d, a.all("proposal"), removed);
    if (!removed.empty()) return print_removed(a, d, removed);
    GpuSimulator simulator(spec, opt, cache);
    const KernelResult r = simulator.run(d);
    simulator.write_trace();
    nlohmann::json result = r.to_json();
    if (!chosen.empty()) result["proposals"] = a.all("proposal");
    add_fp8_error(a, spec, result);
    const std::string json = result.dump(2) + "\n";
    if (auto out = a.maybe("out")) write_file_atomic(*out, json);
    if (a.has("json")) {
      std::cout << json;
    } else {
      print_human(r);
      print_fp8_error(result);
    }
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
