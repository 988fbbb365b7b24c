// L2 LRU and slice hashing, HBM channel mapping and read/write-mix efficiency.
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "models/memory/hbm.hpp"
#include "models/memory/l2_cache.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

namespace {
// Keys that hash to the same slice as `first`.
std::vector<std::uint64_t> same_slice_keys(const L2Cache& c, std::uint64_t first, int count) {
  std::vector<std::uint64_t> keys{first};
  for (std::uint64_t k = first + 1; static_cast<int>(keys.size()) < count; ++k) {
    if (c.slice_of(k) == c.slice_of(first)) keys.push_back(k);
  }
  return keys;
}
}  // namespace

TEST_CASE("L2Cache evicts the least recently used chunk of a full slice", "[l2]") {
  L2Cache c({4 * 1024, 2, 2, 512, 32});  // 8 chunks, 4 per slice
  CHECK(c.chunks_per_slice() == 4);
  const auto keys = same_slice_keys(c, 1, 5);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(c.access(keys[static_cast<size_t>(i)], 0, 512, false, 0).hit);
  CHECK(c.access(keys[0], 0, 512, false, 0).hit);  // keys[0] is now most recent; keys[1] is LRU
  const auto miss = c.access(keys[4], 0, 512, false, 0);
  CHECK_FALSE(miss.hit);
  REQUIRE(miss.victim.has_value());
  CHECK(miss.victim->key == keys[1]);
  CHECK(c.access(keys[0], 0, 512, false, 0).hit);
  CHECK_FALSE(c.access(keys[1], 0, 512, false, 0).hit);
}

TEST_CASE("L2Cache reports fill ticks, dirty victims and flushes", "[l2]") {
  L2Cache c({2 * 1024, 1, 1, 1024, 32});  // 2 chunks
  CHECK_FALSE(c.access(7, 0, 1024, true, 500).hit);
  c.set_ready(7, 900);
  const auto hit = c.access(7, 0, 1024, false, 0);
  CHECK(hit.hit);
  CHECK(hit.ready == 900);
  c.access(8, 0, 1024, false, 0);
  const auto miss = c.access(9, 0, 1024, false, 0);  // evicts 7 (LRU after 8 was used)
  REQUIRE(miss.victim.has_value());
  CHECK(miss.victim->key == 7);
  CHECK(miss.victim->dirty);
  c.access(10, 0, 256, true, 0);
  CHECK(c.flush() == 256);
  CHECK(c.resident_chunks() == 0);
  CHECK_FALSE(c.access(8, 0, 1024, false, 0).hit);
}

TEST_CASE("L2 slice hashing spreads chunks evenly and maps slices to partitions", "[l2]") {
  L2Cache c({50LL << 20, 80, 2, 2048, 32});
  std::map<int, int> count;
  for (std::uint64_t k = 0; k < 80000; ++k) ++count[c.slice_of(k)];
  REQUIRE(count.size() == 80);
  for (const auto& [slice, n] : count) {
    CHECK(n > 800);
    CHECK(n < 1200);
  }
  CHECK(c.partition_of_slice(0) == 0);
  CHECK(c.partition_of_slice(39) == 0);
  CHECK(c.partition_of_slice(40) == 1);
  CHECK(c.partition_of_slice(79) == 1);
}

TEST_CASE("HBM efficiency follows the read/write mix through the three sourced points", "[hbm]") {
  HardwareSpec spec = load_gpu("h100-sxm", {"hbm.read_efficiency_fraction=0.92", "hbm.write_efficiency_fraction=0.88",
                                            "hbm.copy_efficiency_fraction=0.80"});
  HbmModel h(spec.hbm, 1 << 20);
  CHECK(h.efficiency(0.0) == Approx(0.92));
  CHECK(h.efficiency(0.5) == Approx(0.80));
  CHECK(h.efficiency(1.0) == Approx(0.88));
  CHECK(h.efficiency(0.25) == Approx(0.86));
  // Alternating equal reads and writes converge to the copy mix.
  double e = 0;
  for (int i = 0; i < 10000; ++i) e = h.record(4096, i % 2 == 1);
  CHECK(h.write_fraction() == Approx(0.5).margin(0.01));
  CHECK(e == Approx(0.80).margin(0.01));
  std::map<int, int> ch;
  for (std::uint64_t k = 0; k < 8000; ++k) ++ch[h.channel_of(k)];
  CHECK(static_cast<int>(ch.size()) == spec.hbm.channels);
}
