// Bad GPU descriptions and overrides must fail with one precise message that
// names the file (and line) or the --set, the key, and the rule broken.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"

namespace fs = std::filesystem;

namespace {

// A scratch folder holding the files of one case.
struct Scratch {
  fs::path dir;
  Scratch() {
    dir = fs::temp_directory_path() / ("hwsim_cfg_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  }
};

std::string error_of(const std::string& gpu, const std::vector<std::string>& sets = {}) {
  try {
    hwsim::load_gpu(gpu, sets);
  } catch (const hwsim::Error& e) {
    return e.what();
  }
  return "(no error)";
}

struct Case {
  const char* what;
  const char* file;  // YAML text of child.yaml (inherits h100-sxm unless it says otherwise)
  std::vector<std::string> sets;
  const char* expected;  // exact message, "{}" stands for the scratch folder
};

}  // namespace

TEST_CASE("bad GPU descriptions give exact, located errors") {
  const std::vector<Case> cases = {
      {"unknown key with a did-you-mean",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    bandwith_GBps: {value: 1, source: x}\n",
       {},
       "{}/c.yaml:5: unknown key 'hbm.bandwith_GBps'; did you mean 'hbm.bandwidth_GBps'?"},
      {"missing key in a base file",
       "name: c\nparams:\n  sm:\n    count: {value: 132, source: x}\n",
       {},
       "c: missing key 'clock.sm_max_MHz' (maximum (boost) SM clock); add it to the file or to a preset it inherits"},
      {"wrong type",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    count: {value: many, source: x}\n",
       {},
       "{}/c.yaml:5: sm.count must be a whole number in 1..4096, got 'many'"},
      {"fraction where a whole number is required",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    count: {value: 13.5, source: x}\n",
       {},
       "{}/c.yaml:5: sm.count must be a whole number in 1..4096, got 13.5"},
      {"negative where positive is required",
       "name: c\ninherits: h100-sxm\nparams:\n  l2:\n    size_bytes: {value: -5, source: x}\n",
       {},
       "{}/c.yaml:5: l2.size_bytes = -5 must be > 0"},
      {"zero where positive is required",
       "name: c\ninherits: h100-sxm\nparams:\n  clock:\n    sm_MHz: {value: 0, source: x}\n",
       {},
       "{}/c.yaml:5: clock.sm_MHz = 0 must be > 0"},
      {"efficiency above one",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    read_efficiency_fraction: {value: 1.2, source: x}\n",
       {},
       "{}/c.yaml:5: hbm.read_efficiency_fraction = 1.2 must be in (0, 1]"},
      {"unit-less number where a unit is required",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    bandwidth: {value: 3350, source: x}\n",
       {},
       "{}/c.yaml:5: hbm.bandwidth = 3350 has no unit; write hbm.bandwidth_GBps: 3350 or hbm.bandwidth: \"3350 GB/s\""},
      {"unit of the wrong dimension",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    bandwidth: {value: \"3 GHz\", source: x}\n",
       {},
       "{}/c.yaml:5: hbm.bandwidth: unit 'GHz' is a frequency, expected a bandwidth"},
      {"number without a source",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    count: {value: 132}\n",
       {},
       "{}/c.yaml:5: sm.count has no source; every number needs 'source:' (datasheet, paper, derived, measured: "
       "<record id>, or assumption)"},
      {"bare number without a source",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    count: 132\n",
       {},
       "{}/c.yaml:5: sm.count has no source; write count: {value: 132, source: \"...\"}"},
      {"malformed YAML with line",
       "name: c\ninherits: h100-sxm\nparams:\n  sm: {count: [1, 2\n",
       {},
       "{}/c.yaml:5:1: malformed YAML: end of sequence flow not found"},
      {"inheritance cycle", "name: c\ninherits: d\nparams: {}\n", {}, "{}/c.yaml: inheritance cycle: c -> d -> c"},
      {"unreadable parent",
       "name: c\ninherits: ./nowhere.yaml\nparams: {}\n",
       {},
       "cannot read GPU description '{}/./nowhere.yaml': no such file"},
      {"unknown parent preset",
       "name: c\ninherits: h10-sxm\nparams: {}\n",
       {},
       "unknown GPU 'h10-sxm' (did you mean 'h100-sxm'?); known presets: h100-sxm, h200-sxm, h800-sxm (or give a path "
       "to a .yaml file)"},
      {"unknown top-level key",
       "name: c\ninherit: h100-sxm\nparams: {}\n",
       {},
       "{}/c.yaml:2: unknown top-level key 'inherit'; did you mean 'inherits'?"},
      {"GPC list that does not sum to the SM count",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    count: {value: 130, source: x}\n",
       {},
       "c: sm.sms_per_gpc must list sm.gpcs = 12 entries summing to sm.count = 130; it lists 12 summing to 132"},
      {"L2 subsets that do not end at the whole GPU",
       "name: c\ninherits: h100-sxm\nparams:\n  l2:\n    subset_sms: {value: [8, 200], source: x}\n    "
       "subset_read_GBps: {value: [1000, 7000], source: x}\n",
       {},
       "c: l2.subset_sms must end with the whole GPU, sm.count = 132; it ends with 200"},
      {"L2 subset lists of different lengths",
       "name: c\ninherits: h100-sxm\nparams:\n  l2:\n    subset_sms: {value: [8, 132], source: x}\n",
       {},
       "c: l2.subset_sms (2 entries) and l2.subset_read_GBps (8 entries) must be non-empty lists of the same length"},
      {"--set negative bandwidth",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"hbm.bandwidth_GBps=-1"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = -1 must be > 0"},
      {"--set unknown key",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"l2.sise_bytes=1"},
       "--set l2.sise_bytes: unknown key 'l2.sise_bytes'; did you mean 'l2.size_bytes'?"},
      {"--set without '='",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"sm.count"},
       "--set 'sm.count': expected key=value, e.g. --set hbm.bandwidth_GBps=4800"},
      {"--set text for a number",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"sm.count=lots"},
       "--set sm.count: sm.count must be a whole number in 1..4096, got 'lots'"},
      {"--set value without unit",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"hbm.bandwidth=4800"},
       "--set hbm.bandwidth: hbm.bandwidth = 4800 has no unit; write hbm.bandwidth_GBps: 4800 or hbm.bandwidth: \"4800 "
       "GB/s\""},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      Scratch s;
      const std::string path = s.write("c.yaml", c.file);
      s.write("d.yaml", "name: d\ninherits: c\nparams: {}\n");
      std::string expected = c.expected;
      if (auto pos = expected.find("{}"); pos != std::string::npos) expected.replace(pos, 2, s.dir.string());
      CHECK(error_of(path, c.sets) == expected);
    }
  }
}

// Ranges (docs/reliability.md): every value is finite and within its key's
// range, checked before it is narrowed to its member; duplicate and non-text
// keys are refused.
TEST_CASE("out-of-range values and ill-formed keys give exact, located errors") {
  const char* base = "name: c\ninherits: h100-sxm\nparams: {}\n";
  const std::vector<Case> cases = {
      {"2^32 L2 slices (once a division by zero)",
       base,
       {"l2.slices=4294967296"},
       "--set l2.slices: l2.slices = 4294967296 must be in 1..4096"},
      {"2^32 TMA boxes in flight",
       base,
       {"tma.max_inflight_per_sm=4294967296"},
       "--set tma.max_inflight_per_sm: tma.max_inflight_per_sm = 4294967296 must be in 1..65536"},
      {"2^32 registers in a file (once shown as such and simulated as 0)",
       "name: c\ninherits: h100-sxm\nparams:\n  sm:\n    registers: {value: 4294967296, source: x}\n",
       {},
       "{}/c.yaml:5: sm.registers = 4294967296 must be in 1..16777216"},
      {"a count far beyond 64 bits", base, {"sm.count=1e300"}, "--set sm.count: sm.count = 1e+300 must be in 1..4096"},
      {"infinite bandwidth",
       base,
       {"hbm.bandwidth_GBps=.inf"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = inf must be a finite number in [0.001, 1000000]"},
      {"NaN fraction",
       base,
       {"hbm.read_efficiency_fraction=.nan"},
       "--set hbm.read_efficiency_fraction: hbm.read_efficiency_fraction = nan must be a finite number in (0, 1]"},
      {"infinite bandwidth as C spells it (once \"'inf' has no unit\", without the range)",
       base,
       {"hbm.bandwidth_GBps=inf"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = inf must be a finite number in [0.001, 1000000]"},
      {"negative infinite bandwidth",
       base,
       {"hbm.bandwidth_GBps=-Infinity"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = -inf must be a finite number in [0.001, 1000000]"},
      {"bandwidth beyond a double (once \"expected a quantity\")",
       base,
       {"hbm.bandwidth_GBps=1e400"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = 1e400 must be a finite number in [0.001, 1000000]"},
      {"infinite bandwidth without the unit in the key",
       base,
       {"hbm.bandwidth=inf"},
       "--set hbm.bandwidth: hbm.bandwidth_GBps = inf must be a finite number in [0.001, 1000000]"},
      {"NaN fraction as C spells it",
       base,
       {"hbm.read_efficiency_fraction=nan"},
       "--set hbm.read_efficiency_fraction: hbm.read_efficiency_fraction = nan must be a finite number in (0, 1]"},
      {"infinite count (once \"must be a whole number, got 'inf'\")",
       base,
       {"sm.count=inf"},
       "--set sm.count: sm.count = inf must be a finite number in 1..4096"},
      {"infinite bandwidth in a file, unquoted C spelling",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    bandwidth_GBps: {value: inf, source: x}\n",
       {},
       "{}/c.yaml:5: hbm.bandwidth_GBps = inf must be a finite number in [0.001, 1000000]"},
      {"an infinite list entry",
       "name: c\ninherits: h100-sxm\nparams:\n  l2:\n    subset_read_GBps: {value: [1, 2, 3, 4, 5, 6, 7, inf], "
       "source: x}\n",
       {},
       "{}/c.yaml:5: l2.subset_read_GBps = inf must be a finite number in [0.001, 1000000]"},
      {"huge bandwidth",
       base,
       {"hbm.bandwidth_GBps=1e308"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = 1e+308 must be in [0.001, 1000000]"},
      {"near-zero bandwidth (once counted as unlimited)",
       base,
       {"hbm.bandwidth_GBps=1e-12"},
       "--set hbm.bandwidth_GBps: hbm.bandwidth_GBps = 1e-12 must be in [0.001, 1000000]"},
      {"bandwidth with a unit beyond the range",
       base,
       {"hbm.bandwidth=5000000 TB/s"},
       "--set hbm.bandwidth: hbm.bandwidth_GBps = 5000000000 must be in [0.001, 1000000]"},
      {"clock of 1e15 MHz (once a crash)",
       base,
       {"clock.sm_MHz=1e15"},
       "--set clock.sm_MHz: clock.sm_MHz = 1000000000000000 must be in [1, 10000]"},
      {"launch overhead of 1e15 us (once 0)",
       base,
       {"launch.overhead_us=1e15"},
       "--set launch.overhead_us: launch.overhead_us = 1000000000000000 must be in [0, 1000000]"},
      {"a feature rate that is neither off nor usable",
       base,
       {"hbm.near_memory_cast_GBps=1e-9"},
       "--set hbm.near_memory_cast_GBps: hbm.near_memory_cast_GBps = 1e-09 must be 0 or in [0.001, 1000000]"},
      {"negative non-negative rate",
       base,
       {"comm_coprocessor.throughput_GBps=-5"},
       "--set comm_coprocessor.throughput_GBps: comm_coprocessor.throughput_GBps = -5 must be >= 0"},
      {"a list entry beyond its range",
       "name: c\ninherits: h100-sxm\nparams:\n  l2:\n    subset_read_GBps: {value: [1, 2, 3, 4, 5, 6, 7, 1e9], "
       "source: x}\n",
       {},
       "{}/c.yaml:5: l2.subset_read_GBps = 1000000000 must be in [0.001, 1000000]"},
      {"accumulator bits beyond a double",
       base,
       {"tensor_core.fp8_accum_fraction_bits=64"},
       "--set tensor_core.fp8_accum_fraction_bits: tensor_core.fp8_accum_fraction_bits = 64 must be in 1..52"},
      {"a key given twice",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    bandwidth_GBps: {value: 1, source: x}\n"
       "    bandwidth_GBps: {value: 2, source: x}\n",
       {},
       "{}/c.yaml:6: duplicate key 'params.hbm.bandwidth_GBps' (first given at line 5)"},
      {"a top-level key given twice",
       "name: c\ninherits: h100-sxm\nname: d\nparams: {}\n",
       {},
       "{}/c.yaml:3: duplicate key 'name' (first given at line 1)"},
      {"a list as a key",
       "name: c\ninherits: h100-sxm\nparams:\n  hbm:\n    [a, b]: {value: 1, source: x}\n",
       {},
       "{}/c.yaml:5: a key must be a plain name, not a list or map"},
      {"a map as the name", "name: {a: 1}\ninherits: h100-sxm\nparams: {}\n", {}, "{}/c.yaml:1: 'name' must be text"},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      Scratch s;
      const std::string path = s.write("c.yaml", c.file);
      std::string expected = c.expected;
      if (auto pos = expected.find("{}"); pos != std::string::npos) expected.replace(pos, 2, s.dir.string());
      CHECK(error_of(path, c.sets) == expected);
    }
  }
}

TEST_CASE("every preset value lies within its key's range, and the bounds themselves load") {
  for (const char* gpu : {"h100-sxm", "h200-sxm", "h800-sxm"}) CHECK_NOTHROW(hwsim::load_gpu(gpu));
  const auto spec = hwsim::load_gpu("h100-sxm", {"l2.slices=4096", "launch.overhead_us=0", "hbm.bandwidth_GBps=1e6"});
  CHECK(spec.l2.slices == 4096);
}

TEST_CASE("unknown preset names get a did-you-mean") {
  CHECK(error_of("h800") ==
        "unknown GPU 'h800' (did you mean 'h800-sxm'?); known presets: h100-sxm, h200-sxm, h800-sxm (or give a path to "
        "a .yaml file)");
}

TEST_CASE("a quantity with its unit in the value is converted to the key's unit") {
  const auto spec = hwsim::load_gpu("h100-sxm", {"hbm.bandwidth=4.8 TB/s", "l2.size=60 MiB"});
  CHECK(spec.hbm.bandwidth_GBps == Approx(4800.0));
  CHECK(spec.l2.size_bytes == 60 * 1024 * 1024);
}

// Inputs the GPU description fuzz target found or was written to try
// (tests/fuzz, docs/reliability.md "Fuzzing"): each once escaped as an
// exception without a location, or could not be read in finite time.
TEST_CASE("fuzzed GPU descriptions give located errors, never a crash or a hang") {
  const char* head = "name: c\ninherits: h100-sxm\nparams:\n";
  std::string laughs = "name: c\ninherits: h100-sxm\nparams: {}\nl0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i <= 6; ++i) {
    laughs += fmt::format("l{}: &l{} [", i, i);
    for (int j = 0; j < 10; ++j) laughs += fmt::format("{}*l{}", j ? ", " : "", i - 1);
    laughs += "]\n";
  }
  std::string deep = "name: c\ninherits: h100-sxm\nparams: {}\nx: ";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "\n";
  struct Fuzzed {
    const char* what;
    std::string file;
    std::vector<std::string> sets;
    std::string expected;
  };
  const std::vector<Fuzzed> cases = {
      {"a byte that is not UTF-8 in a source (once an internal error writing the resolved JSON)",
       std::string(head) + "  sm:\n    count: {value: 132, source: \"datasheet \xff\"}\n",
       {},
       "{}/c.yaml:5: not UTF-8 text (byte 0xFF); a GPU description is UTF-8 YAML"},
      {"well-formed UTF-8 from which yaml-cpp returns a scalar that is not UTF-8, found by fuzzing",
       std::string("name: h\x0b-s\xd2\x85m\x04\x00_K\x0b-s\ninherits: h800-sxm\nparams: {}\n", 51),
       {},
       "{}/c.yaml:1: the value of 'name' is not UTF-8 text as YAML reads it (byte 0xA0)"},
      {"a --set that is not UTF-8",
       "name: c\ninherits: h100-sxm\nparams: {}\n",
       {"sm.count=1\xc3"},
       "--set: 'sm.count=1\xc3' is not UTF-8 text"},
      {"a map that contains itself through an alias",
       std::string(head) + "  sm: &x {count: *x}\n",
       {},
       "{}/c.yaml:4: 'params.sm.count' contains itself through a YAML alias"},
      {"aliases expanding a million-fold",
       laughs,
       {},
       "{}/c.yaml: more than 100000 YAML nodes (aliases expanding?); a GPU description has a few hundred"},
      {"lists nested 100 deep",
       deep,
       {},
       "{}/c.yaml:4: lists and maps nested more than 64 deep; a GPU description nests 5"},
      {"inheriting a device (once read forever)",
       "name: c\ninherits: /dev/zero\nparams: {}\n",
       {},
       "cannot read GPU description '/dev/zero': not a regular file (a folder, device or FIFO)"},
  };
  for (const Fuzzed& c : cases) {
    SECTION(c.what) {
      Scratch s;
      const std::string path = s.write("c.yaml", c.file);
      std::string expected = c.expected;
      if (auto pos = expected.find("{}"); pos != std::string::npos) expected.replace(pos, 2, s.dir.string());
      CHECK(error_of(path, c.sets) == expected);
    }
  }
}
