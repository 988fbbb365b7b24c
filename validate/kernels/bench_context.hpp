// hwbench's shared host-side machinery: error checks, JSON records, the
// timing harness (CUDA events, warm-up, median of repetitions, L2 flushed
// between repetitions) and the SM/memory clock monitor (NVML loaded at run
// time). Every suite receives one BenchContext; there are no globals.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace hwbench {

struct BenchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check_cuda(cudaError_t status, const char* expr, const char* file, int line);
#define HWB_CUDA(expr) ::hwbench::check_cuda((expr), #expr, __FILE__, __LINE__)
// After every kernel launch: a bad configuration only shows up here.
#define HWB_LAUNCHED() ::hwbench::check_cuda(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)

// Minimal JSON object builder. Contract: keys are emitted in insertion order
// (stable output); strings are escaped; non-finite doubles become null.
class Json {
 public:
  Json& add(const std::string& key, const std::string& value);
  Json& add(const std::string& key, const char* value) { return add(key, std::string(value)); }
  Json& add(const std::string& key, double value);
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Json& add(const std::string& key, T value) {
    return add_int(key, static_cast<int64_t>(value));
  }
  Json& add(const std::string& key, bool value);
  Json& add(const std::string& key, const Json& object);
  Json& add_raw(const std::string& key, const std::string& raw_json);
  // Appends the fields of `other` to this object (keys must not repeat).
  Json& merge(const Json& other);
  bool empty() const { return body_.empty(); }
  std::string str() const { return "{" + body_ + "}"; }

  static std::string quote(const std::string& s);
  static std::string number(double v);

 private:
  Json& add_int(const std::string& key, int64_t value);
  void key(const std::string& k);
  std::string body_;
};

struct Timing {
  double median_us = 0;
  double min_us = 0;
  double max_us = 0;
  int reps = 0;
  double sm_clock_mhz = 0;   // median of the NVML samples taken after each repetition
  double mem_clock_mhz = 0;  // 0 when NVML is unavailable
};

// Samples the SM and memory clocks through NVML (libnvidia-ml, part of the
// driver), opened with dlopen so the build does not need it. Degrades to
// "unavailable" (clock 0) when the library or the device cannot be opened.
class ClockMonitor {
 public:
  explicit ClockMonitor(int cuda_device);
  ~ClockMonitor();
  ClockMonitor(const ClockMonitor&) = delete;
  ClockMonitor& operator=(const ClockMonitor&) = delete;
  bool available() const { return device_ != nullptr; }
  unsigned sm_clock_mhz() const;
  unsigned mem_clock_mhz() const;
  // Board power in milliwatts (nvmlDeviceGetPowerUsage) and GPU temperature in
  // degrees C (nvmlDeviceGetTemperature); 0 when unavailable.
  unsigned power_mw() const;
  unsigned temperature_c() const;
  std::string driver_version() const { return driver_; }

 private:
  void* lib_ = nullptr;
  void* device_ = nullptr;
  void* get_clock_ = nullptr;
  void* get_power_ = nullptr;
  void* get_temperature_ = nullptr;
  std::string driver_;
};

struct RunOptions {
  std::string suite;     // calibration | validation | all
  std::string gpu_name;  // record "gpu" field, e.g. h100-sxm
  std::string only;      // run only the named part of the suite (empty: all)
  std::string out_path;
  bool quick = false;
  std::string role_override;  // "validation" forces every record's role (H200 data)
  std::string command;        // the command line, for provenance
};

class BenchContext {
 public:
  explicit BenchContext(RunOptions options);
  ~BenchContext();
  BenchContext(const BenchContext&) = delete;
  BenchContext& operator=(const BenchContext&) = delete;

  const RunOptions& options() const { return options_; }
  bool quick() const { return options_.quick; }
  const cudaDeviceProp& prop() const { return prop_; }
  int sm_count() const { return prop_.multiProcessorCount; }
  size_t l2_bytes() const { return static_cast<size_t>(prop_.l2CacheSize); }
  cudaStream_t stream() const { return stream_; }
  ClockMonitor& clocks() { return *clocks_; }
  int reps() const { return options_.quick ? 5 : 25; }

  // Evicts the L2: reads a clean buffer of 3x the L2 size, which also forces
  // the write-back of lines a previous repetition left dirty (so that
  // write-back is not charged to the next timed kernel).
  void flush_l2();

  // Times `launch` (which must enqueue on stream()): `warmup` untimed calls,
  // then `reps` timed calls, each preceded by flush_l2() when flush is true.
  // `on` (default: the context's stream) is the stream the launch runs on, e.g.
  // one of a green context that holds a subset of the SMs; the events and the
  // L2 flush are ordered with it.
  Timing time(const std::function<void()>& launch, int reps, bool flush, int warmup = 2, cudaStream_t on = nullptr);

  // Runs `launch` back to back for `seconds` with no L2 flush and no gaps (the
  // next group of launches is queued before the previous one is waited on), as
  // a training step keeps the GPU busy, so that the power cap's slow response
  // (seconds) has settled. Per-launch time from events around groups of
  // launches, and the SM clock sampled through NVML, over the second half of
  // the run only. reps = launches timed.
  Timing time_sustained(const std::function<void()>& launch, double seconds, cudaStream_t on = nullptr);

  // A top-level field added to every record until cleared (e.g. "regime":
  // "sustained"); params stay the simulator's kernel descriptor.
  void set_record_extra(const std::string& key, const std::string& value);
  void clear_record_extra() { extra_ = Json(); }

  // Appends one JSON Lines record. `measured` null => the kernel is recorded
  // as unsupported with `unsupported_reason`.
  void record(const std::string& id, const std::string& kernel, const Json& params, const Timing* measured,
              const std::string& implementation, const std::string& role, const Json& derived,
              const std::string& implementation_detail = "", const std::string& unsupported_reason = "");
  // Records are appended to "<out>.partial" as they are taken (a crash keeps
  // what was measured); finish() renames it onto the output path.
  void finish();

  // One line per record for the human summary printed at the end.
  void note(const std::string& line) { summary_.push_back(line); }
  const std::vector<std::string>& summary() const { return summary_; }
  size_t record_count() const { return records_.size(); }

  std::string id_prefix() const { return options_.gpu_name + "/"; }

 private:
  RunOptions options_;
  cudaDeviceProp prop_{};
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<ClockMonitor> clocks_;
  void* flush_buffer_ = nullptr;
  size_t flush_bytes_ = 0;
  unsigned* flush_sink_ = nullptr;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
  std::string driver_;
  std::string cuda_version_;
  std::string date_;
  std::vector<std::string> records_;
  std::ofstream partial_;
  std::vector<std::string> summary_;
  Json extra_;
};

// Device-side utilities shared by the suites (defined in device_util_sm90.cu).
// Fills `count` bf16 values (as uint16 bits) with seeded uniform values in
// [-1, -1/64] U [1/64, 1]: random and never zero.
void fill_random_bf16(uint16_t* data, size_t count, uint64_t seed, cudaStream_t stream);
// Fills `count` FP8 E4M3 bytes with seeded finite, non-zero values.
void fill_random_e4m3(uint8_t* data, size_t count, uint64_t seed, cudaStream_t stream);
// Fills `count` floats with seeded values in [lo, hi].
void fill_random_f32(float* data, size_t count, uint64_t seed, float lo, float hi, cudaStream_t stream);
// Fills `count` bytes with a value that is never a valid output (poisons outputs before checks).
void poison(void* data, size_t bytes, cudaStream_t stream);

// Streaming kernels (stream_kernels_sm90.cu): 16-byte accesses, grid-stride,
// 4 independent accesses in flight per thread. `bytes` must be a multiple of 16.
// read: reduces the data (sum over vectors of the XOR of their four words,
// mod 2^32) into one partial per CTA, so the loads cannot be optimised away;
// `partials` holds stream_read_partials(sm_count) entries.
size_t stream_read_partials(int sm_count);
void launch_stream_read(const void* data, size_t bytes, unsigned* partials, int sm_count, cudaStream_t stream);
void launch_stream_write(void* data, size_t bytes, int sm_count, cudaStream_t stream);
void launch_stream_copy(void* dst, const void* src, size_t bytes, int sm_count, cudaStream_t stream);

// Host-side mirror of the device generator, for CPU references.
float random_unit(uint64_t seed, uint64_t index);

// Suites (one file each).
void run_memory_ubench(BenchContext& ctx);          // ubench_hbm, ubench_l2, ubench_latency, ubench_smem
void run_tma_ubench(BenchContext& ctx);             // ubench_tma
void run_l2_sharing_ubench(BenchContext& ctx);      // ubench_l2_sharing: L2 reads under sharing and multicast
void run_l2_readers_ubench(BenchContext& ctx);      // ubench_l2_sharing: readers per line and their time apart
void run_wgmma_ubench(BenchContext& ctx);           // ubench_wgmma
void run_power_dynamics_ubench(BenchContext& ctx);  // ubench_power_dynamics: the clock's response to load steps
void run_power_ubench(BenchContext& ctx);           // ubench_power
void run_power_movement_ubench(BenchContext& ctx);  // power_movement: L2 traffic and operand toggling
void run_core_ubench(BenchContext& ctx);            // ubench_ffma, ubench_launch, ubench_gpc
void run_pipes_ubench(BenchContext& ctx);           // ubench_pipes: FFMA, FMNMX, ex2, cvt and softmax mixes per clock
// A green context holding `want` SMs of the current device (rounded by the
// driver to its SM granule; `sms` says how many it got), and a stream on it:
// kernels launched there run on those SMs only. Throws BenchError where the
// driver cannot split the GPU. The driver API is reached through the
// runtime's entry-point query, so hwbench links no libcuda and still starts
// (--help, --self-test) where no driver is installed.
struct SmPartition {
  explicit SmPartition(int want);
  ~SmPartition();
  SmPartition(const SmPartition&) = delete;
  SmPartition& operator=(const SmPartition&) = delete;
  cudaStream_t stream() const { return stream_; }
  int sms = 0;

 private:
  void* ctx_ = nullptr;  // CUgreenCtx
  cudaStream_t stream_ = nullptr;
};

void run_sm_scaling_ubench(BenchContext& ctx);          // scaling: L2/HBM read bandwidth on SM subsets
void run_power_cores_ubench(BenchContext& ctx);         // power_cores: clock under FFMA and SFU streams
void run_gemm_validation(BenchContext& ctx);            // gemm (cuBLASLt)
void run_gemm_training_validation(BenchContext& ctx);   // training: weight-gradient GEMMs, GEMMs on 112 SMs
void run_gemm_sustained_validation(BenchContext& ctx);  // sustained: training GEMMs back to back, 132 and 112 SMs
void run_gemm_forced_validation(BenchContext& ctx);     // gemm_forced: cuBLASLt GEMMs at forced tiles and clusters
void run_quant_validation(BenchContext& ctx);           // quant_1x128, quant_128x128, transpose_requant
void run_elementwise_validation(BenchContext& ctx);     // transpose, swiglu, rmsnorm, memcpy, read, write

}  // namespace hwbench
