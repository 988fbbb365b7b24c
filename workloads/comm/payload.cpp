#include "workloads/comm/payload.hpp"

namespace hwsim::comm {
namespace {

double align16(double b) { return static_cast<double>((static_cast<long long>(b) + 15) / 16 * 16); }

}  // namespace

TokenPayload token_payload(const MoeShape& s) {
  constexpr double kSourceMetaBytes = 8;  // DeepEP SourceMeta: two int32
  constexpr int kScaleGroup = 128;        // 1x128 activation tiles (V3 3.3.2)
  TokenPayload p;
  p.fp8_hidden_bytes = s.hidden;
  p.scale_bytes = s.hidden / kScaleGroup * 4.0;
  const double topk = s.experts_per_token * (4.0 + 4.0);
  p.dispatch_bytes = align16(p.fp8_hidden_bytes + p.scale_bytes + kSourceMetaBytes + topk);
  p.combine_bytes = align16(s.hidden * 2.0 + kSourceMetaBytes + s.experts_per_token * 4.0);
  return p;
}

}  // namespace hwsim::comm
