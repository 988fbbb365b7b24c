// The mapping table on the fixture trace's ops and on single ops: each
// family's kernel and params, and unmapped kernels with their reason.
#include <catch2/catch.hpp>

#include "workloads/trace/op_map.hpp"
#include "workloads/trace/trace_prediction.hpp"

namespace hwsim::trace {
namespace {

using json = nlohmann::json;

const std::filesystem::path kOpMapFixture =
    std::filesystem::path(HWSIM_SOURCE_DIR) / "tests/workloads/trace/fixtures/two_steps.json";

// One op launching one kernel, mapped.
Mapping map_one(const std::string& name, json dims, json types, json concrete = json::array(),
                const std::string& kernel = "kernel", std::int64_t grid_blocks = 0) {
  Trace t;
  t.ops.push_back({name, 0, 10, 1, 1, 1, -1, -1, true, std::move(dims), std::move(types), std::move(concrete)});
  GpuOp g{GpuKind::kKernel, kernel, 1, 1};
  g.grid_blocks = grid_blocks;
  return map_gpu_op(t, g, {0});
}

const char* kBf16 = "c10::BFloat16";

}  // namespace

TEST_CASE("the fixture's kernels map to gemm, elementwise, write and unmapped") {
  const TraceKernels k = map_trace(read_trace(kOpMapFixture));
  REQUIRE(k.rows.size() == 7);
  const Mapping& gemm = k.rows[0].mapping;
  CHECK(gemm.kind == "gemm");
  CHECK(gemm.op == "aten::addmm");
  CHECK(gemm.params == json({{"m", 256},
                             {"n", 512},
                             {"k", 1024},
                             {"a_dtype", "bf16"},
                             {"b_dtype", "bf16"},
                             {"out_dtype", "bf16"},
                             {"scaling", "none"}}));
  CHECK(k.rows[1].mapping.kind == "elementwise");
  CHECK(k.rows[1].mapping.params == json({{"read_bytes", 256 * 512 * 2}, {"write_bytes", 256 * 512 * 2}}));
  CHECK_FALSE(k.rows[2].mapping.mapped());
  CHECK_THAT(k.rows[2].mapping.reason, Catch::Contains("custom::op"));
  CHECK(k.rows[3].mapping.kind == "write");  // the memset
  CHECK(k.rows[3].mapping.params == json({{"bytes", 4096}}));
  // The cast runs as ATen's unrolled_elementwise_kernel: a streaming pass plus its address work.
  CHECK(k.rows[4].mapping.params["read_bytes"] == 256 * 512 * 2);
  CHECK(k.rows[4].mapping.params["write_bytes"] == 256 * 512 * 4);
  CHECK(k.rows[4].mapping.params["elements"] == 256 * 512);
  CHECK(k.rows[4].mapping.category == "cast/copy");
  const KernelRow& backward = k.rows[5];
  CHECK(backward.backward);
  CHECK(backward.forward_op == "aten::linear");
  CHECK(backward.mapping.params["n"] == 1024);
  CHECK(backward.mapping.params["k"] == 512);
  CHECK_FALSE(k.rows[6].mapping.mapped());  // DtoH memcpy
  CHECK_THAT(k.rows[6].mapping.reason, Catch::Contains("PCIe"));
  CHECK(k.requests.size() == 5);  // two GEMMs, silu, memset, copy
}

TEST_CASE("grouped GEMMs: experts, batched, and the weight gradient split over groups") {
  const json types = {kBf16, kBf16, "long int"};
  const Mapping fwd = map_one("aten::_grouped_mm", {{8192, 7168}, {32, 7168, 2048}, {32}}, types);
  CHECK(fwd.kind == "grouped_gemm");
  CHECK(fwd.params["groups"] == 32);
  CHECK(fwd.params["m_per_group"] == 256);
  CHECK(fwd.params["n"] == 2048);
  CHECK(fwd.params["k"] == 7168);
  const Mapping wgrad = map_one("aten::_grouped_mm", {{7168, 8192}, {8192, 2048}, {32}}, types);
  CHECK(wgrad.params["groups"] == 32);
  CHECK(wgrad.params["m_per_group"] == 7168);
  CHECK(wgrad.params["k"] == 256);
  const Mapping fp8 = map_one("aten::_scaled_grouped_mm", {{8192, 7168}, {32, 7168, 2048}, {8192}, {32, 2048}, {32}},
                              {"c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float", "int"});
  CHECK(fp8.params["scaling"] == "rowwise");
  CHECK(fp8.params["a_dtype"] == "fp8_e4m3");
}

TEST_CASE("_scaled_mm: per-tensor FP8 with the recorded out_dtype") {
  const Mapping m = map_one("aten::_scaled_mm", {{4096, 7168}, {7168, 2048}, {}, {}, {}, {}, {}, {}},
                            {"c10::Float8_e4m3fn", "c10::Float8_e4m3fn", "float", "float", "", "", "Scalar", "Scalar"},
                            {"", "", "", "", "", "", "15", "False"});
  CHECK(m.kind == "gemm");
  CHECK(m.params["scaling"] == "per_tensor");
  CHECK(m.params["out_dtype"] == "bf16");
  CHECK(m.params["m"] == 4096);
}

TEST_CASE("attention: SDPA's cuDNN forward and backward with batch folded into heads") {
  const json q = {2, 16, 4096, 192}, v = {2, 16, 4096, 128};
  const Mapping fwd = map_one("aten::_scaled_dot_product_cudnn_attention", {q, q, v, {}, {}, {}, {}, {}, {}},
                              {kBf16, kBf16, kBf16, "", "Scalar", "Scalar", "Scalar", "Scalar", ""},
                              {"", "", "", "", "True", "0.", "True", "False", ""});
  CHECK(fwd.kind == "attention");
  CHECK(fwd.params ==
        json({{"seq", 4096}, {"heads", 32}, {"qk_dim", 192}, {"v_dim", 128}, {"causal", true}, {"pass", "fwd"}}));
  json dims = json::array({v, q, q, v, v, {2, 16, 4096}});
  json concrete = json::array({"", "", "", "", "", ""});
  for (int i = 0; i < 10; ++i) dims.push_back(json::array());
  for (int i = 0; i < 10; ++i) concrete.push_back(i == 8 ? "False" : "");
  const Mapping bwd = map_one("aten::_scaled_dot_product_cudnn_attention_backward", dims, json::array(), concrete);
  CHECK(bwd.params["pass"] == "bwd");
  CHECK(bwd.params["causal"] == false);
  CHECK(bwd.params["qk_dim"] == 192);
}

TEST_CASE("unmappable calls say why and never throw") {
  const Mapping fp32 = map_one("aten::mm", {{64, 64}, {64, 64}}, {"float", "float"});
  CHECK_FALSE(fp32.mapped());
  CHECK_THAT(fp32.reason, Catch::Contains("bf16, fp16 or fp8"));
  const Mapping no_shape = map_one("aten::mm", json::array(), json::array());
  CHECK_FALSE(no_shape.mapped());
  CHECK(no_shape.category == "gemm");
  const Mapping unknown = map_one("mylib::fused_thing", {{4}}, {"float"});
  CHECK_FALSE(unknown.mapped());
  CHECK_THAT(unknown.reason, Catch::Contains("no row of the mapping table"));
}

TEST_CASE("norms run as rmsnorm within its limits and as a streaming pass beyond") {
  const Mapping rms = map_one("aten::_fused_rms_norm", {{4096, 7168}, {}, {7168}, {}}, {kBf16, "", kBf16, ""});
  CHECK(rms.kind == "rmsnorm");
  CHECK(rms.params == json({{"m", 4096}, {"n", 7168}}));
  const Mapping wide = map_one("aten::native_layer_norm", {{16, 16384}, {}, {16384}, {16384}, {}}, {kBf16});
  CHECK(wide.kind == "elementwise");
}

TEST_CASE("fused AdamW reads four and writes three FP32 tensors per parameter") {
  const json lists = {{1024, 1024}, {1024}};
  const Mapping m = map_one("aten::_fused_adamw_", {lists, lists, lists, lists, json::array(), lists},
                            {"TensorList", "TensorList", "TensorList", "TensorList", "TensorList", "TensorList"});
  const std::int64_t elems = 1024 * 1024 + 1024;
  CHECK(m.params["read_bytes"] == elems * 4 * 4);
  CHECK(m.params["write_bytes"] == elems * 4 * 3);
}

// PyTorch records no shapes of a tensor list (Input Dims "[[], ...]", as on
// PyTorch 2.11): the multi-tensor-apply launches are sized from their grids,
// each kernel on its own. Kernel names as the H100 trace of
// validate/torch/record_traces.py recorded them.
TEST_CASE("tensor-list ops without shapes are sized from each launch's grid") {
  const std::string adam =
      "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
      "namespace)::FusedOptimizerTensorListMetadata<4>, at::native::(anonymous namespace)::FusedAdamMathFunctor<float, "
      "4, (at::native::ADAM_MODE)1, false>, float const*, double>(...)";
  const json none = {json::array(), json::array(), json::array(), json::array()};
  const Mapping m = map_one("aten::_fused_adamw_", none, {"TensorList", "TensorList", "TensorList", "TensorList"},
                            json::array(), adam, 320);
  REQUIRE(m.kind == "elementwise");
  CHECK(m.per_kernel);
  CHECK(m.params["read_bytes"] == 320LL * 65536 * 4 * 4);  // params, grads, both moments
  CHECK(m.params["write_bytes"] == 320LL * 65536 * 4 * 3);
  CHECK_THAT(m.note, Catch::Contains("launch grid (320 blocks"));

  const std::string norm =
      "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
      "namespace)::TensorListMetadata<1>, at::native::LpNormFunctor<c10::BFloat16, (at::native::NormType)1, float, 1, "
      "1, 0>, float*, int>(...)";
  const Mapping n =
      map_one("aten::_foreach_norm", {json::array(), json::array()}, {"TensorList", "Scalar"}, json::array(), norm, 10);
  CHECK(n.params["read_bytes"] == 10LL * 65536 * 2);
  CHECK(n.params["write_bytes"] == 48);  // one FP32 partial per block, rounded up to 16-byte vectors

  // Clipping's multiply by a scalar tensor: the scalar's recorded bytes do not stand for the list.
  const std::string mul =
      "void at::native::(anonymous namespace)::multi_tensor_apply_kernel<at::native::(anonymous "
      "namespace)::TensorListMetadata<1>, at::native::(anonymous namespace)::BinaryOpScalarTensorFunctor<float, 1, 1, "
      "0>, std::multiplies<float>, float*, float>(...)";
  const Mapping scaled =
      map_one("aten::_foreach_mul_", {json::array(), json::array()}, {"TensorList", "float"}, json::array(), mul, 320);
  CHECK(scaled.params["read_bytes"] == 320LL * 65536 * 4);
  CHECK(scaled.params["write_bytes"] == 320LL * 65536 * 4);

  // Without a grid, or a kernel that is not ATen's multi-tensor apply, it stays unmapped.
  CHECK_FALSE(map_one("aten::_fused_adamw_", none, {"TensorList"}, json::array(), adam, 0).mapped());
  CHECK_THAT(map_one("aten::_foreach_norm", {json::array()}, {"TensorList"}, json::array(), "other_kernel", 8).reason,
             Catch::Contains("moves no bytes"));
}

TEST_CASE("ATen's unvectorised kernels carry address work per element; vectorised ones stream") {
  const json dims = {{2, 4096, 14336}};
  const json types = {kBf16};
  const Mapping strided = map_one("aten::silu", dims, types, json::array(),
                                  "void at::native::elementwise_kernel<128, 4, at::native::gpu_kernel_impl_nocast<"
                                  "at::native::(anonymous namespace)::silu_kernel>(int, T)",
                                  229376);
  REQUIRE(strided.kind == "elementwise");
  CHECK(strided.params["elements"] == 2 * 4096 * 14336);
  CHECK(strided.params["element_int_ops"].get<int>() > 0);
  CHECK(strided.params["read_bytes"] == 2 * 4096 * 14336 * 2);
  const Mapping cast = map_one("aten::copy_", {{4096, 8192}, {4096, 8192}}, {"float", kBf16}, json::array(),
                               "void at::native::unrolled_elementwise_kernel<at::native::direct_copy_kernel_cuda>()");
  CHECK(cast.params["elements"] == 4096 * 8192);
  const Mapping vectorised = map_one("aten::silu", dims, types, json::array(),
                                     "void at::native::vectorized_elementwise_kernel<8, at::native::silu_kernel>()");
  CHECK_FALSE(vectorised.params.contains("element_int_ops"));
  CHECK(vectorised.params == json({{"read_bytes", 2 * 4096 * 14336 * 2}, {"write_bytes", 2 * 4096 * 14336 * 2}}));
}

TEST_CASE("sorts are unmapped with the reason, not priced as one streaming pass") {
  const Mapping m = map_one("aten::sort", {{32768}, {}, {}}, {"long int", "", ""});
  CHECK_FALSE(m.mapped());
  CHECK(m.category == "sort");
  CHECK_THAT(m.reason, Catch::Contains("no sorting kernel"));
}

}  // namespace hwsim::trace
