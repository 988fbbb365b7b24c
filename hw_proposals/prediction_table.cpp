#include "hw_proposals/prediction_table.hpp"

#include <fmt/format.h>

namespace hwsim::proposals {

std::string PredictionTable::key(const std::string& kind, const nlohmann::json& params) {
  return kind + " " + params.dump();
}

void PredictionTable::add(const KernelRequest& kernel, Prediction prediction) {
  table_.insert_or_assign(key(kernel.kind, kernel.params), std::move(prediction));
}

bool PredictionTable::contains(const KernelRequest& kernel) const {
  return table_.count(key(kernel.kind, kernel.params)) == 1;
}

Prediction PredictionTable::predict(const std::string& kernel, const nlohmann::json& params) {
  const std::string k = key(kernel, params);
  auto it = table_.find(k);
  if (it != table_.end()) return it->second;
  if (inner_ == nullptr) {
    return {std::nullopt,
            fmt::format("{} {} was not predicted beforehand (the study's batches did not include it)", kernel,
                        params.dump()),
            nlohmann::json::object()};
  }
  return table_.emplace(k, inner_->predict(kernel, params)).first->second;
}

Prediction RecordingPredictor::predict(const std::string& kernel, const nlohmann::json& params) {
  if (seen_.insert(kernel + " " + params.dump()).second) requests_.push_back({kernel, params});
  return {1.0, "", nlohmann::json::object()};
}

}  // namespace hwsim::proposals
