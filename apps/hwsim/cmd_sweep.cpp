// hwsim sweep: design-space exploration over GPU description keys, kernel
// params and the layer's tokens (apps/hwsim/sweep/, docs/sweeps.md).
#include <fmt/format.h>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/sweep/sweep_runner.hpp"
#include "models/spec/error.hpp"

namespace hwsim::cli {

Command sweep_run_command() {
  Command c;
  c.name = "sweep run";
  c.summary = "run a sweep file's points (resumable; a re-run finishes only what is missing)";
  c.usage = "FILE";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description =
      "Expands the sweep file's axes (grid, random or Latin hypercube from its seed) into points, checks every point\n"
      "before writing anything, then runs each as `hwsim run` in a process of its own, --jobs at once, under\n"
      "--out/points/<hash>/ (the hash of the point's resolved run and the simulator version). A failing point records\n"
      "its error; the sweep goes on. Re-running skips finished points (--retry-failed also reruns the failed ones).\n"
      "Writes results.csv and results.jsonl (one row per point, in the points' order) and timing.csv.";
  c.options = {{"out", "DIR", "sweep folder", ""},
               {"jobs", "N", "points run at once", "2"},
               {"backend", "NAME", "where the points run: local (this machine)", "local"},
               {"retry-failed", "", "run the failed points again", ""}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (!a.has("out")) throw Error("hwsim sweep run: --out DIR is required");
    if (a.get("backend") != "local")
      throw Error(fmt::format("--backend {}: this build runs sweeps on the local machine only (--backend local)",
                              a.get("backend")));
    const long long jobs = a.integer("jobs");
    if (jobs < 1 || jobs > 256) throw Error(fmt::format("--jobs {} must be in 1..256", jobs));
    const sweep::SweepSpec s = sweep::read_sweep(a.positional().front());
    sweep::RunOptions o;
    o.dir = a.get("out");
    o.jobs = static_cast<int>(jobs);
    o.retry_failed = a.has("retry-failed");
    o.extra_args = cache_arguments(a);
    const sweep::SweepCounts n = sweep::run_sweep(s, o);
    fmt::print("sweep: {} points: {} done, {} failed, {} pending -> {}/results.csv\n", n.points, n.done, n.failed,
               n.pending, o.dir.string());
    return n.failed > 0 ? 1 : 0;
  };
  return c;
}

Command sweep_status_command() {
  Command c;
  c.name = "sweep status";
  c.summary = "what a sweep folder holds: points done, failed and pending";
  c.usage = "DIR";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description = "Reads DIR/sweep.json and each point's status; prints the counts.";
  c.run = [](const Args& a) {
    const sweep::SweepCounts n = sweep::sweep_status(a.positional().front());
    fmt::print("{} points: {} done, {} failed, {} pending\n", n.points, n.done, n.failed, n.pending);
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
