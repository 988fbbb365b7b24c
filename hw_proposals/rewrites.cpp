#include <fmt/format.h>

#include "hw_proposals/proposal.hpp"
#include "models/spec/error.hpp"

namespace hwsim::proposals {

std::string_view to_string(Change c) {
  switch (c) {
    case Change::kUnchanged:
      return "unchanged";
    case Change::kRewritten:
      return "rewritten";
    case Change::kRemoved:
      return "removed";
  }
  return "?";
}

std::string_view to_string(Level l) {
  switch (l) {
    case Level::kLayer:
      return "layer";
    case Level::kStep:
      return "step";
  }
  return "?";
}

std::vector<StudyKernel> as_study(const std::vector<deepseek_v3::LayerKernel>& kernels) {
  std::vector<StudyKernel> out;
  for (const auto& k : kernels) out.push_back({k, Change::kUnchanged, ""});
  return out;
}

StudyKernel rewrite_standalone(const std::string& kind, const nlohmann::json& params,
                               const std::vector<std::string>& names) {
  deepseek_v3::LayerKernel k;
  k.name = kind;
  k.phase = deepseek_v3::Phase::kForward;
  k.kind = kind;
  k.params = params;
  auto kernels = as_study({k});
  for (const std::string& n : names) find_proposal(n)->rewrite(kernels);
  return kernels.at(0);
}

StudyKernel* find_kernel(std::vector<StudyKernel>& kernels, std::string_view name) {
  for (auto& k : kernels) {
    if (k.kernel.name == name) return &k;
  }
  return nullptr;
}

bool is_gemm(const StudyKernel& k) { return k.kernel.kind == "gemm" || k.kernel.kind == "grouped_gemm"; }

void mark_removed(StudyKernel& k, std::string why) {
  k.change = Change::kRemoved;
  k.why = std::move(why);
}

void set_param(StudyKernel& k, const std::string& key, const nlohmann::json& value, std::string why) {
  if (k.change == Change::kRemoved) {
    throw Error(fmt::format("proposal rewrite: kernel {} was removed and cannot be rewritten", k.kernel.name));
  }
  k.kernel.params[key] = value;
  k.change = Change::kRewritten;
  k.why = k.why.empty() ? std::move(why) : k.why + "; " + why;
}

}  // namespace hwsim::proposals
