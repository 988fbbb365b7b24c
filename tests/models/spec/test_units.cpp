#include <catch2/catch.hpp>

#include "models/spec/error.hpp"
#include "models/spec/units.hpp"

using namespace hwsim;

TEST_CASE("key suffixes name units") {
  CHECK(unit_of_key("hbm.bandwidth_GBps")->dimension == Dimension::kBandwidth);
  CHECK(unit_of_key("nic.line_rate_Gbps")->to_base == Approx(1.25e8));
  CHECK(unit_of_key("tensor_core.fp8_flop_per_clk")->dimension == Dimension::kRate);
  CHECK(unit_of_key("l2.size_bytes")->dimension == Dimension::kBytes);
  CHECK_FALSE(unit_of_key("sm.count").has_value());
  CHECK_FALSE(unit_of_key("GBps").has_value());
}

TEST_CASE("quantities in text convert to the key's unit") {
  const auto gbps = *unit_of_key("x_GBps");
  CHECK(parse_quantity("3.35 TB/s", gbps, "k") == Approx(3350));
  CHECK(parse_quantity("400 Gb/s", gbps, "k") == Approx(50));
  const auto bytes = *unit_of_key("x_bytes");
  CHECK(parse_quantity("50 MiB", bytes, "k") == Approx(52428800));
  const auto mhz = *unit_of_key("x_MHz");
  CHECK(parse_quantity("1.98 GHz", mhz, "k") == Approx(1980));
  // Rates per clock and bit counts, as the proposals' sensitivity registrations write them.
  const auto per_clk = *unit_of_key("x_per_clk");
  CHECK(parse_quantity("64 B/clk/SM", per_clk, "k") == 64);
  CHECK(parse_quantity("64 B/clk", per_clk, "k") == 64);
  CHECK(parse_quantity("23 bits", *unit_of_key("x_bits"), "k") == 23);
  CHECK_THROWS_WITH(parse_quantity("23 bits", per_clk, "k"), "k: unit 'bits' is a bits, expected a rate");
}

TEST_CASE("bad quantities are refused with the reason") {
  const auto gbps = *unit_of_key("x_GBps");
  CHECK_THROWS_WITH(parse_quantity("fast", gbps, "k"), "k: expected a quantity such as '3.35 TB/s', got 'fast'");
  CHECK_THROWS_WITH(parse_quantity("3", gbps, "k"), "k: '3' has no unit; expected a bandwidth such as '1 GB/s'");
  CHECK_THROWS_WITH(parse_quantity("3 furlongs", gbps, "k"), "k: unknown unit 'furlongs'");
  CHECK_THROWS_WITH(parse_quantity("3 MB", gbps, "k"), "k: unit 'MB' is a size, expected a bandwidth");
}
