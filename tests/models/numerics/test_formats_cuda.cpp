// hwsim's conversions against the CUDA Toolkit's host conversion functions,
// exhaustively over every class of input that decides a result: all FP8
// codes; every BF16 bit pattern widened to FP32 with each low-half pattern
// that changes rounding (0, 1, just below half, half, just above half, all
// ones); every FP16 code, midpoint and midpoint +-1 ulp; and a seeded sample
// of a million FP32 and FP64 bit patterns.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "models/numerics/formats.hpp"

using namespace hwsim::numerics;

namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

const uint32_t kLowHalves[] = {0x0000, 0x0001, 0x7fff, 0x8000, 0x8001, 0xffff};

std::vector<float> float_classes() {
  std::vector<float> v;
  for (uint32_t hi = 0; hi < 65536; ++hi)
    for (uint32_t lo : kLowHalves) v.push_back(std::bit_cast<float>((hi << 16) | lo));
  uint64_t s = 12345;
  for (int i = 0; i < 1000000; ++i) v.push_back(std::bit_cast<float>(uint32_t(splitmix(s))));
  return v;
}

uint16_t half_bits(__half h) {
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}

uint16_t bf16_bits(__nv_bfloat16 h) {
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}

}  // namespace

TEST_CASE("all 256 FP8 codes decode as cuda_fp8.h does, both formats") {
  for (auto [fmt, interp] : {std::pair{&kE4M3, __NV_E4M3}, std::pair{&kE5M2, __NV_E5M2}}) {
    for (uint32_t code = 0; code < 256; ++code) {
      const __half_raw raw = __nv_cvt_fp8_to_halfraw(__nv_fp8_storage_t(code), interp);
      const float cuda = __half2float(__half(raw));
      const double ours = decode(*fmt, code);
      INFO(fmt->name << " code " << code);
      if (std::isnan(cuda)) {
        CHECK(std::isnan(ours));
      } else {
        CHECK(ours == double(cuda));
        CHECK(std::signbit(ours) == std::signbit(cuda));
      }
    }
  }
}

TEST_CASE("FP32 to FP8 equals __nv_cvt_float_to_fp8 for every input class, saturating or not") {
  const std::vector<float> inputs = float_classes();
  long compared = 0;
  for (auto [fmt, interp] : {std::pair{&kE4M3, __NV_E4M3}, std::pair{&kE5M2, __NV_E5M2}}) {
    for (auto [ovf, sat] :
         {std::pair{Overflow::saturate, __NV_SATFINITE}, std::pair{Overflow::no_saturate, __NV_NOSAT}}) {
      long wrong = 0;
      float first_bad = 0;
      for (float x : inputs) {
        const uint32_t want = __nv_cvt_float_to_fp8(x, sat, interp);
        const uint32_t got = encode(*fmt, x, ovf);
        if (want != got && wrong++ == 0) first_bad = x;
        ++compared;
      }
      INFO(fmt->name << (ovf == Overflow::saturate ? " satfinite" : " nosat") << ", first wrong input bits " << std::hex
                     << std::bit_cast<uint32_t>(first_bad));
      CHECK(wrong == 0);
    }
  }
  CHECK(compared == 4 * long(inputs.size()));
}

TEST_CASE("FP64 to FP8 equals __nv_cvt_double_to_fp8 at every rounding boundary and on a sample") {
  std::vector<double> inputs;
  // Every midpoint between neighbouring FP8 values, and one double ulp either side.
  for (const FloatFormat* f : {&kE4M3, &kE5M2}) {
    for (uint32_t code = 0; code < 0x7f; ++code) {
      const double a = decode(*f, code), b = decode(*f, code + 1);
      if (std::isnan(a) || std::isnan(b) || std::isinf(b)) continue;
      const double mid = (a + b) / 2;
      for (double m : {mid, std::nextafter(mid, 0.0), std::nextafter(mid, 1e300), a, b})
        for (double s : {1.0, -1.0}) inputs.push_back(s * m);
    }
  }
  uint64_t s = 777;
  for (int i = 0; i < 1000000; ++i) inputs.push_back(std::bit_cast<double>(splitmix(s)));
  for (int i = 0; i < 200000; ++i) inputs.push_back(std::ldexp(double(splitmix(s) >> 11), -53 - int(splitmix(s) % 40)));
  for (auto [fmt, interp] : {std::pair{&kE4M3, __NV_E4M3}, std::pair{&kE5M2, __NV_E5M2}}) {
    for (auto [ovf, sat] :
         {std::pair{Overflow::saturate, __NV_SATFINITE}, std::pair{Overflow::no_saturate, __NV_NOSAT}}) {
      long wrong = 0;
      for (double x : inputs) wrong += __nv_cvt_double_to_fp8(x, sat, interp) != encode(*fmt, x, ovf);
      INFO(fmt->name);
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("FP32 to BF16 equals __float2bfloat16_rn for every input class") {
  long wrong = 0;
  for (float x : float_classes()) wrong += bf16_bits(__float2bfloat16_rn(x)) != encode(kBF16, x, Overflow::no_saturate);
  CHECK(wrong == 0);
}

TEST_CASE("FP32 to FP16 equals __float2half_rn at every FP16 boundary and on a sample") {
  std::vector<float> inputs = float_classes();
  for (uint32_t code = 0; code < 0x7c00; ++code) {
    const double a = decode(kFP16, code), b = decode(kFP16, code + 1);
    const float mid = float((a + b) / 2);  // exact: FP16 midpoints have 12 significant bits
    for (float m : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f), float(a)})
      for (float s : {1.0f, -1.0f}) inputs.push_back(s * m);
  }
  long wrong = 0;
  for (float x : inputs) wrong += half_bits(__float2half_rn(x)) != encode(kFP16, x, Overflow::no_saturate);
  CHECK(wrong == 0);
}

TEST_CASE("BF16 and FP16 decode every code as CUDA does") {
  for (uint32_t code = 0; code < 65536; ++code) {
    __nv_bfloat16_raw br;
    br.x = uint16_t(code);
    const float b = __bfloat162float(__nv_bfloat16(br));
    __half_raw hr;
    hr.x = uint16_t(code);
    const float h = __half2float(__half(hr));
    INFO("code " << code);
    if (std::isnan(b))
      CHECK(std::isnan(decode(kBF16, code)));
    else
      CHECK(decode(kBF16, code) == double(b));
    if (std::isnan(h))
      CHECK(std::isnan(decode(kFP16, code)));
    else
      CHECK(decode(kFP16, code) == double(h));
  }
}
