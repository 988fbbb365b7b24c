// GEMM and attention rows of the mapping table. Shapes are the aten
// signatures' (native_functions.yaml): mm(self [M,K], mat2 [K,N]),
// addmm(bias, mat1, mat2), linear(input [...,K], weight [N,K]),
// bmm(self [B,M,K], mat2 [B,K,N]), _scaled_mm(self, mat2, scale_a, scale_b,
// bias, scale_result, out_dtype, use_fast_accum), _grouped_mm(mat_a, mat_b,
// offs, bias, out_dtype), _scaled_grouped_mm(mat_a, mat_b, scale_a, scale_b,
// offs, bias, scale_result, out_dtype, use_fast_accum); SDPA's query, key and
// value are [batch, heads, seq, head_dim].
#include <fmt/format.h>

#include <map>

#include "workloads/trace/op_mappers.hpp"

namespace hwsim::trace {
namespace {

using json = nlohmann::json;

std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

void add_note(Mapping& m, const std::string& note) { m.note = m.note.empty() ? note : m.note + "; " + note; }

// hwsim's GEMMs take bf16 or fp8_e4m3 operands (workloads/kernels/gemm_program.cpp).
std::string gemm_dtype(const OpCall& c, std::size_t i, Mapping& m) {
  const std::string t = hwsim_dtype(c.in.type(i));
  if (t == "bf16" || t == "fp8_e4m3") return t;
  if (t == "fp16") {
    add_note(m, "fp16 operands run as bf16 (the same tensor-core rate)");
    return "bf16";
  }
  if (t == "fp8_e5m2") {
    add_note(m, "fp8_e5m2 operands run as fp8_e4m3 (the same tensor-core rate)");
    return "fp8_e4m3";
  }
  throw Unmappable(fmt::format("operand {} is '{}': hwsim's GEMMs take bf16, fp16 or fp8 operands", i, c.in.type(i)));
}

std::vector<std::int64_t> need_shape(const OpCall& c, std::size_t i, std::size_t min_rank) {
  const auto s = c.in.shape(i);
  if (s.size() < min_rank)
    throw Unmappable(
        fmt::format("input {} has shape [{}]; expected at least {} dimensions", i, fmt::join(s, ","), min_rank));
  for (auto d : s) {
    if (d <= 0) throw Unmappable(fmt::format("input {} has an empty dimension ([{}])", i, fmt::join(s, ",")));
  }
  (void)numel_of(s);  // refuses shapes whose element count would overflow
  return s;
}

// K and N padded so that rows are whole 16-byte TMA boxes (the real kernel pads or masks them).
void set_gemm_dims(Mapping& m, std::int64_t mm, std::int64_t n, std::int64_t k, const std::string& dtype) {
  const std::int64_t elems = dtype == "bf16" ? 8 : 16;
  const std::int64_t kp = round_up(k, elems), np = round_up(n, 8);
  if (kp != k || np != n) add_note(m, fmt::format("k {} and n {} padded to {} and {} (16-byte rows)", k, n, kp, np));
  m.params["m"] = mm;
  m.params["n"] = np;
  m.params["k"] = kp;
}

// ScalarType numbers as Concrete Inputs prints an out_dtype (c10/core/ScalarType.h).
std::string out_dtype_of(const std::string& concrete, const std::string& fallback) {
  if (concrete == "15") return "bf16";
  if (concrete == "6") return "fp32";
  return fallback;
}

}  // namespace

Mapping map_mm(const OpCall& c) {
  const std::string& name = c.op.name;
  const bool addmm = name == "aten::addmm", linear = name == "aten::linear";
  const std::size_t a = addmm ? 1 : 0, b = a + 1;
  const auto sa = need_shape(c, a, linear ? 1 : 2), sb = need_shape(c, b, 2);
  if (name == "aten::matmul" && sb.size() > 2) return map_bmm(c);
  Mapping m{"", "", "gemm"};
  const std::string dt = gemm_dtype(c, a, m);
  if (gemm_dtype(c, b, m) != dt) throw Unmappable("operands of different dtypes");
  const std::int64_t k = sa.back();
  const std::int64_t rows = numel_of(sa) / k;  // leading dims folded into M
  const std::int64_t n = linear ? sb[0] : sb[1];
  if ((linear ? sb[1] : sb[0]) != k) throw Unmappable(fmt::format("inner dimensions {} and {} differ", k, sb[0]));
  set_gemm_dims(m, rows, n, k, dt);
  m.params.update({{"a_dtype", dt}, {"b_dtype", dt}, {"out_dtype", "bf16"}, {"scaling", "none"}});
  return m;
}

Mapping map_bmm(const OpCall& c) {
  const std::size_t a = c.op.name == "aten::baddbmm" ? 1 : 0, b = a + 1;
  const auto sa = need_shape(c, a, 3), sb = need_shape(c, b, 3);
  Mapping m{"", "", "grouped_gemm"};
  const std::string dt = gemm_dtype(c, a, m);
  const std::int64_t groups = numel_of(sa) / numel_of({sa[sa.size() - 2], sa.back()});
  add_note(m, "each batch a group of one grouped GEMM");
  set_gemm_dims(m, sa[sa.size() - 2], sb.back(), sa.back(), dt);
  m.params["m_per_group"] = m.params["m"];
  m.params.erase("m");
  m.params.update({{"groups", groups}, {"a_dtype", dt}, {"b_dtype", dt}, {"out_dtype", "bf16"}, {"scaling", "none"}});
  return m;
}

Mapping map_scaled_mm(const OpCall& c) {
  const auto sa = need_shape(c, 0, 2), sb = need_shape(c, 1, 2);
  Mapping m{"", "", "gemm"};
  const std::string dt = gemm_dtype(c, 0, m);
  set_gemm_dims(m, sa[0], sb[1], sa[1], dt);
  const std::int64_t scales_a = c.in.numel(2), scales_b = c.in.numel(3);
  std::string scaling = "per_tensor";
  if (scales_a > 1 && c.in.shape(2).size() == 2 && c.in.shape(2)[1] > 1) {
    scaling = scales_b == sb[1] * ((sa[1] + 127) / 128) ? "block_1x128_1x128" : "block_1x128_128x128";
  } else if (scales_a > 1) {
    add_note(m, "row-wise scales run as per-tensor (one multiply in the epilogue either way)");
  }
  m.params.update(
      {{"a_dtype", dt}, {"b_dtype", dt}, {"out_dtype", out_dtype_of(c.in.concrete(6), "bf16")}, {"scaling", scaling}});
  if (c.in.concrete(7) == "True" && !scaling.starts_with("block_")) m.params["fast_accum"] = true;
  return m;
}

Mapping map_grouped_mm(const OpCall& c) {
  const bool scaled = c.op.name == "aten::_scaled_grouped_mm";
  const std::size_t offs = scaled ? 4 : 2;
  const auto sa = need_shape(c, 0, 2), sb = need_shape(c, 1, 2);
  Mapping m{"", "", "grouped_gemm"};
  const std::string dt = gemm_dtype(c, 0, m);
  std::int64_t groups = 0, rows = 0, n = 0, k = 0;
  const auto so = c.in.shape(offs);
  if (sa.size() == 2 && sb.size() == 3) {  // activations [tokens, K] x experts [G, K, N]
    groups = sb[0], rows = (sa[0] + groups - 1) / groups, n = sb[2], k = sa[1];
    add_note(m, "the groups' rows assumed equal (the offsets' values are not recorded)");
  } else if (sa.size() == 3 && sb.size() == 3) {  // batched
    groups = sa[0], rows = sa[1], n = sb[2], k = sa[2];
  } else if (sa.size() == 2 && sb.size() == 2 && so.size() == 1 && so[0] > 0) {  // weight gradient: K split by offs
    groups = so[0], rows = sa[0], n = sb[1], k = (sa[1] + groups - 1) / groups;
    add_note(m, "weight gradient: each group reduces over its own tokens, assumed equal in number");
  } else if (sa.size() == 3 && sb.size() == 2) {
    groups = sa[0], rows = sa[1], n = sb[1] / groups, k = sa[2];
  } else {
    throw Unmappable(fmt::format("operand ranks {} and {} with offsets [{}] are not a grouped GEMM hwsim models",
                                 sa.size(), sb.size(), fmt::join(so, ",")));
  }
  if (groups <= 0 || n <= 0 || k <= 0 || rows <= 0) throw Unmappable("an empty group");
  set_gemm_dims(m, rows, n, k, dt);
  m.params["m_per_group"] = m.params["m"];
  m.params.erase("m");
  m.params.update({{"groups", groups},
                   {"a_dtype", dt},
                   {"b_dtype", dt},
                   {"out_dtype", out_dtype_of(c.in.concrete(scaled ? 7 : 4), "bf16")},
                   {"scaling", scaled ? "rowwise" : "none"}});
  return m;
}

// Where each attention op takes is_causal (native_functions.yaml), and the
// index of its query (the backward ops take grad_out first).
Mapping map_attention(const OpCall& c) {
  static const std::map<std::string, std::pair<std::size_t, std::size_t>> kCausalAndQuery = {
      {"aten::scaled_dot_product_attention", {5, 0}},
      {"aten::_scaled_dot_product_cudnn_attention", {6, 0}},
      {"aten::_scaled_dot_product_flash_attention", {4, 0}},
      {"aten::_scaled_dot_product_efficient_attention", {6, 0}},
      {"aten::_scaled_dot_product_cudnn_attention_backward", {14, 1}},
      {"aten::_scaled_dot_product_flash_attention_backward", {11, 1}},
      {"aten::_scaled_dot_product_efficient_attention_backward", {11, 1}}};
  const auto it = kCausalAndQuery.find(c.op.name);
  if (it == kCausalAndQuery.end()) throw Unmappable("an attention op whose argument order the table does not know");
  const auto [causal_at, q] = it->second;
  const auto sq = need_shape(c, q, 4), sk = need_shape(c, q + 1, 4), sv = need_shape(c, q + 2, 4);
  Mapping m{"", "", "attention"};
  add_note(m, "batch folded into heads");
  const std::int64_t seq = round_up(sq[2], 128), qk = round_up(sq[3], 16), vd = round_up(sv[3], 16);
  if (seq != sq[2]) add_note(m, fmt::format("seq {} padded to {} (128-token tiles)", sq[2], seq));
  if (sk[2] != sq[2]) add_note(m, fmt::format("{} keys per {} queries run as a square attention", sk[2], sq[2]));
  if (qk > 256 || vd > 256) throw Unmappable(fmt::format("head dims {} / {} above 256", sq[3], sv[3]));
  const std::string causal = c.in.concrete(causal_at);
  if (causal != "True" && causal != "False") add_note(m, "is_causal not recorded: assumed causal");
  m.params = {{"seq", seq},  {"heads", sq[0] * sq[1]},      {"qk_dim", qk},
              {"v_dim", vd}, {"causal", causal != "False"}, {"pass", c.op.name.ends_with("_backward") ? "bwd" : "fwd"}};
  return m;
}

}  // namespace hwsim::trace
