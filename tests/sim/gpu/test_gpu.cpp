// The GPU launcher: waves and tails, GPC-aware cluster placement, pipelining
// depth, concurrent streams on SM subsets, launch overhead, traces.
// One process elaborates SystemC once; every test case here runs in its own
// process (CTest runs each Catch2 case separately), and cases that build
// several Gpu objects run their launches one after the other.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/config/gpu_loader.hpp"
#include "sim/gpu/gpu.hpp"
#include "sim/gpu/kernel_result.hpp"

using namespace hwsim;
using namespace hwsim::sim;

namespace {

// `ctas` CTAs, one per SM (their shared memory allows no second), each doing
// a fixed amount of FP32 work.
KernelProgram compute_grid(const HardwareSpec& spec, std::int64_t ctas, int cluster = 1) {
  KernelProgram k;
  k.name = "compute";
  k.ctas = ctas;
  k.cluster_size = cluster;
  k.work_units = ctas / cluster;
  k.resources = {128, 32, spec.sm.smem_per_block_max_bytes};
  k.roles = {{"cta", 4}};
  k.emit = [](int, std::int64_t, std::int64_t, int, OpList& out) { out.push_back(cuda_core_ops(1'000'000)); };
  return k;
}

// A producer streaming `kblocks` boxes of B through `stages` buffers to a
// consumer that spends fixed tensor time on each (8 wgmma m64n128k32 = 512
// cycles per 16 KB box): the classic TMA pipeline. 16 CTAs keep the memory
// system far from its bandwidth, so latency is what the stages must hide.
KernelProgram pipeline_grid(int stages, int kblocks, int ctas = 16) {
  KernelProgram k;
  k.name = "pipeline";
  k.ctas = ctas;
  k.work_units = ctas;
  k.resources = {256, 64, 64 * 1024};
  k.roles = {{"producer", 4}, {"math", 4}};
  k.barriers = 2 * stages;
  for (int i = 0; i < stages; ++i) k.barrier_arrivals.push_back(1);
  for (int i = 0; i < stages; ++i) k.barrier_arrivals.push_back(1);
  k.tensors = {{"B", ctas * 128LL, 128LL * kblocks, 1}};
  k.emit = [=](int role, std::int64_t unit, std::int64_t, int, OpList& out) {
    for (int kb = 0; kb < kblocks; ++kb) {
      const int s = kb % stages;
      if (role == 0) {
        out.push_back(barrier_wait(stages + s, kb / stages));
        out.push_back(tma_load(0, unit * 128, kb * 128, 128, 128, s));
        out.push_back(barrier_arrive(s));
      } else {
        out.push_back(barrier_wait(s, kb / stages + 1));
        out.push_back(wgmma(DataType::kFp8E4M3, 128, 8));
        out.push_back(wgmma_wait(0));
        out.push_back(barrier_arrive(stages + s));
      }
    }
  };
  return k;
}

}  // namespace

TEST_CASE("Wave quantisation: 133 equal CTAs on 132 SMs take about twice as long as 132", "[gpu][waves]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  Gpu gpu(spec, {});
  const auto full = compute_grid(spec, 132), one_more = compute_grid(spec, 133);
  const LaunchStats a = gpu.run_one(full);
  const LaunchStats b = gpu.run_one(one_more);
  CHECK(a.waves == 1);
  CHECK(b.waves == 2);
  CHECK(a.ctas_per_sm == 1);
  const double ratio = static_cast<double>(b.end - b.start) / static_cast<double>(a.end - a.start);
  CHECK(ratio > 1.9);
  CHECK(ratio < 2.05);
}

TEST_CASE("Clusters are placed within one GPC: an odd GPC share loses an SM", "[gpu][gpc]") {
  const HardwareSpec spec = load_gpu("h100-sxm");  // GPC 0 holds SMs 0..17
  Gpu gpu(spec, {});
  std::vector<int> seventeen;
  for (int i = 0; i < 17; ++i) seventeen.push_back(i);
  const LaunchStats c1 = gpu.run_one(compute_grid(spec, 16, 2), seventeen);
  CHECK(c1.cluster_slots == 8);
  CHECK(c1.waves == 1);
  const LaunchStats c2 = gpu.run_one(compute_grid(spec, 18, 2), seventeen);
  CHECK(c2.waves == 2);  // 9 clusters, 8 places: the 17th SM cannot host half a cluster
  const LaunchStats c3 = gpu.run_one(compute_grid(spec, 17, 1), seventeen);
  CHECK(c3.waves == 1);
  // SMs 16..19 straddle GPCs 0 and 1: two clusters, never one across the boundary.
  const LaunchStats c4 = gpu.run_one(compute_grid(spec, 4, 2), {16, 17, 18, 19});
  CHECK(c4.cluster_slots == 2);
}

TEST_CASE("Deeper TMA pipelines hide memory latency", "[gpu][pipeline]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  Gpu gpu(spec, {});
  const LaunchStats one = gpu.run_one(pipeline_grid(1, 64));
  const LaunchStats four = gpu.run_one(pipeline_grid(4, 64));
  const double t1 = static_cast<double>(one.end - one.start), t4 = static_cast<double>(four.end - four.start);
  CHECK(t1 > 1.5 * t4);
  CHECK(one.stalls.at("math.barrier_wait") > four.stalls.at("math.barrier_wait"));
  CHECK(four.tma_boxes == 16 * 64);
}

TEST_CASE("Concurrent streams on disjoint SM sets overlap; the smaller set runs slower", "[gpu][streams]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  Gpu gpu(spec, {});
  std::vector<int> comm, gemm;
  for (int i = 0; i < spec.sm.count; ++i) (i < 20 ? comm : gemm).push_back(i);
  const KernelProgram big = compute_grid(spec, 132);
  const KernelProgram small = compute_grid(spec, 20);
  const LaunchStats alone = gpu.run_one(big);
  const auto both = gpu.run({StreamLaunch{{&big}, gemm}, StreamLaunch{{&small}, comm}});
  const LaunchStats& g = both[0][0];
  const LaunchStats& c = both[1][0];
  CHECK(g.sms == 112);
  CHECK(c.sms == 20);
  CHECK(g.waves == 2);  // 132 CTAs on 112 SMs
  const double single = static_cast<double>(alone.end - alone.start);
  CHECK(static_cast<double>(g.end - g.start) == Approx(2 * single).epsilon(0.05));
  CHECK(static_cast<double>(c.end - c.start) == Approx(single).epsilon(0.05));
  CHECK(c.start == g.start);  // both launched at once
}

TEST_CASE("Launch overhead precedes the kernel and counts in the result", "[gpu][launch]") {
  const HardwareSpec spec = load_gpu("h100-sxm", {"launch.overhead_us=4"});
  Gpu gpu(spec, {});
  const KernelProgram k = compute_grid(spec, 10);
  const LaunchStats st = gpu.run_one(k);
  CHECK(st.start - st.issued == 4 * kTicksPerUs);
  const KernelResult r = make_result(spec, gpu.sm_clock(), k, st);
  CHECK(r.time_us == Approx(r.kernel_time_us + 4.0));
  CHECK(r.launch_overhead_us == Approx(4.0));
}

TEST_CASE("A traced run writes a capped Perfetto-readable timeline with unit tracks", "[gpu][trace]") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  const auto path = std::filesystem::temp_directory_path() / "hwsim_gpu_trace.json";
  SimOptions opt;
  opt.trace_path = path.string();
  opt.trace_max_events = 1000;
  Gpu gpu(spec, opt);
  gpu.run_one(pipeline_grid(4, 64, 132));
  gpu.write_trace();
  std::ifstream in(path);
  const auto j = nlohmann::json::parse(in);
  int spans = 0;
  bool tensor = false, tma = false, l2 = false, hbm = false;
  for (const auto& e : j.at("traceEvents")) {
    if (e.at("ph") == "X") ++spans;
    if (e.at("ph") == "M" && e.at("name") == "thread_name") {
      const std::string n = e.at("args").at("name");
      tensor |= n.find("tensor core") != std::string::npos;
      tma |= n.find("TMA") != std::string::npos;
      l2 |= n.find("L2") != std::string::npos;
      hbm |= n.find("HBM") != std::string::npos;
    }
  }
  CHECK(spans <= 1000);
  CHECK(spans > 100);
  CHECK((tensor && tma && l2 && hbm));
  CHECK(j.at("otherData").at("spans_offered").get<long long>() > 1000);
  std::filesystem::remove(path);
}
