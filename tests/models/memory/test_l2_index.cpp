// L2Cache's index and LRU against a plain reference: random accesses over a
// key space a few times the capacity (hits, partial hits, evictions of clean
// and dirty chunks, long probe chains and their backward-shift deletion) and
// set_ready() on resident and evicted keys must give the reference's hit,
// residency, ready tick and victim for every access. The reference keeps one
// list per slice, most recent first, and a map per chunk: slow and obvious.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <list>
#include <map>
#include <random>

#include "models/memory/l2_cache.hpp"
#include "models/spec/error.hpp"

using namespace hwsim;

namespace {
constexpr std::int64_t kIndexChunk = 2048;
constexpr std::int64_t kIndexSector = 32;

struct RefChunk {
  std::uint64_t present = 0;
  std::uint64_t dirty = 0;
  std::int64_t ready = 0;
};

// The reference L2: LRU lists per slice and a map of resident chunks.
class RefL2 {
 public:
  RefL2(int slices, std::int64_t per_slice) : lru_(static_cast<size_t>(slices)), per_slice_(per_slice) {}

  L2Cache::Access access(int slice, std::uint64_t key, std::uint64_t want, bool write, std::int64_t ready) {
    auto& lru = lru_[static_cast<size_t>(slice)];
    if (auto it = chunks_.find(key); it != chunks_.end()) {
      lru.remove(key);
      lru.push_front(key);
      RefChunk& c = it->second;
      const bool hit = (want & ~c.present) == 0;
      c.present |= want;
      if (write) c.dirty |= want;
      return {hit, true, c.ready, 0, std::nullopt};
    }
    L2Cache::Access a{false, false, ready, 0, std::nullopt};
    if (static_cast<std::int64_t>(lru.size()) >= per_slice_) {
      const std::uint64_t v = lru.back();
      lru.pop_back();
      const RefChunk& c = chunks_.at(v);
      a.victim = L2Cache::Victim{v, std::popcount(c.dirty) * kIndexSector, c.dirty != 0};
      chunks_.erase(v);
    }
    lru.push_front(key);
    chunks_[key] = RefChunk{want, write ? want : 0, ready};
    return a;
  }
  void set_ready(std::uint64_t key, std::int64_t ready) {
    if (auto it = chunks_.find(key); it != chunks_.end()) it->second.ready = ready;
  }

 private:
  std::vector<std::list<std::uint64_t>> lru_;
  std::map<std::uint64_t, RefChunk> chunks_;
  std::int64_t per_slice_;
};

// Mask of the sectors [offset, offset + bytes) touches (2 KiB chunks: one bit a sector).
std::uint64_t sectors_of(std::int64_t offset, std::int64_t bytes) {
  const std::int64_t first = offset / kIndexSector;
  const std::int64_t n = (offset + bytes - 1) / kIndexSector - first + 1;
  return (n >= 64 ? ~0ULL : (1ULL << n) - 1) << first;
}
}  // namespace

TEST_CASE("L2Cache: index and LRU agree with a reference over random accesses", "[l2][index]") {
  constexpr int kSlices = 4;
  constexpr std::int64_t kPerSlice = 16;
  L2Cache c({kSlices * kPerSlice * kIndexChunk, kSlices, 2, kIndexChunk, kIndexSector});
  REQUIRE(c.chunks_per_slice() == kPerSlice);
  RefL2 ref(kSlices, kPerSlice);
  std::mt19937_64 rng(19);
  // Keys spread like the simulator's (a prefix, a tensor, an index) over
  // three times the capacity, so a third of the accesses hit.
  std::uniform_int_distribution<std::uint64_t> pick(0, 3 * kSlices * kPerSlice - 1);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<std::int64_t> sector(0, kIndexChunk / kIndexSector - 1);
  int hits = 0, victims = 0, dirty_victims = 0;
  for (int step = 0; step < 20000; ++step) {
    const std::uint64_t v = pick(rng);
    const std::uint64_t key = (0xABCDULL << 48) | ((v % 3) << 40) | v;
    const int k = kind(rng);
    if (k == 0) {  // a fill tick for a key that may have been evicted since
      c.set_ready(key, step);
      ref.set_ready(key, step);
      continue;
    }
    const bool whole = k < 6;
    const std::int64_t offset = whole ? 0 : sector(rng) * kIndexSector;
    const std::int64_t bytes = whole ? kIndexChunk : std::min<std::int64_t>(kIndexChunk - offset, 3 * kIndexSector);
    const bool write = k == 9;
    const L2Cache::Access got = c.access(key, offset, bytes, write, 100000 + step);
    const L2Cache::Access want = ref.access(c.slice_of(key), key, sectors_of(offset, bytes), write, 100000 + step);
    INFO("step " << step << " key " << key);
    REQUIRE(got.hit == want.hit);
    REQUIRE(got.resident == want.resident);
    REQUIRE(got.ready == want.ready);
    REQUIRE(got.victim.has_value() == want.victim.has_value());
    if (got.victim) {
      REQUIRE(got.victim->key == want.victim->key);
      REQUIRE(got.victim->dirty == want.victim->dirty);
      REQUIRE(got.victim->bytes == want.victim->bytes);
      ++victims;
      dirty_victims += got.victim->dirty ? 1 : 0;
    }
    if (!got.hit) {  // a miss's fill tick, as MemorySystem::read sets it
      c.set_ready(key, step);
      ref.set_ready(key, step);
    }
    hits += got.hit ? 1 : 0;
  }
  // The walk covered what it is meant to: hits, evictions and write-backs.
  CHECK(hits > 2000);
  CHECK(victims > 5000);
  CHECK(dirty_victims > 1000);
  CHECK(c.resident_chunks() == kSlices * kPerSlice);
}

TEST_CASE("L2Cache: an L2 of more chunks than the index holds is an error", "[l2][index]") {
  // 2^32 chunks of 32 bytes: buckets beyond 32-bit homes, refused before any
  // allocation.
  CHECK_THROWS_AS(L2Cache({std::int64_t{1} << 37, 1, 1, 32, 32}), Error);
  CHECK_NOTHROW(L2Cache({std::int64_t{1} << 20, 4, 2, 32, 32}));
}
