// hwsim step: one DeepSeek-V3 training step (DualPipe, PP16 / EP64 / ZeRO-1 on
// 2,048 GPUs by default) with its breakdown and headline numbers; optionally
// the communication proposals compared on the same step. The issue's
// spelling `hwsim run --workload deepseek-v3-step` is an alias of this.
#include <fmt/format.h>

#include <chrono>

#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/predictors.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "workloads/deepseek_v3/step_proposals.hpp"

namespace hwsim::cli {
namespace {

double number_of(const std::string& key, const std::string& v) {
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !(x >= 0)) throw Error(fmt::format("--comm-set {}: '{}' must be a number >= 0", key, v));
  return x;
}

struct CommSettings {
  std::string model = "deepep_sm";
  comm::DeepEpConfig deepep;
  comm::CommOffloadParams offload;
  comm::UnifiedFabricParams unified;
};

CommSettings comm_settings(const Args& a) {
  CommSettings s;
  s.model = a.get("comm");
  for (const std::string& kv : a.all("comm-set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw Error(fmt::format("--comm-set '{}': expected KEY=VALUE", kv));
    const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (k == "num_sms") {
      s.deepep.num_sms = static_cast<int>(number_of(k, v));
    } else if (k == "coprocessor_GBps") {
      s.offload.coprocessor_GBps = number_of(k, v);
    } else if (k == "coprocessor_latency_us") {
      s.offload.coprocessor_latency_us = number_of(k, v);
    } else if (k == "adapter_latency_us") {
      s.unified.adapter_latency_us = number_of(k, v);
    } else {
      throw Error(
          fmt::format("--comm-set: unknown key '{}'; known: num_sms, coprocessor_GBps, "
                      "coprocessor_latency_us, adapter_latency_us",
                      k));
    }
  }
  return s;
}

std::unique_ptr<comm::EpComm> make_comm(const CommSettings& s) {
  if (s.model == "deepep_sm") return comm::make_deepep_sm_comm(s.deepep);
  if (s.model == "comm_offload") return comm::make_comm_offload(s.offload);
  if (s.model == "unified_scaleup_scaleout") return comm::make_unified_scaleup_scaleout(s.unified);
  throw Error(
      fmt::format("--comm {}: unknown communication model; expected deepep_sm, comm_offload or "
                  "unified_scaleup_scaleout",
                  s.model));
}

void print_step(const deepseek_v3::StepResult& r, double wall_s) {
  const auto& o = r.options;
  fmt::print("DeepSeek-V3 training step on {} x {} (PP{} DualPipe, EP{}, ZeRO-1 DP{}; {} micro-batches of {} tokens)\n",
             o.gpus, r.gpu, o.pp, o.ep, r.dp, r.micro_batches, o.seq);
  fmt::print("  communication model   {} ({} SMs held)\n", r.comm_model, r.dispatch.sms_held);
  fmt::print("  step time             {:9.3f} s\n", r.step_s);
  fmt::print(
      "  breakdown (rank 0)    1F {:.3f} s | 1B {:.3f} s | 1W {:.3f} s | 1F1B {:.3f} s | bubble {:.3f} s | "
      "optimizer {:.3f} s\n",
      r.f_s, r.b_s, r.w_s, r.fb_s, r.bubble_s, r.optimizer_s);
  fmt::print("  tokens / GPU / s      {:9.1f}\n", r.tokens_per_gpu_s);
  fmt::print("  TFLOPS / GPU          {:9.1f} (non-causal attention), {:.1f} (causal)\n", r.tflops_per_gpu,
             r.tflops_per_gpu_causal);
  fmt::print("  MFU                   {:9.2f} % of the dense BF16 peak\n", r.mfu * 100);
  fmt::print("  GPU-hours / 1T tokens {:9.0f}\n", r.gpu_hours_per_trillion_tokens);
  fmt::print("  EP all-to-all / layer dispatch {:.0f} us ({} bound), combine {:.0f} us ({} bound)\n",
             r.dispatch.time_s * 1e6, r.dispatch.bound, r.combine.time_s * 1e6, r.combine.bound);
  fmt::print("  simulated in          {:9.2f} s\n", wall_s);
}

}  // namespace

Command step_command() {
  Command c;
  c.name = "step";
  c.summary = "simulate one DeepSeek-V3 training step (DualPipe, EP all-to-all, ZeRO-1) and its breakdown";
  c.description =
      "Simulates one pre-training step of DeepSeek-V3 under the report's parallelism: kernel times from the timing\n"
      "model (--model), EP communication from the interconnect model (--comm), the DualPipe schedule and the ZeRO-1\n"
      "optimizer. Prints the step time, its breakdown (1F, 1B, 1W, 1F1B, bubble, optimizer), tokens per GPU per\n"
      "second, TFLOPS, MFU and GPU-hours per trillion tokens. --option changes the workload (gpus, pp, ep, seq,\n"
      "global_batch_seqs, mtp, skewed_routing, skew_sigma, seed); --compare-proposals also runs comm_offload and\n"
      "unified_scaleup_scaleout on the same step.";
  c.options = {
      gpu_option(),
      set_option(),
      {"model", "NAME", fmt::format("timing model: {}", fmt::join(predictor_names(), ", ")), predictor_names().front()},
      {"comm", "NAME", "EP communication: deepep_sm, comm_offload, unified_scaleup_scaleout", "deepep_sm"},
      {"comm-set", "KEY=VALUE",
       "communication parameter: num_sms, coprocessor_GBps, coprocessor_latency_us, adapter_latency_us", "", true},
      {"option", "KEY=VALUE", "workload option (see above)", "", true},
      {"compare-proposals", "", "also run the communication proposals on the same step", ""},
      {"json", "FILE", "write the full result as JSON to FILE", ""}};
  c.run = [](const Args& a) {
    const HardwareSpec spec = load_gpu(a.get("gpu"), a.all("set"));
    deepseek_v3::StepOptions options;
    for (const std::string& kv : a.all("option")) options.set(kv);
    const CommSettings cs = comm_settings(a);
    auto predictor = predictor_factory(a.get("model"))(spec);
    const auto t0 = std::chrono::steady_clock::now();
    const deepseek_v3::StepResult r = deepseek_v3::simulate_step(spec, *predictor, *make_comm(cs), options);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_step(r, wall);
    nlohmann::json out = r.to_json();
    out["model"] = a.get("model");
    if (a.has("compare-proposals")) {
      const auto study = deepseek_v3::comm_proposal_study(spec, *predictor, options, cs.deepep, cs.offload, cs.unified);
      fmt::print("\nCommunication proposals on the same step\n");
      for (const auto& row : study.rows) {
        fmt::print(
            "  {:<26} step {:8.3f} s  speedup {:5.3f}x  comm SMs {:2d}  dispatch {:6.0f} us  combine {:6.0f} us\n",
            row.name, row.step_s, row.speedup, row.comm_sms, row.dispatch_us, row.combine_us);
      }
      out["proposals"] = study.to_json();
    }
    if (auto file = a.maybe("json")) write_file_atomic(*file, out.dump(2) + "\n");
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
