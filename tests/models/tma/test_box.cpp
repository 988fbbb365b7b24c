// Decomposition of TMA boxes and linear accesses into chunks.
#include <catch2/catch.hpp>
#include <set>
#include <vector>

#include "models/tma/box.hpp"

using namespace hwsim;

namespace {
std::vector<Chunk> box(const TensorShape& t, std::int64_t r0, std::int64_t c0, std::int64_t rows, std::int64_t cols,
                       std::int64_t chunk) {
  std::vector<Chunk> out;
  decompose_box(t, r0, c0, rows, cols, chunk, [&](const Chunk& c) { out.push_back(c); });
  return out;
}
std::int64_t total(const std::vector<Chunk>& v) {
  std::int64_t s = 0;
  for (const auto& c : v) s += c.bytes;
  return s;
}
}  // namespace

TEST_CASE("A box of short rows groups rows into chunks named by tile position", "[tma][box]") {
  const TensorShape a{4096, 2048, 1};               // FP8 A, K-major
  const auto v = box(a, 128, 256, 128, 128, 2048);  // 128 rows of 128 B: 16 rows per chunk
  CHECK(v.size() == 8);
  CHECK(total(v) == 128 * 128);
  // The same box names the same chunks; the next box along K names others.
  const auto again = box(a, 128, 256, 128, 128, 2048);
  const auto next = box(a, 128, 384, 128, 128, 2048);
  std::set<std::uint64_t> s1, s2;
  for (size_t i = 0; i < v.size(); ++i) {
    CHECK(v[i].index == again[i].index);
    s1.insert(v[i].index);
    s2.insert(next[i].index);
  }
  for (auto i : s2) CHECK(s1.count(i) == 0);
}

TEST_CASE("A box of long rows splits each row at chunk-aligned addresses", "[tma][box]") {
  const TensorShape t{64, 4096, 2};  // rows of 8 KB
  const auto v = box(t, 0, 0, 2, 4096, 2048);
  CHECK(v.size() == 8);
  CHECK(total(v) == 2 * 4096 * 2);
  CHECK(v[4].index == 4);  // second row starts at byte 8192 = chunk 4
  for (const auto& c : v) CHECK(c.offset == 0);
}

TEST_CASE("Boxes are clipped at the tensor edge like TMA's out-of-bounds fill", "[tma][box]") {
  const TensorShape t{100, 100, 2};
  CHECK(total(box(t, 64, 64, 64, 64, 1024)) == 36 * 36 * 2);
  CHECK(box(t, 128, 0, 64, 64, 1024).empty());
}

TEST_CASE("Linear accesses split at chunk boundaries", "[tma][box]") {
  std::vector<Chunk> v;
  decompose_linear(1000, 5000, 2048, [&](const Chunk& c) { v.push_back(c); });
  REQUIRE(v.size() == 3);
  CHECK(v[0].index == 0);
  CHECK(v[0].offset == 1000);  // the piece's place in its chunk: L2 tracks its sectors
  CHECK(v[0].bytes == 1048);
  CHECK(v[1].offset == 0);
  CHECK(v[1].bytes == 2048);
  CHECK(v[2].index == 2);
  CHECK(total(v) == 5000);
}
