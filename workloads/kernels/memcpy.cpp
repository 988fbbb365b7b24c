// memcpy / read / write: device-to-device copy, streaming read (sum) and
// streaming write (fill) of `bytes`.
//
// Stands for: the CUDA suite's bandwidth kernels (grid-stride loops of 16-byte
// vector loads/stores, 4 per thread per iteration, 512-thread CTAs). Until the
// suite's sources fix their launch shape, the grid is as many CTAs as are
// resident at once, the common choice for bandwidth kernels.
#include "workloads/kernels/kernels.hpp"
#include "workloads/kernels/streaming.hpp"

namespace hwsim::kernels {
namespace {

using namespace hwsim::sim;

constexpr int kThreads = 512;
constexpr int kVectorBytes = 16;
constexpr int kUnroll = 4;
constexpr int kRegisters = 32;  // assumption: a copy loop compiles to <= 32 registers
constexpr std::int64_t kUnitBytes = static_cast<std::int64_t>(kThreads) * kVectorBytes * kUnroll;

enum class Mode { kCopy, kRead, kWrite };

KernelProgram build(const KernelDescriptor& d, const KernelContext& ctx, Mode mode) {
  const ParamReader p(d, {"bytes"});
  const std::int64_t bytes = p.positive("bytes");
  if (bytes % kVectorBytes != 0) p.fail("bytes", "must be a multiple of 16 (16-byte vector accesses)");
  const std::int64_t units = (bytes + kUnitBytes - 1) / kUnitBytes;
  std::vector<TensorDesc> tensors = {{"src", 1, bytes, 1}, {"dst", 1, bytes, 1}};
  KernelProgram k = streaming_program(d.kind, ctx, {kThreads, kRegisters, 0}, tensors, units,
                                      [=](std::int64_t u, std::int64_t, OpList& out) {
                                        const std::int64_t off = u * kUnitBytes;
                                        const std::int64_t len = std::min(kUnitBytes, bytes - off);
                                        if (mode != Mode::kWrite) out.push_back(ld_global(0, off, len));
                                        if (mode == Mode::kRead)
                                          out.push_back(cuda_core_ops(len / 4));  // one FADD per 4-byte word
                                        if (mode != Mode::kRead) out.push_back(st_global(1, off, len));
                                      });
  return k;
}

}  // namespace

KernelDef memcpy_kernel() {
  return {"memcpy",
          "CUDA suite copy kernel (16-byte vectors, grid-stride)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kCopy); }};
}
KernelDef read_kernel() {
  return {"read",
          "CUDA suite streaming-read kernel (16-byte vector loads, sum)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kRead); }};
}
KernelDef write_kernel() {
  return {"write",
          "CUDA suite streaming-write kernel (16-byte vector stores)",
          {"bytes"},
          [](const KernelDescriptor& d, const KernelContext& c) { return build(d, c, Mode::kWrite); }};
}

}  // namespace hwsim::kernels
