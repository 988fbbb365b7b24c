// hwsim study: baseline and proposals side by side on the DeepSeek-V3 layer
// (compute proposals) and training step (communication proposals).
#include <fmt/format.h>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/predictors.hpp"
#include "apps/hwsim/version.hpp"
#include "hw_proposals/study.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"

namespace hwsim::cli {

Command study_command() {
  Command c;
  c.name = "study";
  c.summary = "what-if study of the DeepSeek-V3 hardware proposals on a layer and a step of FP8 training";
  c.usage = "[PROPOSAL...]";
  c.max_positional = 16;
  c.description =
      "Simulates one DeepSeek-V3 MoE layer's FP8 training kernels on the GPU as it is and as each compute proposal\n"
      "changes it (hw_proposals/), each configuration in its own process, and one training step (DualPipe, EP64)\n"
      "with the baseline all-to-all and with each communication proposal's, the step's kernels simulated once and\n"
      "shared. Writes study.json (the contract reports read), kernels.csv (tidy) and summary.md to --out. Name\n"
      "proposals, or use --all; --list lists them with the level (layer or step) their study measures.";
  c.options = {
      gpu_option(),
      {"all", "", "study every proposal", ""},
      {"list", "", "list the proposals and exit", ""},
      {"tokens", "N", "tokens per GPU of one micro-batch", "4096", false, IntRange{1, 1 << 20}},
      {"routing", "KIND", "expert load: balanced or skewed", "balanced"},
      {"seed", "N", "seed of the skewed expert loads", "1", false, IntRange{0, 1LL << 53}},
      {"out", "DIR", "result folder", "out/study"},
      {"model", "NAME", fmt::format("timing model: {}", fmt::join(predictor_names(), ", ")), predictor_names().front()},
      {"no-sensitivity", "", "skip the parameter sweeps", ""},
      {"step-option", "KEY=VALUE",
       "training-step option of the step-level proposals (gpus, pp, global_batch_seqs, mtp, ...; as "
       "hwsim step --option); the micro-batch, routing and seed follow --tokens, --routing, --seed",
       "", true},
      set_option(),
      {"jobs", "N", "configurations simulated at once", "2", false, IntRange{1, 256}}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (a.has("list")) {
      for (const auto& p : proposals::all_proposals()) {
        fmt::print("{:<24} {:<5}  {}\n", p->name(), proposals::to_string(p->level()), p->summary());
      }
      return 0;
    }
    if (a.positional().empty() && !a.has("all")) {
      throw Error("hwsim study: name one or more proposals or give --all (hwsim study --list lists them)");
    }
    if (!a.positional().empty() && a.has("all")) throw Error("hwsim study: give proposal names or --all, not both");
    proposals::StudyOptions o;
    o.gpu = a.get("gpu");
    o.overrides = a.all("set");
    o.layer.tokens_per_gpu = static_cast<int>(a.integer("tokens"));
    o.layer.routing = a.get("routing");
    o.layer.seed = static_cast<std::uint64_t>(a.integer("seed"));
    o.proposals = a.positional();
    for (const auto& n : o.proposals) proposals::find_proposal(n);  // fail early on a typo
    o.step_options = a.all("step-option");
    proposals::study_step_options(o);  // fail early on a bad --step-option
    o.sensitivity = !a.has("no-sensitivity");
    o.jobs = static_cast<int>(a.integer("jobs"));
    o.model_name = a.get("model");
    o.hwsim = {{"version", kVersion}, {"git", kGitHash}};
    const auto study = proposals::run_study(o, predictor_factory(o.model_name, result_cache_options(a)));
    const std::string dir = a.get("out");
    write_file_atomic(dir + "/study.json", study.dump(2) + "\n");
    write_file_atomic(dir + "/kernels.csv", proposals::study_csv(study));
    const std::string md = proposals::study_markdown(study);
    write_file_atomic(dir + "/summary.md", md);
    write_file_atomic(dir + "/config.json", study["config"].dump(2) + "\n");
    fmt::print("{}\nwrote {}/study.json, kernels.csv, summary.md, config.json\n", md, dir);
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
