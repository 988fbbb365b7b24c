#pragma once
// Runs a sweep's points on this machine (the local backend): every point is a
// resolved `hwsim run` named by the hash of its spec and the simulator
// version, kept under DIR/points/<hash>/ (spec.json, written once; result.json
// from the run; status.json; log.txt). Points run as child processes, up to
// `jobs` at once; a failing point records its error and the sweep goes on. A
// re-run skips the points that finished and (with retry_failed) retries the
// failed ones, so a sweep survives a crash or an interrupt. The table
// (results.csv, results.jsonl) holds no wall times, so an interrupted and
// resumed sweep gives the same bytes as an uninterrupted one; wall times go to
// timing.csv.
#include <filesystem>
#include <string>
#include <vector>

#include "apps/hwsim/sweep/sweep_spec.hpp"

namespace hwsim::sweep {

// The Slurm backend: the pending points as one job array (sbatch), each task
// running `points_per_task` of them through `hwsim sweep exec`; at most
// `concurrency` tasks at once (0: Slurm's choice); partition, account and time
// limit passed through when given. Nothing is copied: DIR and the hwsim binary
// must be on a filesystem the nodes share.
struct SlurmOptions {
  std::string partition, account, time;
  int points_per_task = 4;
  int concurrency = 0;
  bool wait = true;  // false: submit and return (`hwsim sweep collect DIR` later)
};

struct RunOptions {
  std::filesystem::path dir;
  int jobs = 2;
  bool retry_failed = false;
  std::vector<std::string> extra_args;  // passed to every `hwsim run` (the cache options)
  std::string backend = "local";        // local | slurm
  SlurmOptions slurm;
};

struct SweepCounts {
  int points = 0, done = 0, failed = 0, pending = 0;
};

// Checks every point (the GPU loads with its values, the kernel's params hold)
// before writing anything; throws hwsim::Error naming the point and the key.
void check_points(const SweepSpec& s, const std::vector<SweepPoint>& points);
// Runs the pending points and writes the tables; returns the counts after.
SweepCounts run_sweep(const SweepSpec& s, const RunOptions& o);
// Counts from DIR alone (sweep.json and the points' status files).
SweepCounts sweep_status(const std::filesystem::path& dir);
// Rewrites the tables from DIR alone (after a --no-wait Slurm run).
SweepCounts collect_sweep(const std::filesystem::path& dir);
// One Slurm array task: runs the points DIR/slurm/<batch>/tasks.json gives task `task`.
void exec_task(const std::filesystem::path& dir, const std::string& batch, int task,
               const std::vector<std::string>& extra_args);

}  // namespace hwsim::sweep
