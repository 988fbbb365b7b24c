#include "validate/compare/predictor.hpp"

#include <map>

namespace hwsim {

std::vector<Prediction> predict_records(const std::vector<Record>& records, const PredictorFactory& factory,
                                        const PredictOptions& options) {
  std::map<std::string, std::vector<size_t>> by_gpu;  // ordered: deterministic
  for (size_t i = 0; i < records.size(); ++i) by_gpu[records[i].gpu].push_back(i);
  std::vector<ConfigBatch> batches;
  std::vector<Prediction> out(records.size());
  std::vector<std::vector<size_t>> simulated;  // per batch, the records it simulates
  for (const auto& [gpu, indices] : by_gpu) {
    ConfigBatch b{gpu, options.overrides, {}};
    std::vector<size_t> in_batch;
    for (size_t i : indices) {
      const Record& r = records[i];
      if (options.library_config && !r.config_error.empty()) {
        out[i].error = r.config_error;  // a configuration the engine does not simulate
        continue;
      }
      nlohmann::json params = r.params;
      if (params.is_object()) {
        // The record's power history travels as the launch param `regime`.
        if (!r.history.empty()) params["regime"] = r.history;
        if (options.library_config) params.update(r.config);
      }
      b.kernels.push_back({r.kernel, params});
      in_batch.push_back(i);
    }
    batches.push_back(std::move(b));
    simulated.push_back(std::move(in_batch));
  }
  const auto results = run_batches(batches, factory, options.jobs, options.max_seconds_per_record);
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t j = 0; j < simulated[b].size(); ++j) out[simulated[b][j]] = results[b][j];
  }
  return out;
}

}  // namespace hwsim
