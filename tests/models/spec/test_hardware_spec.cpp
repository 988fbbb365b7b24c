// The spec's derived numbers follow from its parameters (roofline, peaks).
#include <catch2/catch.hpp>

#include "models/spec/roofline.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

TEST_CASE("H100 peaks follow from per-SM rates, SM count and clock") {
  const auto spec = load_gpu("h100-sxm");
  // 8192 FLOP/clk/SM x 132 SMs x 1.98 GHz: the boost-clock FP8 peak (the
  // datasheet's 1979 TFLOPS is quoted at 1.83 GHz).
  CHECK(spec.peak_flops(DataType::kFp8E4M3) == Approx(8192.0 * 132 * 1.98e9));
  CHECK(spec.peak_flops(DataType::kBf16) * 2 == Approx(spec.peak_flops(DataType::kFp8E4M3)));
  const auto r = roofline(spec);
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].ridge_flop_per_byte == Approx(spec.peak_flops(DataType::kFp8E4M3) / 3352e9));
  CHECK(r.rows[0].ridge_sustained > r.rows[0].ridge_flop_per_byte);
}

TEST_CASE("clock override scales the peaks") {
  const auto fast = load_gpu("h800-sxm");
  const auto slow = load_gpu("h800-sxm", {"clock.sm_MHz=1830"});
  CHECK(slow.peak_flops(DataType::kBf16) / 1e12 == Approx(989.0).epsilon(0.001));
  CHECK(fast.peak_flops(DataType::kBf16) > slow.peak_flops(DataType::kBf16));
}

TEST_CASE("clock above the boost clock is refused") {
  CHECK_THROWS_WITH(load_gpu("h800-sxm", {"clock.sm_MHz=2500"}),
                    "h800-sxm: clock.sm_MHz = 2500 must not exceed clock.sm_max_MHz = 1980");
}
