#pragma once
// Decomposition of memory accesses into chunks, the unit the memory system
// tags in L2 and moves. A tensor is a row-major 2-D array. A TMA box (rows x
// cols elements) becomes runs of whole box rows: when a box row is shorter
// than a chunk, consecutive rows of the box form one chunk ("tile
// granularity": every CTA that loads the same box of the same tensor names the
// same chunks); when it is longer, each row is split at chunk boundaries of
// its address. Linear accesses split at chunk-aligned addresses.
#include <algorithm>
#include <cstdint>

namespace hwsim {

struct TensorShape {
  std::int64_t rows;
  std::int64_t cols;
  int elem_bytes;
};

struct Chunk {
  std::uint64_t index;  // unique within the tensor for a given box shape and chunk size
  std::int64_t offset;  // where the piece starts inside its chunk (L2 tracks sectors of a chunk)
  std::int64_t bytes;
};

// Linear accesses: [offset, offset + bytes) split at chunk-aligned addresses.
// The callback is a template parameter so the simulator's per-chunk work
// inlines into the loop (it runs for every chunk a kernel moves).
template <class Emit>
void decompose_linear(std::int64_t offset, std::int64_t bytes, std::int64_t chunk_bytes, Emit&& emit) {
  const std::int64_t end = offset + bytes;
  // Only the first chunk needs a division: the next ones start aligned.
  std::int64_t idx = offset / chunk_bytes;
  for (std::int64_t a = offset; a < end; ++idx) {
    const std::int64_t next = std::min(end, (idx + 1) * chunk_bytes);
    emit(Chunk{static_cast<std::uint64_t>(idx), a - idx * chunk_bytes, next - a});
    a = next;
  }
}

// Contract: the box lies inside the tensor (clipped at its edges as TMA does:
// out-of-bounds elements are not transferred); chunk_bytes > 0.
template <class Emit>
void decompose_box(const TensorShape& t, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols,
                   std::int64_t chunk_bytes, Emit&& emit) {
  const std::int64_t r_end = std::min(t.rows, row0 + rows);
  const std::int64_t c_end = std::min(t.cols, col0 + cols);
  if (r_end <= row0 || c_end <= col0) return;
  const std::int64_t row_bytes = (c_end - col0) * t.elem_bytes;
  const std::int64_t box_row_bytes = cols * t.elem_bytes;
  if (box_row_bytes >= chunk_bytes) {
    // Long rows: true addresses, chunk-aligned.
    for (std::int64_t r = row0; r < r_end; ++r) {
      decompose_linear((r * t.cols + col0) * t.elem_bytes, row_bytes, chunk_bytes, emit);
    }
    return;
  }
  // Short rows: group `g` consecutive rows of the box into one chunk. The
  // index names (box origin row, group within the box, column band), so two
  // boxes never share a chunk even when their heights are not multiples of g.
  const std::int64_t g = chunk_bytes / box_row_bytes;
  const std::int64_t groups = (rows + g - 1) / g;
  const std::int64_t bands = (t.cols + cols - 1) / cols;
  const std::int64_t band = col0 / cols;
  // Group `group` starts at row row0 + group * g: no division per chunk.
  std::uint64_t index = static_cast<std::uint64_t>(row0 * groups * bands + band);
  for (std::int64_t r = row0; r < r_end; index += static_cast<std::uint64_t>(bands)) {
    const std::int64_t next = std::min(r_end, r + g);
    emit(Chunk{index, 0, (next - r) * row_bytes});
    r = next;
  }
}

}  // namespace hwsim
