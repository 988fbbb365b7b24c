#include "models/interconnect/max_min.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

#include "models/spec/error.hpp"

namespace hwsim::interconnect {
namespace {

void check_inputs(std::span<const double> capacities, std::span<const std::vector<int>* const> paths) {
  for (size_t l = 0; l < capacities.size(); ++l) {
    if (!(capacities[l] > 0))
      throw Error(fmt::format("link {}: capacity must be > 0 bytes/s, got {}", l, capacities[l]));
  }
  for (size_t f = 0; f < paths.size(); ++f) {
    if (paths[f]->empty()) throw Error(fmt::format("flow {}: its path must cross at least one link", f));
    for (int l : *paths[f]) {
      if (l < 0 || static_cast<size_t>(l) >= capacities.size()) {
        throw Error(fmt::format("flow {}: link index {} is outside 0..{}", f, l, capacities.size() - 1));
      }
    }
  }
}

// Progressive filling over the flows whose `active` flag is set. All active
// flows' rates rise together; when a link saturates, the flows crossing it
// freeze at the current level. Each round freezes at least one link, so there
// are at most (number of links) rounds.
std::vector<double> fill(std::span<const double> capacities, std::span<const std::vector<int>* const> paths,
                         const std::vector<char>& active) {
  const size_t nl = capacities.size(), nf = paths.size();
  std::vector<double> rate(nf, 0.0), remaining(capacities.begin(), capacities.end());
  std::vector<int> unfrozen_on(nl, 0);
  std::vector<std::vector<int>> flows_on(nl);
  std::vector<char> frozen(nf, 1);
  size_t unfrozen = 0;
  for (size_t f = 0; f < nf; ++f) {
    if (!active[f]) continue;
    frozen[f] = 0;
    ++unfrozen;
    for (int l : *paths[f]) {
      ++unfrozen_on[static_cast<size_t>(l)];
      flows_on[static_cast<size_t>(l)].push_back(static_cast<int>(f));
    }
  }
  double level = 0;
  while (unfrozen > 0) {
    double inc = std::numeric_limits<double>::infinity();
    for (size_t l = 0; l < nl; ++l) {
      if (unfrozen_on[l] > 0) inc = std::min(inc, remaining[l] / unfrozen_on[l]);
    }
    level += inc;
    for (size_t l = 0; l < nl; ++l) remaining[l] -= inc * unfrozen_on[l];
    for (size_t l = 0; l < nl; ++l) {
      // Saturated: the remaining capacity is a rounding residue of its capacity.
      if (unfrozen_on[l] == 0 || remaining[l] > 1e-12 * capacities[l]) continue;
      for (int f : flows_on[l]) {
        if (frozen[static_cast<size_t>(f)]) continue;
        frozen[static_cast<size_t>(f)] = 1;
        rate[static_cast<size_t>(f)] = level;
        --unfrozen;
        for (int l2 : *paths[static_cast<size_t>(f)]) --unfrozen_on[static_cast<size_t>(l2)];
      }
    }
  }
  return rate;
}

}  // namespace

std::vector<double> max_min_rates(std::span<const double> capacities, std::span<const Flow> flows) {
  std::vector<const std::vector<int>*> paths;
  paths.reserve(flows.size());
  for (const Flow& f : flows) paths.push_back(&f.links);
  check_inputs(capacities, paths);
  return fill(capacities, paths, std::vector<char>(flows.size(), 1));
}

namespace {

// The event loop over one set of flows (all of which may interact).
FlowSimulation simulate_component(std::span<const double> capacities, std::span<const TimedFlow> flows) {
  std::vector<const std::vector<int>*> paths;
  paths.reserve(flows.size());
  for (const TimedFlow& f : flows) paths.push_back(&f.links);
  const size_t nf = flows.size();
  FlowSimulation out;
  out.finish_s.assign(nf, 0.0);
  std::vector<double> left(nf);
  std::vector<char> active(nf, 0), done(nf, 0);
  for (size_t f = 0; f < nf; ++f) left[f] = flows[f].bytes;
  size_t remaining = nf;
  double now = 0;
  while (remaining > 0) {
    // Admit every flow that has started by now.
    double next_start = std::numeric_limits<double>::infinity();
    for (size_t f = 0; f < nf; ++f) {
      if (done[f] || active[f]) continue;
      if (flows[f].start_s <= now) {
        active[f] = 1;
      } else {
        next_start = std::min(next_start, flows[f].start_s);
      }
    }
    if (std::none_of(active.begin(), active.end(), [](char a) { return a != 0; })) {
      now = next_start;
      continue;
    }
    const std::vector<double> rate = fill(capacities, paths, active);
    ++out.rate_solves;
    double next_finish = std::numeric_limits<double>::infinity();
    for (size_t f = 0; f < nf; ++f) {
      if (active[f]) next_finish = std::min(next_finish, now + left[f] / rate[f]);
    }
    const double t = std::min(next_finish, next_start);
    for (size_t f = 0; f < nf; ++f) {
      if (!active[f]) continue;
      const double finish = now + left[f] / rate[f];
      if (finish <= t * (1 + 1e-9)) {
        active[f] = 0;
        done[f] = 1;
        --remaining;
        out.finish_s[f] = finish + flows[f].latency_s;
        out.makespan_s = std::max(out.makespan_s, out.finish_s[f]);
      } else {
        left[f] -= rate[f] * (t - now);
      }
    }
    now = t;
  }
  return out;
}

int find_root(std::vector<int>& parent, int x) {
  while (parent[static_cast<size_t>(x)] != x) {
    parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    x = parent[static_cast<size_t>(x)];
  }
  return x;
}

}  // namespace

FlowSimulation simulate_flows(std::span<const double> capacities, std::span<const TimedFlow> flows) {
  std::vector<const std::vector<int>*> paths;
  paths.reserve(flows.size());
  for (size_t f = 0; f < flows.size(); ++f) {
    paths.push_back(&flows[f].links);
    if (!(flows[f].bytes > 0)) throw Error(fmt::format("flow {}: bytes must be > 0, got {}", f, flows[f].bytes));
    if (flows[f].start_s < 0 || flows[f].latency_s < 0) {
      throw Error(fmt::format("flow {}: start and latency must be >= 0", f));
    }
  }
  check_inputs(capacities, paths);

  // Flows that share no link, directly or through other flows, never affect
  // each other's rates: simulate each connected component on its own (exact,
  // and what keeps skewed traffic on 2,048 GPUs tractable: an EP all-to-all
  // falls apart into one component per plane and EP group).
  std::vector<int> parent(capacities.size());
  for (size_t l = 0; l < parent.size(); ++l) parent[l] = static_cast<int>(l);
  for (const TimedFlow& f : flows) {
    const int a = find_root(parent, f.links.front());
    for (int l : f.links) parent[static_cast<size_t>(find_root(parent, l))] = a;
  }
  std::map<int, std::vector<size_t>> members;  // root link -> flows, in flow order
  for (size_t f = 0; f < flows.size(); ++f) members[find_root(parent, flows[f].links.front())].push_back(f);

  FlowSimulation out;
  out.finish_s.assign(flows.size(), 0.0);
  for (const auto& [root, idx] : members) {
    std::map<int, int> local;  // global link -> component link
    std::vector<double> cap;
    std::vector<TimedFlow> sub;
    sub.reserve(idx.size());
    for (size_t f : idx) {
      TimedFlow t = flows[f];
      for (int& l : t.links) {
        auto [it, fresh] = local.emplace(l, static_cast<int>(cap.size()));
        if (fresh) cap.push_back(capacities[static_cast<size_t>(l)]);
        l = it->second;
      }
      sub.push_back(std::move(t));
    }
    const FlowSimulation part = simulate_component(cap, sub);
    for (size_t i = 0; i < idx.size(); ++i) out.finish_s[idx[i]] = part.finish_s[i];
    out.makespan_s = std::max(out.makespan_s, part.makespan_s);
    out.rate_solves += part.rate_solves;
  }
  return out;
}

}  // namespace hwsim::interconnect
