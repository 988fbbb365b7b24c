// The emulator against outputs measured on an H100 SXM (validate/data/
// h100-sxm/numerics/, written by validate/kernels/numerics/hwnumerics): every
// output of every case, on each measured path, bit for bit.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "models/numerics/gemm_input.hpp"
#include "models/numerics/measurement.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::numerics;

namespace {

const std::string kData = std::string(HWSIM_SOURCE_DIR) + "/validate/data/h100-sxm/numerics/";

GemmOptions hopper_as_measured() {
  const AccumulatorPreset p = accumulator_preset_with_sources("hopper");
  return GemmOptions{p.params, p.cublaslt_promote_every};
}

void check_all(const Measurement& m, long min_compared) {
  long compared = 0;
  for (const MeasuredCase& c : m.cases) {
    for (MeasuredPath path : kMeasuredPaths) {
      const Mismatches r = compare(c, path, hopper_as_measured());
      INFO(c.name << " " << to_string(path) << ": " << r.first);
      CHECK(r.different == 0);
      compared += r.compared;
    }
  }
  CHECK(compared >= min_compared);
}

}  // namespace

TEST_CASE("hopper reproduces every measured probe output bit for bit") {
  const Measurement m = load_measurement(kData + "probes.json");
  CHECK(m.provenance.find("H100") != std::string::npos);
  REQUIRE(m.cases.size() == 9);
  check_all(m, 9 * 3 * 1024);
}

TEST_CASE("hopper reproduces every measured random GEMM output bit for bit", "[slow]") {
  const Measurement m = load_measurement(kData + "random.json");
  REQUIRE(m.cases.size() == 24);  // 3 distributions x K = 128 .. 16384
  // wgmma for every K; cuBLASLt for K <= 4096 (it offered only split-K kernels above: docs/numerics.md).
  check_all(m, 24L * 4096 + 18L * 2 * 4096);
}

TEST_CASE("every alternative to the measured rule fails some probe") {
  const Measurement m = load_measurement(kData + "probes.json");
  const AccumulatorParams base = accumulator_preset("hopper");
  std::vector<AccumulatorParams> alternatives;
  for (int g : {16, 64}) {
    alternatives.push_back(base);
    alternatives.back().group_size = g;
  }
  for (int f : {12, 14}) {
    alternatives.push_back(base);
    alternatives.back().fraction_bits = f;
  }
  for (Rounding r : {Rounding::toward_neg_inf, Rounding::nearest_even}) {
    alternatives.push_back(base);
    alternatives.back().alignment_rounding = r;
    alternatives.push_back(base);
    alternatives.back().normalize_rounding = r;
  }
  alternatives.push_back(base);
  alternatives.back().alignment_exponent = AlignmentExponent::product;
  alternatives.push_back(base);
  alternatives.back().accumulator_in_alignment = false;
  for (const AccumulatorParams& p : alternatives) {
    long wrong = 0;
    for (const MeasuredCase& c : m.cases)
      wrong += compare(c, MeasuredPath::wgmma, GemmOptions{p, std::nullopt}).different;
    INFO(describe(p));
    CHECK(wrong > 0);
  }
}

TEST_CASE("cuBLASLt without fast accumulation promotes every 128, not 64 or 256") {
  const Measurement m = load_measurement(kData + "probes.json");
  for (int every : {64, 256}) {
    long wrong = 0;
    for (const MeasuredCase& c : m.cases)
      wrong += compare(c, MeasuredPath::cublaslt_promote, GemmOptions{accumulator_preset("hopper"), every}).different;
    INFO("promote every " << every);
    CHECK(wrong > 0);
  }
}

TEST_CASE("a measurement whose regenerated inputs do not hash as stored is refused") {
  const std::string bad = std::string(HWSIM_SOURCE_DIR) + "/tests/models/numerics/data/bad_hash.json";
  CHECK_THROWS_WITH(load_measurement(bad), Catch::Contains("regenerated inputs hash to"));
  CHECK_THROWS_WITH(load_measurement(kData + "missing.json"), Catch::Contains("missing.json: cannot open"));
}

namespace {

std::string measurement_error(const std::string& text) {
  try {
    parse_measurement(text, "m.json");
  } catch (const hwsim::Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string gemm_input_error(const std::string& text) {
  try {
    parse_gemm_input(text, "g.json");
  } catch (const hwsim::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// One case of a measurement file with the given fields after its name.
std::string one_case(const std::string& fields) {
  return fmt::format(R"({{"provenance": {{}}, "cases": [{{"name": "x", {}}}]}})", fields);
}

}  // namespace

TEST_CASE("a small hand-written measurement is read and matches the emulator") {
  const Measurement m = parse_measurement(
      one_case(R"("m": 1, "n": 1, "k": 2, "a": "3838", "b": "3838", "c": "00000000", "wgmma": "40000000",
                  "cublaslt_fast_accum": "40000000", "cublaslt_promote_algo": {"ok": false})"),
      "m.json");
  REQUIRE(m.cases.size() == 1);
  CHECK(compare(m.cases[0], MeasuredPath::wgmma, hopper_as_measured()).different == 0);
  CHECK(compare(m.cases[0], MeasuredPath::cublaslt_promote, hopper_as_measured()).compared == 0);
}

// Found while writing the numerics fuzz target (docs/reliability.md): sizes
// were read with get<int>() (1e300 undefined, -1 a huge allocation), a seed of
// 1e300 was cast to 64 bits, and a key given twice was silently the last.
TEST_CASE("a measurement with absurd sizes, a bad seed, a key given twice or deep nesting is refused") {
  CHECK(measurement_error(one_case(R"("m": 1e300, "n": 1, "k": 1)")) ==
        "m.json: case x: m = 1e+300 must be a whole number in 1..65536");
  CHECK(measurement_error(one_case(R"("m": 1, "n": -1, "k": 1)")) ==
        "m.json: case x: n = -1 must be a whole number in 1..65536");
  CHECK(measurement_error(one_case(R"("m": 1, "n": 1, "k": 65537)")) ==
        "m.json: case x: k = 65537 must be a whole number in 1..65536");
  CHECK(measurement_error(one_case(R"("m": 65536, "n": 64, "k": 65536)")) ==
        "m.json: case x: m x k = 4294967296 elements, more than the 16777216 a measured matrix may have");
  CHECK(measurement_error(one_case(R"("m": 1, "n": 1, "k": 1, "distribution": "wide", "seed": 1e300)")) ==
        "m.json: case x: seed = 1e+300 must be a whole number >= 0");
  CHECK(measurement_error(
            one_case(R"("m": 1, "n": 1, "k": 1, "distribution": "wide", "seed": 1, "inputs_fnv1a64": "xyz")")) ==
        "m.json: case x: inputs_fnv1a64 'xyz' must be 16 lowercase hex digits");
  CHECK(measurement_error(one_case(R"("m": 1, "m": 2, "n": 1, "k": 1)")) ==
        "m.json: duplicate key 'm' in one JSON object");
  CHECK(measurement_error(one_case(fmt::format(R"("m": {}1{})", std::string(300, '['), std::string(300, ']')))) ==
        "m.json: lists and objects nested more than 256 deep (line 1, column 302)");
  CHECK(measurement_error("[1]") == "m.json: expected a JSON object with \"provenance\" and \"cases\"");
  CHECK(measurement_error(R"({"provenance": {}, "cases": 3})") == "m.json: \"cases\" must be a list of cases");
}

TEST_CASE("numerics gemm input: the matrices are read from text, bad ones refused with the file") {
  const GemmInput in = parse_gemm_input(R"({"a": [[1, 2], [0.5, 0]], "b": [[1, 1]]})", "g.json");
  CHECK(in.a.rows() == 2);
  CHECK(in.b.rows() == 1);
  CHECK(in.a.cols() == 2);
  CHECK(gemm_input_error(R"({"a": [[1]], "a": [[2]], "b": [[1]]})") == "g.json: duplicate key 'a' in one JSON object");
  CHECK(gemm_input_error(R"({"a": [[1, 2]], "b": [[1]]})") == "g.json: A has K = 2 columns but B has 1");
  CHECK(gemm_input_error(R"({"a": [[0.3]], "b": [[1]]})") ==
        "g.json: \"a\" row 0 column 0: 0.3 is not exactly representable in E4M3");
  CHECK(gemm_input_error(R"([])") == "g.json: \"a\" must be a non-empty array of rows");
  CHECK(gemm_input_error(fmt::format(R"({{"a": {}}})", std::string(257, '['))) ==
        "g.json: lists and objects nested more than 256 deep (line 1, column 262)");
}
