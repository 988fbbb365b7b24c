#include "workloads/roofline/roofline_predictor.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/spec/error.hpp"
#include "sim/engine/time.hpp"

namespace hwsim {
namespace {

double positive(const nlohmann::json& p, const char* key, const std::string& kernel) {
  if (!p.contains(key) || !p[key].is_number() || p[key].get<double>() <= 0) {
    throw Error(fmt::format("kernel {}: parameter '{}' must be a number > 0", kernel, key));
  }
  return p[key].get<double>();
}

DataType dtype(const nlohmann::json& p, const char* key, const std::string& kernel) {
  if (!p.contains(key) || !p[key].is_string()) {
    throw Error(fmt::format("kernel {}: parameter '{}' must be a data type such as bf16 or fp8_e4m3", kernel, key));
  }
  return parse_data_type(p[key].get<std::string>(), fmt::format("kernel {}: parameter '{}'", kernel, key));
}

class RooflinePredictor final : public KernelPredictor {
 public:
  explicit RooflinePredictor(const HardwareSpec& spec) : spec_(spec) {}

  Prediction predict(const std::string& kernel, const nlohmann::json& params) override {
    const KernelWork w = kernel_work(kernel, params);
    require_features(w, kernel);
    // A launch restricted to fewer SMs (`sms`, as every kernel accepts) gets
    // their share of the compute rate; HBM is shared by all SMs.
    const double sms = params.value("sms", static_cast<double>(spec_.sm.count));
    if (!(sms > 0) || sms > spec_.sm.count)
      throw Error(fmt::format("kernel {}: parameter 'sms' must be in 1..{}", kernel, spec_.sm.count));
    const double sm_share = sms / spec_.sm.count;
    const double compute_rate =
        sm_share * (w.tensor ? spec_.peak_flops(w.mma_type)
                             : spec_.cuda_core.fp32_flop_per_clk * spec_.sm.count * spec_.sm_clock_hz());
    // Reads and writes mixed in proportion, each at its sustained efficiency.
    const double hbm = spec_.hbm_bytes_per_s();
    const double mem_s =
        w.read_bytes / (hbm * spec_.hbm.read_efficiency) + w.write_bytes / (hbm * spec_.hbm.write_efficiency);
    double s = std::max({w.flops / compute_rate, mem_s, w.link_s});
    if (w.tma_cast_bytes > 0) {
      s = std::max(s, w.tma_cast_bytes / (spec_.tma.fp8_cast_bytes_per_clk * spec_.sm.count * spec_.sm_clock_hz()));
    }
    if (w.near_memory_bytes > 0) {
      const double rate = std::min(spec_.hbm.near_memory_cast_GBps, spec_.hbm.internal_bandwidth_GBps) * 1e9;
      s = std::max(s, w.near_memory_bytes / rate);
    }
    const double flops_s = w.flops / compute_rate;
    return {
        sim::us_from_seconds(s) + spec_.launch.overhead_us,
        "",
        {{"flops", w.flops},
         {"hbm_bytes", w.read_bytes + w.write_bytes},
         {"tensor_busy", w.tensor && s > 0 ? flops_s / (s + sim::seconds_from_us(spec_.launch.overhead_us)) : 0.0}}};
  }

 private:
  // A kernel that asks for a feature this GPU lacks is an error, not a
  // silent baseline: the proposal's spec delta must come with its rewrite.
  void require_features(const KernelWork& w, const std::string& kernel) const {
    auto need = [&](bool ok, const char* feature, const char* key) {
      if (!ok) {
        throw Error(fmt::format("kernel {} asks for {}, which {} lacks ({}); apply the proposal's spec delta", kernel,
                                feature, spec_.name, key));
      }
    };
    if (w.tma_cast_bytes > 0)
      need(spec_.tma.fp8_cast_bytes_per_clk > 0, "a TMA FP8 cast", "tma.fp8_cast_bytes_per_clk = 0");
    if (w.near_memory_bytes > 0)
      need(spec_.hbm.near_memory_cast_GBps > 0, "a near-memory FP8 cast", "hbm.near_memory_cast_GBps = 0");
    if (w.group_scaled)
      need(spec_.tensor_core.group_scaled_mma, "group-scaled MMA", "tensor_core.group_scaled_mma = false");
    if (w.transposed_operands)
      need(spec_.tensor_core.transposed_fp8_operands, "transposed FP8 operands",
           "tensor_core.transposed_fp8_operands = false");
  }

 public:
 private:
  HardwareSpec spec_;
};

}  // namespace

KernelWork kernel_work(const std::string& kernel, const nlohmann::json& p) {
  KernelWork w;
  if (kernel == "gemm") {
    const double m = positive(p, "m", kernel), n = positive(p, "n", kernel), k = positive(p, "k", kernel);
    const DataType a = dtype(p, "a_dtype", kernel), b = dtype(p, "b_dtype", kernel), o = dtype(p, "out_dtype", kernel);
    w.flops = 2 * m * n * k;
    w.tensor = true;
    w.mma_type = a;
    const std::string scaling = p.value("scaling", "none");
    const bool b_rows = scaling == "block_1x128_1x128";
    const bool block = scaling == "block_1x128_128x128" || b_rows;
    const double a_scales = block ? m * k / 128 * 4 : 0;
    const double b_scales = b_rows ? n * k / 128 * 4 : (block ? n * k / 16384 * 4 : 0);
    w.read_bytes = m * k * bytes_of(a) + a_scales + n * k * bytes_of(b) + b_scales;
    w.write_bytes = m * n * bytes_of(o);
    if (p.value("accumulate", false)) w.read_bytes += m * n * bytes_of(o);  // D += A B reads D
    const std::string a_source = p.value("a_source", "fp8");
    if (a_source == "bf16_tma_cast") {
      w.read_bytes += m * k * (2 - bytes_of(a)) - a_scales;  // BF16 A instead of FP8 + scales
      w.tma_cast_bytes = m * k * 2;
    } else if (a_source == "bf16_near_memory_cast") {
      w.near_memory_bytes = m * k * 2;  // off-chip traffic stays FP8 + scales
    } else if (a_source != "fp8") {
      throw Error(fmt::format(
          "kernel gemm: parameter 'a_source' must be fp8, bf16_tma_cast or bf16_near_memory_cast, got '{}'", a_source));
    }
    if (p.value("write_a_fp8_copy", false)) w.write_bytes += m * k + m * k / 128 * 4;
    const std::string promotion = p.value("promotion", "cuda_core");
    if (promotion != "cuda_core" && promotion != "tensor_core") {
      throw Error(
          fmt::format("kernel gemm: parameter 'promotion' must be cuda_core or tensor_core, got '{}'", promotion));
    }
    w.group_scaled = promotion == "tensor_core";
    const std::string major = p.value("operand_major", "k");
    if (major != "k" && major != "mn") {
      throw Error(fmt::format("kernel gemm: parameter 'operand_major' must be k or mn, got '{}'", major));
    }
    if (major == "mn") {
      w.transposed_operands = true;
      w.tma_cast_bytes = m * k + n * k;  // the TMA re-scales both operands to 128x1 tiles
    }
  } else if (kernel == "memcpy" || kernel == "read" || kernel == "write") {
    const double bytes = positive(p, "bytes", kernel);
    w.read_bytes = kernel == "write" ? 0 : bytes;
    w.write_bytes = kernel == "read" ? 0 : bytes;
  } else if (kernel == "elementwise") {
    w.read_bytes = p.value("read_bytes", 0.0);
    w.write_bytes = p.value("write_bytes", 0.0);
    if (w.read_bytes < 0 || w.write_bytes < 0 || w.read_bytes + w.write_bytes <= 0)
      throw Error("kernel elementwise: read_bytes and write_bytes must be >= 0, one of them > 0");
  } else if (kernel == "ep_comm") {
    w.read_bytes = p.value("hbm_read_bytes", 0.0);
    w.write_bytes = p.value("hbm_write_bytes", 0.0);
    w.link_s = positive(p, "link_bytes", kernel) / (positive(p, "link_GBps", kernel) * 1e9) +
               sim::seconds_from_us(p.value("latency_us", 0.0));
  } else if (kernel == "quant_1x128" || kernel == "quant_128x128") {
    const double rows = positive(p, kernel == "quant_1x128" ? "m" : "n", kernel), k = positive(p, "k", kernel);
    w.read_bytes = rows * k * 2;
    w.write_bytes = rows * k + rows * k / (kernel == "quant_1x128" ? 128 : 16384) * 4;
    w.flops = rows * k * 3;  // |x| max, scale, convert
  } else if (kernel == "transpose_requant") {
    const double m = positive(p, "m", kernel), k = positive(p, "k", kernel);
    w.read_bytes = m * k + m * k / 128 * 4;
    if (p.value("input_source", "fp8") == "bf16_near_memory_cast") w.near_memory_bytes = m * k * 2;
    w.write_bytes = m * k + m * k / 128 * 4;
    w.flops = m * k * 4;
  } else if (kernel == "transpose") {
    const double m = positive(p, "m", kernel), k = positive(p, "k", kernel);
    const int b = bytes_of(dtype(p, "dtype", kernel));
    w.read_bytes = m * k * b;
    w.write_bytes = m * k * b;
  } else if (kernel == "swiglu") {
    const double m = positive(p, "m", kernel), n = positive(p, "n", kernel);
    w.read_bytes = m * 2 * n * 2;
    w.write_bytes = m * n * 2;
    w.flops = m * n * 8;
  } else if (kernel == "rmsnorm") {
    const double m = positive(p, "m", kernel), n = positive(p, "n", kernel);
    w.read_bytes = m * n * 2 + n * 2;
    const std::string out = p.value("out_dtype", "bf16");
    const double fp8_out = m * n + m * n / 128 * 4;
    if (out == "bf16")
      w.write_bytes = m * n * 2;
    else if (out == "fp8_e4m3")
      w.write_bytes = fp8_out;
    else if (out == "bf16_and_fp8_e4m3")
      w.write_bytes = m * n * 2 + fp8_out;
    else
      throw Error(fmt::format(
          "kernel rmsnorm: parameter 'out_dtype' must be bf16, fp8_e4m3 or bf16_and_fp8_e4m3, got '{}'", out));
    w.flops = m * n * 4;
  } else if (kernel == "attention") {
    // BF16 attention core: QK^T and PV are 2 seq^2 heads (qk_dim + v_dim)
    // FLOPs, halved when causal; the backward does 2.5x the forward (dS, dQ,
    // dK, dV and the recomputed P). Compulsory bytes: Q, K, V read and O
    // written once; the backward also reads O and dO and writes dQ, dK, dV.
    const double seq = positive(p, "seq", kernel), heads = positive(p, "heads", kernel);
    const double qk = positive(p, "qk_dim", kernel), v = positive(p, "v_dim", kernel);
    if (!p.contains("causal") || !p["causal"].is_boolean()) {
      throw Error(fmt::format("kernel {}: parameter 'causal' must be true or false", kernel));
    }
    const std::string pass = p.value("pass", "");
    if (pass != "fwd" && pass != "bwd") {
      throw Error(fmt::format("kernel {}: parameter 'pass' must be \"fwd\" or \"bwd\"", kernel));
    }
    const double fwd = 2 * seq * seq * heads * (qk + v) * (p["causal"].get<bool>() ? 0.5 : 1.0);
    w.flops = pass == "fwd" ? fwd : 2.5 * fwd;
    w.tensor = true;
    w.mma_type = DataType::kBf16;
    const double q = seq * heads * qk * 2, kv = seq * heads * (qk + v) * 2, o = seq * heads * v * 2;
    w.read_bytes = pass == "fwd" ? q + kv : q + kv + 2 * o;
    w.write_bytes = pass == "fwd" ? o : q + kv;
  } else {
    throw Error(
        fmt::format("unknown kernel '{}'; the roofline model knows gemm, memcpy, read, write, quant_1x128, "
                    "quant_128x128, transpose_requant, transpose, swiglu, rmsnorm, attention",
                    kernel));
  }
  return w;
}

std::unique_ptr<KernelPredictor> make_roofline_predictor(const HardwareSpec& spec) {
  return std::make_unique<RooflinePredictor>(spec);
}

}  // namespace hwsim
