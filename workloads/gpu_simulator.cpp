#include "workloads/gpu_simulator.hpp"

#include <fmt/format.h>

#include "models/power/controller.hpp"
#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "sim/engine/time.hpp"
#include "workloads/simulator_version.hpp"

namespace hwsim {
namespace {
// FNV-1a of the kernel's name and tensors: launches that move the same
// tensors name the same buffers (equivalent descriptors, e.g. with and without
// a defaulted param, therefore give identical results).
std::uint64_t buffer_tag(const sim::KernelProgram& p) {
  std::string id = p.name;
  for (const auto& t : p.tensors)
    id +=
        "|" + t.name + ":" + std::to_string(t.rows) + "x" + std::to_string(t.cols) + "x" + std::to_string(t.elem_bytes);
  std::uint64_t h = 1469598103934665603ULL;
  for (char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

KernelDescriptor GpuSimulator::without_launch_only_params(const KernelDescriptor& d) {
  KernelDescriptor sim_d = d;
  if (sim_d.params.is_object()) {
    sim_d.params.erase("beside_hbm_GBps");
    sim_d.params.erase("regime");
  }
  return sim_d;
}

void GpuSimulator::store_exact(DiskCache& disk, const std::string& key, const KernelResult& raw) {
  const std::string payload = raw.to_json().dump();
  bool exact = false;
  try {
    exact = KernelResult::from_json(nlohmann::json::parse(payload)).to_json().dump() == payload;
  } catch (const std::exception&) {
  }
  if (exact) disk.store(key, payload);
}

GpuSimulator::GpuSimulator(const HardwareSpec& spec, const SimOptions& options, const ResultCacheOptions& cache)
    : gpu_(spec, options),
      config_(resolved_config_json(spec)),
      config_dump_(config_.dump()),
      // A trace records every launch; with the L2 carried over, a repeat
      // launch finds a warm L2 and is not the same simulation.
      cacheable_(options.trace_path.empty() && !options.carry_l2) {
  if (cacheable_ && !cache.dir.empty()) {
    disk_ = std::make_unique<DiskCache>(DiskCacheOptions{cache.dir, std::string(simulator_version()), cache.max_bytes});
    if (!disk_->usable()) disk_.reset();
  }
}

std::string GpuSimulator::result_key(const KernelDescriptor& d) const {
  const KernelDescriptor sim_d = without_launch_only_params(d);
  // nlohmann::json keeps object keys sorted, so dump() is canonical.
  return fmt::format("hwsim kernel result\nsimulator {}\nkind {}\nparams {}\nchunk_bytes {}\nspec {}\n",
                     simulator_version(), sim_d.kind, sim_d.params.dump(), gpu_.options().chunk_bytes, config_dump_);
}

sim::KernelProgram GpuSimulator::program(const KernelDescriptor& d, const std::vector<int>& sms) const {
  sim::KernelProgram p = build_program(d, KernelContext{gpu_.spec(), gpu_.sm_count(sms)});
  p.buffer_tag = buffer_tag(p);
  return p;
}

// A disk entry is served only if it parses into a whole KernelResult; anything
// else is reported, deleted and simulated again. A fresh result is stored only
// if its JSON form reads back to the same bytes (a non-finite number would not:
// store_exact).
KernelResult GpuSimulator::simulate_or_load(const KernelDescriptor& sim_d) {
  std::string key;
  if (disk_) {
    key = result_key(sim_d);
    if (auto payload = disk_->find(key)) {
      try {
        return KernelResult::from_json(nlohmann::json::parse(*payload));
      } catch (const std::exception& e) {
        const auto file = disk_->entry_path(key);
        fmt::print(stderr,
                   "hwsim: warning: result cache: entry '{}' does not hold a kernel result ({}); deleted, "
                   "the result is computed again\n",
                   file.string(), e.what());
        std::error_code ec;
        std::filesystem::remove(file, ec);
      }
    }
  }
  KernelResult raw = run_concurrent({StreamRequest{{sim_d}, {}}})[0][0];
  if (disk_) store_exact(*disk_, key, raw);
  return raw;
}

std::vector<int> GpuSimulator::sm_set(const KernelDescriptor& d, const std::vector<int>& stream_sms) const {
  std::vector<int> set = stream_sms;
  const int n = launch_options(d, gpu_.spec().sm.count).sms;
  if (n > 0) {
    if (set.empty()) {
      for (int i = 0; i < n; ++i) set.push_back(i);
    } else if (n < static_cast<int>(set.size())) {
      set.resize(static_cast<size_t>(n));
    }
  }
  return set;
}

KernelResult GpuSimulator::run_unthrottled(const KernelDescriptor& d) {
  // beside_hbm_GBps and regime change only the power cap, applied after the simulation:
  // launches that differ in it alone share one simulation (each launch starts
  // from a flushed L2, so a repeat would give the same result).
  const KernelDescriptor sim_d = without_launch_only_params(d);
  const std::string key = memory_key(sim_d);
  auto it = unthrottled_.find(key);
  if (it == unthrottled_.end() || !cacheable_) {
    KernelResult raw = cacheable_ ? simulate_or_load(sim_d) : run_concurrent({StreamRequest{{sim_d}, {}}})[0][0];
    it = unthrottled_.insert_or_assign(key, std::move(raw)).first;
  }
  KernelResult r = it->second;
  r.params = d.params;
  return r;
}

KernelResult GpuSimulator::run(const KernelDescriptor& d) {
  KernelResult r = run_unthrottled(d);
  apply_power_cap(r, launch_options(d, gpu_.spec().sm.count));
  return r;
}

// What a launch simulated at the maximum clock draws from the power budget.
PowerLoad GpuSimulator::power_load(const KernelResult& r, const LaunchOptions& o) const {
  PowerLoad k;
  const auto busy = r.busy.find("tensor_core");
  const std::string dtype = r.params.is_object() ? r.params.value("a_dtype", "bf16") : "bf16";
  k.mma_type = parse_data_type(dtype, "kernel " + r.kernel + ": param a_dtype");
  // The budget is the whole GPU's: SMs the launch does not use draw no tensor power.
  const int used = o.sms > 0 ? o.sms : gpu_.spec().sm.count;
  k.tensor_busy = busy == r.busy.end() ? 0.0 : busy->second * used / gpu_.spec().sm.count;
  k.time_us = r.kernel_time_us;
  k.gap_us = r.launch_overhead_us;
  // HBM traffic on the GPU meanwhile: this launch's (at the maximum clock) and
  // what kernels beside it move (param beside_hbm_GBps, e.g. communication).
  const double t_s = sim::seconds_from_us(r.time_us);
  k.own_hbm_TBps = t_s > 0 ? (r.bytes.at("hbm_read") + r.bytes.at("hbm_write")) / t_s / 1e12 : 0.0;
  // Traffic the L2 serves on chip: reads it hits (its read traffic less what it
  // fetched from HBM) and writes and reductions it absorbs (less what it wrote
  // back to HBM). Writes are priced like reads (the calibration streams reads;
  // both cross the same SM-L2 network), an assumption (docs/engine.md, "Power").
  const double l2_hit_reads = std::max(0.0, r.bytes.at("l2_read") - r.bytes.at("hbm_read"));
  const double l2_kept_writes = std::max(0.0, r.bytes.at("l2_write") - r.bytes.at("hbm_write"));
  k.own_l2_TBps = t_s > 0 ? (l2_hit_reads + l2_kept_writes) / t_s / 1e12 : 0.0;
  k.beside_hbm_TBps = o.beside_hbm_GBps / 1000;
  return k;
}

// Rescales a result simulated at the maximum clock to the clock the power
// controller gave it; the unthrottled figures are kept under launch.power.
void GpuSimulator::apply_clock(KernelResult& r, const LaunchOptions& o, const PowerLoad& k, const LaunchClock& c,
                               const std::string& regime) const {
  nlohmann::json trajectory = nlohmann::json::array();
  for (const auto& [t, mhz] : c.trajectory) trajectory.push_back({t, mhz});
  r.launch["power"] = {{"regime", regime},
                       {"max_clock_mhz", gpu_.spec().clock.sm_MHz},
                       {"clock_mhz", c.clock_mhz},
                       {"hbm_TBps", k.own_hbm_TBps + k.beside_hbm_TBps},
                       {"l2_onchip_TBps", k.own_l2_TBps},
                       {"budget_at_start", c.budget_before},
                       {"heat_at_start", c.heat_before},
                       {"heat_at_end", c.heat_after},
                       {"clock_trajectory", trajectory},
                       {"time_us_at_max_clock", r.time_us},
                       {"throttled", c.time_scale > 1.0}};
  if (c.wake_us > 0) {
    // Waking from idle lengthens the launch's gap, not the kernel.
    r.launch["power"]["wake_us"] = c.wake_us;
    r.launch_overhead_us += c.wake_us;
    r.time_us = r.kernel_time_us + r.launch_overhead_us;
  }
  if (c.time_scale <= 1.0) return;
  const int used = o.sms > 0 ? o.sms : gpu_.spec().sm.count;
  r.kernel_time_us *= c.time_scale;
  r.time_us = r.kernel_time_us + r.launch_overhead_us;
  r.sm_clock_mhz = c.clock_mhz;
  r.cycles = static_cast<std::int64_t>(r.time_us * c.clock_mhz + 0.5);
  for (auto& [unit, frac] : r.busy) {
    frac = unit == "tensor_core" ? c.tensor_busy * gpu_.spec().sm.count / used : frac / c.time_scale;
  }
  for (auto& [what, rate] : r.achieved) rate /= c.time_scale;
}

// The power cap (models/power/): a kernel that keeps the tensor cores busy
// runs at the lower clock the 700 W budget allows in the launch's power
// history (history_: sustained unless set).
void GpuSimulator::apply_power_cap(KernelResult& r, const LaunchOptions& o) const {
  const PowerLoad k = power_load(r, o);
  const PowerHistory& history = o.history ? *o.history : history_;
  const HistoryOutcome h = run_in_history(gpu_.spec(), k, history);
  apply_clock(r, o, k, h.launch, history.describe());
  if (!h.train_time_scales.empty()) r.launch["power"]["train_time_scales"] = h.train_time_scales;
}

std::vector<std::vector<KernelResult>> GpuSimulator::run_concurrent(const std::vector<StreamRequest>& streams) {
  std::vector<std::vector<sim::KernelProgram>> programs(streams.size());
  std::vector<sim::StreamLaunch> launches(streams.size());
  for (size_t s = 0; s < streams.size(); ++s) {
    programs[s].reserve(streams[s].kernels.size());
    std::vector<int> sms;
    for (const KernelDescriptor& d : streams[s].kernels) {
      sms = sm_set(d, streams[s].sms);
      const KernelContext ctx{gpu_.spec(), gpu_.sm_count(sms)};
      programs[s].push_back(build_program(d, ctx));
      programs[s].back().buffer_tag = buffer_tag(programs[s].back());
    }
    // A stream's kernels share its SM set (the last kernel's `sms` restricts
    // it only for a single-kernel stream).
    launches[s].sms = streams[s].kernels.size() == 1 ? sms : streams[s].sms;
    for (const auto& p : programs[s]) launches[s].kernels.push_back(&p);
  }
  const auto stats = gpu_.run(launches);
  std::vector<std::vector<KernelResult>> out(streams.size());
  for (size_t s = 0; s < streams.size(); ++s) {
    for (size_t i = 0; i < programs[s].size(); ++i) {
      KernelResult r = sim::make_result(gpu_.spec(), gpu_.sm_clock(), programs[s][i], stats[s][i]);
      r.params = streams[s].kernels[i].params;
      r.config = config_;
      out[s].push_back(std::move(r));
    }
  }
  return out;
}

}  // namespace hwsim
