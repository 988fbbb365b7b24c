#include "sim/gpu/units/load_store_unit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "models/spec/error.hpp"
#include "models/tma/box.hpp"
#include "sim/gpu/memory_system.hpp"
#include "sim/gpu/sm.hpp"

namespace hwsim::sim {

LoadStoreUnit::LoadStoreUnit(const HardwareSpec& spec, const ClockDomain& clock)
    : port_(clock.per_tick(spec.sm.smem_bytes_per_clk), 0),
      smem_latency_(clock.ticks_for(spec.sm.smem_latency_cycles)) {}

std::span<const OpKind> LoadStoreUnit::ops() const {
  static constexpr std::array kOps = {OpKind::kLdGlobal, OpKind::kStGlobal, OpKind::kLdShared, OpKind::kStShared};
  return kOps;
}

void LoadStoreUnit::check(const Op& op, const KernelProgram& k) const {
  if (op.path == DataPath::kTmaCast) {
    throw Error(fmt::format("kernel {}: a plain global access of tensor {} asks for the TMA's cast path", k.name,
                            k.tensors[op.tensor].name));
  }
}

void LoadStoreUnit::issue(const Op& op, RoleContext& role) {
  if (op.kind == OpKind::kLdGlobal || op.kind == OpKind::kStGlobal) {
    global(op, role);
  } else {
    shared(op, role);
  }
}

void LoadStoreUnit::global(const Op& op, RoleContext& role) {
  const bool load = op.kind == OpKind::kLdGlobal;
  const Tick t0 = role.now();
  const bool box = op.rows > 0;
  MemorySystem& mem = role.gpu.memory;
  const int part = role.sm.partition;
  Tick done = t0;
  std::int64_t bytes = 0;
  auto access = [&](const Chunk& c) {
    bytes += c.bytes;
    const std::uint64_t key = role.chunk_key(op.tensor, box, c.index);
    done = std::max(done, load ? mem.read(t0, part, key, c.offset, c.bytes, role.st, op.path)
                          : op.path == DataPath::kL2Reduction ? mem.reduce(t0, part, key, c.offset, c.bytes, role.st)
                                                              : mem.write(t0, part, key, c.offset, c.bytes, role.st));
  };
  if (box) {
    const TensorDesc& td = role.k.tensors[op.tensor];
    decompose_box({td.rows, td.cols, td.elem_bytes}, op.row0, op.col0, op.rows, op.cols, mem.chunk_bytes(), access);
  } else {
    decompose_linear(op.offset, op.bytes, mem.chunk_bytes(), access);
  }
  // Data passes the SM's L1 / shared-memory data port on its way in or out.
  const auto port = port_.request(t0, static_cast<double>(bytes));
  role.st.smem_busy += port.end - port.start;
  done = std::max(done, port.end);
  if (load) {
    role.stall_until(done, kGlobalLoad);
  } else {
    role.store_done = std::max(role.store_done, done);
    role.stall_until(port.end, kGlobalLoad);
  }
}

void LoadStoreUnit::shared(const Op& op, RoleContext& role) {
  const auto g = port_.request(role.now(), static_cast<double>(op.bytes));
  role.st.smem_busy += g.end - g.start;
  role.st.smem += op.bytes;
  role.stall_until(g.end + (op.kind == OpKind::kLdShared ? smem_latency_ : 0), kShared);
}

}  // namespace hwsim::sim
