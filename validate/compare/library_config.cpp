#include "validate/compare/library_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <regex>

#include "validate/compare/cublaslt_ids.hpp"

namespace hwsim {
namespace {

constexpr int kStageKBytes = 128;  // the engine's BLOCK_K: 128 bytes of K (gemm_tiles.cpp)

std::optional<int> field(const std::string& detail, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(detail, m, std::regex("(^|\\s)" + key + "=(\\d{1,6})(\\s|;|$)"))) return std::nullopt;
  return std::stoi(m[2].str());
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

}  // namespace

LibraryConfig library_config(const nlohmann::json& record) {
  // Comparisons against a string are false for any other JSON type.
  if (!record.is_object() || !record.contains("kernel") || record["kernel"] != "gemm" ||
      !record.contains("implementation") || record["implementation"] != "cublasLt")
    return {};
  const auto it = record.find("implementation_detail");
  if (it == record.end() || !it->is_string()) return {};
  const std::string detail = it->get<std::string>();
  if (detail.find("tile_id=") == std::string::npos) return {};
  const auto p = record.find("params");
  const bool bf16 = p != record.end() && p->is_object() && p->contains("a_dtype") && (*p)["a_dtype"] == "bf16";
  return decode(detail, bf16 ? 2 : 1);
}

}  // namespace hwsim
