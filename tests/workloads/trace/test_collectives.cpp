// NCCL kernels mapped from record_param_comms and timed by the interconnect
// model's ring (workloads/comm/collectives.hpp).
#include <catch2/catch.hpp>

#include "sim/config/gpu_loader.hpp"
#include "workloads/trace/collective_time.hpp"
#include "workloads/trace/op_map.hpp"

namespace hwsim::trace {

TEST_CASE("an NCCL all-reduce maps to a ring collective of the recorded bytes and group") {
  Trace t;
  CpuOp op{"record_param_comms", 0, 10, 1, 1};
  op.comm = {{"Collective name", "allreduce"}, {"In msg nelems", 1 << 20}, {"Group size", 8}, {"dtype", "BFloat16"}};
  t.ops.push_back(op);
  const GpuOp g{GpuKind::kKernel, "ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevKernelArgsStorage<4096ul>)", 1, 1};
  const Mapping m = map_gpu_op(t, g, {0});
  CHECK(m.kind == kCollectiveKind);
  CHECK(m.params == nlohmann::json({{"collective", "all_reduce"}, {"bytes", 2 << 20}, {"group_size", 8}}));
  const GpuOp bare{GpuKind::kKernel, "ncclDevKernel_SendRecv(ncclDevKernelArgsStorage<4096ul>)", 1, 1};
  CHECK_FALSE(map_gpu_op(Trace{}, bare, {}).mapped());
}

TEST_CASE("a ring all-reduce takes about twice a reduce-scatter and grows with the buffer") {
  const HardwareSpec spec = load_gpu("h100-sxm");
  const auto time = [&](const char* kind, double bytes) {
    const Prediction p = predict_collective(spec, {{"collective", kind}, {"bytes", bytes}, {"group_size", 8}});
    REQUIRE(p.time_us);
    return *p.time_us;
  };
  const double ar = time("all_reduce", 256e6), rs = time("reduce_scatter", 256e6);
  CHECK(ar / rs == Approx(2.0).epsilon(0.1));
  CHECK(time("all_reduce", 512e6) > 1.8 * ar);
  CHECK_FALSE(predict_collective(spec, {{"collective", "all_reduce"}, {"bytes", 1e6}, {"group_size", 1}}).time_us);
}

}  // namespace hwsim::trace
