#pragma once
// The DualPipe schedule (DeepSeek-V3 report 3.2.1, Fig. 5; DualPipe README)
// as an event simulation: every pipeline rank runs its fixed sequence of
// chunk operations, each starting when the rank is free and its input (the
// neighbour's forward output or output gradient, plus the point-to-point
// transfer) has arrived. Bubbles are what is left of the makespan.
//
// Rank r holds stage r of the forward direction and stage PP-1-r of the
// reverse one; half of the micro-batches enter from each end. Operations:
// F (forward), B (backward for inputs; its weight part deferred), W (a
// deferred backward for weights), BW (full backward), and FB (the forward of
// one micro-batch overlapped with the full backward of another, the "1F1B"
// steady state whose time the overlap sets). The per-rank operation order
// follows DualPipe's eight phases (nF0, nF0F1, nB1W1F1, nF0B1F1B0, nB1F1B0,
// nB1B0, nWB0, nW).
#include <span>
#include <vector>

namespace hwsim::deepseek_v3 {

// Seconds one stage takes for one micro-batch.
struct ChunkTimes {
  double f = 0;   // forward alone
  double b = 0;   // backward for inputs alone
  double w = 0;   // backward for weights alone
  double fb = 0;  // forward of one micro-batch overlapped with the full backward (B + W) of another
};

struct DualPipeConfig {
  int ranks = 16;           // PP, even
  int micro_batches = 120;  // even, >= 2 x ranks
  double p2p_s = 0;         // activation / gradient transfer between neighbouring stages
  // Optional ranks x ranks matrix: pair_fb[f * ranks + b] is the overlapped
  // time of stage f's forward with stage b's full backward. Empty: the mean
  // of the two stages' own ChunkTimes::fb.
  std::vector<double> pair_fb;
};

// Time a rank spends in each kind of operation; the five sum to the makespan.
struct RankBreakdown {
  double f_s = 0, b_s = 0, w_s = 0, fb_s = 0, bubble_s = 0, end_s = 0;
  int ops = 0;
};

struct DualPipeResult {
  double makespan_s = 0;
  std::vector<RankBreakdown> ranks;
};

// stage_times[s]: times of stage s. Throws hwsim::Error on an invalid
// configuration (odd ranks or micro-batches, too few micro-batches, a size
// mismatch).
DualPipeResult simulate_dualpipe(std::span<const ChunkTimes> stage_times, const DualPipeConfig& config);

// The closed form of V3 Table 2: (PP/2 - 1)(F&B + B - 3W).
double dualpipe_bubble_formula(int ranks, const ChunkTimes& t);

}  // namespace hwsim::deepseek_v3
