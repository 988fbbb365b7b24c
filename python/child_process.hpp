#pragma once
// Runs one piece of simulator work in a forked child process and waits for it
// (python/, docs/python.md). SystemC's simulation context is global and
// elaborates once per process (docs/engine.md), so the interpreter's process
// never simulates: every call gets a fresh child, which is also what lets
// several Python threads simulate at once, each waiting on its own child.
//
// Contract: `work` runs in the child with stdout and stderr captured to files;
// it returns the result text or throws hwsim::Error (bad input: its message is
// the CLI's). The parent polls the child and calls `tick` about twice a second
// (progress bars, Ctrl-C); an exception from `tick` stops the child with
// SIGTERM (its own interrupt cleanup removes its temporary files and stops
// its children) and propagates. The temporary folder is removed afterwards.
#include <functional>
#include <string>

namespace hwsim::python {

struct ChildOutcome {
  enum class Status { kOk, kInputError, kInternalError, kCrashed };
  Status status = Status::kCrashed;
  std::string result;  // kOk: what `work` returned
  std::string error;   // otherwise: the one-line message
  std::string output;  // what the child printed on stdout
};

// elapsed seconds, the last line the child wrote so far (stdout, else stderr)
using TickFn = std::function<void(double, const std::string&)>;

ChildOutcome run_in_child(const std::function<std::string()>& work, const TickFn& tick);

}  // namespace hwsim::python
