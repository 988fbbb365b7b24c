#include "models/interconnect/chunk_pipeline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "models/spec/error.hpp"

namespace hwsim::interconnect {

double chunked_transfer_s(double bytes, double chunk_bytes, std::span<const ChunkStage> stages) {
  if (!(bytes >= 0) || !(chunk_bytes > 0)) {
    throw Error(
        fmt::format("chunked transfer: bytes must be >= 0 and chunk_bytes > 0 (got {}, {})", bytes, chunk_bytes));
  }
  if (stages.empty()) throw Error("chunked transfer: at least one stage is needed");
  for (size_t i = 0; i < stages.size(); ++i) {
    if (!(stages[i].bytes_per_s > 0) || stages[i].per_chunk_s < 0 || stages[i].latency_s < 0) {
      throw Error(fmt::format("chunked transfer: stage {} needs bytes_per_s > 0 and per_chunk_s, latency_s >= 0", i));
    }
  }
  if (bytes == 0) return 0;
  const auto chunks = static_cast<long long>(std::ceil(bytes / chunk_bytes));
  const double last = bytes - static_cast<double>(chunks - 1) * chunk_bytes;
  // free_at[i]: when stage i finishes its previous chunk.
  std::vector<double> free_at(stages.size(), 0.0);
  double arrive = 0;
  for (long long j = 0; j < chunks; ++j) {
    const double size = j + 1 == chunks ? last : chunk_bytes;
    arrive = 0;
    for (size_t i = 0; i < stages.size(); ++i) {
      const double start = std::max(arrive, free_at[i]);
      free_at[i] = start + stages[i].per_chunk_s + size / stages[i].bytes_per_s;
      arrive = free_at[i] + stages[i].latency_s;
    }
  }
  return arrive;
}

}  // namespace hwsim::interconnect
