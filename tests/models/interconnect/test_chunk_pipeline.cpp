// The chunk-level pipeline (models/interconnect/chunk_pipeline): the closed
// form of identical stages, the lower bounds every chunked transfer obeys
// (bytes over the slowest stage, the latencies, one chunk through every
// stage), the gain of pipelining over an unchunked transfer, per-chunk costs
// that make tiny chunks slow, and the errors for bad input.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "models/interconnect/chunk_pipeline.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::interconnect;

namespace {

// One chunk of `size` bytes through every stage, alone.
double one_chunk_s(double size, const std::vector<ChunkStage>& st) {
  double t = 0;
  for (const ChunkStage& s : st) t += s.per_chunk_s + size / s.bytes_per_s + s.latency_s;
  return t;
}

}  // namespace

TEST_CASE("chunk pipeline: a single stage takes bytes / rate + per-chunk costs + its latency", "[chunk_pipeline]") {
  const std::vector<ChunkStage> one = {{100e9, 0, 2e-6}};
  // Without per-chunk cost the chunk size does not matter.
  for (double chunk : {1e3, 64e3, 1e6, 1e9})
    CHECK(chunked_transfer_s(1e6, chunk, one) == Approx(1e6 / 100e9 + 2e-6).epsilon(1e-12));
  const std::vector<ChunkStage> costly = {{100e9, 1e-7, 2e-6}};
  // 1 MB in 64 KB chunks: 16 chunks (the last one 16,960 B), 16 per-chunk costs.
  CHECK(chunked_transfer_s(1e6, 65536, costly) == Approx(1e6 / 100e9 + 16 * 1e-7 + 2e-6).epsilon(1e-12));
}

TEST_CASE("chunk pipeline: S identical stages take (S + n - 1) chunk times plus S latencies", "[chunk_pipeline]") {
  const double rate = 50e9, per = 0.5e-6, lat = 1e-6, chunk = 256e3;
  const double t_chunk = per + chunk / rate;
  for (int stages : {1, 2, 3, 5}) {
    const std::vector<ChunkStage> st(static_cast<size_t>(stages), ChunkStage{rate, per, lat});
    for (int n : {1, 2, 7, 40}) {
      const double expect = (stages + n - 1) * t_chunk + stages * lat;
      CHECK(chunked_transfer_s(n * chunk, chunk, st) == Approx(expect).epsilon(1e-12));
    }
  }
}

TEST_CASE("chunk pipeline: bounded below by bytes over the slowest stage, the latencies and one chunk",
          "[chunk_pipeline]") {
  // SM copy in, NVLink, copy out (rates, costs and latencies of the order of a node's relay).
  const std::vector<ChunkStage> st = {{400e9, 0.2e-6, 0.1e-6}, {160e9, 0.5e-6, 3.33e-6}, {300e9, 0.2e-6, 0.1e-6}};
  const double slowest = 160e9;
  double latencies = 0;
  for (const ChunkStage& s : st) latencies += s.latency_s;
  for (double bytes : {1e3, 100e3, 7e6, 512e6}) {
    for (double chunk : {4096.0, 65536.0, 1e6, 8e6}) {
      const double t = chunked_transfer_s(bytes, chunk, st);
      INFO("bytes " << bytes << " chunk " << chunk);
      CHECK(t >= bytes / slowest + latencies);
      CHECK(t >= one_chunk_s(std::min(bytes, chunk), st) * (1 - 1e-12));
      // ... and above by running the chunks one after another without overlap.
      const double n = std::ceil(bytes / chunk);
      CHECK(t <= ((n - 1) * one_chunk_s(chunk, st) + one_chunk_s(bytes - (n - 1) * chunk, st)) * (1 + 1e-12));
    }
  }
  // Many chunks: the slowest stage sets the pace; fill and per-chunk costs
  // add (0.5 us per 8 MB chunk at 160 GB/s: 1%), so within 2% of the bound.
  const double big = 4e9;
  CHECK(chunked_transfer_s(big, 8e6, st) == Approx(big / slowest + latencies).epsilon(0.02));
}

TEST_CASE("chunk pipeline: chunking overlaps the stages, up to the per-chunk costs", "[chunk_pipeline]") {
  const std::vector<ChunkStage> st = {{200e9, 1e-7, 1e-6}, {200e9, 1e-7, 1e-6}, {200e9, 1e-7, 1e-6}};
  const double bytes = 64e6;
  const double whole = chunked_transfer_s(bytes, bytes, st);  // one chunk: stage after stage
  CHECK(whole == Approx(one_chunk_s(bytes, st)).epsilon(1e-12));
  CHECK(chunked_transfer_s(bytes, 2 * bytes, st) == whole);  // a chunk larger than the transfer is one chunk
  const double chunked = chunked_transfer_s(bytes, 1e6, st);
  // Three equal stages: pipelining approaches a 3x gain.
  CHECK(whole / chunked > 2.8);
  CHECK(whole / chunked < 3.0);
  // Smaller chunks overlap more until the per-chunk cost dominates: at 1 KB,
  // 64,000 chunks pay 0.1 us each on every stage, more than the whole transfer.
  const double tiny = chunked_transfer_s(bytes, 1e3, st);
  CHECK(tiny >= 64000 * 1e-7);
  CHECK(tiny > whole);
  CHECK(chunked_transfer_s(bytes, 4e6, st) > chunked);  // coarser chunks fill the pipe more slowly
}

TEST_CASE("chunk pipeline: zero bytes take no time; a partial last chunk is charged its own size", "[chunk_pipeline]") {
  const std::vector<ChunkStage> st = {{100e9, 1e-6, 1e-6}, {50e9, 0, 2e-6}};
  CHECK(chunked_transfer_s(0, 1e6, st) == 0);
  // 2.5 chunks: the last carries half a chunk.
  const double chunk = 1e6;
  const double t = chunked_transfer_s(2.5 * chunk, chunk, st);
  // Stage 2 (50 GB/s, 20 us per chunk) is the bottleneck: chunk 0 reaches it
  // at 1 + 10 + 1 = 12 us; it then serves 20 + 20 + 10 us; + 2 us latency.
  CHECK(t == Approx(12e-6 + 50e-6 + 2e-6).epsilon(1e-12));
  CHECK(t < chunked_transfer_s(3 * chunk, chunk, st));
}

TEST_CASE("chunk pipeline: bad input is an error naming the rule", "[chunk_pipeline]") {
  const std::vector<ChunkStage> ok = {{100e9, 0, 0}};
  CHECK_THROWS_AS(chunked_transfer_s(-1, 1e3, ok), hwsim::Error);
  CHECK_THROWS_WITH(chunked_transfer_s(-1, 1e3, ok), Catch::Contains("bytes must be >= 0"));
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, 0, ok), Catch::Contains("chunk_bytes > 0"));
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, -5, ok), Catch::Contains("chunk_bytes > 0"));
  CHECK_THROWS_WITH(chunked_transfer_s(std::nan(""), 1e3, ok), Catch::Contains("bytes must be >= 0"));
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, std::nan(""), ok), Catch::Contains("chunk_bytes > 0"));
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, 1e3, std::vector<ChunkStage>{}), Catch::Contains("at least one stage"));
  const std::vector<ChunkStage> zero_rate = {{100e9, 0, 0}, {0, 0, 0}};
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, 1e3, zero_rate), Catch::Contains("stage 1 needs bytes_per_s > 0"));
  const std::vector<ChunkStage> neg_cost = {{100e9, -1e-9, 0}};
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, 1e3, neg_cost), Catch::Contains("stage 0"));
  const std::vector<ChunkStage> neg_lat = {{100e9, 0, 0}, {100e9, 0, 0}, {100e9, 0, -1e-6}};
  CHECK_THROWS_WITH(chunked_transfer_s(1e6, 1e3, neg_lat), Catch::Contains("stage 2"));
  // Even zero bytes are checked.
  CHECK_THROWS_WITH(chunked_transfer_s(0, 1e3, zero_rate), Catch::Contains("stage 1"));
}
