// multigpu_bench: measures the multi-GPU data paths the interconnect model of
// hwsim predicts (models/interconnect, workloads/comm) on one node:
//   - peer-to-peer copies between every GPU pair, by the copy engines
//     (cudaMemcpyPeerAsync) and by SM stores into peer memory (a kernel);
//   - NCCL all-to-all, all-reduce, reduce-scatter and all-gather over all GPUs;
// for message sizes 4 KB to 1 GB, and writes one JSON Lines record per
// measurement in the validation record schema (role "validation": these
// numbers check the model and never set its parameters).
//
// NVLink multicast (NVLS) stays off: NCCL_NVLS_ENABLE=0 is set in this
// process's environment before NCCL initialises, and the program never
// creates multicast objects.
//
// Every transfer is checked against a CPU reference (the data that arrives is
// compared with what was sent or the expected reduction) before it is timed.
//
// Build: see CMakeLists.txt or README.md (CUDA Toolkit with its NCCL only).
#include <cuda_runtime.h>
#include <nccl.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace {

#define CUDA_CHECK(x)                                                                                          \
  do {                                                                                                         \
    cudaError_t e_ = (x);                                                                                      \
    if (e_ != cudaSuccess) {                                                                                   \
      std::fprintf(stderr, "multigpu_bench: %s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(2);                                                                                            \
    }                                                                                                          \
  } while (0)

#define NCCL_CHECK(x)                                                                                          \
  do {                                                                                                         \
    ncclResult_t r_ = (x);                                                                                     \
    if (r_ != ncclSuccess) {                                                                                   \
      std::fprintf(stderr, "multigpu_bench: %s:%d: %s: %s\n", __FILE__, __LINE__, #x, ncclGetErrorString(r_)); \
      std::exit(2);                                                                                            \
    }                                                                                                          \
  } while (0)

struct Options {
  std::string out = "multigpu.jsonl";
  size_t min_bytes = 4096;
  size_t max_bytes = size_t(1) << 30;
  int reps = 20;
  int warmup = 3;
  int gpus = 0;  // 0: all visible
};

struct Stats {
  double median_us, min_us, max_us;
  int reps;
};

Stats stats_of(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  const size_t n = t.size();
  const double med = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
  return {med, t.front(), t.back(), static_cast<int>(n)};
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    o += c;
  }
  return o;
}

// The hwsim preset a device corresponds to, from its name.
std::string preset_of(const cudaDeviceProp& p) {
  std::string n = p.name;
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
  if (has("h800")) return "h800-sxm";
  if (has("h200")) return "h200-sxm";
  if (has("h100") && (has("sxm") || has("hbm3"))) return "h100-sxm";
  std::string o;
  for (char c : n) o += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return o;
}

struct Context {
  Options opt;
  int n = 0;
  std::vector<cudaDeviceProp> props;
  std::string provenance;  // JSON object text
  std::vector<std::string> lines;
};

void emit(Context& c, const std::string& id, int dev, const std::string& kernel, const std::string& params,
          const Stats& s, const std::string& impl) {
  char buf[2048];
  std::snprintf(buf, sizeof buf,
                "{\"id\":\"%s\",\"gpu\":\"%s\",\"kernel\":\"%s\",\"params\":%s,\"measured\":{\"time_us_median\":%.3f,"
                "\"time_us_min\":%.3f,\"time_us_max\":%.3f,\"reps\":%d},\"implementation\":\"%s\",\"role\":"
                "\"validation\",\"provenance\":%s}",
                id.c_str(), preset_of(c.props[dev]).c_str(), kernel.c_str(), params.c_str(), s.median_us, s.min_us,
                s.max_us, s.reps, json_escape(impl).c_str(), c.provenance.c_str());
  c.lines.push_back(buf);
  std::fprintf(stderr, "%-60s %12.2f us\n", id.c_str(), s.median_us);
}

// ---- peer-to-peer

__global__ void fill_pattern(uint32_t* p, size_t words, uint32_t seed) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < words; i += size_t(gridDim.x) * blockDim.x) {
    p[i] = static_cast<uint32_t>(i * 2654435761u) ^ seed;
  }
}

// SM stores into peer memory (512-thread CTAs, as DeepEP's dispatch blocks):
// 16-byte vector loads from local memory, stores
// to the peer's memory over NVLink.
__global__ void sm_store_copy(const int4* __restrict__ src, int4* __restrict__ dst, size_t vecs) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < vecs; i += size_t(gridDim.x) * blockDim.x) {
    dst[i] = src[i];
  }
}

bool check_pattern(const uint32_t* dev_ptr, size_t words, uint32_t seed) {
  const size_t probe = std::min<size_t>(words, 1 << 20);  // first 4 MiB checked word by word
  std::vector<uint32_t> h(probe);
  CUDA_CHECK(cudaMemcpy(h.data(), dev_ptr, probe * 4, cudaMemcpyDeviceToHost));
  for (size_t i = 0; i < probe; ++i) {
    if (h[i] != (static_cast<uint32_t>(i * 2654435761u) ^ seed)) return false;
  }
  uint32_t last = 0;
  CUDA_CHECK(cudaMemcpy(&last, dev_ptr + words - 1, 4, cudaMemcpyDeviceToHost));
  return last == (static_cast<uint32_t>((words - 1) * 2654435761u) ^ seed);
}

void bench_p2p(Context& c) {
  const Options& o = c.opt;
  for (int s = 0; s < c.n; ++s) {
    for (int d = 0; d < c.n; ++d) {
      if (s == d) continue;
      int can = 0;
      CUDA_CHECK(cudaDeviceCanAccessPeer(&can, s, d));
      if (!can) {
        std::fprintf(stderr, "GPU %d cannot access GPU %d; pair skipped\n", s, d);
        continue;
      }
      CUDA_CHECK(cudaSetDevice(s));
      cudaError_t e = cudaDeviceEnablePeerAccess(d, 0);
      if (e == cudaErrorPeerAccessAlreadyEnabled)
        cudaGetLastError();
      else
        CUDA_CHECK(e);
      void *src = nullptr, *dst = nullptr;
      CUDA_CHECK(cudaMalloc(&src, o.max_bytes));
      CUDA_CHECK(cudaSetDevice(d));
      CUDA_CHECK(cudaMalloc(&dst, o.max_bytes));
      CUDA_CHECK(cudaSetDevice(s));
      const uint32_t seed = 0x9e3779b9u * (s * 31 + d + 1);
      fill_pattern<<<1024, 256>>>(static_cast<uint32_t*>(src), o.max_bytes / 4, seed);
      CUDA_CHECK(cudaDeviceSynchronize());
      cudaStream_t st;
      CUDA_CHECK(cudaStreamCreate(&st));
      cudaEvent_t a, b;
      CUDA_CHECK(cudaEventCreate(&a));
      CUDA_CHECK(cudaEventCreate(&b));
      int sms = c.props[s].multiProcessorCount;
      // Method 0: copy engines; 1: SM stores on a full grid; 2: SM stores on
      // 1..32 CTAs (one CTA per SM) at one size, the per-SM copy rate that
      // bounds communication kernels holding few SMs (sm.peer_copy_GBps).
      const size_t sweep_bytes = std::min<size_t>(o.max_bytes, size_t(64) << 20);
      for (int method = 0; method < 3; ++method) {
        const char* name = method == 0 ? "copy_engine" : "sm_store";
        std::vector<std::pair<size_t, int>> points;  // (bytes, CTAs)
        if (method < 2) {
          for (size_t bytes = o.min_bytes; bytes <= o.max_bytes; bytes *= 4) points.push_back({bytes, sms * 4});
        } else {
          for (int ctas : {1, 2, 4, 8, 16, 20, 32}) points.push_back({sweep_bytes, ctas});
        }
        for (const auto& point : points) {
          const size_t bytes = point.first;
          const int ctas = point.second;
          auto launch = [&] {
            if (method == 0) {
              CUDA_CHECK(cudaMemcpyPeerAsync(dst, d, src, s, bytes, st));
            } else {
              const size_t vecs = bytes / 16;
              const int blocks = static_cast<int>(std::min<size_t>((vecs + 511) / 512, size_t(ctas)));
              sm_store_copy<<<blocks, 512, 0, st>>>(static_cast<const int4*>(src), static_cast<int4*>(dst), vecs);
              CUDA_CHECK(cudaGetLastError());
            }
          };
          CUDA_CHECK(cudaSetDevice(d));
          CUDA_CHECK(cudaMemset(dst, 0, bytes));
          CUDA_CHECK(cudaDeviceSynchronize());
          CUDA_CHECK(cudaSetDevice(s));
          launch();
          CUDA_CHECK(cudaStreamSynchronize(st));
          if (!check_pattern(static_cast<const uint32_t*>(dst), bytes / 4, seed)) {
            std::fprintf(stderr, "multigpu_bench: %s copy %d -> %d of %zu B delivered wrong data\n", name, s, d, bytes);
            std::exit(3);
          }
          for (int i = 0; i < o.warmup; ++i) launch();
          std::vector<double> t;
          for (int i = 0; i < o.reps; ++i) {
            CUDA_CHECK(cudaEventRecord(a, st));
            launch();
            CUDA_CHECK(cudaEventRecord(b, st));
            CUDA_CHECK(cudaEventSynchronize(b));
            float ms = 0;
            CUDA_CHECK(cudaEventElapsedTime(&ms, a, b));
            t.push_back(ms * 1e3);
          }
          char params[256], id[128];
          if (method == 0) {
            std::snprintf(params, sizeof params, "{\"bytes\":%zu,\"src\":%d,\"dst\":%d,\"method\":\"%s\"}", bytes, s, d,
                          name);
            std::snprintf(id, sizeof id, "p2p.%s.%d-%d.%zu", name, s, d, bytes);
          } else {
            std::snprintf(params, sizeof params, "{\"bytes\":%zu,\"src\":%d,\"dst\":%d,\"method\":\"%s\",\"ctas\":%d}",
                          bytes, s, d, name, ctas);
            std::snprintf(id, sizeof id, "p2p.%s.%d-%d.%zu.ctas%d", name, s, d, bytes, ctas);
          }
          emit(c, id, s, "p2p_copy", params, stats_of(t),
               method == 0 ? "cudaMemcpyPeerAsync" : "sm_store_copy kernel, 16-B vector stores to peer memory");
        }
      }
      CUDA_CHECK(cudaEventDestroy(a));
      CUDA_CHECK(cudaEventDestroy(b));
      CUDA_CHECK(cudaStreamDestroy(st));
      CUDA_CHECK(cudaFree(src));
      CUDA_CHECK(cudaSetDevice(d));
      CUDA_CHECK(cudaFree(dst));
    }
  }
}

// ---- NCCL collectives

enum class Coll { kAllToAll, kAllReduce, kReduceScatter, kAllGather };
const char* coll_name(Coll k) {
  switch (k) {
    case Coll::kAllToAll:
      return "nccl_all_to_all";
    case Coll::kAllReduce:
      return "nccl_all_reduce";
    case Coll::kReduceScatter:
      return "nccl_reduce_scatter";
    case Coll::kAllGather:
      return "nccl_all_gather";
  }
  return "?";
}

__global__ void fill_value(float* p, size_t n, float v) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) p[i] = v;
}

// `bytes`: the per-rank buffer of the operation (all-reduce input, the
// reduce-scatter input, the all-gather output, the all-to-all send buffer).
void run_coll(Coll k, std::vector<ncclComm_t>& comms, std::vector<float*>& in, std::vector<float*>& out,
              std::vector<cudaStream_t>& st, size_t bytes, int n) {
  const size_t count = bytes / sizeof(float), share = count / n;
  NCCL_CHECK(ncclGroupStart());
  for (int r = 0; r < n; ++r) {
    switch (k) {
      case Coll::kAllReduce:
        NCCL_CHECK(ncclAllReduce(in[r], out[r], count, ncclFloat, ncclSum, comms[r], st[r]));
        break;
      case Coll::kReduceScatter:
        NCCL_CHECK(ncclReduceScatter(in[r], out[r], share, ncclFloat, ncclSum, comms[r], st[r]));
        break;
      case Coll::kAllGather:
        NCCL_CHECK(ncclAllGather(in[r], out[r], share, ncclFloat, comms[r], st[r]));
        break;
      case Coll::kAllToAll:
        for (int p = 0; p < n; ++p) {
          NCCL_CHECK(ncclSend(in[r] + p * share, share, ncclFloat, p, comms[r], st[r]));
          NCCL_CHECK(ncclRecv(out[r] + p * share, share, ncclFloat, p, comms[r], st[r]));
        }
        break;
    }
  }
  NCCL_CHECK(ncclGroupEnd());
}

// CPU reference: rank r's input holds r + 1 everywhere.
bool check_coll(Coll k, const std::vector<float*>& out, size_t bytes, int n) {
  const size_t share = bytes / sizeof(float) / n;
  for (int r = 0; r < n; ++r) {
    CUDA_CHECK(cudaSetDevice(r));
    const size_t words = k == Coll::kReduceScatter ? share : share * n;
    std::vector<float> h(std::min<size_t>(words, 1 << 20));
    CUDA_CHECK(cudaMemcpy(h.data(), out[r], h.size() * sizeof(float), cudaMemcpyDeviceToHost));
    for (size_t i = 0; i < h.size(); ++i) {
      const int from = static_cast<int>(i / share);
      const float want =
          (k == Coll::kAllReduce || k == Coll::kReduceScatter) ? n * (n + 1) / 2.0f : static_cast<float>(from + 1);
      if (h[i] != want) return false;
    }
  }
  return true;
}

void bench_nccl(Context& c) {
  const int n = c.n;
  std::vector<ncclComm_t> comms(n);
  std::vector<int> devs(n);
  for (int i = 0; i < n; ++i) devs[i] = i;
  NCCL_CHECK(ncclCommInitAll(comms.data(), n, devs.data()));
  int v = 0;
  NCCL_CHECK(ncclGetVersion(&v));
  char impl[64];
  std::snprintf(impl, sizeof impl, "NCCL %d.%d.%d, NVLS off", v / 10000, (v / 100) % 100, v % 100);
  const size_t cap = c.opt.max_bytes;
  std::vector<float*> in(n), out(n);
  std::vector<cudaStream_t> st(n);
  std::vector<cudaEvent_t> a(n), b(n);
  for (int r = 0; r < n; ++r) {
    CUDA_CHECK(cudaSetDevice(r));
    CUDA_CHECK(cudaMalloc(&in[r], cap));
    CUDA_CHECK(cudaMalloc(&out[r], cap));
    CUDA_CHECK(cudaStreamCreate(&st[r]));
    CUDA_CHECK(cudaEventCreate(&a[r]));
    CUDA_CHECK(cudaEventCreate(&b[r]));
  }
  for (Coll k : {Coll::kAllToAll, Coll::kAllReduce, Coll::kReduceScatter, Coll::kAllGather}) {
    for (size_t bytes = std::max(c.opt.min_bytes, sizeof(float) * n); bytes <= cap; bytes *= 4) {
      const size_t b2 = bytes / (sizeof(float) * n) * (sizeof(float) * n);  // divisible over ranks
      for (int r = 0; r < n; ++r) {
        CUDA_CHECK(cudaSetDevice(r));
        // All-gather reads only the rank's share; fill the whole buffer.
        fill_value<<<1024, 256, 0, st[r]>>>(in[r], b2 / sizeof(float), static_cast<float>(r + 1));
        CUDA_CHECK(cudaMemsetAsync(out[r], 0, b2, st[r]));
      }
      for (int r = 0; r < n; ++r) CUDA_CHECK(cudaStreamSynchronize(st[r]));
      run_coll(k, comms, in, out, st, b2, n);
      for (int r = 0; r < n; ++r) CUDA_CHECK(cudaStreamSynchronize(st[r]));
      if (!check_coll(k, out, b2, n)) {
        std::fprintf(stderr, "multigpu_bench: %s of %zu B delivered wrong data\n", coll_name(k), b2);
        std::exit(3);
      }
      for (int i = 0; i < c.opt.warmup; ++i) run_coll(k, comms, in, out, st, b2, n);
      std::vector<double> t;
      for (int i = 0; i < c.opt.reps; ++i) {
        for (int r = 0; r < n; ++r) CUDA_CHECK(cudaStreamSynchronize(st[r]));
        for (int r = 0; r < n; ++r) {
          CUDA_CHECK(cudaSetDevice(r));
          CUDA_CHECK(cudaEventRecord(a[r], st[r]));
        }
        run_coll(k, comms, in, out, st, b2, n);
        double worst = 0;
        for (int r = 0; r < n; ++r) {
          CUDA_CHECK(cudaSetDevice(r));
          CUDA_CHECK(cudaEventRecord(b[r], st[r]));
        }
        for (int r = 0; r < n; ++r) {
          CUDA_CHECK(cudaEventSynchronize(b[r]));
          float ms = 0;
          CUDA_CHECK(cudaEventElapsedTime(&ms, a[r], b[r]));
          worst = std::max(worst, ms * 1e3);  // the collective ends with its slowest rank
        }
        t.push_back(worst);
      }
      char params[160], id[96];
      std::snprintf(params, sizeof params, "{\"bytes\":%zu,\"gpus\":%d,\"dtype\":\"fp32\"}", b2, n);
      std::snprintf(id, sizeof id, "%s.%dgpu.%zu", coll_name(k), n, b2);
      emit(c, id, 0, coll_name(k), params, stats_of(t), impl);
    }
  }
  for (int r = 0; r < n; ++r) {
    CUDA_CHECK(cudaSetDevice(r));
    CUDA_CHECK(cudaFree(in[r]));
    CUDA_CHECK(cudaFree(out[r]));
    CUDA_CHECK(cudaStreamDestroy(st[r]));
    NCCL_CHECK(ncclCommDestroy(comms[r]));
  }
}

size_t parse_size(const char* flag, const char* s) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0' || v == 0) {
    std::fprintf(stderr, "multigpu_bench: %s needs a positive whole number, got '%s'\n", flag, s);
    std::exit(1);
  }
  return static_cast<size_t>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "multigpu_bench: %s needs a value\n", a.c_str());
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "--out")
      o.out = value();
    else if (a == "--min-bytes")
      o.min_bytes = parse_size("--min-bytes", value());
    else if (a == "--max-bytes")
      o.max_bytes = parse_size("--max-bytes", value());
    else if (a == "--reps")
      o.reps = static_cast<int>(parse_size("--reps", value()));
    else if (a == "--gpus")
      o.gpus = static_cast<int>(parse_size("--gpus", value()));
    else {
      std::fprintf(stderr,
                   "usage: multigpu_bench [--out FILE.jsonl] [--min-bytes N] [--max-bytes N] [--reps N] [--gpus N]\n"
                   "unknown argument '%s'\n",
                   a.c_str());
      std::exit(1);
    }
  }
  if (o.min_bytes > o.max_bytes || o.min_bytes % 16 != 0) {
    std::fprintf(stderr, "multigpu_bench: need 16 | min-bytes <= max-bytes\n");
    std::exit(1);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything can initialise NCCL: NVLink multicast (NVLS) off.
  setenv("NCCL_NVLS_ENABLE", "0", 1);
  Context c;
  c.opt = parse(argc, argv);
  int count = 0;
  CUDA_CHECK(cudaGetDeviceCount(&count));
  c.n = c.opt.gpus > 0 ? std::min(c.opt.gpus, count) : count;
  if (c.n < 2) {
    std::fprintf(stderr, "multigpu_bench: needs at least 2 GPUs, found %d\n", count);
    return 1;
  }
  c.props.resize(c.n);
  for (int i = 0; i < c.n; ++i) CUDA_CHECK(cudaGetDeviceProperties(&c.props[i], i));
  int driver = 0, runtime = 0, clock_khz = 0;
  CUDA_CHECK(cudaDriverGetVersion(&driver));
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  CUDA_CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0));
  char date[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  char prov[512];
  std::snprintf(prov, sizeof prov,
                "{\"device_name\":\"%s\",\"gpus\":%d,\"driver\":%d,\"cuda_runtime\":%d,\"sm_clock_mhz\":%d,"
                "\"date_utc\":\"%s\",\"tool\":\"validate/kernels/multigpu/multigpu_bench\",\"nccl_nvls_enable\":\"0\"}",
                json_escape(c.props[0].name).c_str(), c.n, driver, runtime, clock_khz / 1000, date);
  c.provenance = prov;

  bench_p2p(c);
  bench_nccl(c);

  // Write the records atomically: a temporary file renamed over the target.
  const std::string tmp = c.opt.out + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) {
    std::fprintf(stderr, "multigpu_bench: cannot write %s\n", tmp.c_str());
    return 2;
  }
  for (const auto& l : c.lines) std::fprintf(f, "%s\n", l.c_str());
  if (std::fclose(f) != 0 || std::rename(tmp.c_str(), c.opt.out.c_str()) != 0) {
    std::fprintf(stderr, "multigpu_bench: cannot write %s\n", c.opt.out.c_str());
    return 2;
  }
  std::fprintf(stderr, "wrote %zu records to %s\n", c.lines.size(), c.opt.out.c_str());
  return 0;
}
