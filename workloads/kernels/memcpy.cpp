// memcpy / read / write: device-to-device copy, streaming read and streaming
// write of `bytes`.
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

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx, Mode mode) {
  const ParamReader p(d, {"bytes"});
  const std::int64_t bytes = p.positive("bytes");
  if (bytes % kVectorBytes != 0) p.fail("bytes", "must be a multiple of 16 (16-byte vector accesses)");
  const std::int64_t units = (bytes + kUnitBytes - 1) / kUnitBytes;
  std::vector<TensorDesc> tensors = {{"src", 1, bytes, 1}, {"dst", 1, bytes, 1}, {"partials", 1, 1 << 20, 4}};
  const StreamingDesign design{kThreads, kRegisters, 0, true, kCtasPerSm};
  KernelProgram k =
      streaming_program(d.kind, ctx, design, tensors, units, [=](std::int64_t u, std::int64_t, OpList& out) {
        const std::int64_t off = u * kUnitBytes;
        const std::int64_t len = std::min(kUnitBytes, bytes - off);
        if (mode != Mode::kWrite) out.push_back(ld_global(0, off, len));
        if (mode == Mode::kRead) out.push_back(cuda_core_ops(0, len / 4));  // XOR per 4-byte word
        if (mode != Mode::kRead) out.push_back(st_global(1, off, len));
      });
  if (mode == Mode::kRead) k.notes.push_back({"partials", "one 4-byte store per CTA (negligible, not simulated)"});
  return k;
}

}  // namespace

KernelDef memcpy_kernel() {
  return {"memcpy",
          "CUDA suite copy kernel (256-thread CTAs, 4 x 16-byte vectors in flight, grid-stride)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kCopy); }};
}
KernelDef read_kernel() {
  return {"read",
          "CUDA suite streaming-read kernel (XOR-sum of 16-byte vectors, grid-stride)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kRead); }};
}
KernelDef write_kernel() {
  return {"write",
          "CUDA suite streaming-write kernel (16-byte vector stores, grid-stride)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kWrite); }};
}

}  // namespace hwsim::kernels
