#include "models/power/controller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "models/power/dvfs.hpp"
#include "models/spec/error.hpp"

namespace hwsim {
namespace {

// Steps per launch: a launch far shorter than tau sees one budget; a longer
// one is integrated in steps of at most tau/16 (the budget changes by ~6% of
// its range per step), at most 64.
int steps_for(double time_us, double tau_us) {
  return std::clamp(static_cast<int>(std::ceil(16.0 * time_us / tau_us)), 1, 64);
}

// x relaxes toward p for dt: the exact solution of dx/dt = (p - x) / tau.
double relax(double x, double p, double dt_us, double tau_us) { return p + (x - p) * std::exp(-dt_us / tau_us); }

}  // namespace

nlohmann::json to_json(const PowerLoad& k) {
  return {{"time_us", k.time_us},
          {"gap_us", k.gap_us},
          {"tensor_busy", k.tensor_busy},
          {"mma_type", std::string(to_string(k.mma_type))},
          {"beside_hbm_TBps", k.beside_hbm_TBps},
          {"own_hbm_TBps", k.own_hbm_TBps},
          {"own_l2_TBps", k.own_l2_TBps}};
}

std::optional<PowerLoad> power_load_from_detail(const nlohmann::json& detail) {
  if (!detail.is_object() || !detail.contains("power_load")) return std::nullopt;
  const auto& j = detail.at("power_load");
  PowerLoad k;
  k.time_us = j.at("time_us").get<double>();
  k.gap_us = j.at("gap_us").get<double>();
  k.tensor_busy = j.at("tensor_busy").get<double>();
  k.mma_type = parse_data_type(j.at("mma_type").get<std::string>(), "power_load.mma_type");
  k.beside_hbm_TBps = j.at("beside_hbm_TBps").get<double>();
  k.own_hbm_TBps = j.at("own_hbm_TBps").get<double>();
  k.own_l2_TBps = j.at("own_l2_TBps").get<double>();
  return k;
}

PowerController::PowerController(const HardwareSpec& spec) : spec_(&spec) {}

double PowerController::budget() const {
  const PowerParams& p = spec_->power;
  return std::min(p.fast_budget, 1.0 + p.rested_headroom * (1.0 - heat_));
}

void PowerController::rest(double us) {
  if (us <= 0) return;
  heat_ = relax(heat_, 0.0, us, spec_->power.response_tau_ms * 1000);
  idle_us_ += us;
}

double wake_latency_us(const HardwareSpec& spec, double idle_ms) {
  const auto& x = spec.power.wake_idle_ms;
  const auto& y = spec.power.wake_latency_us;
  if (idle_ms <= x.front()) return y.front();
  for (size_t i = 1; i < x.size(); ++i) {
    if (idle_ms <= x[i]) return y[i - 1] + (y[i] - y[i - 1]) * (idle_ms - x[i - 1]) / (x[i] - x[i - 1]);
  }
  return y.back();
}

LaunchClock PowerController::run(const PowerLoad& k) {
  rest(k.gap_us);
  const double tau_us = spec_->power.response_tau_ms * 1000;
  LaunchClock out;
  // The GPU wakes before the kernel starts (the table is the excess over a
  // launch right behind another), idle meanwhile.
  out.wake_us = wake_latency_us(*spec_, idle_us_ / 1000);
  rest(out.wake_us);
  idle_us_ = 0;
  out.heat_before = heat_;
  out.budget_before = budget();
  const int n = steps_for(k.time_us, tau_us);
  double elapsed = 0, busy_time = 0, clock_time = 0;
  for (int i = 0; i < n; ++i) {
    const DvfsResult r = power_capped_clock(*spec_, k.tensor_busy, k.mma_type, k.beside_hbm_TBps, k.own_hbm_TBps,
                                            k.own_l2_TBps, budget());
    const double dt = k.time_us / n * r.time_scale;
    out.trajectory.emplace_back(elapsed, r.sm_clock_mhz);
    elapsed += dt;
    busy_time += r.tensor_busy * dt;
    clock_time += r.sm_clock_mhz * dt;
    heat_ = relax(heat_, r.drawn, dt, tau_us);
  }
  out.trajectory.emplace_back(elapsed, out.trajectory.back().second);
  out.time_scale = k.time_us > 0 ? elapsed / k.time_us : 1.0;
  out.clock_mhz = elapsed > 0 ? clock_time / elapsed : spec_->clock.sm_MHz;
  out.tensor_busy = elapsed > 0 ? busy_time / elapsed : k.tensor_busy;
  out.heat_after = heat_;
  return out;
}

// One launch and its gap from heat x0 gives x1(x0), increasing in x0 with a
// slope below 1; the periodic heat is its fixed point, found by bisection.
double PowerController::settled_heat(const PowerLoad& k) const {
  const double hi0 = std::max(1.0, spec_->power.fast_budget);
  double lo = 0, hi = hi0;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    PowerController c(*spec_);
    c.set_heat(mid);
    c.run(k);
    (c.heat() > mid ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string PowerHistory::describe() const {
  switch (kind) {
    case Kind::kSustained:
      return "sustained";
    case Kind::kIdle:
      return fmt::format("idle:idle_before_ms={}", idle_before_ms);
    case Kind::kTrain:
      return fmt::format("train:idle_before_ms={},launches={},gap_us={}", idle_before_ms, launches, gap_us);
  }
  return "sustained";
}

namespace {

double history_number(const std::string& key, const std::string& value, const std::string& what) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || !std::isfinite(v) || v < 0 || v > 1e9) {
    throw Error(fmt::format("{}: {}={} must be a finite number in 0..1e9", what, key, value));
  }
  return v;
}

}  // namespace

PowerHistory parse_power_history(const std::string& text, const std::string& what) {
  PowerHistory h;
  const std::size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (kind == "sustained") {
    h.kind = PowerHistory::Kind::kSustained;
  } else if (kind == "idle") {
    h.kind = PowerHistory::Kind::kIdle;
  } else if (kind == "train") {
    h.kind = PowerHistory::Kind::kTrain;
  } else {
    throw Error(
        fmt::format("{}: unknown regime '{}'; expected sustained, idle or train (with optional "
                    ":idle_before_ms=,launches=,gap_us=)",
                    what, kind));
  }
  if (colon == std::string::npos) return h;
  std::stringstream settings(text.substr(colon + 1));
  std::string item;
  while (std::getline(settings, item, ',')) {
    const std::size_t eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    const double v = history_number(key, value, what);
    if (key == "idle_before_ms" && h.kind != PowerHistory::Kind::kSustained) {
      h.idle_before_ms = v;
    } else if (key == "launches" && h.kind == PowerHistory::Kind::kTrain) {
      if (v < 1 || v > 100000 || v != std::floor(v))
        throw Error(fmt::format("{}: launches={} must be a whole number in 1..100000", what, value));
      h.launches = static_cast<int>(v);
    } else if (key == "gap_us" && h.kind == PowerHistory::Kind::kTrain) {
      h.gap_us = v;
    } else {
      throw Error(
          fmt::format("{}: '{}' is not a setting of regime {} (idle: idle_before_ms; train: "
                      "idle_before_ms, launches, gap_us; sustained: none)",
                      what, key, kind));
    }
  }
  return h;
}

HistoryOutcome run_in_history(const HardwareSpec& spec, const PowerLoad& k, const PowerHistory& history) {
  PowerController c(spec);
  HistoryOutcome out;
  if (history.kind == PowerHistory::Kind::kSustained) {
    c.set_heat(c.settled_heat(k));
    out.launch = c.run(k);
    return out;
  }
  // Before the idle time the GPU ran this kernel for long (the heat it settles
  // at); a long idle rests it fully, a short one only partly.
  c.set_heat(c.settled_heat(k));
  c.rest(history.idle_before_ms * 1000);
  if (history.kind == PowerHistory::Kind::kIdle) {
    out.launch = c.run(k);
    return out;
  }
  std::vector<LaunchClock> runs;
  for (int i = 0; i < history.launches; ++i) {
    PowerLoad each = k;
    if (i > 0) each.gap_us += history.gap_us;
    runs.push_back(c.run(each));
    out.train_time_scales.push_back(runs.back().time_scale);
  }
  // The median launch by time (the lower middle one for an even count).
  std::vector<std::size_t> order(runs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto total = [&](std::size_t i) { return runs[i].wake_us + k.time_us * runs[i].time_scale; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return total(a) < total(b); });
  out.launch = runs[order[(order.size() - 1) / 2]];
  return out;
}

namespace {

// One pass of the sequence from heat x0; fills `items` when given.
double sequence_pass(const HardwareSpec& spec, const std::vector<SequenceItem>& sequence, double x0,
                     std::vector<LaunchClock>* items) {
  PowerController c(spec);
  c.set_heat(x0);
  for (const SequenceItem& it : sequence) {
    LaunchClock mean;
    double time = 0, clock_time = 0, busy_time = 0, wake = 0;
    for (int i = 0; i < it.count; ++i) {
      const LaunchClock one = c.run(it.load);
      if (i == 0) mean = one;
      wake += one.wake_us;
      const double t = it.load.time_us * one.time_scale;
      time += t;
      clock_time += one.clock_mhz * t;
      busy_time += one.tensor_busy * t;
    }
    if (items == nullptr) continue;
    const double at_max = it.load.time_us * std::max(it.count, 1);
    mean.time_scale = at_max > 0 ? time / at_max : 1.0;
    mean.clock_mhz = time > 0 ? clock_time / time : mean.clock_mhz;
    mean.tensor_busy = time > 0 ? busy_time / time : mean.tensor_busy;
    mean.wake_us = wake / std::max(it.count, 1);
    mean.heat_after = c.heat();
    items->push_back(std::move(mean));
  }
  return c.heat();
}

}  // namespace

SequenceOutcome run_periodic_sequence(const HardwareSpec& spec, const std::vector<SequenceItem>& sequence) {
  // pass(x0) increases with x0 at a slope below 1 (the heat forgets its start
  // over the pass): bisection finds the periodic heat.
  double lo = 0, hi = std::max(1.0, spec.power.fast_budget);
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    (sequence_pass(spec, sequence, mid, nullptr) > mid ? lo : hi) = mid;
  }
  SequenceOutcome out;
  out.periodic_heat = 0.5 * (lo + hi);
  sequence_pass(spec, sequence, out.periodic_heat, &out.items);
  return out;
}

}  // namespace hwsim
