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
// implement the feature as another variant (STYLE.md 2).
//
// Contract: a spec delta only sets feature parameters that no unmodified
// kernel reads, so a kernel a rewrite leaves unchanged takes the baseline's
// time, and a step-level proposal's compute kernels take the baseline's time;
// the study relies on this and tests/hw_proposals checks it.
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

class Proposal {
 public:
  virtual ~Proposal() = default;
  virtual std::string_view name() const = 0;     // folder name, e.g. "fused_cast_tma"
  virtual std::string_view title() const = 0;    // e.g. "Fused FP8 cast + TMA"
  virtual std::string_view summary() const = 0;  // one sentence on the mechanism
  virtual Level level() const = 0;
  virtual std::vector<ConfigOverlay> spec_delta() const = 0;
  // The layer's kernels as the feature changes them; by default none changes.
  virtual void rewrite(std::vector<StudyKernel>& /*kernels*/) const {}
  // The EP communication the training step runs with on `spec` (the GPU with
  // this proposal's spec delta applied); nullptr, the default: the baseline's
  // (DeepEP on SMs). Throws hwsim::Error naming the key when `spec` lacks the
  // feature.
  virtual std::unique_ptr<comm::EpComm> ep_comm(const HardwareSpec& /*spec*/) const { return nullptr; }
  virtual std::vector<SensitivityParam> sensitivity() const = 0;
};

// Every proposal, in the order studies list them; "combined" last.
std::vector<std::unique_ptr<Proposal>> all_proposals();
std::unique_ptr<Proposal> find_proposal(std::string_view name);  // throws with the known names

// Shared rewrite steps (rewrites.cpp).
std::vector<StudyKernel> as_study(const std::vector<deepseek_v3::LayerKernel>& kernels);
StudyKernel* find_kernel(std::vector<StudyKernel>& kernels, std::string_view name);
void mark_removed(StudyKernel& k, std::string why);
void set_param(StudyKernel& k, const std::string& key, const nlohmann::json& value, std::string why);

}  // namespace hwsim::proposals
