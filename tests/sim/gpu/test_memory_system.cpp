// MemorySystem on its own (no Gpu, no SystemC): L2 hits and misses, the near
// and far partitions, HBM streaming bounded by the peak bandwidth, writes
// that are counted and drain, reductions and flushes, the L2 reach, and the
// read path's refusal of a path it cannot serve. Latencies are checked
// exactly: a request to an idle server costs its service time (which
// LaunchStats::l2_busy / hbm_busy report) plus the spec's fixed latencies.
#include <algorithm>
#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "sim/gpu/memory_system.hpp"

using namespace hwsim;
using namespace hwsim::sim;

namespace {

const HardwareSpec& h100() {
  static const HardwareSpec s = load_gpu("h100-sxm");
  return s;
}

struct Fixture {
  const HardwareSpec& spec = h100();
  ClockDomain clk{spec.clock.sm_MHz};
  Tick hit = clk.ticks_for(spec.l2.hit_latency_cycles);
  Tick far = clk.ticks_for(spec.l2.far_extra_latency_cycles);
  Tick hbm_latency = ticks_from_ns(spec.hbm.latency_ns);
  double hbm_peak_per_tick = bytes_per_tick_from_GBps(spec.hbm.bandwidth_GBps);
  double l2_per_tick = clk.per_tick(spec.l2.bytes_per_clk);
};

constexpr std::int64_t kChunk = 2048;

// Reads `n` consecutive chunk keys from `first`, all issued at `now` from
// partition 0; returns the latest completion.
Tick stream_read(MemorySystem& m, Tick now, std::uint64_t first, std::int64_t n, std::int64_t chunk, LaunchStats& st) {
  Tick last = now;
  for (std::int64_t i = 0; i < n; ++i) last = std::max(last, m.read(now, 0, first + i, 0, chunk, st));
  return last;
}

}  // namespace

TEST_CASE("MemorySystem: slice and channel groups follow the chunk's lines", "[memory_system]") {
  const Fixture f;
  REQUIRE(f.spec.l2.slices == 80);
  REQUIRE(f.spec.hbm.channels == 80);
  REQUIRE(f.spec.l2.line_bytes == 128);
  const MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  CHECK(m.chunk_bytes() == kChunk);
  CHECK(m.partitions() == 2);
  CHECK(m.slice_groups() == 80 / (kChunk / 128));    // 16 lines per chunk: 5 groups of 16 slices
  CHECK(m.channel_groups() == 80 / (kChunk / 128));  // and of 16 channels
  const MemorySystem big(f.spec, f.clk, 16384, nullptr);
  CHECK(big.slice_groups() == 1);  // 128 lines cover all 80 slices
  CHECK(big.channel_groups() == 1);
  const MemorySystem line(f.spec, f.clk, 128, nullptr);
  CHECK(line.slice_groups() == 80);
  CHECK(line.channel_groups() == 80);
}

TEST_CASE("MemorySystem: a cold read pays HBM latency and counts HBM bytes; the re-read hits L2", "[memory_system]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  LaunchStats cold;
  const std::uint64_t key = 12345;
  const Tick t = m.read(0, 0, key, 0, kChunk, cold);
  CHECK(cold.hbm_read == kChunk);
  CHECK(cold.hbm_write == 0);
  CHECK(cold.l2_read == kChunk);
  CHECK(cold.l2_read_hit == 0);
  REQUIRE(cold.hbm_busy > 0);
  // Idle channel: its service, then the HBM latency, then the L2 latency to
  // the SM (near, or near + far extra).
  const Tick l2_part = t - cold.hbm_busy - f.hbm_latency;
  CHECK((l2_part == f.hit || l2_part == f.hit + f.far));
  // 2 KB at one channel group's share of the sustained read rate.
  CHECK(static_cast<double>(cold.hbm_busy) ==
        Approx(kChunk / (f.hbm_peak_per_tick / m.channel_groups() * f.spec.hbm.read_efficiency)).margin(1));

  LaunchStats warm;
  const Tick now = ticks_from_us(10);
  const Tick t2 = m.read(now, 0, key, 0, kChunk, warm);
  CHECK(warm.hbm_read == 0);
  CHECK(warm.hbm_busy == 0);
  CHECK(warm.l2_read == kChunk);
  CHECK(warm.l2_read_hit == kChunk);
  REQUIRE(warm.l2_busy > 0);
  CHECK(t2 - now == warm.l2_busy + l2_part);  // same partition: same L2 latency
  CHECK(t2 - now < t - f.hbm_latency);        // a hit saves at least the HBM latency
  // The slice group's service: 2 KB at its share of l2.bytes_per_clk.
  CHECK(static_cast<double>(warm.l2_busy) == Approx(kChunk / (f.l2_per_tick / m.slice_groups())).margin(1));
}

TEST_CASE("MemorySystem: a far-partition hit costs exactly l2.far_extra_latency_cycles more than a near one",
          "[memory_system]") {
  const Fixture f;
  REQUIRE(f.far > 0);
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  int near_in[2] = {0, 0};
  Tick now = 0;
  for (std::uint64_t key = 1000; key < 1064; ++key) {
    LaunchStats st;
    (void)m.read(now, 0, key, 0, kChunk, st);  // bring it into L2
    Tick lat[2];
    for (int p = 0; p < 2; ++p) {
      now += ticks_from_us(1);  // idle servers, data long ready
      LaunchStats s;
      lat[p] = m.read(now, p, key, 0, kChunk, s) - now - s.l2_busy;
      CHECK(s.l2_read_hit == kChunk);
    }
    CHECK(std::min(lat[0], lat[1]) == f.hit);
    CHECK(std::max(lat[0], lat[1]) == f.hit + f.far);
    ++near_in[lat[0] < lat[1] ? 0 : 1];
    now += ticks_from_us(1);
  }
  // The slices are spread over both partitions: each is near for some keys.
  CHECK(near_in[0] > 0);
  CHECK(near_in[1] > 0);
}

TEST_CASE("MemorySystem: streaming N bytes from HBM takes at least N / peak HBM bandwidth", "[memory_system]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  const std::int64_t n = 16384;  // 32 MiB: fits the 50 MB L2
  const double bytes = static_cast<double>(n * kChunk);
  LaunchStats st;
  const Tick t = stream_read(m, 0, 1 << 20, n, kChunk, st);
  CHECK(st.hbm_read == n * kChunk);
  CHECK(st.l2_read == n * kChunk);
  CHECK(st.l2_read_hit == 0);
  const double at_peak = bytes / f.hbm_peak_per_tick;
  const double sustained = bytes / (f.hbm_peak_per_tick * f.spec.hbm.read_efficiency);
  CHECK(static_cast<double>(t) >= at_peak);
  // All reads: no group serves faster than the sustained read rate; the
  // interleaving balances the groups to within 5% (the address hash).
  CHECK(static_cast<double>(t) >= sustained + static_cast<double>(f.hbm_latency + f.hit));
  CHECK(static_cast<double>(t) <= 1.05 * sustained + static_cast<double>(f.hbm_latency + f.hit + f.far));
  // Each channel group serves at 1/groups of the rate: their summed busy
  // time is groups x the bytes' service time at the sustained rate.
  CHECK(static_cast<double>(st.hbm_busy) == Approx(m.channel_groups() * sustained).epsilon(1e-3));

  // The same 32 MiB again: all L2 hits, bounded by the L2 rate instead.
  LaunchStats again;
  const Tick now = t + ticks_from_us(1);
  const Tick t2 = stream_read(m, now, 1 << 20, n, kChunk, again);
  CHECK(again.hbm_read == 0);
  CHECK(again.l2_read_hit == n * kChunk);
  CHECK(static_cast<double>(t2 - now) >= bytes / f.l2_per_tick);
  CHECK(t2 - now < (t - 0) / 2);  // L2 (7 TB/s) is more than twice as fast as HBM (3 TB/s)
}

TEST_CASE("MemorySystem: streaming time does not depend on the chunk size", "[memory_system]") {
  const Fixture f;
  const std::int64_t total = 32LL << 20;
  Tick t[2];
  int i = 0;
  for (std::int64_t chunk : {std::int64_t{2048}, std::int64_t{8192}}) {
    MemorySystem m(f.spec, f.clk, chunk, nullptr);
    LaunchStats st;
    t[i++] = stream_read(m, 0, 0, total / chunk, chunk, st);
    CHECK(st.hbm_read == total);
  }
  CHECK(static_cast<double>(t[0]) == Approx(static_cast<double>(t[1])).epsilon(0.03));
}

TEST_CASE("MemorySystem: writes go through to HBM, are counted, drain, and stay readable in L2", "[memory_system]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  LaunchStats st;
  const Tick now = ticks_from_us(1);
  const Tick t = m.write(now, 0, 77, 0, kChunk, st);
  CHECK(st.l2_write == kChunk);
  CHECK(st.hbm_write == kChunk);
  CHECK(st.hbm_read == 0);
  // Accepted by L2 after the slice service and the L2 latency, not after HBM.
  const Tick lat = t - now - st.l2_busy;
  CHECK((lat == f.hit || lat == f.hit + f.far));
  CHECK(st.hbm_drain == now + st.hbm_busy);  // idle channel: drained after its service

  // Write-through keeps the line clean in L2: the read hits, the flush writes nothing more.
  LaunchStats r;
  (void)m.read(now + ticks_from_us(1), 0, 77, 0, kChunk, r);
  CHECK(r.l2_read_hit == kChunk);
  CHECK(r.hbm_read == 0);
  LaunchStats fl;
  m.flush(&fl);
  CHECK(fl.hbm_write == 0);

  // A stream of N bytes of writes drains no sooner than N / peak.
  MemorySystem w(f.spec, f.clk, kChunk, nullptr);
  LaunchStats ws;
  const std::int64_t n = 16384;
  for (std::int64_t i = 0; i < n; ++i) (void)w.write(0, 1, 5000 + i, 0, kChunk, ws);
  const double bytes = static_cast<double>(n * kChunk);
  CHECK(ws.hbm_write == n * kChunk);
  CHECK(ws.l2_write == n * kChunk);
  CHECK(static_cast<double>(ws.hbm_drain) >= bytes / f.hbm_peak_per_tick);
  // The efficiency moves from the read figure towards the write figure
  // through the copy figure, the lowest: the drain lies between the bounds
  // these give (5% for the address hash).
  const double best = std::max({f.spec.hbm.read_efficiency, f.spec.hbm.write_efficiency, f.spec.hbm.copy_efficiency});
  const double worst = std::min({f.spec.hbm.read_efficiency, f.spec.hbm.write_efficiency, f.spec.hbm.copy_efficiency});
  CHECK(static_cast<double>(ws.hbm_drain) >= bytes / (f.hbm_peak_per_tick * best));
  CHECK(static_cast<double>(ws.hbm_drain) <= 1.05 * bytes / (f.hbm_peak_per_tick * worst));
}

TEST_CASE("MemorySystem: a reduction reads the line once, keeps it dirty, and the flush writes it back",
          "[memory_system]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  LaunchStats st;
  (void)m.reduce(0, 0, 9, 0, kChunk, st);
  CHECK(st.l2_write == kChunk);
  CHECK(st.hbm_read == kChunk);  // the accumulator's current value
  CHECK(st.hbm_write == 0);      // stays dirty in L2
  CHECK(st.hbm_drain > 0);
  (void)m.reduce(ticks_from_us(1), 0, 9, 0, kChunk, st);
  CHECK(st.l2_write == 2 * kChunk);
  CHECK(st.hbm_read == kChunk);  // the second reduction hits
  CHECK(st.hbm_write == 0);

  m.flush(&st);
  CHECK(st.hbm_write == kChunk);  // the dirty line written back at the flush
  m.flush(&st);
  CHECK(st.hbm_write == kChunk);  // nothing left to write
  m.flush(nullptr);               // allowed without statistics

  // After the flush L2 is empty: the line is read from HBM again.
  LaunchStats r;
  (void)m.read(ticks_from_us(5), 0, 9, 0, kChunk, r);
  CHECK(r.l2_read_hit == 0);
  CHECK(r.hbm_read == kChunk);
}

TEST_CASE("MemorySystem: a chunk read in halves reads each half from HBM once", "[memory_system][sector]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  constexpr std::int64_t half = kChunk / 2;
  LaunchStats a;
  (void)m.read(0, 0, 5, 0, half, a);
  CHECK(a.hbm_read == half);
  // The other half was never fetched: it comes from HBM, it is no L2 hit.
  LaunchStats b;
  const Tick now = ticks_from_us(1);
  const Tick t = m.read(now, 0, 5, half, half, b);
  CHECK(b.hbm_read == half);
  CHECK(b.l2_read_hit == 0);
  CHECK(t - now > f.hbm_latency);  // waited for HBM
  // The whole chunk is present now; a write of a third chunk's half makes
  // that half readable without HBM, the other half not.
  LaunchStats c;
  (void)m.read(ticks_from_us(2), 0, 5, 0, kChunk, c);
  CHECK(c.hbm_read == 0);
  CHECK(c.l2_read_hit == kChunk);
  LaunchStats w;
  (void)m.write(ticks_from_us(3), 0, 6, half, half, w);
  LaunchStats r;
  (void)m.read(ticks_from_us(4), 0, 6, 0, kChunk, r);
  CHECK(r.hbm_read == half);
  CHECK(r.l2_read_hit == half);
}

TEST_CASE("MemorySystem: set_l2_reach scales every slice group's rate", "[memory_system]") {
  const Fixture f;
  MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  LaunchStats full;
  (void)m.read(0, 0, 1, 0, kChunk, full);
  m.set_l2_reach(0.5);
  LaunchStats half;
  (void)m.read(ticks_from_us(1), 0, 2, 0, kChunk, half);
  CHECK(half.l2_busy == Approx(2.0 * static_cast<double>(full.l2_busy)).margin(1));
  m.set_l2_reach(1.0);
  LaunchStats back;
  (void)m.read(ticks_from_us(2), 0, 3, 0, kChunk, back);
  CHECK(back.l2_busy == full.l2_busy);
}

TEST_CASE("MemorySystem::check refuses the near-memory cast on standard HBM and accepts the other paths",
          "[memory_system]") {
  const Fixture f;
  const MemorySystem m(f.spec, f.clk, kChunk, nullptr);
  KernelProgram k;
  k.name = "gemm";
  k.tensors = {{"A", 1024, 1024, 1}, {"B", 1024, 1024, 1}};
  CHECK_NOTHROW(m.check(ld_global(1, 0, kChunk), k));
  CHECK_NOTHROW(m.check(via(tma_load(1, 0, 0, 64, 64, 0), DataPath::kTmaCast), k));
  CHECK_NOTHROW(m.check(via(st_global(0, 0, kChunk), DataPath::kL2Reduction), k));
  const Op cast = via(ld_global(1, 0, kChunk), DataPath::kNearMemoryCast);
  CHECK_THROWS_AS(m.check(cast, k), Error);
  CHECK_THROWS_WITH(m.check(cast, k), Catch::Contains("kernel gemm") && Catch::Contains("tensor B") &&
                                          Catch::Contains("hbm.implementation = near_memory_cast"));
}

TEST_CASE("MemorySystem: an hbm.implementation hwsim does not have is an error naming the key", "[memory_system]") {
  const HardwareSpec spec = load_gpu("h100-sxm", {"hbm.implementation=no_such_stacks"});
  const ClockDomain clk(spec.clock.sm_MHz);
  CHECK_THROWS_WITH(MemorySystem(spec, clk, kChunk, nullptr),
                    Catch::Contains("hbm.implementation = 'no_such_stacks'") && Catch::Contains("standard"));
}

// Read coalescing (l2.coalesce_window_cycles, l2.coalesced_read_fraction): a
// read of a chunk within the window of the read that fetched it costs the
// coalesced share of the slice's time; outside the window, or after a flush,
// a whole read. Off (window 0) every read costs a whole read.
TEST_CASE("MemorySystem: reads within the coalescing window share the fetch", "[memory_system]") {
  const Fixture f;
  HardwareSpec spec = f.spec;
  spec.l2.coalesce_window_cycles = 300;
  spec.l2.coalesced_read_fraction = 0.25;
  const Tick window = f.clk.ticks_for(300);
  MemorySystem m(spec, f.clk, kChunk, nullptr);
  LaunchStats st;
  (void)m.read(0, 0, 7, 0, kChunk, st);  // fetches chunk 7 from HBM
  const Tick whole = static_cast<Tick>(kChunk / (f.l2_per_tick / m.slice_groups()) + 0.5);
  CHECK(st.l2_busy == whole);
  (void)m.read(window, 0, 7, 0, kChunk, st);  // at the window's edge: coalesced
  const Tick share = static_cast<Tick>(0.25 * kChunk / (f.l2_per_tick / m.slice_groups()) + 0.5);
  CHECK(st.l2_busy == whole + share);
  (void)m.read(2 * window + 1, 0, 7, 0, kChunk, st);  // past the window of the fetch at 0: a whole read
  CHECK(st.l2_busy == 2 * whole + share);
  (void)m.read(2 * window + 2, 0, 8, 0, kChunk, st);  // another chunk: its own fetch
  CHECK(st.l2_busy == 3 * whole + share);
  m.flush(nullptr);
  const Tick before = st.l2_busy;
  (void)m.read(2 * window + 3, 0, 8, 0, kChunk, st);  // the flush forgot the fetch
  CHECK(st.l2_busy == before + whole);
  CHECK(st.l2_read == 5 * kChunk);  // every read still counts its bytes

  MemorySystem off(f.spec, f.clk, kChunk, nullptr);
  LaunchStats plain;
  for (int i = 0; i < 3; ++i) (void)off.read(i, 0, 7, 0, kChunk, plain);
  CHECK(plain.l2_busy == 3 * whole);
}

// l2.reduction_cost_factor: a reduction holds its slice group for the factor
// times a read of the same bytes; its bytes are counted as they are.
TEST_CASE("MemorySystem: a reduction costs the slice reduction_cost_factor reads", "[memory_system]") {
  const Fixture f;
  for (double factor : {1.0, 2.5}) {
    INFO("factor " << factor);
    HardwareSpec spec = f.spec;
    spec.l2.reduction_cost_factor = factor;
    MemorySystem m(spec, f.clk, kChunk, nullptr);
    LaunchStats st;
    (void)m.reduce(0, 0, 7, 0, kChunk, st);
    CHECK(st.l2_busy == static_cast<Tick>(factor * kChunk / (f.l2_per_tick / m.slice_groups()) + 0.5));
    CHECK(st.l2_write == kChunk);
  }
}
