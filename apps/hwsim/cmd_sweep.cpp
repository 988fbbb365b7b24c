// hwsim sweep: design-space exploration over GPU description keys, kernel
// params and the layer's tokens (apps/hwsim/sweep/, docs/sweeps.md).
#include <fmt/format.h>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "apps/hwsim/sweep/sweep_runner.hpp"
#include "models/spec/error.hpp"

namespace hwsim::cli {

namespace {

// The integer options are range-checked when the command line is parsed (their IntRange, shown in --help).
sweep::RunOptions run_options(const Args& a) {
  sweep::RunOptions o;
  o.backend = a.get("backend");
  if (o.backend != "local" && o.backend != "slurm")
    throw Error(fmt::format("--backend {}: expected local or slurm", o.backend));
  o.dir = a.get("out");
  o.jobs = static_cast<int>(a.integer("jobs"));
  o.retry_failed = a.has("retry-failed");
  o.extra_args = cache_arguments(a);
  o.slurm.points_per_task = static_cast<int>(a.integer("points-per-task"));
  o.slurm.concurrency = static_cast<int>(a.integer("concurrency"));
  o.slurm.partition = a.maybe("partition").value_or("");
  o.slurm.account = a.maybe("account").value_or("");
  o.slurm.time = a.maybe("time").value_or("");
  o.slurm.wait = !a.has("no-wait");
  return o;
}

}  // namespace

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
  c.options = {
      {"out", "DIR", "sweep folder", ""},
      {"jobs", "N", "points run at once (local backend)", "2", false, IntRange{1, 256}},
      {"backend", "NAME", "where the points run: local (this machine) or slurm (a job array via sbatch)", "local"},
      {"retry-failed", "", "run the failed points again", ""},
      {"points-per-task", "N", "slurm: points each array task runs", "4", false, IntRange{1, 100000}},
      {"concurrency", "N", "slurm: array tasks at once (0: Slurm's choice)", "0", false, IntRange{0, 100000}},
      {"partition", "NAME", "slurm: sbatch --partition", ""},
      {"account", "NAME", "slurm: sbatch --account", ""},
      {"time", "LIMIT", "slurm: sbatch --time, per task", ""},
      {"no-wait", "", "slurm: submit and return; `hwsim sweep collect DIR` writes the tables later", ""}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (!a.has("out")) throw Error("hwsim sweep run: --out DIR is required");
    const sweep::SweepSpec s = sweep::read_sweep(a.positional().front());
    const sweep::RunOptions o = run_options(a);
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

Command sweep_collect_command() {
  Command c;
  c.name = "sweep collect";
  c.summary = "write a sweep folder's tables from the points finished so far (after a --no-wait Slurm run)";
  c.usage = "DIR";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description =
      "Rewrites DIR/results.csv, results.jsonl and timing.csv from DIR/sweep.json and the points' outcomes.";
  c.run = [](const Args& a) {
    const sweep::SweepCounts n = sweep::collect_sweep(a.positional().front());
    fmt::print("{} points: {} done, {} failed, {} pending\n", n.points, n.done, n.failed, n.pending);
    return n.failed > 0 ? 1 : 0;
  };
  return c;
}

Command sweep_exec_command() {
  Command c;
  c.name = "sweep exec";
  c.summary = "run one Slurm array task's points of a sweep (what the slurm backend's job script calls)";
  c.usage = "DIR";
  c.min_positional = 1;
  c.max_positional = 1;
  c.description = "Runs the points DIR/slurm/<batch>/tasks.json assigns to --task, one after the other.";
  c.options = {{"batch", "NAME", "the batch folder under DIR/slurm", ""}, {"task", "N", "the array task index", ""}};
  for (Option& o : cache_options()) c.options.push_back(std::move(o));
  c.run = [](const Args& a) {
    if (!a.has("batch") || !a.has("task")) throw Error("hwsim sweep exec: --batch and --task are required");
    sweep::exec_task(a.positional().front(), a.get("batch"), static_cast<int>(a.integer("task")), cache_arguments(a));
    return 0;
  };
  return c;
}

}  // namespace hwsim::cli
