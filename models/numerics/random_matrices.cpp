#include "models/numerics/random_matrices.hpp"

#include <cmath>
#include <string>

#include "models/numerics/formats.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {
namespace {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

uint8_t draw(SplitMix64& rng, RandomDistribution d) {
  const uint64_t u = rng.next();
  switch (d) {
    case RandomDistribution::normal4: {
      const int64_t s =
          int64_t(u & 0xffff) + int64_t((u >> 16) & 0xffff) + int64_t((u >> 32) & 0xffff) + int64_t(u >> 48) - 131070;
      return uint8_t(encode(kE4M3, std::ldexp(double(s), -9), Overflow::saturate));
    }
    case RandomDistribution::uniform_pos:
      return uint8_t(encode(kE4M3, std::ldexp(double((u >> 48) + 1), -8), Overflow::saturate));
    case RandomDistribution::wide: {
      const uint8_t code = uint8_t(u >> 56);
      return (code & 0x7f) == 0x7f ? uint8_t(code - 1) : code;
    }
  }
  return 0;
}

}  // namespace

RandomDistribution random_distribution_by_name(std::string_view name) {
  if (name == "normal4") return RandomDistribution::normal4;
  if (name == "uniform_pos") return RandomDistribution::uniform_pos;
  if (name == "wide") return RandomDistribution::wide;
  throw Error("unknown random distribution '" + std::string(name) + "' (expected normal4, uniform_pos or wide)");
}

RandomPair random_matrices(RandomDistribution dist, int m, int n, int k, uint64_t seed) {
  SplitMix64 rng(seed);
  RandomPair p{CodeMatrix(m, k), CodeMatrix(n, k)};
  for (Eigen::Index i = 0; i < p.a.size(); ++i) p.a.data()[i] = draw(rng, dist);
  for (Eigen::Index i = 0; i < p.b.size(); ++i) p.b.data()[i] = draw(rng, dist);
  return p;
}

uint64_t fnv1a64(const RandomPair& p) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const CodeMatrix* mat : {&p.a, &p.b}) {
    for (Eigen::Index i = 0; i < mat->size(); ++i) {
      h ^= mat->data()[i];
      h *= 0x100000001b3ull;
    }
  }
  return h;
}

}  // namespace hwsim::numerics
