#pragma once
// Bytes per token of the expert-parallel all-to-all, from the model shape.
// DeepSeek-V3 dispatches FP8 activations with one FP32 scale per 128 channels
// and combines in BF16 (V3 3.3.3). DeepEP's buffers also carry per-token
// metadata: an 8-byte source record, top-k indices (int32) and weights (FP32),
// and pad each token to 16 bytes (DeepEP csrc/kernels/internode.cu,
// get_num_bytes_per_token).
#include "workloads/comm/moe_shape.hpp"

namespace hwsim::comm {

struct TokenPayload {
  double dispatch_bytes = 0;  // FP8 hidden + FP32 scales + metadata, 16-B aligned
  double combine_bytes = 0;   // BF16 hidden + metadata, 16-B aligned
  double fp8_hidden_bytes = 0;
  double scale_bytes = 0;
};

TokenPayload token_payload(const MoeShape& shape);

}  // namespace hwsim::comm
