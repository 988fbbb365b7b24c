// The sweep's axes (hw_proposals/sweep/axis.cpp, spec_axis.cpp): range grids,
// how a value is written, the --set override of a GPU key, and the spec
// table's checks of a key, a unit and an integer key's range.
#include <catch2/catch.hpp>

#include "hw_proposals/sweep/axis.hpp"
#include "hw_proposals/sweep/spec_axis.hpp"
#include "models/spec/error.hpp"

using namespace hwsim;
using namespace hwsim::sweep;

TEST_CASE("a range's grid includes both ends, evenly spaced or evenly spaced in the log") {
  CHECK(range_values(3000, 5000, 3, false) == std::vector<double>{3000, 4000, 5000});
  const auto log = range_values(10, 1000, 3, true);
  REQUIRE(log.size() == 3);
  CHECK(log[0] == Approx(10));
  CHECK(log[1] == Approx(100));
  CHECK(log[2] == Approx(1000));
}

TEST_CASE("a value is written as a whole number, the shortest double or its label, and a GPU key's as --set takes it") {
  Axis number = spec_axis("comm_coprocessor.latency_us");
  CHECK_FALSE(number.integer);
  CHECK(format_value(number, 2.5) == "2.5");
  CHECK(format_value(number, 10) == "10");
  CHECK(spec_override(number, 0.1) == "comm_coprocessor.latency_us=0.1");
  const Axis integer = spec_axis("sm.count");
  CHECK(integer.integer);
  CHECK(format_value(integer, 132) == "132");
  Axis named;
  named.target = AxisTarget::kProposal;
  named.labels = {"none", "fused_cast_tma"};
  CHECK(format_value(named, 1) == "fused_cast_tma");
  // Only the GPU keys' axes become --set overrides, in the axes' order.
  const std::vector<Axis> axes = {named, number, integer};
  CHECK(spec_overrides(axes, {0, {1, 5, 66}}) ==
        std::vector<std::string>{"comm_coprocessor.latency_us=5", "sm.count=66"});
}

TEST_CASE("a GPU key's axis is checked against the spec table: key, kind, unit and integer range") {
  CHECK_THROWS_WITH(spec_axis("hbm.bandwith_GBps"),
                    "not a GPU description key, param.NAME, tokens, proposal or numerics.promote_every (did you mean "
                    "'hbm.bandwidth_GBps'?)");
  CHECK_THROWS_WITH(spec_axis("tma.implementation"), "only number and integer keys can be swept");
  const Axis bw = spec_axis("hbm.bandwidth_GBps");
  CHECK(spec_quantity(bw, "3.35 TB/s", "k") == Approx(3350));
  CHECK_THROWS_WITH(spec_quantity(bw, "2 GHz", "k"), "k: unit 'GHz' is a frequency, expected a bandwidth");
  CHECK_THROWS_WITH(spec_quantity(bw, "fast", "k"), "k: expected a quantity such as '3.35 TB/s', got 'fast'");
  // Rates and bit counts take the units the proposals' registrations write.
  CHECK(spec_quantity(spec_axis("tma.fp8_cast_bytes_per_clk"), "64 B/clk/SM", "k") == 64);
  CHECK(spec_quantity(spec_axis("tensor_core.fp8_accum_fraction_bits"), "23 bits", "k") == 23);
  Axis sms = spec_axis("sm.count");
  sms.values = {132, 0};
  CHECK_THROWS_WITH(check_spec_values(sms), "0 is outside 1..4096, the range of sm.count");
  sms.values = {132, 66};
  CHECK_NOTHROW(check_spec_values(sms));
}
