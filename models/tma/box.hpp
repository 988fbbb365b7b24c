#pragma once
// Decomposition of memory accesses into chunks, the unit the memory system
// tags in L2 and moves. A tensor is a row-major 2-D array. A TMA box (rows x
// cols elements) becomes runs of whole box rows: when a box row is shorter
// than a chunk, consecutive rows of the box form one chunk ("tile
// granularity": every CTA that loads the same box of the same tensor names the
// same chunks); when it is longer, each row is split at chunk boundaries of
// its address. Linear accesses split at chunk-aligned addresses.
#include <cstdint>
#include <functional>

namespace hwsim {

struct TensorShape {
  std::int64_t rows;
  std::int64_t cols;
  int elem_bytes;
};

struct Chunk {
  std::uint64_t index;  // unique within the tensor for a given box shape and chunk size
  std::int64_t bytes;
};

// Contract: the box lies inside the tensor (clipped at its edges as TMA does:
// out-of-bounds elements are not transferred); chunk_bytes > 0.
void decompose_box(const TensorShape& t, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols,
                   std::int64_t chunk_bytes, const std::function<void(const Chunk&)>& emit);
void decompose_linear(std::int64_t offset, std::int64_t bytes, std::int64_t chunk_bytes,
                      const std::function<void(const Chunk&)>& emit);

}  // namespace hwsim
