// The emulator against outputs measured on an H100 SXM (validate/data/
// h100-sxm/numerics/, written by validate/kernels/numerics/hwnumerics): every
// output of every case, on each measured path, bit for bit.
#include <catch2/catch.hpp>

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
