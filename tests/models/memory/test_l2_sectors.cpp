// L2Cache sector masks: a chunk records which 32-byte sectors it holds, a
// hit needs every requested one, a partial hit fills only the absent ones,
// writes make theirs present, and eviction and flushes drop the masks with
// the chunk.
#include <catch2/catch.hpp>

#include "models/memory/l2_cache.hpp"

using namespace hwsim;

namespace {
constexpr std::int64_t kChunk = 2048;
constexpr std::int64_t kSector = 32;
constexpr std::int64_t kHalf = kChunk / 2;

L2Cache one_slice(std::int64_t chunks) { return L2Cache({chunks * kChunk, 1, 1, kChunk, kSector}); }
}  // namespace

TEST_CASE("L2Cache: reading one half of a chunk leaves the other half absent", "[l2][sector]") {
  L2Cache c = one_slice(4);
  CHECK(c.granule_bytes() == kSector);
  const auto first = c.access(1, 0, kHalf, false, 0);
  CHECK_FALSE(first.hit);
  CHECK(first.fill_bytes == kHalf);
  const auto other = c.access(1, kHalf, kHalf, false, 0);
  CHECK_FALSE(other.hit);  // the old whole-chunk tag called this a hit
  CHECK(other.resident);
  CHECK(other.fill_bytes == kHalf);
  CHECK(c.access(1, 0, kChunk, false, 0).hit);  // both halves are present now
}

TEST_CASE("L2Cache: the same half read twice hits", "[l2][sector]") {
  L2Cache c = one_slice(4);
  (void)c.access(1, kHalf, kHalf, false, 0);
  const auto again = c.access(1, kHalf, kHalf, false, 0);
  CHECK(again.hit);
  CHECK(again.fill_bytes == 0);
}

TEST_CASE("L2Cache: a whole chunk after one half fills the other half", "[l2][sector]") {
  L2Cache c = one_slice(4);
  (void)c.access(1, 0, kHalf, false, 0);
  const auto full = c.access(1, 0, kChunk, false, 0);
  CHECK_FALSE(full.hit);
  CHECK(full.fill_bytes == kHalf);
  // A range that starts and ends inside sectors fills them whole: bytes
  // 1000..1100 touch sectors 31..34, of which 32..34 are absent.
  L2Cache d = one_slice(4);
  (void)d.access(1, 0, kHalf, false, 0);
  CHECK(d.access(1, 1000, 100, false, 0).fill_bytes == 3 * kSector);
  // A cold access inside one sector fills that sector.
  CHECK(d.access(2, 5, 2, false, 0).fill_bytes == kSector);
}

TEST_CASE("L2Cache: written sectors are present for a later read, others are not", "[l2][sector]") {
  L2Cache c = one_slice(4);
  (void)c.access(1, 0, kHalf, false, 0);  // a write-through store allocates its sectors
  CHECK(c.access(1, 0, kHalf, false, 0).hit);
  const auto rest = c.access(1, 0, kChunk, false, 0);
  CHECK_FALSE(rest.hit);
  CHECK(rest.fill_bytes == kHalf);
  // A dirty (reduced) half is what a flush writes back, not the whole chunk.
  L2Cache d = one_slice(4);
  (void)d.access(1, kHalf, kHalf, true, 0);
  (void)d.access(1, 0, kHalf, false, 0);
  CHECK(d.flush() == kHalf);
}

TEST_CASE("L2Cache: an evicted chunk takes its sector mask with it", "[l2][sector]") {
  L2Cache c = one_slice(2);
  (void)c.access(1, 0, kChunk, false, 0);
  (void)c.access(2, 0, kHalf, true, 0);   // dirty half
  (void)c.access(3, 0, kHalf, false, 0);  // evicts 1 (clean)
  const auto evict2 = c.access(4, 0, kChunk, false, 0);
  REQUIRE(evict2.victim.has_value());
  CHECK(evict2.victim->key == 2);
  CHECK(evict2.victim->dirty);
  CHECK(evict2.victim->bytes == kHalf);  // only the dirty sectors go back
  // A chunk read again after its eviction starts from an empty mask; its
  // slot's new owner does not inherit the old mask.
  const auto again = c.access(1, kHalf, kHalf, false, 0);
  CHECK_FALSE(again.resident);
  CHECK(again.fill_bytes == kHalf);
  const auto key4 = c.access(4, 0, kChunk, false, 0);
  CHECK(key4.hit);
  const auto key1 = c.access(1, 0, kChunk, false, 0);
  CHECK_FALSE(key1.hit);
  CHECK(key1.fill_bytes == kHalf);
}

TEST_CASE("L2Cache: chunks of more than 64 sectors track coarser granules", "[l2][sector]") {
  L2Cache c({8 * 8192, 1, 1, 8192, kSector});
  CHECK(c.granule_bytes() == 4 * kSector);
  const auto cold = c.access(1, 100, 50, false, 0);
  CHECK(cold.fill_bytes == 2 * kSector);  // bytes 100..150: sectors 3 and 4
  const auto full = c.access(1, 0, 8192, false, 0);
  CHECK(full.fill_bytes == 8192 - 2 * 4 * kSector);  // granules 0 and 1 were marked present
}
