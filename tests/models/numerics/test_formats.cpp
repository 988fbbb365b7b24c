#include <catch2/catch.hpp>
#include <cmath>

#include "models/numerics/formats.hpp"
#include "models/spec/error.hpp"

using namespace hwsim::numerics;

TEST_CASE("format limits follow from the encodings") {
  CHECK(kE4M3.max_finite() == 448.0);
  CHECK(kE4M3.min_normal() == std::ldexp(1.0, -6));
  CHECK(kE4M3.min_subnormal() == std::ldexp(1.0, -9));
  CHECK(kE5M2.max_finite() == 57344.0);
  CHECK(kE5M2.min_subnormal() == std::ldexp(1.0, -16));
  CHECK(kBF16.max_finite() == double(std::ldexp(255.0 / 128.0, 127)));
  CHECK(kFP16.max_finite() == 65504.0);
  CHECK(kE5M6.max_finite() == std::ldexp(127.0 / 64.0, 15));
  CHECK(kE5M6.total_bits() == 12);
  CHECK(kUE8M0.max_finite() == std::ldexp(1.0, 127));
}

TEST_CASE("E4M3 specials: one NaN per sign, no infinity") {
  CHECK(std::isnan(decode(kE4M3, 0x7f)));
  CHECK(std::isnan(decode(kE4M3, 0xff)));
  CHECK(decode(kE4M3, 0x7e) == 448.0);
  CHECK(decode(kE4M3, 0xfe) == -448.0);
  CHECK(decode(kE4M3, 0x78) == 256.0);
  CHECK(encode(kE4M3, 1e9, Overflow::saturate) == 0x7e);
  CHECK(encode(kE4M3, -1e9, Overflow::saturate) == 0xfe);
  CHECK(encode(kE4M3, 1e9, Overflow::no_saturate) == 0x7f);
  CHECK(encode(kE4M3, INFINITY, Overflow::saturate) == 0x7e);
}

TEST_CASE("E5M2 overflows to infinity without saturation") {
  CHECK(std::isinf(decode(kE5M2, 0x7c)));
  CHECK(encode(kE5M2, 1e9, Overflow::no_saturate) == 0x7c);
  CHECK(encode(kE5M2, 1e9, Overflow::saturate) == 0x7b);
  CHECK(encode(kE5M2, -INFINITY, Overflow::no_saturate) == 0xfc);
}

TEST_CASE("conversions round to nearest, ties to even") {
  // 1 + 1/16 lies halfway between 1 and 1.125 (E4M3 step 1/8 at 1): to the even 1.
  CHECK(encode(kE4M3, 1.0625, Overflow::saturate) == encode(kE4M3, 1.0, Overflow::saturate));
  // 1.1875 lies halfway between 1.125 (odd) and 1.25 (even): up.
  CHECK(decode(kE4M3, encode(kE4M3, 1.1875, Overflow::saturate)) == 1.25);
  CHECK(decode(kE4M3, encode(kE4M3, 1.06250001, Overflow::saturate)) == 1.125);
  // 464 = 448 + half a step: ties to 448 (even); above it overflows.
  CHECK(encode(kE4M3, 464.0, Overflow::no_saturate) == 0x7e);
  CHECK(encode(kE4M3, 464.001, Overflow::no_saturate) == 0x7f);
  // Subnormals: 2^-10 is half the smallest subnormal: ties to zero.
  CHECK(encode(kE4M3, std::ldexp(1.0, -10), Overflow::saturate) == 0x00);
  CHECK(encode(kE4M3, std::ldexp(1.5, -10), Overflow::saturate) == 0x01);
  CHECK(encode(kE4M3, -0.0, Overflow::saturate) == 0x80);
  CHECK(decode(kBF16, encode(kBF16, 1.0 + std::ldexp(1.0, -8), Overflow::no_saturate)) == 1.0);
  CHECK(decode(kE5M6, encode(kE5M6, 1.0 + std::ldexp(3.0, -8), Overflow::no_saturate)) == 1.0 + std::ldexp(1.0, -6));
}

TEST_CASE("every finite code round-trips through its value") {
  for (const FloatFormat* f : {&kE4M3, &kE5M2, &kE5M6, &kFP16, &kBF16}) {
    for (uint32_t code = 0; code < (1u << f->total_bits()); ++code) {
      const double v = decode(*f, code);
      if (std::isnan(v)) continue;
      INFO(f->name << " code " << code);
      CHECK(encode(*f, v, Overflow::no_saturate) == code);
    }
  }
}

TEST_CASE("UE8M0 scales are powers of two rounded as asked") {
  CHECK(decode(kUE8M0, encode_ue8m0(1.0, ScaleRounding::up)) == 1.0);
  CHECK(decode(kUE8M0, encode_ue8m0(1.0001, ScaleRounding::up)) == 2.0);
  CHECK(decode(kUE8M0, encode_ue8m0(1.0001, ScaleRounding::down)) == 1.0);
  CHECK(decode(kUE8M0, encode_ue8m0(1.4, ScaleRounding::nearest)) == 1.0);
  CHECK(decode(kUE8M0, encode_ue8m0(1.5, ScaleRounding::nearest)) == 2.0);
  CHECK(decode(kUE8M0, encode_ue8m0(3.0 / 448.0, ScaleRounding::up)) == std::ldexp(1.0, -7));
  CHECK(encode_ue8m0(0.0, ScaleRounding::up) == 0xff);
  CHECK(std::isnan(decode(kUE8M0, 0xff)));
}

TEST_CASE("formats are found by name") {
  CHECK(&format_by_name("e5m6") == &kE5M6);
  CHECK_THROWS_WITH(format_by_name("e3m4"), Catch::Contains("unknown number format 'e3m4'"));
}
