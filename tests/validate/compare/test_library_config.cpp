// The configuration a cuBLASLt record says the library ran
// (validate/compare/library_config.cpp): decoded from cublasLt.h's ids into
// the gemm kernel's params, with cuBLAS's column-major M and N swapped back;
// configurations the engine does not simulate are reasons, never params; the
// predictor merges the params (or not, with library_config = false) and does
// not simulate a record whose configuration it cannot run.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "validate/compare/library_config.hpp"
#include "validate/compare/predictor.hpp"

namespace fs = std::filesystem;
using namespace hwsim;
using nlohmann::json;

namespace {

json cublas_record(const std::string& detail, const char* dtype = "bf16") {
  return {{"id", "x"},
          {"gpu", "h100-sxm"},
          {"kernel", "gemm"},
          {"implementation", "cublasLt"},
          {"implementation_detail", detail},
          {"params", {{"m", 4096}, {"n", 2112}, {"k", 7168}, {"a_dtype", dtype}, {"b_dtype", dtype}}}};
}

// Reports the tile and cluster it was asked to run as its "time".
class EchoConfig final : public KernelPredictor {
 public:
  Prediction predict(const std::string&, const json& p) override {
    return {p.value("tile_n", 0) * 1000.0 + p.value("tile_m", 0) + p.value("cluster_m", 0) * 0.1, ""};
  }
};

}  // namespace

TEST_CASE("cuBLASLt ids decode to the gemm's tile and cluster, M and N swapped back") {
  // tile 144x128 (cuBLAS rows = the GEMM's N), cluster 1x4x1 (4 along cuBLAS's N = the GEMM's M).
  const LibraryConfig c = library_config(
      cublas_record("algo_id=66 tile_id=184 stages_id=35 splitk=1 cluster_shape_id=8 waves=0.9 (ids are ...)"));
  CHECK(c.error.empty());
  CHECK(c.params == json{{"tile_n", 144}, {"tile_m", 128}, {"cluster_n", 1}, {"cluster_m", 4}});
  // FP8 with 128 of K per stage; cluster 2x4x1.
  const LibraryConfig f =
      library_config(cublas_record("tile_id=20 stages_id=36 splitk=1 cluster_shape_id=9", "fp8_e4m3"));
  CHECK(f.params == json{{"tile_n", 128}, {"tile_m", 128}, {"cluster_n", 2}, {"cluster_m", 4}});
  // Cluster chosen at run time: the heuristic's cluster.
  const LibraryConfig a = library_config(cublas_record("tile_id=24 stages_id=35 splitk=1 cluster_shape_id=0"));
  CHECK(a.params == json{{"tile_n", 256}, {"tile_m", 128}});
}

TEST_CASE("configurations the engine does not simulate are reasons, not params") {
  CHECK(library_config(cublas_record("tile_id=24 stages_id=35 splitk=4 cluster_shape_id=5")).error.find("split-K") !=
        std::string::npos);
  // 64 of K x 4 stages: a fixed stage count.
  CHECK(library_config(cublas_record("tile_id=24 stages_id=16 splitk=1 cluster_shape_id=5")).error.find("stages") !=
        std::string::npos);
  // 128 of K per stage is 256 bytes of BF16: not the engine's BLOCK_K.
  CHECK(library_config(cublas_record("tile_id=24 stages_id=36 splitk=1 cluster_shape_id=5")).error.find("stages") !=
        std::string::npos);
  CHECK(library_config(cublas_record("tile_id=99999 stages_id=35 splitk=1")).error.find("tile_id=99999") !=
        std::string::npos);
  // Not cuBLASLt, or no ids: nothing.
  json other = cublas_record("tile_id=24 stages_id=35 splitk=1 cluster_shape_id=5");
  other["implementation"] = "DeepGEMM";
  CHECK(library_config(other).params.empty());
  CHECK(library_config(cublas_record("check=pass")).params.empty());
  json odd = cublas_record("tile_id=24");
  odd["kernel"] = 7;  // malformed fields are the record reader's business, not a throw here
  CHECK(library_config(odd).params.empty());
}

TEST_CASE("the predictor runs the recorded configuration, or the heuristic when asked") {
  const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "_config.jsonl");
  {
    std::ofstream out(p);
    for (const char* detail : {"tile_id=184 stages_id=35 splitk=1 cluster_shape_id=8",
                               "tile_id=184 stages_id=35 splitk=2 cluster_shape_id=8"}) {
      json r = cublas_record(detail);
      r["role"] = "validation";
      r["measured"] = {{"time_us_median", 100.0}};
      out << r.dump() << "\n";
    }
  }
  const auto records = read_records(p);
  fs::remove(p);
  REQUIRE(records.size() == 2);
  PredictorFactory factory = [](const HardwareSpec&) { return std::make_unique<EchoConfig>(); };
  const auto recorded = predict_records(records, factory, {});
  REQUIRE(recorded[0].time_us.has_value());
  CHECK(*recorded[0].time_us == Approx(144128.4));
  CHECK_FALSE(recorded[1].time_us.has_value());
  CHECK(recorded[1].error.find("split-K") != std::string::npos);
  PredictOptions heuristic;
  heuristic.library_config = false;
  const auto rule = predict_records(records, factory, heuristic);
  CHECK(*rule[0].time_us == Approx(0.0));
  CHECK(*rule[1].time_us == Approx(0.0));
}

TEST_CASE("records of a forced configuration are classed apart; a wrong 'configuration' names the line") {
  const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "_forced.jsonl");
  json r = cublas_record("tile_id=20 stages_id=35 splitk=1 cluster_shape_id=2");
  r["role"] = "validation";
  r["measured"] = {{"time_us_median", 100.0}};
  json forced = r;
  forced["configuration"] = "forced";
  std::ofstream(p) << r.dump() << "\n" << forced.dump() << "\n";
  const auto records = read_records(p);
  REQUIRE(records.size() == 2);
  CHECK(record_class(records[0]) == "gemm_bf16");
  CHECK(record_class(records[1]) == "gemm_bf16_forced");
  CHECK(shape_key(records[0]) != shape_key(records[1]));
  forced["configuration"] = "chosen";
  std::ofstream(p) << r.dump() << "\n" << forced.dump() << "\n";
  CHECK_THROWS_WITH(read_records(p), Catch::Contains(":2: field 'configuration' must be \"forced\""));
  fs::remove(p);
}
