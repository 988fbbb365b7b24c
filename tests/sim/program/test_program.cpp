// The kernel-program IR (sim/program): every op constructor sets its kind and
// the fields its comment in program.hpp names, leaves the others at their
// defaults, and the variants (via, tagged, with_extra_cycles) change only
// their own field. The IR does no validation of its own (the launcher and the
// units check a program against the GPU), so these tests hold the encoding.
#include <catch2/catch.hpp>
#include <set>

#include "sim/program/program.hpp"

using namespace hwsim;
using namespace hwsim::sim;

namespace {

// The fields a constructor did not set keep the defaults of `Op`.
void check_defaults_except_kind(const Op& o) {
  CHECK(o.tensor == 0);
  CHECK(o.multicast == 1);
  CHECK(o.barrier == -1);
  CHECK(o.path == DataPath::kDirect);
  CHECK(o.tag == 0);
  CHECK(o.extra_cycles == 0);
  CHECK(o.count == 0);
  CHECK(o.n == 0);
  CHECK(o.dtype == DataType::kBf16);
  CHECK(o.row0 == 0);
  CHECK(o.col0 == 0);
  CHECK(o.rows == 0);
  CHECK(o.cols == 0);
  CHECK(o.offset == 0);
  CHECK(o.bytes == 0);
  CHECK(o.phase == 0);
  CHECK(o.fp32 == 0);
  CHECK(o.int32 == 0);
  CHECK(o.sfu == 0);
}

}  // namespace

TEST_CASE("program: kOpKinds counts every OpKind and the constructors cover them all", "[program]") {
  CHECK(kOpKinds == 14);
  const std::vector<Op> ops = {tma_load(0, 0, 0, 64, 64, 0),
                               tma_store(0, 0, 0, 64, 64),
                               tma_store_wait(),
                               barrier_arrive(0),
                               barrier_wait(0, 1),
                               wgmma(DataType::kBf16, 128, 4),
                               wgmma_wait(0),
                               cuda_core_ops(1),
                               ld_global(0, 0, 16),
                               st_global(0, 0, 16),
                               ld_shared(16),
                               st_shared(16),
                               cta_sync(),
                               link(0, 16)};
  std::set<OpKind> kinds;
  for (const Op& o : ops) {
    REQUIRE(static_cast<size_t>(o.kind) < kOpKinds);
    kinds.insert(o.kind);
  }
  CHECK(kinds.size() == kOpKinds);
}

TEST_CASE("program: tma_load and tma_store encode the box, barrier and multicast", "[program]") {
  const Op l = tma_load(3, 128, 256, 64, 32, 5, 2);
  CHECK(l.kind == OpKind::kTmaLoad);
  CHECK(l.tensor == 3);
  CHECK(l.row0 == 128);
  CHECK(l.col0 == 256);
  CHECK(l.rows == 64);
  CHECK(l.cols == 32);
  CHECK(l.barrier == 5);
  CHECK(l.multicast == 2);
  CHECK(l.path == DataPath::kDirect);
  CHECK(l.bytes == 0);                               // a box is described by its shape, not a byte count
  CHECK(tma_load(0, 0, 0, 1, 1, 0).multicast == 1);  // default: not shared

  // Box offsets past 2^31 elements stay exact (int64 coordinates).
  const std::int64_t far = std::int64_t{1} << 40;
  const Op big = tma_load(0, far, far + 1, 1, 1, 0);
  CHECK(big.row0 == far);
  CHECK(big.col0 == far + 1);

  const Op s = tma_store(1, 64, 0, 64, 128);
  CHECK(s.kind == OpKind::kTmaStore);
  CHECK(s.tensor == 1);
  CHECK(s.row0 == 64);
  CHECK(s.col0 == 0);
  CHECK(s.rows == 64);
  CHECK(s.cols == 128);
  CHECK(s.barrier == -1);  // a store completes no barrier's transaction
  CHECK(s.multicast == 1);

  const Op w = tma_store_wait();
  CHECK(w.kind == OpKind::kTmaStoreWait);
  check_defaults_except_kind(w);
}

TEST_CASE("program: barrier ops carry the barrier index and the phase to wait for", "[program]") {
  const Op a = barrier_arrive(7);
  CHECK(a.kind == OpKind::kBarrierArrive);
  CHECK(a.barrier == 7);
  CHECK(a.phase == 0);
  const Op w = barrier_wait(7, 123456789012LL);
  CHECK(w.kind == OpKind::kBarrierWait);
  CHECK(w.barrier == 7);
  CHECK(w.phase == 123456789012LL);  // phases continue across work units: int64
  CHECK(w.count == 0);

  const Op sync = cta_sync();
  CHECK(sync.kind == OpKind::kSync);
  check_defaults_except_kind(sync);
}

TEST_CASE("program: wgmma carries dtype, N and the instruction count; wgmma_wait the pending depth", "[program]") {
  const Op m = wgmma(DataType::kFp8E4M3, 256, 8);
  CHECK(m.kind == OpKind::kWgmma);
  CHECK(m.dtype == DataType::kFp8E4M3);
  CHECK(m.n == 256);
  CHECK(m.count == 8);
  CHECK(m.extra_cycles == 0);
  CHECK(m.barrier == -1);

  const Op w = wgmma_wait(1);
  CHECK(w.kind == OpKind::kWgmmaWait);
  CHECK(w.count == 1);
  CHECK(w.n == 0);
  CHECK(wgmma_wait(0).count == 0);
}

TEST_CASE("program: cuda_core_ops counts lane operations per pipe", "[program]") {
  const Op c = cuda_core_ops(1'000'000'000'000LL, 7, 3);
  CHECK(c.kind == OpKind::kCudaCoreOps);
  CHECK(c.fp32 == 1'000'000'000'000LL);
  CHECK(c.int32 == 7);
  CHECK(c.sfu == 3);
  CHECK(c.tag == 0);  // untagged unless tagged()
  const Op only_fp32 = cuda_core_ops(5);
  CHECK(only_fp32.fp32 == 5);
  CHECK(only_fp32.int32 == 0);
  CHECK(only_fp32.sfu == 0);
}

TEST_CASE("program: global accesses are linear (rows == 0) or boxes (rows > 0)", "[program]") {
  const Op l = ld_global(2, 4096, 8192);
  CHECK(l.kind == OpKind::kLdGlobal);
  CHECK(l.tensor == 2);
  CHECK(l.offset == 4096);
  CHECK(l.bytes == 8192);
  CHECK(l.rows == 0);  // linear access
  CHECK(l.barrier == -1);

  const Op s = st_global(2, 4096, 8192);
  CHECK(s.kind == OpKind::kStGlobal);
  CHECK(s.tensor == l.tensor);
  CHECK(s.offset == l.offset);
  CHECK(s.bytes == l.bytes);
  CHECK(s.rows == 0);

  const Op lb = ld_global_box(4, 8, 16, 32, 64);
  CHECK(lb.kind == OpKind::kLdGlobal);
  CHECK(lb.tensor == 4);
  CHECK(lb.row0 == 8);
  CHECK(lb.col0 == 16);
  CHECK(lb.rows == 32);
  CHECK(lb.cols == 64);
  CHECK(lb.rows > 0);       // the box form
  CHECK(lb.barrier == -1);  // plain loads complete no mbarrier
  CHECK(lb.multicast == 1);

  const Op sb = st_global_box(4, 8, 16, 32, 64);
  CHECK(sb.kind == OpKind::kStGlobal);
  CHECK(sb.row0 == 8);
  CHECK(sb.col0 == 16);
  CHECK(sb.rows == 32);
  CHECK(sb.cols == 64);
  CHECK(sb.barrier == -1);
}

TEST_CASE("program: shared-memory ops carry bytes; link carries the port and bytes", "[program]") {
  const Op ls = ld_shared(1024);
  CHECK(ls.kind == OpKind::kLdShared);
  CHECK(ls.bytes == 1024);
  CHECK(ls.tensor == 0);
  const Op ss = st_shared(2048);
  CHECK(ss.kind == OpKind::kStShared);
  CHECK(ss.bytes == 2048);

  const Op k = link(3, std::int64_t{1} << 33);
  CHECK(k.kind == OpKind::kLink);
  CHECK(k.tensor == 3);  // the port: index into KernelProgram::links
  CHECK(k.bytes == std::int64_t{1} << 33);
  CHECK(k.multicast == 1);
  CHECK(k.barrier == -1);
  CHECK(k.path == DataPath::kDirect);
}

TEST_CASE("program: via, tagged and with_extra_cycles change only their own field", "[program]") {
  const Op base = tma_load(1, 2, 3, 4, 5, 6, 2);
  for (DataPath p : {DataPath::kDirect, DataPath::kTmaCast, DataPath::kNearMemoryCast, DataPath::kL2Reduction}) {
    const Op v = via(base, p);
    CHECK(v.path == p);
    CHECK(v.kind == base.kind);
    CHECK(v.tensor == base.tensor);
    CHECK(v.row0 == base.row0);
    CHECK(v.col0 == base.col0);
    CHECK(v.rows == base.rows);
    CHECK(v.cols == base.cols);
    CHECK(v.barrier == base.barrier);
    CHECK(v.multicast == base.multicast);
  }
  CHECK(via(st_global(0, 64, 128), DataPath::kL2Reduction).kind == OpKind::kStGlobal);
  CHECK(via(st_global(0, 64, 128), DataPath::kL2Reduction).bytes == 128);

  // Op::tag is 1 + the index into KernelProgram::op_tags; 0 means untagged.
  const Op c = cuda_core_ops(100, 20, 3);
  CHECK(tagged(c, 0).tag == 1);
  CHECK(tagged(c, 4).tag == 5);
  CHECK(tagged(c, 254).tag == 255);  // the largest index the encoding holds
  const Op t = tagged(c, 2);
  CHECK(t.kind == OpKind::kCudaCoreOps);
  CHECK(t.fp32 == 100);
  CHECK(t.int32 == 20);
  CHECK(t.sfu == 3);
  CHECK(tagged(tagged(c, 1), 3).tag == 4);  // re-tagging replaces the tag

  const Op m = wgmma(DataType::kBf16, 128, 4);
  const Op e = with_extra_cycles(m, 32);
  CHECK(e.extra_cycles == 32);
  CHECK(e.kind == OpKind::kWgmma);
  CHECK(e.n == 128);
  CHECK(e.count == 4);
  CHECK(e.dtype == DataType::kBf16);
  CHECK(with_extra_cycles(e, 0).extra_cycles == 0);
  CHECK(m.extra_cycles == 0);  // the variants return copies
}

TEST_CASE("program: TensorDesc::bytes is rows x cols x element size without 32-bit overflow", "[program]") {
  const TensorDesc a{"A", 16384, 16384, 2};
  CHECK(a.bytes() == 16384LL * 16384 * 2);
  const TensorDesc big{"kv", 1 << 20, 1 << 16, 4};
  CHECK(big.bytes() == (std::int64_t{1} << 38));
  const TensorDesc fp8{"x", 7, 3, 1};
  CHECK(fp8.bytes() == 21);
  const TensorDesc empty{"e", 0, 128, 2};
  CHECK(empty.bytes() == 0);
}

TEST_CASE("program: KernelProgram defaults and its lazy emitter", "[program]") {
  KernelProgram k;
  CHECK(k.ctas == 0);
  CHECK(k.cluster_size == 1);
  CHECK(k.work_units == 0);
  CHECK_FALSE(k.persistent);
  CHECK(k.barriers == 0);
  CHECK(k.buffer_tag == 0);
  CHECK(k.flops == 0);
  CHECK_FALSE(static_cast<bool>(k.emit));

  // A two-role pipeline: the producer loads a box per unit and the consumer
  // waits for phase seq + 1 of barrier 0; the program is emitted per
  // (role, unit) on demand.
  k.name = "toy";
  k.ctas = 4;
  k.work_units = 8;
  k.persistent = true;
  k.roles = {{"producer", 1}, {"math", 4}};
  k.barriers = 1;
  k.barrier_arrivals = {1};
  k.tensors = {{"A", 1024, 64, 2}};
  k.emit = [](int role, std::int64_t unit, std::int64_t seq, int, OpList& out) {
    if (role == 0) {
      out.push_back(tma_load(0, unit * 128, 0, 128, 64, 0));
    } else {
      out.push_back(barrier_wait(0, seq + 1));
      out.push_back(wgmma(DataType::kBf16, 64, 2));
      out.push_back(wgmma_wait(0));
    }
  };
  OpList ops;
  k.emit(0, 5, 1, 0, ops);
  REQUIRE(ops.size() == 1);
  CHECK(ops[0].kind == OpKind::kTmaLoad);
  CHECK(ops[0].row0 == 640);
  ops.clear();
  k.emit(1, 5, 1, 0, ops);
  REQUIRE(ops.size() == 3);
  CHECK(ops[0].kind == OpKind::kBarrierWait);
  CHECK(ops[0].phase == 2);
  CHECK(ops[1].kind == OpKind::kWgmma);
  CHECK(ops[2].kind == OpKind::kWgmmaWait);
}
