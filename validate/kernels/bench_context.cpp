// BenchContext, Json and ClockMonitor: see bench_context.hpp.
#include "bench_context.hpp"

#include <cuda.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>

namespace hwbench {

void check_cuda(cudaError_t status, const char* expr, const char* file, int line) {
  if (status != cudaSuccess) {
    throw BenchError(std::string("CUDA error ") + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) +
                     ") in " + expr + " at " + file + ":" + std::to_string(line));
  }
}

// ---- Json ----
std::string Json::quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Json::number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  // Integers print without a fraction; everything else keeps 6 significant digits.
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.6g", v);
  }
  return buf;
}

void Json::key(const std::string& k) {
  if (!body_.empty()) body_ += ", ";
  body_ += quote(k) + ": ";
}
Json& Json::add(const std::string& k, const std::string& value) {
  key(k);
  body_ += quote(value);
  return *this;
}
Json& Json::add(const std::string& k, double value) {
  key(k);
  body_ += number(value);
  return *this;
}
Json& Json::add_int(const std::string& k, int64_t value) {
  key(k);
  body_ += std::to_string(value);
  return *this;
}
Json& Json::add(const std::string& k, bool value) {
  key(k);
  body_ += value ? "true" : "false";
  return *this;
}
Json& Json::add(const std::string& k, const Json& object) {
  key(k);
  body_ += object.str();
  return *this;
}
Json& Json::merge(const Json& other) {
  if (other.body_.empty()) return *this;
  if (!body_.empty()) body_ += ", ";
  body_ += other.body_;
  return *this;
}

Json& Json::add_raw(const std::string& k, const std::string& raw) {
  key(k);
  body_ += raw;
  return *this;
}

// ---- ClockMonitor ----
// The few NVML entry points we need, declared here because nvml.h ships with
// the driver's development package, not the CUDA Toolkit. Signatures follow
// the NVML API reference (nvmlInit_v2, nvmlDeviceGetHandleByPciBusId_v2,
// nvmlDeviceGetClockInfo, nvmlSystemGetDriverVersion, nvmlDeviceGetPowerUsage,
// nvmlDeviceGetTemperature); NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2,
// NVML_TEMPERATURE_GPU = 0; NVML_SUCCESS = 0.
namespace {
using NvmlInit = int (*)();
using NvmlHandleByBus = int (*)(const char*, void**);
using NvmlClockInfo = int (*)(void*, int, unsigned*);
using NvmlDriverVersion = int (*)(char*, unsigned);
using NvmlPower = int (*)(void*, unsigned*);
using NvmlTemperature = int (*)(void*, int, unsigned*);
constexpr int kNvmlClockSm = 1;
constexpr int kNvmlClockMem = 2;
}  // namespace

ClockMonitor::ClockMonitor(int cuda_device) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib_ == nullptr) return;
  auto init = reinterpret_cast<NvmlInit>(dlsym(lib_, "nvmlInit_v2"));
  auto by_bus = reinterpret_cast<NvmlHandleByBus>(dlsym(lib_, "nvmlDeviceGetHandleByPciBusId_v2"));
  auto drv = reinterpret_cast<NvmlDriverVersion>(dlsym(lib_, "nvmlSystemGetDriverVersion"));
  get_clock_ = dlsym(lib_, "nvmlDeviceGetClockInfo");
  get_power_ = dlsym(lib_, "nvmlDeviceGetPowerUsage");
  get_temperature_ = dlsym(lib_, "nvmlDeviceGetTemperature");
  if (init == nullptr || by_bus == nullptr || get_clock_ == nullptr || init() != 0) return;
  // Match the CUDA device to the NVML device by PCI bus id: NVML's indices
  // need not follow CUDA_VISIBLE_DEVICES.
  char bus[64] = {};
  if (cudaDeviceGetPCIBusId(bus, sizeof bus, cuda_device) != cudaSuccess) return;
  void* dev = nullptr;
  if (by_bus(bus, &dev) != 0) return;
  device_ = dev;
  char version[96] = {};
  if (drv != nullptr && drv(version, sizeof version) == 0) driver_ = version;
}

ClockMonitor::~ClockMonitor() {
  // nvmlShutdown is optional at exit; the library stays loaded until then.
}

unsigned ClockMonitor::sm_clock_mhz() const {
  unsigned mhz = 0;
  if (device_ == nullptr) return 0;
  if (reinterpret_cast<NvmlClockInfo>(get_clock_)(device_, kNvmlClockSm, &mhz) != 0) return 0;
  return mhz;
}

unsigned ClockMonitor::mem_clock_mhz() const {
  unsigned mhz = 0;
  if (device_ == nullptr) return 0;
  if (reinterpret_cast<NvmlClockInfo>(get_clock_)(device_, kNvmlClockMem, &mhz) != 0) return 0;
  return mhz;
}

unsigned ClockMonitor::power_mw() const {
  unsigned mw = 0;
  if (device_ == nullptr || get_power_ == nullptr) return 0;
  if (reinterpret_cast<NvmlPower>(get_power_)(device_, &mw) != 0) return 0;
  return mw;
}

unsigned ClockMonitor::temperature_c() const {
  unsigned c = 0;
  if (device_ == nullptr || get_temperature_ == nullptr) return 0;
  if (reinterpret_cast<NvmlTemperature>(get_temperature_)(device_, 0, &c) != 0) return 0;
  return c;
}

// ---- BenchContext ----
namespace {
double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median, min and max of the per-launch times (microseconds) and the median
// of the clock samples taken beside them.
Timing summarize(const std::vector<double>& times_us, const std::vector<double>& sm, const std::vector<double>& mem,
                 int reps) {
  Timing t;
  t.reps = reps;
  t.median_us = median_of(times_us);
  t.min_us = *std::min_element(times_us.begin(), times_us.end());
  t.max_us = *std::max_element(times_us.begin(), times_us.end());
  t.sm_clock_mhz = median_of(sm);
  t.mem_clock_mhz = median_of(mem);
  return t;
}

std::string version_string(int v) {  // CUDA encodes 13.0 as 13000
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}
}  // namespace

BenchContext::BenchContext(RunOptions options) : options_(std::move(options)) {
  int device = 0;
  HWB_CUDA(cudaGetDevice(&device));
  HWB_CUDA(cudaGetDeviceProperties(&prop_, device));
  if (prop_.major != 9) {
    throw BenchError(std::string("hwbench needs a Hopper GPU (compute capability 9.x); found ") + prop_.name +
                     " with " + std::to_string(prop_.major) + "." + std::to_string(prop_.minor));
  }
  HWB_CUDA(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  HWB_CUDA(cudaEventCreate(&start_));
  HWB_CUDA(cudaEventCreate(&stop_));
  clocks_ = std::make_unique<ClockMonitor>(device);
  int drv = 0;
  int rt = 0;
  HWB_CUDA(cudaDriverGetVersion(&drv));
  HWB_CUDA(cudaRuntimeGetVersion(&rt));
  driver_ = clocks_->driver_version().empty() ? "cuda-driver-api " + version_string(drv) : clocks_->driver_version();
  cuda_version_ = version_string(rt);
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  date_ = buf;
  partial_.open(options_.out_path + ".partial", std::ios::binary | std::ios::trunc);
  if (!partial_) throw BenchError("cannot open output file " + options_.out_path + ".partial");
  flush_bytes_ = 3 * l2_bytes();
  HWB_CUDA(cudaMalloc(&flush_buffer_, flush_bytes_));
  HWB_CUDA(cudaMalloc(&flush_sink_, stream_read_partials(sm_count()) * sizeof(unsigned)));
  fill_random_f32(static_cast<float*>(flush_buffer_), flush_bytes_ / 4, 0xf1u, -1.f, 1.f, stream_);
  HWB_CUDA(cudaStreamSynchronize(stream_));
}

BenchContext::~BenchContext() {
  cudaFree(flush_buffer_);
  cudaFree(flush_sink_);
  cudaEventDestroy(start_);
  cudaEventDestroy(stop_);
  cudaStreamDestroy(stream_);
}

void BenchContext::flush_l2() { launch_stream_read(flush_buffer_, flush_bytes_, flush_sink_, sm_count(), stream_); }

Timing BenchContext::time(const std::function<void()>& launch, int reps, bool flush, int warmup, cudaStream_t on) {
  const cudaStream_t s = on != nullptr ? on : stream_;
  for (int i = 0; i < warmup; ++i) {
    launch();
    HWB_LAUNCHED();
  }
  HWB_CUDA(cudaStreamSynchronize(s));
  std::vector<double> times;
  std::vector<double> sm;
  std::vector<double> mem;
  for (int i = 0; i < reps; ++i) {
    if (flush) {
      flush_l2();
      if (s != stream_) HWB_CUDA(cudaStreamSynchronize(stream_));
    }
    HWB_CUDA(cudaEventRecord(start_, s));
    launch();
    HWB_LAUNCHED();
    HWB_CUDA(cudaEventRecord(stop_, s));
    HWB_CUDA(cudaEventSynchronize(stop_));
    float ms = 0;
    HWB_CUDA(cudaEventElapsedTime(&ms, start_, stop_));
    times.push_back(1000.0 * ms);
    // Sampled right after the kernel: the clock it ran at, give or take the
    // few microseconds the governor takes to move.
    if (clocks_->available()) {
      sm.push_back(clocks_->sm_clock_mhz());
      mem.push_back(clocks_->mem_clock_mhz());
    }
  }
  return summarize(times, sm, mem, reps);
}

Timing BenchContext::time_sustained(const std::function<void()>& launch, double seconds, cudaStream_t on) {
  const cudaStream_t s = on != nullptr ? on : stream_;
  // Size a group to ~5 ms of work from one timed launch, so event overhead and
  // host polling are negligible and the queue never drains.
  launch();
  HWB_LAUNCHED();
  HWB_CUDA(cudaStreamSynchronize(s));
  HWB_CUDA(cudaEventRecord(start_, s));
  launch();
  HWB_LAUNCHED();
  HWB_CUDA(cudaEventRecord(stop_, s));
  HWB_CUDA(cudaEventSynchronize(stop_));
  float first_ms = 0;
  HWB_CUDA(cudaEventElapsedTime(&first_ms, start_, stop_));
  const int group = std::max(1, std::min(1000, static_cast<int>(5.0 / std::max(first_ms, 1e-3f))));
  struct Group {
    cudaEvent_t b = nullptr, e = nullptr;
    bool timed = false;
  };
  Group g[2];
  for (Group& x : g) {
    HWB_CUDA(cudaEventCreate(&x.b));
    HWB_CUDA(cudaEventCreate(&x.e));
  }
  std::vector<double> per_launch, sm, mem;
  int timed_launches = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto enqueue = [&](Group& x) {
    x.timed = elapsed() > seconds / 2;
    HWB_CUDA(cudaEventRecord(x.b, s));
    for (int i = 0; i < group; ++i) {
      launch();
      HWB_LAUNCHED();
    }
    HWB_CUDA(cudaEventRecord(x.e, s));
  };
  enqueue(g[0]);
  for (int i = 1; elapsed() < seconds; ++i) {
    Group& next = g[i % 2];
    Group& prev = g[(i + 1) % 2];
    enqueue(next);  // queued before the previous group is waited on: no gap
    HWB_CUDA(cudaEventSynchronize(prev.e));
    if (prev.timed) {
      float ms = 0;
      HWB_CUDA(cudaEventElapsedTime(&ms, prev.b, prev.e));
      per_launch.push_back(1000.0 * ms / group);
      timed_launches += group;
      if (clocks_->available()) {
        sm.push_back(clocks_->sm_clock_mhz());
        mem.push_back(clocks_->mem_clock_mhz());
      }
    }
  }
  HWB_CUDA(cudaStreamSynchronize(s));
  for (Group& x : g) {
    HWB_CUDA(cudaEventDestroy(x.b));
    HWB_CUDA(cudaEventDestroy(x.e));
  }
  if (per_launch.empty()) throw BenchError("time_sustained: no group finished in the second half of the run");
  return summarize(per_launch, sm, mem, timed_launches);
}

void BenchContext::set_record_extra(const std::string& key, const std::string& value) { extra_.add(key, value); }

void BenchContext::record(const std::string& id, const std::string& kernel, const Json& params, const Timing* measured,
                          const std::string& implementation, const std::string& role, const Json& derived,
                          const std::string& implementation_detail, const std::string& unsupported_reason) {
  Json rec;
  rec.add("id", id).add("gpu", options_.gpu_name).add("kernel", kernel).add("params", params);
  double sm_clock = 0;
  double mem_clock = 0;
  if (measured != nullptr) {
    Json m;
    m.add("time_us_median", measured->median_us)
        .add("time_us_min", measured->min_us)
        .add("time_us_max", measured->max_us)
        .add("reps", measured->reps);
    rec.add("measured", m);
    sm_clock = measured->sm_clock_mhz;
    mem_clock = measured->mem_clock_mhz;
  } else {
    rec.add("unsupported", unsupported_reason);
  }
  rec.add("implementation", implementation).add("role", options_.role_override.empty() ? role : options_.role_override);
  if (!extra_.empty()) rec.merge(extra_);
  if (!derived.empty()) rec.add("derived", derived);
  if (!implementation_detail.empty()) rec.add("implementation_detail", implementation_detail);
  Json prov;
  prov.add("gpu_name", std::string(prop_.name))
      .add("driver", driver_)
      .add("cuda", cuda_version_)
      .add("sm_clock_mhz", sm_clock)
      .add("mem_clock_mhz", mem_clock)
      .add("date", date_)
      .add("command", options_.command);
  rec.add("provenance", prov);
  records_.push_back(rec.str());
  partial_ << records_.back() << "\n";
  partial_.flush();
  if (!partial_) throw BenchError("failed writing " + options_.out_path + ".partial");
}

void BenchContext::finish() {
  partial_.close();
  if (!partial_) throw BenchError("failed writing output file " + options_.out_path + ".partial");
  const std::string tmp = options_.out_path + ".partial";
  if (std::rename(tmp.c_str(), options_.out_path.c_str()) != 0) {
    throw BenchError("cannot rename " + tmp + " to " + options_.out_path);
  }
}

namespace {

template <class Fn>
Fn driver_fn(const char* name) {
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult status{};
  if (cudaGetDriverEntryPointByVersion(name, &fn, CUDART_VERSION, cudaEnableDefault, &status) != cudaSuccess ||
      status != cudaDriverEntryPointSuccess || fn == nullptr) {
    throw BenchError(std::string("CUDA driver entry point ") + name + " not available");
  }
  return reinterpret_cast<Fn>(fn);
}

void check_cu(CUresult r, const char* expr) {
  if (r != CUDA_SUCCESS) {
    throw BenchError(std::string("CUDA driver error ") + std::to_string(static_cast<int>(r)) + " in " + expr);
  }
}

}  // namespace

SmPartition::SmPartition(int want) {
  auto device_get = driver_fn<decltype(&cuDeviceGet)>("cuDeviceGet");
  auto get_resource = driver_fn<decltype(&cuDeviceGetDevResource)>("cuDeviceGetDevResource");
  auto split = driver_fn<decltype(&cuDevSmResourceSplitByCount)>("cuDevSmResourceSplitByCount");
  auto gen_desc = driver_fn<decltype(&cuDevResourceGenerateDesc)>("cuDevResourceGenerateDesc");
  auto create = driver_fn<decltype(&cuGreenCtxCreate)>("cuGreenCtxCreate");
  auto stream_create = driver_fn<decltype(&cuGreenCtxStreamCreate)>("cuGreenCtxStreamCreate");
  int ordinal = 0;
  HWB_CUDA(cudaGetDevice(&ordinal));
  CUdevice dev;
  check_cu(device_get(&dev, ordinal), "cuDeviceGet");
  CUdevResource all{}, rest{};
  check_cu(get_resource(dev, &all, CU_DEV_RESOURCE_TYPE_SM), "cuDeviceGetDevResource");
  CUdevResource part[1]{};
  unsigned groups = 1;
  check_cu(split(part, &groups, &all, &rest, 0, static_cast<unsigned>(want)), "cuDevSmResourceSplitByCount");
  if (groups != 1) throw BenchError("green context: could not split off " + std::to_string(want) + " SMs");
  sms = static_cast<int>(part[0].sm.smCount);
  CUdevResourceDesc desc;
  check_cu(gen_desc(&desc, part, 1), "cuDevResourceGenerateDesc");
  CUgreenCtx g = nullptr;
  check_cu(create(&g, desc, dev, CU_GREEN_CTX_DEFAULT_STREAM), "cuGreenCtxCreate");
  ctx_ = g;
  CUstream s = nullptr;
  check_cu(stream_create(&s, g, CU_STREAM_NON_BLOCKING, 0), "cuGreenCtxStreamCreate");
  stream_ = reinterpret_cast<cudaStream_t>(s);
}

SmPartition::~SmPartition() {
  try {
    if (stream_ != nullptr)
      driver_fn<decltype(&cuStreamDestroy)>("cuStreamDestroy")(reinterpret_cast<CUstream>(stream_));
    if (ctx_ != nullptr) driver_fn<decltype(&cuGreenCtxDestroy)>("cuGreenCtxDestroy")(static_cast<CUgreenCtx>(ctx_));
  } catch (const BenchError&) {
    // Teardown at exit: nothing left to report to.
  }
}

}  // namespace hwbench
