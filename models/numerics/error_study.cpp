#include "models/numerics/error_study.hpp"

#include <cmath>

#include "models/numerics/formats.hpp"
#include "models/spec/error.hpp"

namespace hwsim::numerics {

std::vector<ErrorRow> run_error_study(const ErrorStudy& study) {
  if (study.m < 1 || study.n < 1) throw Error("error study: M and N must be >= 1");
  std::vector<ErrorRow> rows;
  for (int k : study.ks) {
    if (k < 1) throw Error("error study: K must be >= 1 (got " + std::to_string(k) + ")");
    const RandomPair p = random_matrices(study.distribution, study.m, study.n, k, study.seed + uint64_t(k));
    // FP64 reference: products of E4M3 values are exact in double, and the
    // sum's own rounding (about K * 2^-53 relative) is far below any error
    // measured here.
    Eigen::MatrixXd ref(study.m, study.n);
    std::vector<double> av(size_t(study.m) * k), bv(size_t(study.n) * k);
    for (size_t i = 0; i < av.size(); ++i) av[i] = decode(kE4M3, p.a.data()[i]);
    for (size_t i = 0; i < bv.size(); ++i) bv[i] = decode(kE4M3, p.b.data()[i]);
    for (int i = 0; i < study.m; ++i)
      for (int j = 0; j < study.n; ++j) {
        double s = 0;
        for (int kk = 0; kk < k; ++kk) s += av[size_t(i) * k + kk] * bv[size_t(j) * k + kk];
        ref(i, j) = s;
      }
    const double ref_max = ref.cwiseAbs().maxCoeff();
    for (const ErrorConfig& cfg : study.configs) {
      const FloatMatrix c = emulate_gemm(p.a, p.b, cfg.options);
      ErrorRow r;
      r.k = k;
      r.config = cfg.label;
      double sum = 0, signed_sum = 0, max_abs = 0;
      long counted = 0;
      for (int i = 0; i < study.m; ++i)
        for (int j = 0; j < study.n; ++j) {
          const double d = double(c(i, j)) - ref(i, j);
          max_abs = std::max(max_abs, std::fabs(d));
          if (ref(i, j) == 0) continue;
          const double rel = std::fabs(d) / std::fabs(ref(i, j));
          r.max_rel = std::max(r.max_rel, rel);
          sum += rel;
          signed_sum += d / std::fabs(ref(i, j));
          ++counted;
        }
      r.mean_rel = counted ? sum / double(counted) : 0;
      r.mean_signed_rel = counted ? signed_sum / double(counted) : 0;
      r.norm_rel = ref_max > 0 ? max_abs / ref_max : 0;
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace hwsim::numerics
