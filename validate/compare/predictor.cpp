#include "validate/compare/predictor.hpp"

#include <map>

namespace hwsim {

std::vector<Prediction> predict_records(const std::vector<Record>& records, const PredictorFactory& factory,
                                        const PredictOptions& options) {
  std::map<std::string, std::vector<size_t>> by_gpu;  // ordered: deterministic
  for (size_t i = 0; i < records.size(); ++i) by_gpu[records[i].gpu].push_back(i);
  std::vector<ConfigBatch> batches;
  std::vector<const std::vector<size_t>*> index;
  for (const auto& [gpu, indices] : by_gpu) {
    ConfigBatch b{gpu, options.overrides, {}};
    for (size_t i : indices) {
      // The record's power history travels as the launch param `regime`.
      nlohmann::json params = records[i].params;
      if (!records[i].history.empty() && params.is_object()) params["regime"] = records[i].history;
      b.kernels.push_back({records[i].kernel, params});
    }
    batches.push_back(std::move(b));
    index.push_back(&indices);
  }
  const auto results = run_batches(batches, factory, options.jobs);
  std::vector<Prediction> out(records.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t j = 0; j < index[b]->size(); ++j) out[(*index[b])[j]] = results[b][j];
  }
  return out;
}

}  // namespace hwsim
