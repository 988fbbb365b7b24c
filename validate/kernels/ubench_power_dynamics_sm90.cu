// Calibration microbenchmark of the power controller's dynamics
// (ubench_power_dynamics): how the SM clock follows a step of tensor-core
// load, how fast it recovers when the load stops, and what it settles at in
// trains of load with idle gaps.
//
// The load is the fresh-operand wgmma stream of ubench_power (one CTA of two
// warpgroups per SM, every wgmma reading a new K-slice), run for a set time.
// While it runs, thread 0 of CTA 0 stamps (%globaltimer, clock64) every few
// batches; the SM clock over a window is the clock64 cycles over the
// nanoseconds between two stamps of the same launch (clock64 is the SM's own
// cycle counter, %globaltimer the GPU's nanosecond timer). Idle gaps between
// loads are a one-warp kernel that spins on %globaltimer (no load, exact
// length). A host thread samples NVML (SM clock, board power, temperature)
// every millisecond beside it.
//
// hwsim's power model (models/power/) takes the response's time constants and
// the initial (rested) budget from these records; nothing else sets them.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "bench_context.hpp"
#include "wgmma_common_sm90.hpp"

namespace hwbench {
namespace {

struct Stamp {
  unsigned long long ns;      // %globaltimer
  unsigned long long clk;     // clock64 of the SM
  unsigned long long launch;  // which load launch took it
};

__device__ __forceinline__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// The fresh-operand stream of ubench_power for `iters` wgmmas per warpgroup,
// stamping the clock every `every` batches from CTA 0.
template <bool kFp8>
__global__ void __launch_bounds__(256, 1)
    wgmma_stamped_kernel(const int4* src, long long iters, int every, unsigned long long launch, Stamp* stamps,
                         unsigned* count, unsigned cap, float* sink) {
  extern __shared__ __align__(128) unsigned char ring[];
  constexpr int N = 256;
  load_fresh_ring<N>(ring, src);
  const bool stamper = blockIdx.x == 0 && threadIdx.x == 0;
  float acc[N / 2];
#pragma unroll
  for (int i = 0; i < N / 2; ++i) acc[i] = 0.f;
  long long batch = 0;
  for (long long it = 0; it < iters; it += kBatch, ++batch) {
    fresh_batch<N, kFp8>(acc, ring);
    if (stamper && batch % every == 0) {
      const unsigned idx = atomicAdd(count, 1u);
      if (idx < cap) stamps[idx] = Stamp{global_ns(), static_cast<unsigned long long>(clock64()), launch};
    }
    __syncwarp();
  }
  wgmma_wait<0>();
  keep_accumulators<N>(acc, sink);
}

// Keeps the stream busy for `ns` nanoseconds with no load (one warp spinning).
__global__ void spin_kernel(long long ns) {
  const unsigned long long t0 = global_ns();
  while (global_ns() - t0 < static_cast<unsigned long long>(ns)) {
  }
}

// NVML samples taken by a host thread every millisecond.
struct NvmlSample {
  double t_ms, sm_mhz, power_w, temp_c;
};

class NvmlSampler {
 public:
  NvmlSampler(ClockMonitor& m, std::chrono::steady_clock::time_point t0) : m_(m), t0_(t0) {
    if (m_.available()) th_ = std::thread([this] { loop(); });
  }
  ~NvmlSampler() { stop(); }
  std::vector<NvmlSample> stop() {
    run_ = false;
    if (th_.joinable()) th_.join();
    return samples_;
  }

 private:
  void loop() {
    while (run_) {
      const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0_).count();
      samples_.push_back({t, double(m_.sm_clock_mhz()), m_.power_mw() / 1000.0, double(m_.temperature_c())});
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  ClockMonitor& m_;
  std::chrono::steady_clock::time_point t0_;
  std::atomic<bool> run_{true};
  std::vector<NvmlSample> samples_;
  std::thread th_;
};

// One experiment's schedule: load and idle segments, in order, on one stream.
struct Segment {
  bool load;
  double ms;
};

struct Bin {
  double t0_ms, t1_ms;
  double cycles = 0, ns = 0;
};

// Bin edges: fine where the response is fast, coarser later.
std::vector<Bin> make_bins(double total_ms) {
  std::vector<Bin> bins;
  double t = 0;
  while (t < total_ms) {
    const double w = t < 10 ? 0.25 : t < 100 ? 2 : t < 1000 ? 10 : 50;
    bins.push_back({t, std::min(total_ms, t + w)});
    t += w;
  }
  return bins;
}

struct Stream {
  Stamp* stamps = nullptr;
  unsigned* count = nullptr;
  unsigned cap = 0;
  const int4* src = nullptr;
  float* sink = nullptr;
  double iters_per_ms_fp8 = 0, iters_per_ms_bf16 = 0;
};

void launch_load(BenchContext& ctx, const Stream& s, bool fp8, double ms, unsigned long long launch) {
  const double rate = fp8 ? s.iters_per_ms_fp8 : s.iters_per_ms_bf16;
  const long long iters = std::max<long long>(kBatch, static_cast<long long>(rate * ms) / kBatch * kBatch);
  if (fp8) {
    wgmma_stamped_kernel<true><<<ctx.sm_count(), 256, kFreshRingBytes, ctx.stream()>>>(
        s.src, iters, 4, launch, s.stamps, s.count, s.cap, s.sink);
  } else {
    wgmma_stamped_kernel<false><<<ctx.sm_count(), 256, kFreshRingBytes, ctx.stream()>>>(
        s.src, iters, 4, launch, s.stamps, s.count, s.cap, s.sink);
  }
  HWB_LAUNCHED();
}

// Iterations per millisecond of the load at the current clock (from a short launch).
double measure_rate(BenchContext& ctx, const Stream& s, bool fp8) {
  Stream probe = s;
  probe.iters_per_ms_fp8 = probe.iters_per_ms_bf16 = 20000;  // 20000 iterations "per ms": one launch of 20000
  cudaEvent_t a, b;
  HWB_CUDA(cudaEventCreate(&a));
  HWB_CUDA(cudaEventCreate(&b));
  HWB_CUDA(cudaEventRecord(a, ctx.stream()));
  launch_load(ctx, probe, fp8, 1.0, 0);
  HWB_CUDA(cudaEventRecord(b, ctx.stream()));
  HWB_CUDA(cudaEventSynchronize(b));
  float ms = 0;
  HWB_CUDA(cudaEventElapsedTime(&ms, a, b));
  HWB_CUDA(cudaEventDestroy(a));
  HWB_CUDA(cudaEventDestroy(b));
  return 20000.0 / std::max(ms, 1e-3f);
}

std::string json_array(const std::vector<double>& v, int decimals) {
  std::string out = "[";
  char buf[48];
  for (size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%s%.*f", i ? ", " : "", decimals, v[i]);
    out += buf;
  }
  return out + "]";
}

// Runs one schedule after `rest_ms` of idle GPU and records its clock trajectory.
void run_schedule(BenchContext& ctx, Stream& s, const std::string& name, bool fp8, double rest_ms,
                  const std::vector<Segment>& segs, const Json& extra_params) {
  HWB_CUDA(cudaMemset(s.count, 0, sizeof(unsigned)));
  HWB_CUDA(cudaDeviceSynchronize());
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(rest_ms));
  const auto t0 = std::chrono::steady_clock::now();
  NvmlSampler nvml(ctx.clocks(), t0);
  double total_ms = 0;
  unsigned long long launch = 0;
  std::vector<double> load_start_ms;  // schedule time of each load segment
  for (const Segment& g : segs) {
    if (g.load) {
      load_start_ms.push_back(total_ms);
      launch_load(ctx, s, fp8, g.ms, ++launch);
    } else {
      spin_kernel<<<1, 32, 0, ctx.stream()>>>(static_cast<long long>(g.ms * 1e6));
      HWB_LAUNCHED();
    }
    total_ms += g.ms;
  }
  HWB_CUDA(cudaStreamSynchronize(ctx.stream()));
  const std::vector<NvmlSample> nv = nvml.stop();
  unsigned n = 0;
  HWB_CUDA(cudaMemcpy(&n, s.count, sizeof n, cudaMemcpyDeviceToHost));
  n = std::min(n, s.cap);
  std::vector<Stamp> st(n);
  HWB_CUDA(cudaMemcpy(st.data(), s.stamps, n * sizeof(Stamp), cudaMemcpyDeviceToHost));
  if (n < 2) throw BenchError("ubench_power_dynamics " + name + ": fewer than 2 clock stamps");
  // Time zero: the first stamp (the first load's start, to within a batch).
  const unsigned long long gt0 = st.front().ns;
  const double span_ms = (st.back().ns - gt0) / 1e6;
  std::vector<Bin> bins = make_bins(span_ms + 1e-9);
  for (unsigned i = 1; i < n; ++i) {
    if (st[i].launch != st[i - 1].launch || st[i].ns <= st[i - 1].ns) continue;
    const double t = (st[i - 1].ns - gt0) / 1e6;
    auto it = std::upper_bound(bins.begin(), bins.end(), t, [](double x, const Bin& b) { return x < b.t1_ms; });
    if (it == bins.end()) continue;
    it->cycles += double(st[i].clk - st[i - 1].clk);
    it->ns += double(st[i].ns - st[i - 1].ns);
  }
  std::vector<double> t_ms, mhz;
  for (const Bin& b : bins) {
    if (b.ns < 0.2 * (b.t1_ms - b.t0_ms) * 1e6) continue;  // mostly idle: no clock of the load to report
    t_ms.push_back(0.5 * (b.t0_ms + b.t1_ms));
    mhz.push_back(1000.0 * b.cycles / b.ns);
  }
  // NVML samples, 10 ms medians of power, clock and temperature.
  std::vector<double> nv_t, nv_p, nv_f, nv_c;
  for (size_t i = 0; i < nv.size();) {
    const double w0 = std::floor(nv[i].t_ms / 10) * 10;
    std::vector<double> p, f, c;
    for (; i < nv.size() && nv[i].t_ms < w0 + 10; ++i) {
      p.push_back(nv[i].power_w);
      f.push_back(nv[i].sm_mhz);
      c.push_back(nv[i].temp_c);
    }
    auto med = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    nv_t.push_back(w0 + 5);
    nv_p.push_back(med(p));
    nv_f.push_back(med(f));
    nv_c.push_back(med(c));
  }
  Json params;
  params.add("experiment", name).add("dtype", fp8 ? "fp8_e4m3" : "bf16").add("rest_ms", rest_ms);
  params.merge(extra_params);
  std::vector<double> seg_ms, seg_load;
  for (const Segment& g : segs) {
    seg_ms.push_back(g.ms);
    seg_load.push_back(g.load ? 1 : 0);
  }
  Json d;
  d.add_raw("schedule_ms", json_array(seg_ms, 3)).add_raw("schedule_load", json_array(seg_load, 0));
  d.add_raw("load_start_ms", json_array(load_start_ms, 3));
  d.add("span_ms", span_ms).add("stamps", static_cast<int64_t>(n));
  d.add_raw("t_ms", json_array(t_ms, 3)).add_raw("sm_clock_mhz", json_array(mhz, 1));
  d.add_raw("nvml_t_ms", json_array(nv_t, 0)).add_raw("nvml_power_w", json_array(nv_p, 1));
  d.add_raw("nvml_sm_clock_mhz", json_array(nv_f, 0)).add_raw("nvml_temperature_c", json_array(nv_c, 0));
  Timing t;
  t.median_us = t.min_us = t.max_us = span_ms * 1000;
  t.reps = 1;
  t.sm_clock_mhz = mhz.empty() ? 0 : mhz.back();
  ctx.record(ctx.id_prefix() + "ubench_power_dynamics/" + name, "ubench_power_dynamics", params, &t, "hwbench",
             "calibration", d,
             "fresh-operand wgmma m64n256 stream, 1 CTA x 2 warpgroups per SM; clock from clock64 / %globaltimer "
             "stamps of CTA 0; idle = one warp spinning on %globaltimer");
  char line[200];
  std::snprintf(line, sizeof line, "%-52s first %.0f MHz, last %.0f MHz, %u stamps", ("power_dynamics " + name).c_str(),
                mhz.empty() ? 0 : mhz.front(), mhz.empty() ? 0 : mhz.back(), n);
  ctx.note(line);
  std::printf("%s\n", line);
  std::fflush(stdout);
}

// Wake-up from idle: one CTA stamps %globaltimer and clock64 at entry, spins
// `ns` nanoseconds by %globaltimer, and stamps both again at exit.
__global__ void wake_kernel(long long ns, unsigned long long* out) {
  const unsigned long long t0 = global_ns();
  const unsigned long long c0 = static_cast<unsigned long long>(clock64());
  while (global_ns() - t0 < static_cast<unsigned long long>(ns)) {
  }
  if (threadIdx.x == 0) {
    out[0] = t0;
    out[1] = c0;
    out[2] = global_ns();
    out[3] = static_cast<unsigned long long>(clock64());
  }
}

// What a launch after idle time costs beyond its own work: a 200 us one-CTA
// spin timed with CUDA events after 0-1000 ms of idle GPU (the host sleeps).
// The excess of the event time over the spin is the wake-up latency; the
// spin's clock64 / %globaltimer is the clock the SM wakes at.
void run_wake(BenchContext& ctx) {
  constexpr long long kSpinNs = 200000;
  unsigned long long* out = nullptr;
  HWB_CUDA(cudaMalloc(&out, 4 * sizeof(unsigned long long)));
  cudaEvent_t a, b;
  HWB_CUDA(cudaEventCreate(&a));
  HWB_CUDA(cudaEventCreate(&b));
  const int reps = ctx.quick() ? 2 : 5;
  for (const double idle_ms : {0.0, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0}) {
    std::vector<double> excess, mhz, entry;
    for (int r = 0; r < reps + 1; ++r) {
      HWB_CUDA(cudaDeviceSynchronize());
      if (idle_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(idle_ms));
      HWB_CUDA(cudaEventRecord(a, ctx.stream()));
      wake_kernel<<<1, 32, 0, ctx.stream()>>>(kSpinNs, out);
      HWB_LAUNCHED();
      HWB_CUDA(cudaEventRecord(b, ctx.stream()));
      HWB_CUDA(cudaEventSynchronize(b));
      if (r == 0) continue;  // the first after a change of idle time is a warm-up
      float ms = 0;
      HWB_CUDA(cudaEventElapsedTime(&ms, a, b));
      unsigned long long h[4];
      HWB_CUDA(cudaMemcpy(h, out, sizeof h, cudaMemcpyDeviceToHost));
      const double spin_ns = double(h[2] - h[0]);
      excess.push_back(1000.0 * ms - spin_ns / 1000.0);
      mhz.push_back(1000.0 * double(h[3] - h[1]) / spin_ns);
    }
    std::sort(excess.begin(), excess.end());
    std::sort(mhz.begin(), mhz.end());
    Timing t;
    t.median_us = excess[excess.size() / 2];
    t.min_us = excess.front();
    t.max_us = excess.back();
    t.reps = reps;
    t.sm_clock_mhz = mhz[mhz.size() / 2];
    Json params;
    params.add("experiment", "wake").add("idle_ms", idle_ms).add("spin_us", kSpinNs / 1000);
    Json d;
    d.add("excess_us_median", t.median_us).add("spin_clock_mhz_median", t.sm_clock_mhz);
    ctx.record(ctx.id_prefix() + "ubench_power_dynamics/wake_idle" + Json::number(idle_ms) + "ms",
               "ubench_power_dynamics", params, &t, "hwbench", "calibration", d,
               "one CTA spinning 200 us by %globaltimer, CUDA events around it after the host slept idle_ms; "
               "time_us = event time - spin time (the wake-up latency)");
    char line[200];
    std::snprintf(line, sizeof line, "%-52s +%.1f us, spin at %.0f MHz",
                  ("power_dynamics wake after " + Json::number(idle_ms) + " ms").c_str(), t.median_us, t.sm_clock_mhz);
    ctx.note(line);
    std::printf("%s\n", line);
    std::fflush(stdout);
  }
  HWB_CUDA(cudaEventDestroy(a));
  HWB_CUDA(cudaEventDestroy(b));
  HWB_CUDA(cudaFree(out));
}

}  // namespace

void run_power_dynamics_ubench(BenchContext& ctx) {
  run_wake(ctx);
  Stream s;
  s.cap = 4u << 20;
  HWB_CUDA(cudaMalloc(&s.stamps, s.cap * sizeof(Stamp)));
  HWB_CUDA(cudaMalloc(&s.count, sizeof(unsigned)));
  int4* src = nullptr;
  HWB_CUDA(cudaMalloc(&src, kFreshRingBytes));
  HWB_CUDA(cudaMalloc(&s.sink, sizeof(float)));
  s.src = src;
  HWB_CUDA(cudaFuncSetAttribute(wgmma_stamped_kernel<true>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                static_cast<int>(kFreshRingBytes)));
  HWB_CUDA(cudaFuncSetAttribute(wgmma_stamped_kernel<false>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                static_cast<int>(kFreshRingBytes)));
  fill_random_e4m3(reinterpret_cast<uint8_t*>(src), kFreshRingBytes, 41, ctx.stream());
  s.iters_per_ms_fp8 = measure_rate(ctx, s, true);
  fill_random_bf16(reinterpret_cast<uint16_t*>(src), kFreshRingBytes / 2, 42, ctx.stream());
  s.iters_per_ms_bf16 = measure_rate(ctx, s, false);
  const double scale = ctx.quick() ? 0.25 : 1.0;  // --quick shortens every schedule
  const double rest = 3000 * scale;
  // 1. Steps from rest: 5 s of load after 3 s of idle GPU.
  run_schedule(ctx, s, "step_bf16", false, rest, {{true, 5000 * scale}}, Json());
  fill_random_e4m3(reinterpret_cast<uint8_t*>(src), kFreshRingBytes, 41, ctx.stream());
  run_schedule(ctx, s, "step_fp8", true, rest, {{true, 5000 * scale}}, Json());
  // 2. Recovery: after loaded seconds, an idle gap, then a 30 ms probe.
  for (const double gap : {1.0, 5.0, 20.0, 100.0, 500.0, 2000.0}) {
    Json p;
    p.add("gap_ms", gap);
    run_schedule(ctx, s, "recovery_gap" + Json::number(gap) + "ms", true, 0,
                 {{true, 3000 * scale}, {false, gap}, {true, 30}}, p);
  }
  // 3. Trains of load with idle gaps (duty cycles), 3 s each from rest.
  struct Duty {
    double on, off;
  };
  for (const Duty d : {Duty{1, 1}, Duty{1, 4}, Duty{4, 1}, Duty{10, 10}}) {
    std::vector<Segment> segs;
    for (double t = 0; t < 3000 * scale; t += d.on + d.off) {
      segs.push_back({true, d.on});
      segs.push_back({false, d.off});
    }
    Json p;
    p.add("on_ms", d.on).add("off_ms", d.off);
    run_schedule(ctx, s, "train_on" + Json::number(d.on) + "_off" + Json::number(d.off), true, rest / 1.5, segs, p);
  }
  HWB_CUDA(cudaFree(s.stamps));
  HWB_CUDA(cudaFree(s.count));
  HWB_CUDA(cudaFree(src));
  HWB_CUDA(cudaFree(s.sink));
}

}  // namespace hwbench
