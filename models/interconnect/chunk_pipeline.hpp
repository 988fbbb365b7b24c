#pragma once
// Chunk-level timing of a transfer that moves through several stages in
// chunks (inside a node: SM copy into a buffer, NVLink, copy out; across
// nodes: RDMA then NVLink forwarding). Each stage serves one chunk at a time
// at its rate plus a fixed per-chunk cost, and hands it to the next stage
// after its latency: a chunk cannot start on a stage before it has arrived
// there and the stage has finished the previous chunk.
#include <span>

namespace hwsim::interconnect {

struct ChunkStage {
  double bytes_per_s = 0;  // > 0
  double per_chunk_s = 0;  // issue / message cost per chunk (>= 0)
  double latency_s = 0;    // from this stage's end to the next stage (>= 0)
};

// Explicit chunk-by-chunk recurrence. Throws hwsim::Error on bad input.
double chunked_transfer_s(double bytes, double chunk_bytes, std::span<const ChunkStage> stages);

}  // namespace hwsim::interconnect
