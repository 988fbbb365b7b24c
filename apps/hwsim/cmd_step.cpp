// hwsim step: one DeepSeek-V3 training step (DualPipe, PP16 / EP64 / ZeRO-1 on
// 2,048 GPUs by default) with its breakdown and headline numbers; optionally
// the communication proposals (hw_proposals/, step level) compared on the
// same step. The spelling `hwsim run --workload deepseek-v3-step` is
// an alias of this.
#include <fmt/format.h>

#include <chrono>
#include <map>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/predictors.hpp"
#include "hw_proposals/prediction_table.hpp"
#include "hw_proposals/proposal.hpp"
#include "hw_proposals/step_study.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "sim/engine/time.hpp"
#include "workloads/deepseek_v3/step.hpp"

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
};

CommSettings comm_settings(const Args& a) {
  CommSettings s;
  s.model = a.get("comm");
  for (const std::string& kv : a.all("comm-set")) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw Error(fmt::format("--comm-set '{}': expected KEY=VALUE", kv));
    const std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    // The proposals' parameters are hardware now: keys of the GPU description.
    static const std::map<std::string, std::string> kHardware = {
        {"coprocessor_GBps", "comm_coprocessor.throughput_GBps"},
        {"coprocessor_latency_us", "comm_coprocessor.latency_us"},
        {"adapter_latency_us", "nic.adapter_latency_us"}};
    if (k == "num_sms") {
      s.deepep.num_sms = static_cast<int>(number_of(k, v));
    } else if (auto it = kHardware.find(k); it != kHardware.end()) {
      throw Error(fmt::format("--comm-set {}: the proposal's hardware is described by the GPU now; use --set {}={}", k,
                              it->second, v));
    } else {
      throw Error(fmt::format("--comm-set: unknown key '{}'; known: num_sms", k));
    }
  }
  return s;
}

// The step-level proposal whose communication model --comm names; nullptr
// for the baseline, DeepEP on SMs.
std::unique_ptr<proposals::Proposal> comm_proposal(const std::string& model) {
  if (model == "deepep_sm") return nullptr;
  std::vector<std::string> names{"deepep_sm"};
  for (auto& p : proposals::all_proposals()) {
    if (p->level() != proposals::Level::kStep) continue;
    if (p->name() == model) return std::move(p);
    names.emplace_back(p->name());
  }
  throw Error(fmt::format("--comm {}: unknown communication model; expected {}", model, fmt::join(names, ", ")));
}

void print_step(const deepseek_v3::StepResult& r, double wall_s, const std::string& comm_note) {
  const auto& o = r.options;
  fmt::print("DeepSeek-V3 training step on {} x {} (PP{} DualPipe, EP{}, ZeRO-1 DP{}; {} micro-batches of {} tokens)\n",
             o.gpus, r.gpu, o.pp, o.ep, r.dp, r.micro_batches, o.seq);
  fmt::print("  communication model   {} ({} SMs held){}\n", r.comm_model, r.dispatch.sms_held, comm_note);
  fmt::print("  step time             {:9.3f} s\n", r.step_s);
  fmt::print(
      "  breakdown (rank 0)    1F {:.3f} s | 1B {:.3f} s | 1W {:.3f} s | 1F1B {:.3f} s | bubble {:.3f} s | "
      "optimizer {:.3f} s\n",
      r.f_s, r.b_s, r.w_s, r.fb_s, r.bubble_s, r.optimizer_s);
  // Rank 0 holds the first and the last stage (both output heads), the most
  // work and the least idle time; the mean over ranks shows the others.
  double f = 0, b = 0, w = 0, fb = 0, bubble = 0;
  for (const auto& rank : r.ranks) {
    f += rank.f_s;
    b += rank.b_s;
    w += rank.w_s;
    fb += rank.fb_s;
    bubble += rank.bubble_s;
  }
  const double n = r.ranks.empty() ? 1.0 : static_cast<double>(r.ranks.size());
  fmt::print("  breakdown (rank mean) 1F {:.3f} s | 1B {:.3f} s | 1W {:.3f} s | 1F1B {:.3f} s | bubble {:.3f} s\n",
             f / n, b / n, w / n, fb / n, bubble / n);
  fmt::print("  tokens / GPU / s      {:9.1f}\n", r.tokens_per_gpu_s);
  fmt::print("  TFLOPS / GPU          {:9.1f} (non-causal attention), {:.1f} (causal)\n", r.tflops_per_gpu,
             r.tflops_per_gpu_causal);
  fmt::print("  MFU                   {:9.2f} % of the dense BF16 peak\n", r.mfu * 100);
  fmt::print("  GPU-hours / 1T tokens {:9.0f}\n", r.gpu_hours_per_trillion_tokens);
  fmt::print("  EP all-to-all / layer dispatch {:.0f} us ({} bound), combine {:.0f} us ({} bound)\n",
             sim::us_from_seconds(r.dispatch.time_s), r.dispatch.bound, sim::us_from_seconds(r.combine.time_s),
             r.combine.bound);
  fmt::print("  simulated in          {:9.2f} s\n", wall_s);
}

struct StepLevelProposals {
  std::vector<std::unique_ptr<proposals::Proposal>> owned;
  std::vector<const proposals::Proposal*> views;
};

StepLevelProposals step_level_proposals() {
  StepLevelProposals s;
  s.owned = proposals::all_proposals();
  for (const auto& p : s.owned) {
    if (p->level() == proposals::Level::kStep) s.views.push_back(p.get());
  }
  return s;
}

// The compute kernels this command's steps will ask for (which ones does not
// depend on their times): the step itself and, given `compare`, the
// proposals' steps.
std::vector<KernelRequest> step_requests(const HardwareSpec& spec, const comm::EpComm& comm,
                                         const deepseek_v3::StepOptions& options, comm::RoutingSamples& routings,
                                         const proposals::StepStudyOptions* compare,
                                         const StepLevelProposals& step_level) {
  proposals::RecordingPredictor recorder;
  (void)deepseek_v3::simulate_step(spec, recorder, comm, options, &routings);
  std::vector<KernelRequest> out = recorder.take();
  if (compare) {
    for (KernelRequest& k : proposals::step_kernel_requests(*compare, step_level.views)) out.push_back(std::move(k));
  }
  return out;
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
      "global_batch_seqs, mtp, skewed_routing, skew_sigma, seed). --comm names the EP communication: the baseline\n"
      "deepep_sm, or a communication proposal (comm_offload, unified_scaleup_scaleout), which runs on the GPU with\n"
      "its spec delta (hw_proposals/NAME/spec_delta.yaml) applied before --set; its hardware parameters are GPU\n"
      "keys (--set comm_coprocessor.throughput_GBps=200, comm_coprocessor.latency_us, nic.adapter_latency_us).\n"
      "--compare-proposals also runs every communication proposal on the same step (hwsim study runs them with\n"
      "their parameter sweeps).";
  c.options = {
      gpu_option(),
      set_option(),
      {"model", "NAME", fmt::format("timing model: {}", fmt::join(predictor_names(), ", ")), predictor_names().front()},
      {"comm", "NAME", "EP communication: deepep_sm, comm_offload, unified_scaleup_scaleout", "deepep_sm"},
      {"comm-set", "KEY=VALUE", "DeepEP setting of the baseline: num_sms", "", true},
      {"option", "KEY=VALUE", "workload option (see above)", "", true},
      {"compare-proposals", "", "also run the communication proposals on the same step", ""},
      {"jobs", "N", "kernels simulated at once (processes)", "2"},
      {"json", "FILE", "write the full result as JSON to FILE", ""}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    deepseek_v3::StepOptions options;
    for (const std::string& kv : a.all("option")) options.set(kv);
    const CommSettings cs = comm_settings(a);
    const auto proposal = comm_proposal(cs.model);
    const HardwareSpec spec =
        proposal ? load_gpu(a.get("gpu"), a.all("set"), proposal->spec_delta()) : load_gpu(a.get("gpu"), a.all("set"));
    const auto comm = proposal ? proposal->ep_comm(spec) : comm::make_deepep_sm_comm(cs.deepep);
    auto predictor = predictor_factory(a.get("model"), result_cache_options(a))(spec);
    // One table for every step this command runs: the compute kernels are
    // the same whatever the communication model (proposal.hpp's contract).
    proposals::PredictionTable compute(*predictor);
    const auto t0 = std::chrono::steady_clock::now();
    const auto step_level = step_level_proposals();
    proposals::StepStudyOptions so{a.get("gpu"), a.all("set"), options, cs.deepep, false};
    comm::RoutingSamples routings;
    const int jobs = static_cast<int>(a.integer("jobs"));
    if (jobs > 1 && a.get("model") == "sim") {
      predictor->prepare(
          step_requests(spec, *comm, options, routings, a.has("compare-proposals") ? &so : nullptr, step_level), jobs);
    }
    const deepseek_v3::StepResult r = deepseek_v3::simulate_step(spec, compute, *comm, options, &routings);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_step(r, wall,
               proposal ? fmt::format("; spec delta hw_proposals/{}/spec_delta.yaml applied", proposal->name()) : "");
    nlohmann::json out = r.to_json();
    out["model"] = a.get("model");
    if (a.has("compare-proposals")) {
      const nlohmann::json study = proposals::run_step_study(step_level.views, so, compute);
      fmt::print("\nCommunication proposals on the same step\n");
      auto row = [](const std::string& name, const nlohmann::json& j, double speedup) {
        fmt::print(
            "  {:<26} step {:8.3f} s  speedup {:5.3f}x  comm SMs {:2d}  dispatch {:6.0f} us  combine {:6.0f} us\n",
            name, j["step_s"].get<double>(), speedup, j["comm_sms"].get<int>(), j["dispatch_us"].get<double>(),
            j["combine_us"].get<double>());
      };
      row(study["baseline"]["comm_model"], study["baseline"], 1.0);
      for (const auto& p : study["proposals"]) row(p["name"], p, p["speedup"].get<double>());
      out["proposals"] = study;
    }
    if (auto file = a.maybe("json")) write_file_atomic(*file, out.dump(2) + "\n");
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
