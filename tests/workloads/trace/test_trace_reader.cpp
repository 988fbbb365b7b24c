// The trace reader on small hand-written Kineto traces: what it keeps, and a
// clear error for every kind of bad input (docs/traces.md, "Bad input").
#include <fmt/format.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "models/spec/error.hpp"
#include "tests/support/temp_dir.hpp"
#include "workloads/trace/trace.hpp"

namespace hwsim::trace {
namespace {

const std::filesystem::path kFixture =
    std::filesystem::path(HWSIM_SOURCE_DIR) / "tests/workloads/trace/fixtures/two_steps.json";

std::string fixture_text() {
  std::ifstream in(kFixture);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_gzip(const std::filesystem::path& p, const std::string& text) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  gzclose(f);
}

std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("the reader keeps the ops, runtime calls, GPU ops and steps of a Kineto trace") {
  const Trace t = read_trace(kFixture);
  CHECK(t.ops.size() == 7);
  CHECK(t.runtime.size() == 9);
  REQUIRE(t.gpu.size() == 7);
  CHECK(t.steps.size() == 3);  // two CPU steps, one GPU span
  CHECK(t.device_properties[0]["name"].get<std::string>() == "NVIDIA H100 80GB HBM3");
  const GpuOp& memset = t.gpu[3];
  CHECK(memset.kind == GpuKind::kMemset);
  CHECK(memset.bytes == 4096);
  CHECK(memset.stream == 7);
  CHECK(t.gpu[0].ts == 10.0);
  CHECK(t.gpu[0].dur == 20.0);
  CHECK(t.gpu[0].grid_blocks == 8);
  CHECK(t.gpu[1].grid_blocks == 0);  // no grid recorded
  const auto& addmm = t.ops[1];
  CHECK(addmm.name == "aten::addmm");
  CHECK(addmm.has_shapes);
  CHECK(addmm.dims[1] == nlohmann::json({256, 1024}));
}

TEST_CASE("a gzipped trace reads the same as the plain one") {
  testing::TempDir dir;
  write_gzip(dir.path / "t.json.gz", fixture_text());
  const Trace t = read_trace(dir.path / "t.json.gz");
  CHECK(t.gpu.size() == 7);
  CHECK(t.ops.size() == 7);
}

TEST_CASE("bad input is refused with the file, the place and what was expected") {
  testing::TempDir dir;
  const auto file = dir.path / "t.json";
  SECTION("not JSON") {
    write_bytes(file, "this is not json");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("t.json: not valid JSON at byte"));
  }
  SECTION("truncated JSON") {
    const std::string text = fixture_text();
    write_bytes(file, text.substr(0, text.rfind('}', text.size() / 2) + 1));  // ends after a whole event
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("truncated?"));
  }
  SECTION("a damaged gzip stream") {
    write_bytes(dir.path / "t.json.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "garbage!!");
    CHECK_THROWS_WITH(read_trace(dir.path / "t.json.gz"), Catch::Contains("gzip error"));
  }
  SECTION("a truncated gzip stream") {
    write_gzip(dir.path / "full.gz", fixture_text());
    const std::string gz = read_bytes(dir.path / "full.gz");
    write_bytes(dir.path / "t.json.gz", gz.substr(0, gz.size() / 2));
    CHECK_THROWS_WITH(read_trace(dir.path / "t.json.gz"), Catch::Contains("gzip error"));
  }
  SECTION("no traceEvents") {
    write_bytes(file, "{\"schemaVersion\": 1}");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("no \"traceEvents\" array"));
  }
  SECTION("no GPU events") {
    write_bytes(file,
                R"({"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1,
                     "ts": 1, "dur": 2, "args": {"Input Dims": [[2, 2], [2, 2]]}}]})");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("ProfilerActivity.CUDA"));
  }
  SECTION("no input shapes") {
    write_bytes(file,
                R"({"traceEvents": [{"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1,
                     "ts": 1, "dur": 2, "args": {}},
                    {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 5, "dur": 2,
                     "args": {"stream": 7, "correlation": 1}}]})");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("record_shapes=True"));
  }
  SECTION("an event field of the wrong type") {
    write_bytes(file, R"({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "ts": 5, "dur": "long"}]})");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("traceEvents[0] (kernel 'k'): key 'dur'"));
  }
  SECTION("a kernel's grid that is not three whole numbers") {
    write_bytes(file, R"({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "ts": 5, "dur": 2,
                          "args": {"stream": 7, "grid": [320, -1, 1]}}]})");
    CHECK_THROWS_WITH(
        read_trace(file),
        Catch::Contains("traceEvents[0] (kernel 'k'): key 'args.grid': expected [x, y, z], whole numbers"));
  }
  SECTION("an event that is not an object") {
    write_bytes(file, R"({"traceEvents": [3]})");
    CHECK_THROWS_WITH(read_trace(file), Catch::Contains("traceEvents[0]: expected an event object"));
  }
  SECTION("a missing file") {
    CHECK_THROWS_WITH(read_trace(dir.path / "absent.json"), Catch::Contains("no such trace file"));
    // A folder, device or FIFO exists: it was "no such trace file" too.
    CHECK_THROWS_WITH(read_trace("/dev/zero"), "/dev/zero: not a regular file (a folder, device or FIFO)");
  }
}

}  // namespace hwsim::trace

namespace hwsim::trace {

TEST_CASE("epoch timestamps keep their nanoseconds (counted from the first event)") {
  const Trace t = parse_trace(
      R"({"traceEvents": [
        {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1, "ts": 1733554343123456.789, "dur": 9,
         "args": {"Input Dims": [[2, 2], [2, 2]]}},
        {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 1733554343123460.125, "dur": 0.75,
         "args": {"stream": 7, "correlation": 1}}]})",
      "epoch.json");
  REQUIRE(t.gpu.size() == 1);
  CHECK(t.ops[0].ts == Approx(0.789).margin(1e-9));
  CHECK(t.gpu[0].ts - t.ops[0].ts == Approx(3.336).margin(1e-9));
}

}  // namespace hwsim::trace

namespace hwsim::trace {

// Found by fuzzing (docs/reliability.md): a string of twenty digits wrapped a
// signed 64-bit integer and 1e300 was cast to one, both undefined behaviour.
TEST_CASE("ids beyond 64 bits count as absent instead of wrapping") {
  const Trace t = parse_trace(
      R"({"traceEvents": [
        {"ph": "X", "cat": "cpu_op", "name": "aten::mm", "pid": 1, "tid": 1, "ts": 1, "dur": 9,
         "args": {"Input Dims": [[2, 2], [2, 2]], "External id": "99999999999999999999", "Sequence number": 1e300}},
        {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 5, "dur": 2,
         "args": {"stream": 99999999999999999999, "correlation": "9223372036854775808", "device": 1e19,
                  "External id": 18446744073709551615}},
        {"ph": "X", "cat": "kernel", "name": "k2", "pid": 0, "tid": 7, "ts": 8, "dur": 2,
         "args": {"stream": 7, "correlation": "9223372036854775807", "External id": -9.2e18}}]})",
      "ids.json");
  REQUIRE(t.ops.size() == 1);
  CHECK(t.ops[0].external_id == -1);
  CHECK(t.ops[0].sequence == -1);
  REQUIRE(t.gpu.size() == 2);
  CHECK(t.gpu[0].stream == 7);  // falls back to the tid
  CHECK(t.gpu[0].correlation == -1);
  CHECK(t.gpu[0].device == 0);  // falls back to the pid
  CHECK(t.gpu[0].external_id == -1);
  CHECK(t.gpu[1].correlation == 9223372036854775807);  // 2^63 - 1 still fits
  CHECK(t.gpu[1].external_id == -9200000000000000000);
}

TEST_CASE("timestamps beyond 64-bit microseconds and nesting beyond 256 are refused with the event") {
  CHECK_THROWS_WITH(parse_trace(R"({"traceEvents": [
        {"ph": "X", "cat": "cpu_op", "name": "a", "pid": 1, "tid": 1, "ts": -9000000000000000000, "dur": 1},
        {"ph": "X", "cat": "kernel", "name": "k", "pid": 0, "tid": 7, "ts": 9000000000000000000, "dur": 2}]})",
                                "ts.json"),
                    "ts.json: traceEvents[1]: key 'ts': 9000000000000000000 is not a time in microseconds");
  CHECK_THROWS_WITH(parse_trace(R"({"traceEvents": [{"ph": "X", "cat": "kernel", "ts": 1e300}]})", "ts.json"),
                    "ts.json: traceEvents[0]: key 'ts': 1e300 is not a time in microseconds");
  const std::string deep(300, '[');
  CHECK_THROWS_WITH(parse_trace(fmt::format(R"({{"traceEvents": [{{"args": {}}}]}})", deep), "deep.json"),
                    "deep.json: traceEvents[0]: lists and objects nested more than 256 deep");
  CHECK_THROWS_WITH(parse_trace(fmt::format(R"({{"other": {}}})", deep), "deep.json"),
                    "deep.json: lists and objects nested more than 256 deep");
  // A million deep: refused as it is read, not built and recursed over.
  CHECK_THROWS_WITH(
      parse_trace(fmt::format(R"({{"traceEvents": [{{"args": {}}}]}})", std::string(1000000, '[')), "deep.json"),
      "deep.json: traceEvents[0]: lists and objects nested more than 256 deep");
}

}  // namespace hwsim::trace
