#pragma once
// GpuSimulator: the library API other commands build on. Constructed once per
// process from a HardwareSpec (SystemC elaborates once), it turns kernel
// descriptors into programs and runs them: one launch at a time (a CUDA
// stream), or several streams concurrently on SM subsets that share L2 and
// HBM. Each launch starts with a flushed L2 unless SimOptions::carry_l2.
// Single launches are cached before the power cap: in memory for the life of
// the simulator, and on disk across runs and processes when a result cache
// folder is given (docs/engine.md, "The result cache").
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/io/disk_cache.hpp"
#include "models/power/controller.hpp"
#include "models/spec/hardware_spec.hpp"
#include "sim/gpu/gpu.hpp"
#include "sim/gpu/kernel_result.hpp"
#include "workloads/kernel_descriptor.hpp"

namespace hwsim {

using sim::KernelResult;
using sim::SimOptions;

struct StreamRequest {
  std::vector<KernelDescriptor> kernels;  // back to back on this stream
  std::vector<int> sms;                   // SM ids; empty = all
};

// Where single launches' results are kept across runs: DIR/<simulator_version()>/.
// An empty dir keeps them in memory only.
struct ResultCacheOptions {
  std::filesystem::path dir;
  std::int64_t max_bytes = 1LL << 30;  // the whole folder, every version's entries
};

class GpuSimulator {
 public:
  explicit GpuSimulator(const HardwareSpec& spec, const SimOptions& options = {}, const ResultCacheOptions& cache = {});

  // Throws hwsim::Error for unknown kernels, bad params or kernels that cannot
  // run on this GPU (e.g. a tile larger than shared memory). A single launch
  // is rescaled to the clock the power cap allows (models/power/dvfs.hpp);
  // concurrent streams run at clock.sm_MHz.
  KernelResult run(const KernelDescriptor& d);
  std::vector<std::vector<KernelResult>> run_concurrent(const std::vector<StreamRequest>& streams);
  // The power history single launches run in (models/power/controller.hpp);
  // sustained unless set.
  void set_power_history(const PowerHistory& h) { history_ = h; }
  const PowerHistory& power_history() const { return history_; }
  // A launch at the maximum clock, before the power cap: simulated, or taken
  // from the result cache (in memory, then on disk), identical to the last bit.
  KernelResult run_unthrottled(const KernelDescriptor& d);
  // The disk cache's key of a launch (what determines its unthrottled result):
  // the simulator version, the kernel kind and params without the launch-only
  // ones (regime, beside_hbm_GBps), the chunk size and the resolved GPU description.
  std::string result_key(const KernelDescriptor& d) const;
  // What a result of run_unthrottled() draws, and that result at the clock a
  // controller gave it (for sequences that carry the power state, e.g. a layer).
  PowerLoad power_load(const KernelResult& raw, const LaunchOptions& o) const;
  void apply_clock(KernelResult& r, const LaunchOptions& o, const PowerLoad& k, const LaunchClock& c,
                   const std::string& regime) const;
  // Simulates the distinct launches among `ds` that are not yet kept, in up to
  // `jobs` processes at once: this one and forked children, each taking the
  // next unclaimed launch, the costliest first.
  // Children hand their results over through the disk cache (a private
  // temporary one without a cache folder); a result that does not arrive is
  // simulated here. Afterwards run_unthrottled() returns each from memory,
  // identical to a serial run's.
  void prefetch(const std::vector<KernelDescriptor>& ds, int jobs);
  // Writes the Chrome trace of everything simulated so far (if enabled).
  void write_trace() const { gpu_.write_trace(); }
  const HardwareSpec& spec() const { return gpu_.spec(); }

 private:
  std::vector<int> sm_set(const KernelDescriptor& d, const std::vector<int>& stream_sms) const;
  void apply_power_cap(KernelResult& r, const LaunchOptions& o) const;
  KernelResult simulate_or_load(const KernelDescriptor& d);
  void simulate_claimed(const std::vector<KernelDescriptor>& ds, const std::filesystem::path& claims, bool child,
                        DiskCache& handover);
  void collect(const KernelDescriptor& d, DiskCache& handover);
  double cost_estimate(const KernelDescriptor& d) const;
  // The descriptor that is simulated: without the params that change only the
  // power cap (regime, beside_hbm_GBps), applied afterwards.
  static KernelDescriptor without_launch_only_params(const KernelDescriptor& d);
  static std::string memory_key(const KernelDescriptor& sim_d) { return sim_d.kind + sim_d.params.dump(); }
  // Files a fresh result only if its JSON form reads back to the same bytes.
  static void store_exact(DiskCache& disk, const std::string& key, const KernelResult& raw);
  sim::KernelProgram program(const KernelDescriptor& d, const std::vector<int>& sms) const;
  sim::Gpu gpu_;
  nlohmann::json config_;
  std::string config_dump_;  // config_ in canonical form, for result_key()
  bool cacheable_ = true;
  std::unique_ptr<DiskCache> disk_;  // null: results stay in this process
  PowerHistory history_;
  std::map<std::string, KernelResult> unthrottled_;  // single launches before the power cap, by kind + params
};

}  // namespace hwsim
