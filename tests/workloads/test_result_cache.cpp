// The result cache behind GpuSimulator::run_unthrottled(): a KernelResult
// round-trips through its JSON form to the last bit, a result read from the
// disk cache equals a fresh simulation byte for byte, the power cap stays
// outside the cached value, and a damaged entry is simulated again.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/io/disk_cache.hpp"
#include "sim/config/gpu_loader.hpp"
#include "tests/support/temp_dir.hpp"
#include "workloads/gpu_simulator.hpp"
#include "workloads/simulator_version.hpp"

using namespace hwsim;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using hwsim::testing::TempDir;

std::vector<KernelDescriptor> kernels() {
  return {{"gemm", json{{"m", 1024},
                        {"n", 2048},
                        {"k", 1024},
                        {"a_dtype", "fp8_e4m3"},
                        {"b_dtype", "fp8_e4m3"},
                        {"out_dtype", "bf16"},
                        {"scaling", "block_1x128_128x128"}}},
          {"gemm",
           json{{"m", 512}, {"n", 1024}, {"k", 768}, {"a_dtype", "bf16"}, {"b_dtype", "bf16"}, {"out_dtype", "bf16"}}},
          {"attention", json{{"seq", 256}, {"heads", 2}, {"qk_dim", 192}, {"v_dim", 128}, {"pass", "bwd"}}},
          {"memcpy", json{{"bytes", 8 << 20}}},
          {"rmsnorm", json{{"m", 512}, {"n", 7168}}},
          {"quant_1x128", json{{"m", 512}, {"k", 7168}}}};
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("KernelResult::from_json gives back every field to the last bit", "[cache]") {
  GpuSimulator sim(load_gpu("h800-sxm"));
  for (const KernelDescriptor& d : kernels()) {
    const KernelResult fresh = sim.run(d);  // throttled: launch.power and rescaled doubles too
    const std::string dump = fresh.to_json().dump();
    const KernelResult back = KernelResult::from_json(json::parse(dump));
    CHECK(back.to_json().dump() == dump);
    CHECK(back.time_us == fresh.time_us);
    CHECK(back.achieved == fresh.achieved);
    CHECK(back.busy == fresh.busy);
  }
  CHECK_THROWS_WITH(KernelResult::from_json(json{{"kernel", "gemm"}}), "kernel result: missing field 'params'");
}

TEST_CASE("results read from the disk cache equal fresh simulations byte for byte", "[cache]") {
  TempDir t("hwsim-result-cache");
  const HardwareSpec spec = load_gpu("h800-sxm");
  GpuSimulator uncached(spec);
  GpuSimulator cold(spec, {}, {t.path});
  std::vector<std::string> fresh;
  for (const KernelDescriptor& d : kernels()) {
    fresh.push_back(uncached.run(d).to_json().dump());
    CHECK(cold.run(d).to_json().dump() == fresh.back());
    CHECK(fs::exists(DiskCache({t.path, std::string(simulator_version())}).entry_path(cold.result_key(d))));
  }
  GpuSimulator warm(spec, {}, {t.path});
  for (size_t i = 0; i < fresh.size(); ++i) CHECK(warm.run(kernels()[i]).to_json().dump() == fresh[i]);
}

TEST_CASE("the cache key leaves out the launch-only params and names the version, spec and chunk", "[cache]") {
  const HardwareSpec spec = load_gpu("h800-sxm");
  GpuSimulator sim(spec);
  KernelDescriptor d = kernels()[0];
  const std::string key = sim.result_key(d);
  CHECK(key.find(std::string("simulator ") + std::string(simulator_version()) + "\n") != std::string::npos);
  CHECK(key.find("\nchunk_bytes 2048\n") != std::string::npos);
  CHECK(key.find(resolved_config_json(spec).dump()) != std::string::npos);
  d.params["regime"] = "idle:idle_before_ms=100";
  d.params["beside_hbm_GBps"] = 1500;
  CHECK(sim.result_key(d) == key);
  d.params["m"] = 2048;
  CHECK(sim.result_key(d) != key);
  sim::SimOptions fine_chunks;
  fine_chunks.chunk_bytes = 1024;
  GpuSimulator fine(spec, fine_chunks);
  CHECK(fine.result_key(kernels()[0]) != key);
  GpuSimulator other(load_gpu("h800-sxm", {"hbm.bandwidth_GBps=4000"}));
  CHECK(other.result_key(kernels()[0]) != key);
}

TEST_CASE("the power cap is applied to a cached result, not stored with it", "[cache]") {
  TempDir t("hwsim-result-cache");
  const HardwareSpec spec = load_gpu("h100-sxm");
  KernelDescriptor gemm = {
      "gemm",
      json{{"m", 4096}, {"n", 4096}, {"k", 4096}, {"a_dtype", "bf16"}, {"b_dtype", "bf16"}, {"out_dtype", "bf16"}}};
  KernelDescriptor beside = gemm;
  beside.params["beside_hbm_GBps"] = 2000;
  GpuSimulator uncached(spec);
  const std::string alone = uncached.run(gemm).to_json().dump();
  const std::string with_traffic = uncached.run(beside).to_json().dump();
  REQUIRE(alone != with_traffic);
  GpuSimulator cold(spec, {}, {t.path});
  CHECK(cold.run(beside).to_json().dump() == with_traffic);
  GpuSimulator warm(spec, {}, {t.path});
  CHECK(warm.run(gemm).to_json().dump() == alone);
  CHECK(warm.run(beside).to_json().dump() == with_traffic);
}

TEST_CASE("a damaged entry is simulated again and replaced; a valid one is served as stored", "[cache]") {
  TempDir t("hwsim-result-cache");
  const HardwareSpec spec = load_gpu("h800-sxm");
  const KernelDescriptor d = kernels()[3];
  GpuSimulator uncached(spec);
  const std::string fresh = uncached.run_unthrottled(d).to_json().dump();
  GpuSimulator cold(spec, {}, {t.path});
  cold.run_unthrottled(d);
  DiskCache disk({t.path, std::string(simulator_version())});
  const fs::path file = disk.entry_path(cold.result_key(d));
  const std::string good = read(file);
  SECTION("truncated: simulated again, the entry rewritten") {
    std::ofstream(file, std::ios::binary) << good.substr(0, good.size() / 2);
    GpuSimulator again(spec, {}, {t.path});
    CHECK(again.run_unthrottled(d).to_json().dump() == fresh);
    CHECK(read(file) == good);
  }
  SECTION("a byte flipped in the payload: simulated again") {
    std::string bad = good;
    bad[bad.size() - 10] = static_cast<char>(bad[bad.size() - 10] ^ 1);
    std::ofstream(file, std::ios::binary) << bad;
    GpuSimulator again(spec, {}, {t.path});
    CHECK(again.run_unthrottled(d).to_json().dump() == fresh);
    CHECK(read(file) == good);
  }
  SECTION("a whole entry whose payload is not a kernel result: simulated again") {
    std::ofstream(file, std::ios::binary) << format_cache_entry(cold.result_key(d), "{\"kernel\": \"memcpy\"}");
    GpuSimulator again(spec, {}, {t.path});
    CHECK(again.run_unthrottled(d).to_json().dump() == fresh);
    CHECK(read(file) == good);
  }
  SECTION("a valid entry is what the simulator returns (it does not simulate)") {
    json j = json::parse(fresh);
    j["time_us"] = 12345.0;
    disk.store(cold.result_key(d), j.dump());
    GpuSimulator warm(spec, {}, {t.path});
    CHECK(warm.run_unthrottled(d).time_us == 12345.0);
  }
}
