#pragma once
// Runs a timing model over measurement records: the records of each GPU form
// one batch, simulated in a process of its own (sim/batch_runner.hpp).
#include <string>
#include <vector>

#include "sim/batch_runner.hpp"
#include "validate/compare/records.hpp"

namespace hwsim {

struct PredictOptions {
  std::vector<std::string> overrides;  // --set, applied to every GPU
  int jobs = 2;                        // child processes at once
  // Simulate the configuration each record says the library ran (tile,
  // cluster); false: the kernel's own selection rule (the heuristic).
  bool library_config = true;
  // A record whose simulation runs longer is stopped and answered "timed out"
  // (Prediction::timed_out); 0: no limit. The CLI's default is
  // kDefaultMaxSecondsPerRecord.
  double max_seconds_per_record = 0;
};

// `hwsim predict` and `validate`'s --max-seconds-per-record when not given:
// ten minutes, generous enough that only a runaway simulation meets it.
constexpr double kDefaultMaxSecondsPerRecord = 600;

// One Prediction per record, in order.
std::vector<Prediction> predict_records(const std::vector<Record>& records, const PredictorFactory& factory,
                                        const PredictOptions& options);

}  // namespace hwsim
