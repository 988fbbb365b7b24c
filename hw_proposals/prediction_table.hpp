#pragma once
// A KernelPredictor that answers from a table of predictions. The table is
// filled with predictions made elsewhere (a study's child processes,
// sim/batch_runner.hpp) or, given an inner predictor, by asking it once per
// distinct kernel and keeping the answer. A training step asks for the same
// compute kernels whatever its communication model, so the steps of a study
// share one table and only the first pays for kernel simulation (about 50 s
// with the simulator; each further step is the schedule and the
// communication models, well under a second).
//
// Contract: predict() of a kernel in the table returns its stored prediction;
// of one not in it, the inner predictor's answer, which is then stored, or,
// with no inner predictor, a Prediction without a time whose error names the
// kernel. Kernels are keyed by kind and params (JSON text), as the batch
// runner keys them.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "sim/batch_runner.hpp"
#include "sim/kernel_predictor.hpp"

namespace hwsim::proposals {

class PredictionTable final : public KernelPredictor {
 public:
  PredictionTable() = default;  // answers from add() only
  explicit PredictionTable(KernelPredictor& inner) : inner_(&inner) {}

  void add(const KernelRequest& kernel, Prediction prediction);
  bool contains(const KernelRequest& kernel) const;
  std::size_t size() const { return table_.size(); }
  Prediction predict(const std::string& kernel, const nlohmann::json& params) override;

 private:
  static std::string key(const std::string& kind, const nlohmann::json& params);
  KernelPredictor* inner_ = nullptr;
  std::map<std::string, Prediction> table_;
};

// Answers every kernel with 1 us and keeps the distinct requests in first-use
// order: which kernels a step or study asks for, found without timing them.
class RecordingPredictor final : public KernelPredictor {
 public:
  Prediction predict(const std::string& kernel, const nlohmann::json& params) override;
  std::vector<KernelRequest> take() { return std::move(requests_); }

 private:
  std::set<std::string> seen_;
  std::vector<KernelRequest> requests_;
};

}  // namespace hwsim::proposals
