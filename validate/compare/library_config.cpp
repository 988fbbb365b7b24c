#include "validate/compare/library_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "validate/compare/cublaslt_ids.hpp"

namespace hwsim {
namespace {

constexpr int kStageKBytes = 128;  // the engine's BLOCK_K: 128 bytes of K (gemm_tiles.cpp)

// The integer after "key=" where key starts a word of `detail` (hwbench's
// "algo_id=66 tile_id=184 ..."); no std::regex, whose GCC 12 instantiation
// warns under the sanitizer build.
std::optional<int> field(const std::string& detail, const std::string& key) {
  const std::string needle = key + "=";
  for (size_t at = detail.find(needle); at != std::string::npos; at = detail.find(needle, at + 1)) {
    if (at > 0 && detail[at - 1] != ' ') continue;
    size_t end = at + needle.size();
    int value = 0, digits = 0;
    while (end < detail.size() && detail[end] >= '0' && detail[end] <= '9' && digits < 6) {
      value = value * 10 + (detail[end++] - '0');
      ++digits;
    }
    const bool ends = end == detail.size() || detail[end] == ' ' || detail[end] == ';';
    if (digits > 0 && ends) return value;
  }
  return std::nullopt;
}

template <class T>
const T* find_id(const std::vector<T>& table, int id) {
  const auto it = std::find_if(table.begin(), table.end(), [&](const T& e) { return e.id == id; });
  return it == table.end() ? nullptr : &*it;
}

// hwbench computes row-major D = A B^T as cuBLAS's column-major D^T = B A^T:
// cuBLAS's M is the GEMM's N and its N the GEMM's M (gemm_cublaslt_sm90.cu).
LibraryConfig decode(const std::string& detail, int ab_bytes) {
  LibraryConfig c;
  const auto tile = field(detail, "tile_id"), stages = field(detail, "stages_id");
  const auto splitk = field(detail, "splitk"), cluster = field(detail, "cluster_shape_id");
  const cublaslt::TileId* t = find_id(cublaslt::tile_ids(), tile.value_or(-1));
  if (t == nullptr) {
    c.error = fmt::format("cuBLASLt tile_id={} is not in cublasLt.h's table (validate/data/cublaslt_enums.txt)",
                          tile.value_or(-1));
    return c;
  }
  if (splitk.value_or(1) != 1) {
    c.error = fmt::format("cuBLASLt ran split-K = {}; the gemm kernel does not simulate split-K", *splitk);
    return c;
  }
  const cublaslt::StagesId* s = find_id(cublaslt::stages_ids(), stages.value_or(-1));
  if (s != nullptr && (s->stages != 0 || s->k * ab_bytes != kStageKBytes)) {
    c.error = fmt::format(
        "cuBLASLt's stages_id={} ({} of K x {} stages) is not simulated: the gemm kernel runs {} "
        "bytes of K per stage and as many stages as fit",
        s->id, s->k, s->stages == 0 ? "auto" : std::to_string(s->stages), kStageKBytes);
    return c;
  }
  c.params["tile_n"] = t->rows;
  c.params["tile_m"] = t->cols;
  const cublaslt::ClusterId* cl = find_id(cublaslt::cluster_ids(), cluster.value_or(0));
  if (cl != nullptr && cl->z != 1) {
    c.error =
        fmt::format("cuBLASLt's cluster {}x{}x{} spans K; the gemm kernel does not simulate it", cl->x, cl->y, cl->z);
    return c;
  }
  if (cl != nullptr) {
    c.params["cluster_n"] = cl->x;
    c.params["cluster_m"] = cl->y;
  }
  return c;
}

// obj[key] is the string `value` (false for a missing key, another type, or a non-object).
bool text_is(const nlohmann::json& obj, const char* key, const char* value) {
  if (!obj.is_object()) return false;
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() && it->get_ref<const std::string&>() == value;
}

}  // namespace

LibraryConfig library_config(const nlohmann::json& record) {
  if (!text_is(record, "kernel", "gemm") || !text_is(record, "implementation", "cublasLt")) return {};
  const auto it = record.find("implementation_detail");
  if (it == record.end() || !it->is_string()) return {};
  const std::string detail = it->get<std::string>();
  if (detail.find("tile_id=") == std::string::npos) return {};
  const auto p = record.find("params");
  const bool bf16 = p != record.end() && text_is(*p, "a_dtype", "bf16");
  return decode(detail, bf16 ? 2 : 1);
}

}  // namespace hwsim
