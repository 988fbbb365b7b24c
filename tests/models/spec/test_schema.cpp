// The schema is the one table of GPU keys: each row's key is unique and fills
// exactly one member of HardwareSpec, so a key added without a member (or
// bound to another key's member) fails here rather than in a simulation.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

using namespace hwsim;

namespace {

// Overrides that change `key` while the cross-parameter rules still hold. Most
// keys take a generic change; the ones tied to others move their partners too.
std::vector<std::string> changes_for(const ParamDef& d, const HardwareSpec& base) {
  static const std::map<std::string_view, std::vector<std::string>> kTied = {
      {"clock.sm_max_MHz", {"clock.sm_max_MHz=1700", "clock.sm_MHz=1600"}},
      {"clock.sm_MHz", {"clock.sm_MHz=1600"}},
      {"sm.count",
       {"sm.count=133", "sm.sms_per_gpc=[18, 18, 16, 16, 16, 16, 16, 8, 2, 2, 2, 3]",
        "l2.subset_sms=[8, 16, 32, 48, 72, 96, 112, 133]"}},
      {"sm.gpcs", {"sm.gpcs=13", "sm.sms_per_gpc=[18, 18, 16, 16, 16, 16, 16, 8, 2, 2, 2, 1, 1]"}},
      {"sm.sms_per_gpc", {"sm.sms_per_gpc=[2, 2, 2, 2, 8, 16, 16, 16, 16, 16, 18, 18]"}},
      {"l2.subset_sms", {"l2.subset_sms=[4, 16, 32, 48, 72, 96, 112, 132]"}},
      {"l2.subset_read_GBps", {"l2.subset_read_GBps=[1000, 2128, 4180, 5961, 4569, 5795, 6166, 6983]"}},
      {"comm_coprocessor.present", {"comm_coprocessor.present=true", "comm_coprocessor.throughput_GBps=100"}},
      // The wake-up table's two lists have one length: both change together.
      {"power.wake_idle_ms", {"power.wake_idle_ms=[0, 5.5]", "power.wake_latency_us=[0, 7.5]"}},
      {"power.wake_latency_us", {"power.wake_idle_ms=[0, 5.5]", "power.wake_latency_us=[0, 9.5]"}},
  };
  if (auto it = kTied.find(d.key); it != kTied.end()) return it->second;
  const ParamValue& v = base.params.at(std::string(d.key)).value;
  const std::string key(d.key);
  switch (d.kind) {
    case ValueKind::kNumber:
    case ValueKind::kInteger: {
      const double x = std::get<double>(v);
      return {fmt::format("{}={}", key, d.rule == Rule::kFraction ? x / 2 : x + 1)};
    }
    case ValueKind::kFlag:
      return {key + (std::get<bool>(v) ? "=false" : "=true")};
    case ValueKind::kText:
      return {key + "=changed_" + std::get<std::string>(v)};
    case ValueKind::kNumberList:
      break;
  }
  FAIL("no change written for list key " << key << "; add it to kTied");
  return {};
}

std::string key_of(const std::string& assignment) { return assignment.substr(0, assignment.find('=')); }

}  // namespace

TEST_CASE("every schema key is unique and has a member") {
  std::set<std::string_view> seen;
  for (const ParamDef& d : gpu_param_schema()) {
    INFO(d.key);
    CHECK(seen.insert(d.key).second);
    CHECK(d.member.set != nullptr);
    CHECK(d.member.get != nullptr);
    CHECK(d.member.kind == d.kind);
  }
}

TEST_CASE("changing one key changes exactly the member its row names") {
  const HardwareSpec base = load_gpu("h100-sxm");
  for (const ParamDef& d : gpu_param_schema()) {
    const std::vector<std::string> changes = changes_for(d, base);
    std::set<std::string> changed_keys;
    for (const std::string& c : changes) changed_keys.insert(key_of(c));
    const HardwareSpec spec = load_gpu("h100-sxm", changes);
    for (const ParamDef& other : gpu_param_schema()) {
      INFO("set " << changes.front() << "; member of " << other.key);
      const bool expect_changed = changed_keys.count(std::string(other.key)) != 0;
      CHECK((other.member.get(spec) != other.member.get(base)) == expect_changed);
      // The member holds the value the table resolved, whatever its C++ type.
      CHECK(other.member.get(spec) == spec.params.at(std::string(other.key)).value);
    }
  }
}

TEST_CASE("a --set reaches the named struct member") {
  CHECK(load_gpu("h100-sxm", {"tensor_core.fp8_flop_per_clk=1234"}).tensor_core.fp8_flop_per_clk == 1234);
  CHECK(load_gpu("h100-sxm", {"hbm.read_efficiency_fraction=0.5"}).hbm.read_efficiency == 0.5);
  CHECK(load_gpu("h100-sxm", {"nvlink.links=7"}).nvlink.links == 7);
  CHECK(load_gpu("h100-sxm", {"l2.size_bytes=1000000"}).l2.size_bytes == 1000000);
  CHECK(load_gpu("h100-sxm", {"tma.implementation=fused_cast"}).tma.implementation == "fused_cast");
  CHECK(load_gpu("h100-sxm", {"nic.unified_scaleup_scaleout=true"}).nic.unified_scaleup_scaleout);
  const auto gpcs = load_gpu("h100-sxm", {"sm.sms_per_gpc=[2, 2, 2, 2, 8, 16, 16, 16, 16, 16, 18, 18]"}).sm.sms_per_gpc;
  CHECK(gpcs == std::vector<int>{2, 2, 2, 2, 8, 16, 16, 16, 16, 16, 18, 18});
}

TEST_CASE("an integer beyond its member's range is refused naming the key") {
  // The key's range (docs/reliability.md) refuses it before the member's type could.
  CHECK_THROWS_WITH(load_gpu("h100-sxm", {"sm.registers=3000000000"}),
                    "--set sm.registers: sm.registers = 3000000000 must be in 1..16777216");
  CHECK_THROWS_WITH(load_gpu("h100-sxm", {"sm.sms_per_gpc=[18, 18, 16, 16, 16, 16, 16, 8, 2, 2, 2, 2.5]"}),
                    "hardware parameter 'sm.sms_per_gpc' (--set) entry 11 must be a whole number from -2147483648 to "
                    "2147483647 (it fills a 32-bit member), got 2.5");
  // 64-bit members take what a 32-bit one refuses.
  CHECK(load_gpu("h100-sxm", {"l2.size_bytes=3000000000"}).l2.size_bytes == 3000000000);
}
