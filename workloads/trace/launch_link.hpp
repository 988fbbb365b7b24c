#pragma once
// Ties each GPU op of a trace to the CUDA runtime call that launched it (by
// CUPTI's correlation id) and that call to the CPU ops enclosing it (by the
// call's External id, else by time on its thread), and a backward op to its
// forward op (autograd's sequence number, recorded on both).
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/trace/trace.hpp"

namespace hwsim::trace {

struct Launch {
  std::int64_t runtime = -1;       // index into Trace::runtime; -1: not found
  std::vector<std::size_t> stack;  // ops enclosing the launch, innermost first
  bool backward = false;           // launched inside an autograd backward op
  std::int64_t forward_op = -1;    // that backward op's forward op (by sequence number)
};

// One Launch per element of t.gpu, in the same order.
std::vector<Launch> link_launches(const Trace& t);

}  // namespace hwsim::trace
