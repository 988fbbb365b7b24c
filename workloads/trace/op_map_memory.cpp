// Memory-bound rows of the mapping table: each becomes hwsim's elementwise
// streaming kernel (or rmsnorm) with the bytes the op must read and write,
// from its recorded input shapes and dtypes. The output's shape is not
// recorded; each row says what it assumes (the broadcast of the inputs, the
// first input for in-place ops, the reduced shape for reductions).
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "workloads/trace/op_mappers.hpp"

namespace hwsim::trace {
namespace {

// A tensor list's dtypes are not recorded: optimizer state is FP32 in
// PyTorch's fused Adam(W) unless the parameters are of lower precision.
constexpr int kListElementBytes = 4;

std::int64_t tensor_inputs_bytes(const OpCall& c) {
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < c.in.count(); ++i) {
    if (c.in.is_tensor(i)) sum += c.in.bytes(i);
    if (sum > kMaxElements * 8) throw Unmappable("the inputs hold more than 2^53 bytes");
  }
  return sum;
}

std::int64_t largest_input_numel(const OpCall& c) {
  std::int64_t numel = 0;
  for (std::size_t i = 0; i < c.in.count(); ++i)
    if (c.in.is_tensor(i)) numel = std::max(numel, c.in.numel(i));
  return numel;
}

// The broadcast output's bytes: the largest tensor input's element count at the first tensor input's dtype.
std::int64_t broadcast_bytes(const OpCall& c) {
  for (std::size_t i = 0; i < c.in.count(); ++i)
    if (c.in.is_tensor(i)) return largest_input_numel(c) * element_bytes(c.in.type(i)).value_or(4);
  return 0;
}

// "[1, -1]" or "-1" as Concrete Inputs prints a dim argument.
std::vector<std::int64_t> dims_of(const std::string& text) {
  std::vector<std::int64_t> out;
  std::int64_t v = 0;
  bool in_number = false, negative = false;
  for (char ch : text + ",") {
    if (ch >= '0' && ch <= '9') {
      v = v * 10 + (ch - '0');
      in_number = true;
    } else if (ch == '-') {
      negative = true;
    } else {
      if (in_number) out.push_back(negative ? -v : v);
      v = 0;
      in_number = negative = false;
    }
  }
  return out;
}

Mapping mapped_streaming(std::int64_t read, std::int64_t write) {
  Mapping m{"", "", "elementwise"};
  m.params = {{"read_bytes", read > 0 ? vector_bytes(read) : 0}, {"write_bytes", write > 0 ? vector_bytes(write) : 0}};
  return m;
}

// ATen's kernels for views it cannot vectorise (PyTorch's
// aten/src/ATen/native/cuda/CUDALoops.cuh): elementwise_kernel<nt, vt, ...>
// and unrolled_elementwise_kernel compute every element's address through
// OffsetCalculator (an integer division and multiply-adds per dimension and
// operand) and move one element per instruction: on the H100 they run at
// about the same time per element whatever the op, dtype or operand count,
// half the vectorised kernel's rate (validate/data/h100-sxm/aten_elementwise.jsonl).
bool aten_unvectorised(const std::string& kernel) {
  return kernel.find("at::native::elementwise_kernel<") != std::string::npos ||
         kernel.find("at::native::unrolled_elementwise_kernel<") != std::string::npos;
}

// INT32 operations per element that make hwsim's elementwise kernel take the
// measured time of `.contiguous()` on the first half of a [8192, 16384] BF16
// tensor (64 M elements, elementwise_kernel<128, 4>: 167.7 us, less the
// profiler's 0.83 us span: 166.9 us; 40 ops give 163.6 us, 42 give 171.7 us
// on h100-sxm); calibration record
// h100-sxm/aten_elementwise/contiguous/chunk_d2_bf16_n67108864 (docs/traces.md,
// "ATen's unvectorised kernels").
constexpr std::int64_t kAtenElementIntOps = 41;

// `m` priced as ATen's unvectorised kernel when `c`'s kernel is one.
void with_aten_address_work(const OpCall& c, Mapping& m, std::int64_t elements) {
  if (!aten_unvectorised(c.gpu.name) || elements <= 0) return;
  m.params["elements"] = elements;
  m.params["element_int_ops"] = kAtenElementIntOps;
}

}  // namespace

std::int64_t vector_bytes(std::int64_t bytes) { return std::max<std::int64_t>(16, (bytes + 15) / 16 * 16); }

Mapping streaming(const OpCall&, std::int64_t read, std::int64_t write) {
  if (read <= 0 && write <= 0) throw Unmappable("the op moves no bytes by its recorded shapes");
  return mapped_streaming(read, write);
}

Mapping map_elementwise(const OpCall& c) {
  const std::string& n = c.op.name;
  const bool in_place = n.ends_with("_");
  // Fills and random initialisation write their tensor and read nothing.
  if (n == "aten::fill_" || n == "aten::zero_" || n == "aten::normal_" || n == "aten::uniform_")
    return streaming(c, 0, c.in.bytes(0));
  Mapping m = streaming(c, tensor_inputs_bytes(c), in_place ? c.in.bytes(0) : broadcast_bytes(c));
  with_aten_address_work(c, m, largest_input_numel(c));
  return m;
}

Mapping map_copy(const OpCall& c) {
  const std::string& n = c.op.name;
  if (n == "aten::copy_") {  // copy_(self = dst, src)
    Mapping m = streaming(c, c.in.bytes(1), c.in.bytes(0));
    with_aten_address_work(c, m, c.in.numel(0));
    return m;
  }
  if (n == "aten::embedding" && c.in.shape(0).size() == 2) {  // embedding(weight, indices)
    const std::int64_t rows = numel_of({c.in.numel(1), c.in.shape(0)[1]}) * element_bytes(c.in.type(0)).value_or(4);
    return streaming(c, rows + c.in.bytes(1), rows);
  }
  if (n == "aten::cat" || n == "aten::stack") {
    Mapping m = streaming(c, c.in.bytes(0, 2), c.in.bytes(0, 2));
    m.note = "the tensor list's dtype is not recorded: assumed 2-byte elements";
    return m;
  }
  Mapping m = streaming(c, tensor_inputs_bytes(c), broadcast_bytes(c));
  if (n == "aten::clone" || n == "aten::contiguous" || n == "aten::_to_copy")
    with_aten_address_work(c, m, largest_input_numel(c));
  else
    m.note = "gather/scatter traffic approximated by the inputs' sizes";
  return m;
}

Mapping map_reduction(const OpCall& c) {
  static const std::set<std::string> kSameShape = {"aten::_softmax",
                                                   "aten::_log_softmax",
                                                   "aten::_softmax_backward_data",
                                                   "aten::_log_softmax_backward_data",
                                                   "aten::sort",
                                                   "aten::cumsum",
                                                   "aten::topk"};
  const std::int64_t read = tensor_inputs_bytes(c);
  if (kSameShape.count(c.op.name)) return streaming(c, read, c.in.bytes(0));
  // sum/mean/amax(self, dim, keepdim): the output keeps the dimensions not reduced.
  const auto shape = c.in.shape(0);
  const auto dims = dims_of(c.in.concrete(1));
  std::int64_t out = 1;
  if (!dims.empty() && !shape.empty()) {
    out = c.in.numel(0);
    for (auto d : dims) {
      const auto r = static_cast<std::int64_t>(shape.size());
      const std::int64_t extent = d >= -r && d < r ? shape[static_cast<std::size_t>((d + r) % r)] : 0;
      if (extent > 0) out /= extent;
    }
  }
  return streaming(c, read, out * element_bytes(c.in.type(0)).value_or(4));
}

// native_layer_norm(input, normalized_shape, weight, bias, eps) and the RMS
// norms (input, normalized_shape, weight, eps): hwsim's rmsnorm (one CTA per
// row, BF16) where its limits allow; layer norm's second statistic adds
// arithmetic, not traffic.
Mapping map_norm(const OpCall& c) {
  const auto shape = c.in.shape(0);
  if (shape.empty()) throw Unmappable("the input's shape is not recorded");
  const std::int64_t n = shape.back(), rows = c.in.numel(0) / std::max<std::int64_t>(1, n);
  if (hwsim_dtype(c.in.type(0)) == "bf16" && n % 8 == 0 && n <= 8192) {
    Mapping m{"", "", "rmsnorm", {{"m", rows}, {"n", n}}};
    if (c.op.name.find("layer_norm") != std::string::npos) m.note = "layer norm run as RMSNorm (the same traffic)";
    return m;
  }
  return streaming(c, tensor_inputs_bytes(c), c.in.bytes(0));
}

// The backward norms read the gradient and the input and write the input's gradient.
Mapping map_norm_backward(const OpCall& c) { return streaming(c, c.in.bytes(0) + c.in.bytes(1), c.in.bytes(1)); }

// A radix sort (cub's onesweep) or a bitonic top-k makes several passes over
// its keys, their number set by the key width, the size and the algorithm
// CUB picks, each pass with its own histogram and scan kernels: one streaming
// pass (what this table could offer) would predict a fraction of it.
Mapping map_sort(const OpCall&) {
  throw Unmappable("hwsim has no sorting kernel (a radix or bitonic sort makes several passes, not one)");
}

// ATen's multi_tensor_apply (ATen/native/cuda/MultiTensorApply.cuh) gives each
// block of a launch one chunk of kChunkSize = 65536 elements and packs the
// chunks of many tensors into launches of at most a few hundred blocks. The
// profiler records no shapes of a tensor list, but every kernel's grid: a
// launch of G blocks covers at most G chunks (a tensor's last chunk may be
// partial, so this is an upper bound, exact when sizes are multiples of 65536).
constexpr std::int64_t kMultiTensorChunk = 65536;

struct MultiTensorLaunch {
  std::int64_t elements = 0;  // per list
  int depth = 0;              // lists each chunk touches (TensorListMetadata<depth>)
  int element_bytes = 0;      // the functor's scalar type
};

// The element size of the functor's first template argument ("FusedAdamMathFunctor<float, 4, ...").
std::optional<int> functor_element_bytes(const std::string& name) {
  const auto f = name.find("Functor<");
  if (f == std::string::npos) return std::nullopt;
  const auto start = f + 8;
  const std::string type = name.substr(start, name.find_first_of(",>", start) - start);
  if (type == "float") return 4;
  if (type == "double") return 8;
  if (type == "c10::BFloat16" || type == "c10::Half") return 2;
  return std::nullopt;
}

std::optional<MultiTensorLaunch> multi_tensor_launch(const GpuOp& g) {
  if (g.name.find("multi_tensor_apply_kernel<") == std::string::npos || g.grid_blocks <= 0) return std::nullopt;
  const auto meta = g.name.find("TensorListMetadata<");
  const auto bytes = functor_element_bytes(g.name);
  if (meta == std::string::npos || !bytes) return std::nullopt;
  const char d = g.name[meta + 19];
  if (d < '1' || d > '9') return std::nullopt;
  return MultiTensorLaunch{g.grid_blocks * kMultiTensorChunk, d - '0', *bytes};
}

// A tensor-list op without recorded shapes, sized from this one launch's grid.
Mapping per_launch(const OpCall& c, const MultiTensorLaunch& l, int lists_read, int lists_written,
                   std::int64_t extra_write) {
  const std::int64_t list = l.elements * l.element_bytes;
  Mapping m = streaming(c, list * lists_read, list * lists_written + extra_write);
  m.per_kernel = true;
  m.note = fmt::format(
      "tensor-list shapes are not recorded: sized from the launch grid ({} blocks x 65,536 elements "
      "of {} bytes, an upper bound)",
      c.gpu.grid_blocks, l.element_bytes);
  return m;
}

// _fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs,
// state_steps, ...): every element of the parameters, gradients and both
// moments read, and the parameters and moments written (amsgrad: the max too).
Mapping map_adamw(const OpCall& c) {
  std::int64_t elems = 0;
  for (const auto& s : c.in.list_shapes(0)) {
    elems += numel_of(s);
    if (elems > kMaxElements) throw Unmappable("more than 2^50 parameters");
  }
  if (elems == 0) {
    const auto l = multi_tensor_launch(c.gpu);
    if (!l) throw Unmappable("the parameter list's shapes are not recorded");
    return per_launch(c, *l, l->depth, l->depth - 1, 0);  // the gradients are read, not written
  }
  const bool amsgrad = !c.in.list_shapes(4).empty();
  const std::int64_t b = elems * kListElementBytes;
  Mapping m = streaming(c, b * (amsgrad ? 5 : 4), b * (amsgrad ? 4 : 3));
  m.note = "tensor-list dtypes are not recorded: FP32 parameters, gradients and moments assumed";
  return m;
}

// _foreach_*(self list, other lists or scalars): every list read, the first written.
Mapping map_foreach(const OpCall& c) {
  std::int64_t read = 0;
  for (std::size_t i = 0; i < c.in.count(); ++i) {
    read += c.in.bytes(i, kListElementBytes);
    if (read > kMaxElements * 8) throw Unmappable("more than 2^53 bytes");
  }
  const bool norm = c.op.name == "aten::_foreach_norm";
  // The self list's shapes unrecorded (the other arguments, a scalar tensor, may have shapes): by the grid.
  const auto l = c.in.list_shapes(0).empty() ? multi_tensor_launch(c.gpu) : std::nullopt;
  if (l) {
    // A norm writes one partial sum per chunk; every other op one output list.
    return norm ? per_launch(c, *l, l->depth, 0, c.gpu.grid_blocks * 4) : per_launch(c, *l, l->depth, 1, 0);
  }
  if (read == 0) throw Unmappable("the op moves no bytes by its recorded shapes");
  Mapping m = streaming(c, read, norm ? 16 : c.in.bytes(0, kListElementBytes));
  m.note = "tensor-list dtypes are not recorded: FP32 assumed";
  return m;
}

}  // namespace hwsim::trace
