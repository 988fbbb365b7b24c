#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "models/spec/error.hpp"
#include "sim/config/gpu_loader.hpp"
#include "validate/compare/predictor.hpp"
#include "validate/compare/validation.hpp"
#include "workloads/roofline/roofline_predictor.hpp"

namespace fs = std::filesystem;
using namespace hwsim;

namespace {

fs::path write_tmp(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / (std::to_string(::getpid()) + "_" + name);
  std::ofstream(p) << text;
  return p;
}

std::string rec(const std::string& gpu, const std::string& kernel, const std::string& params, double t,
                const std::string& role = "validation") {
  static int serial = 0;
  return R"({"id": ")" + gpu + "/" + kernel + "/" + std::to_string(serial++) + R"(", "gpu": ")" + gpu +
         R"(", "kernel": ")" + kernel + R"(", "params": )" + params + R"(, "measured": {"time_us_median": )" +
         std::to_string(t) + R"(, "time_us_min": )" + std::to_string(t * 0.99) + R"(, "time_us_max": )" +
         std::to_string(t * 1.01) + R"(, "reps": 20}, "implementation": "hwbench", "role": ")" + role + "\"}\n";
}

std::string error_of(const std::string& text) {
  const fs::path p = write_tmp("bad.jsonl", text);
  try {
    read_records(p);
  } catch (const Error& e) {
    fs::remove(p);
    return std::string(e.what()).substr(p.string().size());
  }
  fs::remove(p);
  return "(no error)";
}

// A predictor whose answer is known: time proportional to bytes, so the
// what-if speed-up of a copy is exactly the bandwidth ratio.
class BandwidthOnly final : public KernelPredictor {
 public:
  explicit BandwidthOnly(double gbps) : gbps_(gbps) {}
  Prediction predict(const std::string&, const nlohmann::json& p) override {
    return {p["bytes"].get<double>() / (gbps_ * 1e3), ""};
  }

 private:
  double gbps_;
};

}  // namespace

TEST_CASE("record schema errors name the line and the field") {
  CHECK(error_of("{\"id\": 1}\n") == ":1: field 'id' must be a non-empty string");
  CHECK(error_of("\n{\"id\": \"x\", \"gpu\": \"h100-sxm\"}\n") == ":2: missing field 'kernel'");
  CHECK(error_of("not json\n").starts_with(":1: malformed JSON: "));
  CHECK(error_of(R"({"id": "x", "gpu": "g", "kernel": "read", "role": "tuning", "params": {}})") ==
        ":1: field 'role' must be 'calibration' or 'validation', got 'tuning'");
  CHECK(
      error_of(
          R"({"id": "x", "gpu": "g", "kernel": "read", "role": "validation", "params": {}, "measured": {"time_us_median": -3}})") ==
      ":1: field 'measured.time_us_median' must be a number > 0");
  CHECK(
      error_of(
          R"({"id": "x", "gpu": "g", "kernel": "read", "role": "validation", "params": {}, "regime": "burst", "measured": {"time_us_median": 3}})") ==
      ":1: field 'regime' must be \"sustained\" (back to back for seconds), \"idle\" (one launch after idle "
      "time) or \"train\" (launches back to back after idle time), or absent (flushed repetitions), got \"burst\"");
  // A record's history is checked as the launch param regime is, naming the line.
  CHECK(
      error_of(
          R"({"id": "x", "gpu": "g", "kernel": "read", "role": "validation", "params": {}, "regime": "train", "history": {"launches": 0}, "measured": {"time_us_median": 3}})")
          .starts_with(":1: fields 'regime' and 'history': launches=0 must be a whole number"));
  CHECK(
      error_of(
          R"({"id": "x", "gpu": "g", "kernel": "read", "role": "validation", "params": {}, "history": {"launches": 3}, "measured": {"time_us_median": 3}})") ==
      ":1: field 'history' needs a field 'regime'");
  CHECK(
      error_of(
          R"({"id": "x", "gpu": "g", "kernel": "read", "role": "validation", "params": {}, "regime": "idle", "history": {"idle_before_ms": "long"}, "measured": {"time_us_median": 3}})") ==
      ":1: history.idle_before_ms must be a number");
}

TEST_CASE("a record's regime and history become the launch param regime") {
  const auto dir = std::filesystem::temp_directory_path() / "hwsim_test_regime";
  std::filesystem::create_directories(dir);
  const auto file = dir / "r.jsonl";
  std::ofstream(file)
      << R"({"id": "a", "gpu": "g", "kernel": "read", "role": "validation", "params": {"bytes": 16}, "regime": "train", "history": {"idle_before_ms": 1000, "launches": 30, "gap_us": 0}, "measured": {"time_us_median": 3}})"
      << "\n"
      << R"({"id": "b", "gpu": "g", "kernel": "read", "role": "validation", "params": {"bytes": 16}, "regime": "idle", "history": {"idle_before_ms": 5, "launches": 1}, "measured": {"time_us_median": 3}})"
      << "\n";
  const auto recs = hwsim::read_records(file);
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].history == "train:idle_before_ms=1000,launches=30,gap_us=0");
  CHECK(recs[0].regime == "train");
  CHECK(recs[1].history == "idle:idle_before_ms=5");  // an idle regime has no train settings
  std::filesystem::remove_all(dir);
}

TEST_CASE("kernel classes split GEMMs by type and scaling") {
  CHECK(kernel_class("gemm", {{"a_dtype", "bf16"}}) == "gemm_bf16");
  CHECK(kernel_class("gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "per_tensor"}}) == "gemm_fp8_per_tensor");
  CHECK(kernel_class("gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "block_1x128_128x128"}}) == "gemm_fp8_block");
  CHECK(kernel_class("rmsnorm", {}) == "rmsnorm");
  CHECK(kernel_class("gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "block_1x128_1x128"}}) == "gemm_fp8_wgrad");
  CHECK(kernel_class("gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "block_1x128_128x128"}, {"sms", 112}}) ==
        "gemm_fp8_block_sms112");
  CHECK(kernel_class("attention", {{"seq", 4096}}) == "attention");
  // Grouped GEMMs (MoE experts) are classed apart from plain ones.
  CHECK(kernel_class("grouped_gemm", {{"a_dtype", "bf16"}}) == "grouped_gemm_bf16");
  CHECK(kernel_class("grouped_gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "rowwise"}}) == "grouped_gemm_fp8_rowwise");
  CHECK(kernel_class("grouped_gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "block_1x128_128x128"}}) ==
        "grouped_gemm_fp8_block");
  // Back-to-back runs of the same kernel are a class of their own.
  CHECK(kernel_class("gemm", {{"a_dtype", "fp8_e4m3"}, {"scaling", "block_1x128_1x128"}, {"sms", 112}}, "sustained") ==
        "gemm_fp8_wgrad_sms112_sustained");
}

TEST_CASE("predictions run per GPU in child processes and come back in order") {
  const fs::path p = write_tmp("two.jsonl", rec("h100-sxm", "read", R"({"bytes": 1000000000})", 400) +
                                                rec("h200-sxm", "read", R"({"bytes": 1000000000})", 280) +
                                                rec("h100-sxm", "memcpy", R"({"bytes": 2000000000})", 700) +
                                                rec("h200-sxm", "memcpy", R"({"bytes": 2000000000})", 480) +
                                                rec("h100-sxm", "read", R"({"bytes": 5})", 3, "calibration"));
  const auto records = read_records(p);
  fs::remove(p);
  REQUIRE(records.size() == 5);
  PredictorFactory factory = [](const HardwareSpec& s) {
    return std::make_unique<BandwidthOnly>(s.hbm.bandwidth_GBps);
  };
  const auto pred = predict_records(records, factory, {});
  REQUIRE(pred.size() == 5);
  CHECK(*pred[0].time_us == Approx(1e9 / 3352e3));
  CHECK(*pred[1].time_us == Approx(1e9 / 4800e3));

  const auto v = score_gpu("h100-sxm", records, pred);
  CHECK(v.overall.count == 2);  // the calibration record is not scored
  CHECK(v.classes.count("read") == 1);

  const auto w = compare_whatif("h100-sxm", "h200-sxm", records, pred);
  REQUIRE(w.rows.size() == 3);  // memcpy, read, overall
  CHECK(w.rows.back().kernel_class == "overall");
  CHECK(w.rows.back().predicted == Approx(4800.0 / 3352.0));
  CHECK(w.rows[1].measured == Approx(400.0 / 280.0));
}

TEST_CASE("grouped GEMM records are read, predicted and scored in their class") {
  const std::string grouped =
      R"({"groups": 4, "group_rows": "512,1024,384,2048", "n": 4096, "k": 7168, "a_dtype": "fp8_e4m3", )"
      R"("b_dtype": "fp8_e4m3", "scaling": "rowwise"})";
  const fs::path p = write_tmp("grouped.jsonl", rec("h100-sxm", "grouped_gemm", grouped, 300));
  const auto records = read_records(p);
  fs::remove(p);
  REQUIRE(records.size() == 1);
  const auto pred = predict_records(records, [](const HardwareSpec& s) { return make_roofline_predictor(s); }, {});
  REQUIRE(pred[0].time_us.has_value());
  CHECK(*pred[0].time_us > 0);
  const auto v = score_gpu("h100-sxm", records, pred);
  CHECK(v.classes.count("grouped_gemm_fp8_rowwise") == 1);
}

TEST_CASE("an unknown GPU gives its records the load error, others still run") {
  const fs::path p = write_tmp(
      "unk.jsonl", rec("h900-sxm", "read", R"({"bytes": 1024})", 4) + rec("h100-sxm", "read", R"({"bytes": 1024})", 4));
  const auto records = read_records(p);
  fs::remove(p);
  const auto pred = predict_records(records, [](const HardwareSpec& s) { return make_roofline_predictor(s); }, {});
  CHECK_FALSE(pred[0].time_us.has_value());
  CHECK(pred[0].error.starts_with("unknown GPU 'h900-sxm'"));
  CHECK(pred[1].time_us.has_value());
}

TEST_CASE("the roofline baseline never beats the compulsory traffic") {
  const auto spec = load_gpu("h100-sxm");
  auto model = make_roofline_predictor(spec);
  const double t = *model->predict("memcpy", {{"bytes", 1e9}}).time_us;
  CHECK(t >= 2e9 / spec.hbm_bytes_per_s() * 1e6);
  CHECK_THROWS_WITH(model->predict("gemm", {{"m", 128}, {"n", 128}}),
                    "kernel gemm: param k is required (a whole number > 0)");
  CHECK_THROWS_WITH(model->predict("fft", {}), Catch::Contains("unknown kernel 'fft'"));
}

// Inputs the records fuzz target found (tests/fuzz, docs/reliability.md
// "Fuzzing"): each once escaped as an exception without a file or line.
TEST_CASE("fuzzed records and devices give located errors, never a crash or a hang") {
  CHECK(error_of("{\"id\": 1001e3080}\n") ==
        ":1: malformed JSON: a number out of range ([json.exception.out_of_range.406] number overflow parsing "
        "'1001e3080')");
  CHECK_THROWS_WITH(read_records("/dev/zero"),
                    "cannot read records file '/dev/zero': not a regular file (a folder, device or FIFO)");
}
