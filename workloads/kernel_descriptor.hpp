#pragma once
// KernelDescriptor: a kernel as the validation records describe it, a kind
// plus a params object (the record schema; never rename kinds or params).
// The registry maps each kind to its declared params, the generator of its
// program and its work (docs/engine.md, "A kernel").
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/power/controller.hpp"
#include "models/spec/hardware_spec.hpp"
#include "sim/program/program.hpp"

namespace hwsim {

struct KernelDescriptor {
  std::string kind;
  nlohmann::json params;
};

// What a generator may know about the machine it is launched on.
struct KernelContext {
  const HardwareSpec& spec;
  int sms;  // SMs the launch may use (the `sms` param or a stream's SM set)
};

// One parameter of a kernel kind, declared once in the kernel's file: the
// reader checks params against it and takes defaults and choices from it;
// `hwsim kernels show` prints it.
struct KernelParam {
  std::string name;
  std::string type;                  // "integer > 0", "number >= 0", "integer list", "dtype", "flag" or "choice"
  std::string default_value;         // empty: required
  std::string unit;                  // "elements", "bytes", "GB/s", "us"; empty when it has none
  std::string description;           // what it means, for `hwsim kernels show`
  std::vector<std::string> choices;  // type "choice": the values accepted
  std::int64_t max = 0;              // integers: the largest accepted; 0: kernel_param_limit(unit)
  bool required() const { return default_value.empty(); }
  std::int64_t limit() const;  // max, or the simulation limit of its unit
};

// The largest whole-number param a simulation accepts by unit
// (docs/reliability.md): 2^40 bytes, 2^24 of anything else (elements,
// tokens, CTAs, groups), so that products of dimensions stay exact in 64
// bits and a single launch finishes in reasonable time.
std::int64_t kernel_param_limit(const std::string& unit);

// One `--param NAME=VALUE` of the command line into `params`: VALUE is read
// as JSON when it is JSON ("512", "[1,2]", "true"), else as text ("fp8_e4m3").
// Throws hwsim::Error "--param TEXT: ..." for a missing name or '=' and for
// JSON with a key given twice.
void set_param_from_text(nlohmann::json& params, const std::string& name_equals_value);

// What a kernel must do, whatever machine runs it: the roofline's arithmetic
// and compulsory HBM traffic (workloads/roofline) and the hardware features
// its params ask for.
struct KernelWork {
  double flops = 0;     // tensor-core FLOPs (GEMMs) or CUDA-core FLOPs
  bool tensor = false;  // whether flops run on tensor cores
  DataType mma_type = DataType::kBf16;
  double read_bytes = 0;   // compulsory HBM reads (each input once)
  double write_bytes = 0;  // compulsory HBM writes (each output once)
  double link_s = 0;       // communication kernels: time through their network port
  // Hardware features the kernel's params ask for (hw_proposals/):
  double tma_cast_bytes = 0;         // BF16 bytes the TMA casts to FP8
  double near_memory_bytes = 0;      // BF16 bytes cast beside the HBM (read inside the stacks)
  bool group_scaled = false;         // promotion inside the tensor core
  bool transposed_operands = false;  // MN-major FP8 operands
};

// A kernel kind as its file registers it: its parameters, its program for the
// engine and its work for the roofline, both from the same parsed params.
struct KernelDef {
  std::string kind;
  std::string stands_for;           // the real kernel it models
  std::vector<KernelParam> params;  // declared once (the kernel's kParams)
  std::function<sim::KernelProgram(const KernelDescriptor&, const KernelContext&)> build;
  std::function<KernelWork(const KernelDescriptor&)> work;
  nlohmann::json example;  // params of a small valid launch (docs, `hwsim kernels show`, tests)
};

// All kernels, in the order of registration (kernel_registry.cpp).
const std::vector<KernelDef>& kernel_registry();
// Throws hwsim::Error for an unknown kind, with a did-you-mean and the kinds.
const KernelDef& find_kernel_def(const std::string& kind);
// Throws hwsim::Error for an unknown kind (with a did-you-mean) or bad params.
sim::KernelProgram build_program(const KernelDescriptor& d, const KernelContext& ctx);
// The kernel's work (FLOPs, compulsory bytes, features asked for); the same
// errors as build_program for bad params.
KernelWork kernel_work(const std::string& kind, const nlohmann::json& params);
// The parameters every launch accepts besides the kernel's own.
const std::vector<KernelParam>& launch_params();

// How a launch runs, as opposed to what its kernel computes. The record
// schema keeps these among a descriptor's params; they are read and checked
// here, once, and every model takes them from this struct.
struct LaunchOptions {
  int sms = 0;                          // SMs the launch may use; 0: all of them
  double beside_hbm_GBps = 0;           // HBM traffic of kernels running beside it (the power cap's share)
  std::optional<PowerHistory> history;  // param regime; absent: the simulator's own setting
};
// Throws hwsim::Error naming the kernel and the param when sms is not a whole
// number in 1..sm_count or beside_hbm_GBps is not a number >= 0.
LaunchOptions launch_options(const KernelDescriptor& d, int sm_count);

class ParamReader {
 public:
  ParamReader(const KernelDescriptor& d, const std::vector<KernelParam>& declared);
  std::int64_t positive(const std::string& name) const;  // required integer > 0
  std::int64_t positive_or(const std::string& name, std::int64_t fallback) const;
  DataType dtype(const std::string& name) const;  // a dtype; its declared default when absent, if it has one
  // Whole numbers >= 0: a comma-separated string ("512,1024,384"), a JSON
  // array of whole numbers, or one whole number.
  std::vector<std::int64_t> integer_list(const std::string& name) const;
  bool given(const std::string& name) const;  // whether a declared param is present
  std::string choice(const std::string& name, const std::vector<std::string>& allowed,
                     const std::string& fallback) const;
  bool flag_or(const std::string& name, bool fallback) const;
  // A declared choice or flag, with its declared choices and default.
  std::string choice(const std::string& name) const;
  bool flag(const std::string& name) const;
  // A number >= 0 (0 when absent and not required).
  double non_negative(const std::string& name) const;
  [[noreturn]] void fail(const std::string& name, const std::string& rule) const;

 private:
  const KernelParam& declared(const std::string& name) const;
  std::int64_t limit(const std::string& name) const;
  const KernelDescriptor& d_;
  const std::vector<KernelParam>& declared_;
};

}  // namespace hwsim
