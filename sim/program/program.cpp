#include "sim/program/program.hpp"

namespace hwsim::sim {

Op tma_load(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols, int barrier,
            int multicast) {
  Op o{OpKind::kTmaLoad};
  o.tensor = static_cast<std::uint8_t>(tensor);
  o.row0 = row0;
  o.col0 = col0;
  o.rows = rows;
  o.cols = cols;
  o.barrier = static_cast<std::int16_t>(barrier);
  o.multicast = static_cast<std::uint8_t>(multicast);
  return o;
}
Op tma_store(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = tma_load(tensor, row0, col0, rows, cols, -1);
  o.kind = OpKind::kTmaStore;
  return o;
}
Op tma_store_wait() { return Op{OpKind::kTmaStoreWait}; }
Op barrier_arrive(int barrier) {
  Op o{OpKind::kBarrierArrive};
  o.barrier = static_cast<std::int16_t>(barrier);
  return o;
}
Op barrier_wait(int barrier, std::int64_t phase) {
  Op o{OpKind::kBarrierWait};
  o.barrier = static_cast<std::int16_t>(barrier);
  o.phase = phase;
  return o;
}
Op wgmma(DataType dtype, int n, int count) {
  Op o{OpKind::kWgmma};
  o.dtype = dtype;
  o.n = n;
  o.count = count;
  return o;
}
Op wgmma_wait(int pending) {
  Op o{OpKind::kWgmmaWait};
  o.count = pending;
  return o;
}
Op cuda_core_ops(std::int64_t fp32, std::int64_t int32, std::int64_t sfu) {
  Op o{OpKind::kCudaCoreOps};
  o.fp32 = fp32;
  o.int32 = int32;
  o.sfu = sfu;
  return o;
}
Op ld_global(int tensor, std::int64_t offset, std::int64_t bytes) {
  Op o{OpKind::kLdGlobal};
  o.tensor = static_cast<std::uint8_t>(tensor);
  o.offset = offset;
  o.bytes = bytes;
  return o;
}
Op st_global(int tensor, std::int64_t offset, std::int64_t bytes) {
  Op o = ld_global(tensor, offset, bytes);
  o.kind = OpKind::kStGlobal;
  return o;
}
Op ld_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = tma_load(tensor, row0, col0, rows, cols, -1);
  o.kind = OpKind::kLdGlobal;
  return o;
}
Op st_global_box(int tensor, std::int64_t row0, std::int64_t col0, std::int64_t rows, std::int64_t cols) {
  Op o = ld_global_box(tensor, row0, col0, rows, cols);
  o.kind = OpKind::kStGlobal;
  return o;
}
Op ld_shared(std::int64_t bytes) {
  Op o{OpKind::kLdShared};
  o.bytes = bytes;
  return o;
}
Op st_shared(std::int64_t bytes) {
  Op o{OpKind::kStShared};
  o.bytes = bytes;
  return o;
}
Op link(int port, std::int64_t bytes) {
  Op o{};
  o.kind = OpKind::kLink;
  o.tensor = static_cast<std::uint8_t>(port);
  o.bytes = bytes;
  return o;
}

Op cta_sync() { return Op{OpKind::kSync}; }
Op via(Op load, DataPath path) {
  load.path = path;
  return load;
}
Op tagged(Op cuda_core, int tag) {
  cuda_core.tag = static_cast<std::uint8_t>(tag + 1);
  return cuda_core;
}
Op with_extra_cycles(Op wgmma, int cycles) {
  wgmma.extra_cycles = static_cast<std::int16_t>(cycles);
  return wgmma;
}

}  // namespace hwsim::sim
