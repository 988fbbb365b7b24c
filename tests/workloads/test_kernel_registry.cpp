// The kernel registry (docs/engine.md, "A kernel"): every kernel declares its
// parameters once, and its program and its roofline work come from the same
// parsed params. Each declaration is checked against what the kernel does.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "tests/support/h100.hpp"
#include "workloads/kernel_descriptor.hpp"

using namespace hwsim;
using nlohmann::json;

using hwsim::testing::h100;

namespace {

sim::KernelProgram build(const KernelDef& k, const json& params) {
  return build_program({k.kind, params}, {h100(), h100().sm.count});
}

// What a program's params decide, short of running it.
json summary(const sim::KernelProgram& p) {
  json tensors = json::array();
  for (const auto& t : p.tensors) tensors.push_back({t.name, t.bytes()});
  json notes = json::object();
  for (const auto& [key, value] : p.notes) notes[key] = value;
  return {{"ctas", p.ctas}, {"units", p.work_units}, {"flops", p.flops}, {"tensors", tensors}, {"notes", notes}};
}

// The default as the JSON value a user would write.
json as_value(const KernelParam& p) {
  if (p.type == "flag") return p.default_value == "true";
  if (p.type == "choice" || p.type == "dtype") return p.default_value;
  return json::parse(p.default_value);
}

// What params give: the value `f` computes from them, or the error they raise.
template <class F>
json outcome(F f, const json& params) {
  try {
    return f(params);
  } catch (const Error& e) {
    return {{"error", e.what()}};
  }
}

}  // namespace

TEST_CASE("every registered kernel's example builds and has work", "[registry]") {
  REQUIRE(kernel_registry().size() >= 14);
  for (const KernelDef& k : kernel_registry()) {
    INFO(k.kind);
    CHECK_FALSE(k.stands_for.empty());
    CHECK_FALSE(k.params.empty());
    const sim::KernelProgram p = build(k, k.example);
    CHECK(p.ctas > 0);
    const KernelWork w = kernel_work(k.kind, k.example);
    CHECK(w.read_bytes + w.write_bytes + w.flops + w.link_s > 0);
  }
}

TEST_CASE("declared parameters are unique, typed and documented", "[registry]") {
  for (const KernelDef& k : kernel_registry()) {
    std::set<std::string> names;
    for (const KernelParam& p : k.params) {
      INFO(k.kind << "." << p.name);
      CHECK(names.insert(p.name).second);
      CHECK_FALSE(p.description.empty());
      const std::set<std::string> types = {"integer > 0", "integer >= 0", "integer list", "number > 0",
                                           "number >= 0", "dtype",        "flag",         "choice"};
      CHECK(types.count(p.type) == 1);
      if (p.type == "choice") {
        CHECK(std::find(p.choices.begin(), p.choices.end(), p.default_value) != p.choices.end());
      } else {
        CHECK(p.choices.empty());
      }
      if (p.type == "flag") CHECK((p.default_value == "true" || p.default_value == "false"));
    }
  }
}

TEST_CASE("each required parameter is required, by the program and by the work", "[registry]") {
  for (const KernelDef& k : kernel_registry()) {
    for (const KernelParam& p : k.params) {
      if (!p.required() || !k.example.contains(p.name)) continue;
      INFO(k.kind << "." << p.name);
      json params = k.example;
      params.erase(p.name);
      CHECK_THROWS_WITH(build(k, params), Catch::Contains("param " + p.name + " is required"));
      CHECK_THROWS_WITH(kernel_work(k.kind, params), Catch::Contains("param " + p.name + " is required"));
    }
  }
}

TEST_CASE("each declared default is what the kernel uses when the parameter is absent", "[registry]") {
  int checked = 0;
  for (const KernelDef& k : kernel_registry()) {
    for (const KernelParam& p : k.params) {
      // "auto" (a heuristic's choice) has no single value to compare with.
      if (p.required() || p.default_value == "auto") continue;
      INFO(k.kind << "." << p.name << " = " << p.default_value);
      json absent = k.example, explicit_default = k.example;
      absent.erase(p.name);
      explicit_default[p.name] = as_value(p);
      // The same program and work, or the same error (grouped_gemm's FP8
      // example refuses its scaling default, none, either way).
      CHECK(outcome([&](const json& q) { return summary(build(k, q)); }, absent) ==
            outcome([&](const json& q) { return summary(build(k, q)); }, explicit_default));
      CHECK(outcome([&](const json& q) { return json(kernel_work(k.kind, q).write_bytes); }, absent) ==
            outcome([&](const json& q) { return json(kernel_work(k.kind, q).write_bytes); }, explicit_default));
      ++checked;
    }
  }
  CHECK(checked >= 15);
}

TEST_CASE("an unknown kind or parameter is refused with the known names", "[registry]") {
  CHECK_THROWS_WITH(kernel_work("gemmm", json::object()),
                    Catch::Contains("unknown kernel 'gemmm' (did you mean 'gemm'?)") && Catch::Contains("attention"));
  const KernelDef& g = find_kernel_def("gemm");
  json params = g.example;
  params["tile_q"] = 64;
  CHECK_THROWS_WITH(build(g, params), Catch::Contains("unknown param 'tile_q'") && Catch::Contains("accepted: m, n"));
  CHECK_THROWS_WITH(kernel_work("gemm", params), Catch::Contains("unknown param 'tile_q'"));
  // A whole number written as a JSON double is a whole number.
  CHECK(kernel_work("memcpy", {{"bytes", 1e9}}).read_bytes == 1e9);
  CHECK_THROWS_WITH(kernel_work("memcpy", {{"bytes", 1000.5}}), Catch::Contains("param bytes"));
}

TEST_CASE("launch options are read and checked in one place, for every model", "[registry]") {
  const KernelDescriptor d{"memcpy", {{"bytes", 1 << 20}, {"sms", 20}, {"beside_hbm_GBps", 500.0}}};
  const LaunchOptions o = launch_options(d, 132);
  CHECK(o.sms == 20);
  CHECK(o.beside_hbm_GBps == 500.0);
  CHECK(launch_options({"memcpy", {{"bytes", 1024}}}, 132).sms == 0);  // 0: all SMs
  const std::string expected = "kernel memcpy: param sms = 200 must be a whole number in 1..132";
  const KernelDescriptor bad{"memcpy", {{"bytes", 1024}, {"sms", 200}}};
  CHECK_THROWS_WITH(launch_options(bad, 132), expected);
  CHECK_THROWS_WITH(launch_options({"memcpy", {{"bytes", 1024}, {"beside_hbm_GBps", -1}}}, 132),
                    Catch::Contains("beside_hbm_GBps = -1 must be a number in [0, 1000000]"));
  CHECK_THROWS_WITH(launch_options({"memcpy", {{"bytes", 1024}, {"beside_hbm_GBps", 1e300}}}, 132),
                    "kernel memcpy: param beside_hbm_GBps = 1e+300 must be a number in [0, 1000000]");
}

// docs/reliability.md: whole-number params stop at the simulation limit,
// whatever JSON spelling carries them, before any 64-bit read can wrap.
TEST_CASE("kernel dimensions beyond the simulation limit are refused with the limit", "[registry]") {
  const std::string limit = " must be in 1..16777216 (the simulation limit, docs/reliability.md)";
  const auto error = [](const json& params) -> std::string {
    try {
      kernel_work("transpose", params);
    } catch (const Error& e) {
      return e.what();
    }
    return "(no error)";
  };
  CHECK(error({{"m", 2147483648LL}, {"k", 128}}) == "kernel transpose: param m = 2147483648" + limit);
  CHECK(error({{"m", 18446744073709551615ULL}, {"k", 128}}) ==
        "kernel transpose: param m = 18446744073709551615" + limit);
  CHECK(error({{"m", 1e300}, {"k", 128}}) == "kernel transpose: param m = 1e+300" + limit);
  CHECK(error({{"m", "99999999999999999999"}, {"k", 128}}) ==
        "kernel transpose: param m = 99999999999999999999" + limit);
  CHECK(error({{"m", 16777217}, {"k", 128}}) == "kernel transpose: param m = 16777217" + limit);
  CHECK(error({{"m", 0}, {"k", 128}}) == "kernel transpose: param m = 0 must be > 0");
  CHECK(kernel_work("memcpy", {{"bytes", 1LL << 40}}).read_bytes == static_cast<double>(1LL << 40));  // bytes: 2^40
  CHECK_THROWS_WITH(kernel_work("memcpy", {{"bytes", (1LL << 40) + 16}}),
                    "kernel memcpy: param bytes = 1099511627792 must be in 1..1099511627776 (the simulation limit, "
                    "docs/reliability.md)");
}
