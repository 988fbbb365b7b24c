#pragma once
// A hardware proposal of the DeepSeek-V3 report (3.5.1 communication, 3.5.2
// compute) as hwsim models it: a spec delta (a YAML overlay that switches a
// hardware feature on, every number with its source), what the feature
// changes in the workload, and the parameters its study sweeps. A compute
// proposal rewrites kernel programs (a kernel removed, or a kernel asked to
// use the feature through its params); a communication proposal brings its
// own implementation of the EP all-to-all (workloads/comm/ep_comm.hpp). A
// proposal never branches inside a baseline model: it is a config diff plus
// rewritten kernel requests or another communication model, and the models
// implement the feature as another variant (docs/proposals.md, "How a
// proposal is modelled").
//
// Contract: a spec delta only sets feature parameters that no unmodified
// kernel reads, so a kernel a rewrite leaves unchanged takes the baseline's
// time, and a step-level proposal's compute kernels take the baseline's time;
// the study relies on this and tests/hw_proposals checks it.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/config/gpu_loader.hpp"
#include "workloads/comm/ep_comm.hpp"
#include "workloads/deepseek_v3/layer.hpp"

namespace hwsim::proposals {

enum class Change { kUnchanged, kRewritten, kRemoved };
std::string_view to_string(Change c);

// What a proposal's study measures. A compute proposal changes kernels, and
// one MoE layer's kernel time shows it. A communication proposal changes how
// the all-to-all runs beside compute (SMs held, overlap across the pipeline),
// which only the whole training step shows (deepseek_v3::simulate_step).
enum class Level { kLayer, kStep };
std::string_view to_string(Level l);

struct StudyKernel {
  deepseek_v3::LayerKernel kernel;
  Change change = Change::kUnchanged;
  std::string why;  // what the rewrite did, for reports
};

struct SensitivityParam {
  std::string key;  // hardware parameter, as --set takes it
  std::string unit;
  std::string description;
  std::vector<double> values;
};

// One sensitivity sweep, as a registration writes it.
inline SensitivityParam sweep(std::string key, std::string unit, std::string description, std::vector<double> values) {
  return {std::move(key), std::move(unit), std::move(description), std::move(values)};
}

// The EP communication a step-level proposal brings: its parameters read from
// the spec (`Params::from_spec`, which names the missing key) and its factory.
template <class Params, class Comm>
std::function<std::unique_ptr<comm::EpComm>(const HardwareSpec&)> ep_comm_from(Comm (*make)(const Params&)) {
  return [make](const HardwareSpec& spec) -> std::unique_ptr<comm::EpComm> { return make(Params::from_spec(spec)); };
}

// A proposal as data: what its folder registers (see "How to add a proposal"
// in docs/engine.md). A rewrite or an EP communication model is optional.
struct ProposalDef {
  std::string name{};           // folder name, e.g. "fused_cast_tma"
  std::string title{};          // e.g. "Fused FP8 cast + TMA"
  std::string summary{};        // one sentence on the mechanism
  Level level = Level::kLayer;  // kLayer unless set
  // Folders whose spec_delta.yaml this proposal applies, in order; empty:
  // its own folder's.
  std::vector<std::string> deltas{};
  // The layer's kernels as the feature changes them; empty: none changes.
  std::function<void(std::vector<StudyKernel>&)> rewrite{};
  // The EP communication the training step runs with on `spec` (the GPU with
  // the spec delta applied); empty: the baseline's (DeepEP on SMs). Throws
  // hwsim::Error naming the key when `spec` lacks the feature.
  std::function<std::unique_ptr<comm::EpComm>(const HardwareSpec&)> ep_comm{};
  std::vector<SensitivityParam> sensitivity{};
};

class Proposal {
 public:
  explicit Proposal(const ProposalDef& def) : def_(def) {}
  std::string_view name() const { return def_.name; }
  std::string_view title() const { return def_.title; }
  std::string_view summary() const { return def_.summary; }
  Level level() const { return def_.level; }
  std::vector<ConfigOverlay> spec_delta() const;
  void rewrite(std::vector<StudyKernel>& kernels) const {
    if (def_.rewrite) def_.rewrite(kernels);
  }
  // nullptr: the baseline's communication.
  std::unique_ptr<comm::EpComm> ep_comm(const HardwareSpec& spec) const {
    return def_.ep_comm ? def_.ep_comm(spec) : nullptr;
  }
  const std::vector<SensitivityParam>& sensitivity() const { return def_.sensitivity; }

 private:
  ProposalDef def_;
};

// Registers a proposal from its folder at static initialisation:
//   const ProposalRegistration kRegistration{{.name = "my_feature", ...}};
// The study lists proposals in the order of hw_proposals/CMakeLists.txt.
struct ProposalRegistration {
  explicit ProposalRegistration(ProposalDef def);
};

// Every proposal, in the order studies list them; "combined" last.
std::vector<std::unique_ptr<Proposal>> all_proposals();
std::unique_ptr<Proposal> find_proposal(std::string_view name);  // throws with the known names

// A kernel run on its own (hwsim run --kernel, hwsim.run) as the proposals
// `names` rewrite it: it is offered to each rewrite as a one-kernel layer
// named by its kind, so a rewrite that changes every kernel of a kind (the
// GEMMs' params) applies, and one that targets the layer's kernels by name
// leaves it unchanged, which `change` says.
StudyKernel rewrite_standalone(const std::string& kind, const nlohmann::json& params,
                               const std::vector<std::string>& names);

// Shared rewrite steps (rewrites.cpp).
std::vector<StudyKernel> as_study(const std::vector<deepseek_v3::LayerKernel>& kernels);
StudyKernel* find_kernel(std::vector<StudyKernel>& kernels, std::string_view name);
// The GEMM kinds whose A-operand and promotion params the rewrites set (gemm,
// grouped_gemm: they share those declarations, workloads/kernels/gemm_program.hpp).
bool is_gemm(const StudyKernel& k);
void mark_removed(StudyKernel& k, std::string why);
void set_param(StudyKernel& k, const std::string& key, const nlohmann::json& value, std::string why);

}  // namespace hwsim::proposals
