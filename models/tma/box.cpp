#include "models/tma/box.hpp"

#include <algorithm>

namespace hwsim {

void decompose_box(const TensorShape& t, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols,
                   std::int64_t chunk_bytes, const std::function<void(const Chunk&)>& emit) {
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
  for (std::int64_t r = row0; r < r_end;) {
    const std::int64_t group = (r - row0) / g;
    const std::int64_t next = std::min(r_end, row0 + (group + 1) * g);
    emit({static_cast<std::uint64_t>((row0 * groups + group) * bands + band), (next - r) * row_bytes});
    r = next;
  }
}

void decompose_linear(std::int64_t offset, std::int64_t bytes, std::int64_t chunk_bytes,
                      const std::function<void(const Chunk&)>& emit) {
  std::int64_t a = offset;
  const std::int64_t end = offset + bytes;
  while (a < end) {
    const std::int64_t idx = a / chunk_bytes;
    const std::int64_t next = std::min(end, (idx + 1) * chunk_bytes);
    emit({static_cast<std::uint64_t>(idx), next - a});
    a = next;
  }
}

}  // namespace hwsim
