#pragma once
// Scores predictions against measurements: per GPU, on `validation` records
// only (calibration records may have set parameters, so they prove nothing),
// overall and per kernel class; and, for a what-if pair of GPUs, the predicted
// speed-up of every kernel measured on both beside the measured one.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "validate/compare/accuracy.hpp"
#include "validate/compare/predictor.hpp"
#include "validate/compare/records.hpp"

namespace hwsim {

struct ScoredPoint {
  std::string id;
  std::string kernel_class;
  double measured_us = 0;
  double predicted_us = 0;
  double sm_clock_mhz = 0;
};

struct GpuValidation {
  std::string gpu;
  ErrorStats overall;
  std::map<std::string, ErrorStats> classes;
  std::vector<ScoredPoint> points;
  std::vector<std::pair<std::string, std::string>> not_modelled;  // id, reason
  int unsupported = 0;                                            // records the library could not run on the GPU
  int microbenchmarks = 0;  // ubench_* records: they characterise the GPU, they are not kernels to predict
};

GpuValidation score_gpu(const std::string& gpu, const std::vector<Record>& records,
                        const std::vector<Prediction>& predictions);

struct SpeedupRow {
  std::string kernel_class;  // or "overall"
  int count = 0;
  double measured = 0;  // geometric mean of base time / target time
  double predicted = 0;
  double error_pct = 0;  // |predicted / measured - 1| x 100
};

struct SpeedupPoint {
  std::string shape;  // kernel and params
  std::string kernel_class;
  double measured = 0;
  double predicted = 0;
};

struct WhatIfComparison {
  std::string base;
  std::string target;
  std::vector<SpeedupRow> rows;  // per class, then "overall"
  std::vector<SpeedupPoint> points;
};

WhatIfComparison compare_whatif(const std::string& base, const std::string& target, const std::vector<Record>& records,
                                const std::vector<Prediction>& predictions);

nlohmann::json to_json(const GpuValidation& v);
nlohmann::json to_json(const WhatIfComparison& w);
std::string render_table(const GpuValidation& v);     // for stdout
std::string render_markdown(const GpuValidation& v);  // for docs/validation.md
std::string render_table(const WhatIfComparison& w);
std::string render_markdown(const WhatIfComparison& w);

}  // namespace hwsim
