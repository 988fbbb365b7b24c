// Simulations for hwsim.run() and the CLI commands behind hwsim.layer(),
// step(), study(), sweep() and validate(). Each call runs in a child process
// (child_process.hpp says why) with the interpreter's lock released, so other
// Python threads go on, and several calls may run at once from several
// threads. The answer is a tuple (status, result, error, output) that the
// Python layer (python/hwsim/_engine.py) turns into a value or an exception.
#include <fmt/format.h>
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "apps/hwsim/cache_options.hpp"
#include "apps/hwsim/commands.hpp"
#include "hw_proposals/proposal.hpp"
#include "models/io/atomic_file.hpp"
#include "models/spec/error.hpp"
#include "python/bindings.hpp"
#include "python/child_process.hpp"
#include "python/gpu_request.hpp"
#include "workloads/gpu_simulator.hpp"

namespace py = pybind11;

namespace hwsim::python {
namespace {

// The result cache from the CLI's own options (--cache DIR, --no-cache,
// --cache-max-mb N), so the default folder and its checks stay in one place.
ResultCacheOptions cache_from(const std::vector<std::string>& args) {
  cli::Command c;
  c.name = "cache";
  c.options = cli::cache_options();
  return cli::result_cache_options(cli::parse(c, args));
}

// The kernel as the GPU's proposals rewrite it when it runs on its own
// (proposals::rewrite_standalone, as hwsim run --kernel --proposal);
// nullopt with `why` when a proposal removes it.
std::optional<KernelDescriptor> rewritten(const KernelDescriptor& d, const std::vector<std::string>& names,
                                          std::string& why) {
  const proposals::StudyKernel k = proposals::rewrite_standalone(d.kind, d.params, names);
  if (k.change == proposals::Change::kRemoved) {
    why = k.why;
    return std::nullopt;
  }
  return KernelDescriptor{k.kernel.kind, k.kernel.params};
}

// In the child: what `hwsim run --kernel ... --out FILE` writes, for the same
// GPU, params and options (apps/hwsim/cmd_run.cpp).
std::string simulate_kernel(const nlohmann::json& req) {
  const GpuRequest g{req.at("gpu"), req.at("overrides"), req.at("proposals")};
  const HardwareSpec spec = load_gpu_request(g);
  SimOptions opt;
  opt.trace_path = req.at("trace").get<std::string>();
  if (!opt.trace_path.empty()) check_output_path(opt.trace_path);
  opt.chunk_bytes = req.at("chunk_bytes").get<std::int64_t>();
  opt.trace_max_events = req.at("trace_max_events").get<std::int64_t>();
  const ResultCacheOptions cache = cache_from(req.at("cache"));
  std::string why;
  const auto d = rewritten({req.at("kernel"), req.at("params")}, g.proposals, why);
  if (!d) return nlohmann::json({{"removed", why}}).dump();
  GpuSimulator simulator(spec, opt, cache);
  const KernelResult r = simulator.run(*d);
  simulator.write_trace();
  return r.to_json().dump(2) + "\n";
}

// In the child: one CLI command with its own arguments, exactly as the hwsim
// executable runs it; its files are the answer (the Python layer reads them).
// The result is the exit status: `sweep run` returns 1 when a point failed,
// and its tables are still the answer.
std::string run_command(const std::string& name, const std::vector<std::string>& args) {
  for (const cli::Command& c : cli::all_commands()) {
    if (c.name == name) return std::to_string(c.run(cli::parse(c, args)));
  }
  throw Error(fmt::format("internal error: no CLI command '{}'", name));
}

// Calls `progress(elapsed_s, last_line)` with the interpreter's lock held,
// after letting Python handle a pending signal (Ctrl-C raises here and stops
// the child).
TickFn ticker(const py::object& progress) {
  return [&progress](double elapsed, const std::string& line) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(elapsed, line);
  };
}

py::tuple answer(const ChildOutcome& o) {
  static const char* const kStatus[] = {"ok", "input_error", "internal_error", "crashed"};
  return py::make_tuple(kStatus[static_cast<int>(o.status)], o.result, o.error, o.output);
}

py::tuple simulate_kernel_py(const std::string& request, const py::object& progress) {
  const nlohmann::json req = nlohmann::json::parse(request);
  const TickFn tick = ticker(progress);
  ChildOutcome o;
  {
    py::gil_scoped_release release;
    o = run_in_child([&req] { return simulate_kernel(req); }, tick);
  }
  return answer(o);
}

// `executable`: the hwsim CLI the command may start (a sweep's points run
// as `hwsim run` processes), set as $HWSIM_EXECUTABLE in the child only.
py::tuple run_command_py(const std::string& name, const std::vector<std::string>& args, const std::string& executable,
                         const py::object& progress) {
  const TickFn tick = ticker(progress);
  ChildOutcome o;
  {
    py::gil_scoped_release release;
    o = run_in_child(
        [&] {
          if (!executable.empty()) ::setenv("HWSIM_EXECUTABLE", executable.c_str(), 1);
          return run_command(name, args);
        },
        tick);
  }
  return answer(o);
}

}  // namespace

void bind_simulations(py::module_& m) {
  m.def("simulate_kernel", &simulate_kernel_py, py::arg("request"), py::arg("progress"),
        "One kernel launch in a child process; request is JSON (gpu, overrides, proposals, kernel, params, "
        "chunk_bytes, trace, trace_max_events, cache). Returns (status, result, error, stdout).");
  m.def("run_command", &run_command_py, py::arg("name"), py::arg("args"), py::arg("executable"), py::arg("progress"),
        "One hwsim CLI command with its arguments in a child process. Returns (status, result, error, stdout).");
}

}  // namespace hwsim::python
