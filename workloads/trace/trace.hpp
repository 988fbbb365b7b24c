#pragma once
// A PyTorch profiler trace (Kineto's Chrome-trace JSON, optionally gzipped)
// reduced to what a what-if needs: the CPU ops with their input shapes and
// dtypes (recorded with record_shapes=True), the CUDA runtime calls that
// launch work, the GPU kernels, memcpys and memsets with their streams, the
// CUDA synchronisation events and the ProfilerStep#N iteration marks. Only
// these fields are kept, so memory grows with the number of events and not
// with the size of their text (docs/traces.md).
//
// Format: PyTorch's Kineto output (torch.profiler, PyTorch >= 2.0): a
// top-level object whose "traceEvents" array holds "ph":"X" events with
// "cat" cpu_op, cuda_runtime, cuda_driver, kernel, gpu_memcpy, gpu_memset,
// cuda_sync, user_annotation and gpu_user_annotation; times in microseconds.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hwsim::trace {

// An operator on the CPU (aten::mm, autograd::engine::evaluate_function: ...).
struct CpuOp {
  std::string name;
  double ts = 0, dur = 0;  // us
  std::int64_t pid = 0, tid = 0;
  std::int64_t external_id = -1;
  std::int64_t sequence = -1;    // "Sequence number": ties a backward op to its forward op
  std::int64_t fwd_tid = -1;     // "Fwd thread id": 0 on forward ops, the forward thread on backward ops
  bool has_shapes = false;       // "Input Dims" present
  nlohmann::json dims = {};      // "Input Dims": one entry per input ([] for scalars, nested for lists)
  nlohmann::json types = {};     // "Input type": "c10::BFloat16", "float", "Scalar", "TensorList", ...
  nlohmann::json concrete = {};  // "Concrete Inputs": scalars as strings ("True", "0.")
  nlohmann::json comm = {};      // record_param_comms: "Collective name", "In/Out msg nelems", "Group size", "dtype"
};

// A CUDA runtime or driver call (cudaLaunchKernel, cudaMemcpyAsync,
// cudaStreamSynchronize, ...).
struct RuntimeCall {
  std::string name;
  double ts = 0, dur = 0;
  std::int64_t pid = 0, tid = 0;
  std::int64_t correlation = -1;
  std::int64_t external_id = -1;
};

enum class GpuKind { kKernel, kMemcpy, kMemset };
std::string to_string(GpuKind k);

// Work on the GPU: a kernel, memcpy or memset, in the order it ran.
struct GpuOp {
  GpuKind kind = GpuKind::kKernel;
  std::string name;
  double ts = 0, dur = 0;
  std::int64_t pid = 0;  // the device, as Kineto numbers GPU processes
  std::int64_t device = 0, stream = 0;
  std::int64_t correlation = -1;
  std::int64_t external_id = -1;
  std::int64_t bytes = 0;        // memcpy, memset
  std::int64_t grid_blocks = 0;  // kernels: the launch grid's blocks (x * y * z); 0 when not recorded
  nlohmann::json comm = {};      // NCCL kernels (PyTorch >= 2.2): the collective's args, as on CpuOp
};

// A CUDA synchronisation the GPU side recorded ("cat":"cuda_sync", PyTorch
// >= 2.4 profiling with _ExperimentalConfig(enable_cuda_sync_events=True);
// field names from libkineto's CudaMetadataFields): "Stream Wait Event" makes `stream`
// wait for the work `wait_on_stream` had when the event was recorded (the
// cudaEventRecord call with correlation `event_record_correlation`);
// "Stream Sync", "Event Sync" and "Context Sync" block the CPU.
struct SyncEvent {
  std::string name;
  double ts = 0, dur = 0;
  std::int64_t pid = 0;
  std::int64_t stream = -1, wait_on_stream = -1;
  std::int64_t correlation = -1, event_record_correlation = -1;
};

// A ProfilerStep#N mark: one iteration of the user's loop.
struct StepMark {
  std::string name;
  double ts = 0, dur = 0;
  bool gpu = false;  // gpu_user_annotation (the GPU's span of the step)
};

struct Trace {
  std::string source;  // the file, for messages
  std::vector<CpuOp> ops;
  std::vector<RuntimeCall> runtime;
  std::vector<GpuOp> gpu;
  std::vector<SyncEvent> syncs;
  std::vector<StepMark> steps;
  nlohmann::json device_properties = nlohmann::json::array();  // "deviceProperties", as recorded
  std::int64_t events = 0;                                     // traceEvents entries read
};

// Reads a trace (.json or .json.gz, detected by content), streaming: events
// are parsed one at a time. Throws hwsim::Error naming the file and, for bad
// JSON, the line and column; for a bad event, its index in traceEvents, the
// key and what was expected; for a damaged gzip stream, zlib's message. A
// trace without GPU events is refused (profile with activities including
// ProfilerActivity.CUDA), and so is one whose CPU ops carry no input shapes
// (record with record_shapes=True).
Trace read_trace(const std::filesystem::path& path);

// Same, from text already in memory (tests); `source` names it in messages.
Trace parse_trace(const std::string& text, const std::string& source);

}  // namespace hwsim::trace
