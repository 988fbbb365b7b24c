// memcpy / read / write: device-to-device copy, streaming read and streaming
// write of `bytes`. elementwise: a streaming pass that reads `read_bytes` and
// writes `write_bytes` (the framework's memory-bound glue: residual adds,
// token permutation, RoPE, tensor concatenation), interleaved in proportion.
//
// Stands for: the CUDA suite's stream kernels (validate/kernels/README.md,
// "Device copy / streaming read / streaming write"): min(8 CTAs per SM, one
// 16-byte vector per thread) CTAs of 256 threads, grid-stride, 4 independent
// 16-byte accesses in flight per thread (16 KiB per CTA per iteration). The
// read XOR-sums each vector's words and stores one partial per CTA.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 256;
constexpr int kVectorBytes = 16;
constexpr int kInFlight = 4;
constexpr int kCtasPerSm = 8;
constexpr int kRegisters = 32;  // assumption: a copy loop compiles to <= 32 registers
constexpr std::int64_t kUnitBytes = static_cast<std::int64_t>(kThreads) * kVectorBytes * kInFlight;

enum class Mode { kCopy, kRead, kWrite };

const KernelParam kBytes{"bytes", "integer > 0", "", "bytes", "bytes copied, read or written (a multiple of 16)", {}};
const std::vector<KernelParam> kCopyParams = {kBytes};
const std::vector<KernelParam> kReadParams = {
    kBytes,
    {"passes", "integer > 0", "1", "", "times the footprint is read (> 1: the L2 bandwidth microbenchmark)", {}}};
// elements x element_int_ops: the integer work of a kernel that computes each
// element's address (ATen's unvectorised kernel on strided views: an integer
// division and multiply-adds per dimension and operand, OffsetCalculator.cuh),
// issued on the INT32 pipe beside the streaming traffic.
const std::vector<KernelParam> kElementwiseParams = {
    {"read_bytes", "integer >= 0", "0", "bytes", "bytes read (a multiple of 16; one of the two > 0)", {}},
    {"write_bytes", "integer >= 0", "0", "bytes", "bytes written (a multiple of 16; one of the two > 0)", {}},
    {"elements",
     "integer >= 0",
     "0",
     "elements",
     "elements the pass computes (only element_int_ops reads it)",
     {},
     1LL << 40},
    {"element_int_ops",
     "integer >= 0",
     "0",
     "",
     "INT32 operations per element besides loads and stores (0: a streaming pass; address arithmetic of a "
     "kernel on strided views)",
     {},
     4096}};

std::int64_t read_bytes_param(const ParamReader& p) {
  const std::int64_t bytes = p.positive("bytes");
  if (bytes % kVectorBytes != 0) p.fail("bytes", "must be a multiple of 16 (16-byte vector accesses)");
  return bytes;
}

// Compulsory traffic: each byte read once (however many passes) and/or
// written once.
KernelWork stream_work(const KernelDescriptor& d, Mode mode) {
  const ParamReader p(d, mode == Mode::kRead ? kReadParams : kCopyParams);
  const auto bytes = static_cast<double>(read_bytes_param(p));
  KernelWork w;
  w.read_bytes = mode == Mode::kWrite ? 0 : bytes;
  w.write_bytes = mode == Mode::kRead ? 0 : bytes;
  return w;
}

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx, Mode mode) {
  const ParamReader p(d, mode == Mode::kRead ? kReadParams : kCopyParams);
  const std::int64_t bytes = read_bytes_param(p);
  // read with passes > 1: the L2 microbenchmark (ubench_l2), the same
  // footprint read over and over, served by the L2 after the first pass.
  const std::int64_t passes = mode == Mode::kRead ? p.positive_or("passes", 1) : 1;
  const std::int64_t units_per_pass = (bytes + kUnitBytes - 1) / kUnitBytes;
  const std::int64_t units = units_per_pass * passes;
  std::vector<TensorDesc> tensors = {{"src", 1, bytes, 1}, {"dst", 1, bytes, 1}, {"partials", 1, 1 << 20, 4}};
  const StreamingDesign design{kThreads, kRegisters, 0, true, kCtasPerSm};
  KernelProgram k =
      streaming_program(d.kind, ctx, design, tensors, units, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t off = (u % units_per_pass) * kUnitBytes;
        const std::int64_t len = std::min(kUnitBytes, bytes - off);
        if (mode != Mode::kWrite) out.push_back(ld_global(0, off, len));
        if (mode == Mode::kRead) out.push_back(cuda_core_ops(0, len / 4));  // XOR per 4-byte word
        if (mode != Mode::kRead) out.push_back(st_global(1, off, len));
      });
  if (mode == Mode::kRead) k.notes.push_back({"partials", "one 4-byte store per CTA (negligible, not simulated)"});
  return k;
}

// A pass of `units` 16 KiB steps over the larger of its two streams; each step
// reads and writes its proportional share (rounded to 16-byte vectors), so
// reads and writes overlap the way a fused elementwise kernel's do.
struct ElementwiseBytes {
  std::int64_t read = 0, write = 0;
  std::int64_t int_ops = 0;  // elements x element_int_ops
};

ElementwiseBytes read_elementwise(const KernelDescriptor& d) {
  const ParamReader p(d, kElementwiseParams);
  // Either side may be absent or 0 (a write-only or read-only pass); so may
  // the address work.
  auto zero_or_positive = [&](const char* key) -> std::int64_t {
    const auto it = d.params.find(key);
    if (it != d.params.end() && it->is_number() && it->get<double>() == 0) return 0;
    return p.positive_or(key, 0);
  };
  const std::int64_t rb = zero_or_positive("read_bytes"), wb = zero_or_positive("write_bytes");
  if (rb == 0 && wb == 0) p.fail("read_bytes", "read_bytes or write_bytes must be > 0");
  if (rb % kVectorBytes != 0) p.fail("read_bytes", "must be a multiple of 16 (16-byte vector accesses)");
  if (wb % kVectorBytes != 0) p.fail("write_bytes", "must be a multiple of 16 (16-byte vector accesses)");
  // Both factors are bounded (2^40 elements, 4096 ops), so the product fits in 64 bits.
  const std::int64_t ops = zero_or_positive("element_int_ops"), elements = zero_or_positive("elements");
  if (ops > 0 && elements == 0) p.fail("elements", "must be > 0 when element_int_ops is");
  return {rb, wb, ops * elements};
}

KernelWork elementwise_work(const KernelDescriptor& d) {
  const ElementwiseBytes b = read_elementwise(d);
  KernelWork w;
  w.read_bytes = static_cast<double>(b.read);
  w.write_bytes = static_cast<double>(b.write);
  return w;
}

KernelProgram build_elementwise(const KernelDescriptor& d, const KernelContext& ctx) {
  const ElementwiseBytes b = read_elementwise(d);
  const std::int64_t rb = b.read, wb = b.write;
  const std::int64_t units = (std::max(rb, wb) + kUnitBytes - 1) / kUnitBytes;
  auto share = [units](std::int64_t total) { return (total / units + kVectorBytes - 1) / kVectorBytes * kVectorBytes; };
  const std::int64_t r_unit = share(rb), w_unit = share(wb);
  std::vector<TensorDesc> tensors = {{"src", 1, std::max<std::int64_t>(rb, 16), 1},
                                     {"dst", 1, std::max<std::int64_t>(wb, 16), 1}};
  const StreamingDesign design{kThreads, kRegisters, 0, true, kCtasPerSm};
  const std::int64_t ops_unit = (b.int_ops + units - 1) / units;
  return streaming_program(d.kind, ctx, design, tensors, units, [=](std::int64_t u, std::int64_t, OpList& out) {
    const std::int64_t r0 = u * r_unit, w0 = u * w_unit;
    if (r0 < rb) out.push_back(ld_global(0, r0, std::min(r_unit, rb - r0)));
    if (ops_unit > 0) out.push_back(cuda_core_ops(0, ops_unit));
    if (w0 < wb) out.push_back(st_global(1, w0, std::min(w_unit, wb - w0)));
  });
}

}  // namespace

KernelDef memcpy_kernel() {
  return {"memcpy",
          "CUDA suite copy kernel (256-thread CTAs, 4 x 16-byte vectors in flight, grid-stride)",
          kCopyParams,
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kCopy); },
          [](const KernelDescriptor& d) { return stream_work(d, Mode::kCopy); },
          {{"bytes", 1 << 30}}};
}
KernelDef read_kernel() {
  return {"read",
          "CUDA suite streaming-read kernel (XOR-sum of 16-byte vectors, grid-stride); passes > 1 re-reads the "
          "footprint (the L2 bandwidth microbenchmark)",
          kReadParams,
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kRead); },
          [](const KernelDescriptor& d) { return stream_work(d, Mode::kRead); },
          {{"bytes", 1 << 30}}};
}
KernelDef write_kernel() {
  return {"write",
          "CUDA suite streaming-write kernel (16-byte vector stores, grid-stride)",
          kCopyParams,
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kWrite); },
          [](const KernelDescriptor& d) { return stream_work(d, Mode::kWrite); },
          {{"bytes", 1 << 30}}};
}

KernelDef elementwise_kernel() {
  return {"elementwise",
          "a memory-bound elementwise pass (PyTorch / framework glue kernel): reads read_bytes, writes write_bytes",
          kElementwiseParams,
          [](const KernelDescriptor& d, const KernelContext& c) { return build_elementwise(d, c); },
          elementwise_work,
          {{"read_bytes", 58720256}, {"write_bytes", 58720256}}};
}

}  // namespace hwsim::kernels
