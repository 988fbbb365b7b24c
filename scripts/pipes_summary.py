#!/usr/bin/env python3
"""What the `hwbench --only pipes` records say about the model's CUDA-core pipes
and the L2's reductions, side by side with what the model assumes.

usage: python3 scripts/pipes_summary.py PIPES.jsonl [CALIBRATION.jsonl]

PIPES.jsonl holds the `ubench_pipes/*` and `ubench_l2_red/*` records
(validate/kernels/ubench_pipes_sm90.cu). CALIBRATION.jsonl (default
validate/data/h100-sxm/calibration.jsonl) gives the L2 read rate the reduction
rate is compared with. Prints, per mix, the measured instructions per clock per
SM and what two hypotheses predict from the single-op records:
  separate  each pipe at its own measured rate, pipes in parallel;
  shared    the conversion on the SFU (ex2's pipe), or, for the FFMA + FMNMX mix,
            one dispatch slot per instruction (128 lanes per clock per SM).
The closer hypothesis is the mechanism to model (docs/validation.md, "Attention:
what would move it"). Nothing here writes the hardware description.
"""
import json
import sys

DISPATCH_LANES = 128.0  # the whitepaper's 32 threads/clk per sub-partition, 4 per SM


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def rate(records, mix):
    for r in records:
        if r["id"].endswith("ubench_pipes/" + mix):
            return r["derived"]["instructions_per_clk_per_sm"]
    raise SystemExit(f"pipes_summary: no ubench_pipes/{mix} record in the input")


def per_pipe_time(counts, rates):
    """Cycles per iteration with each pipe at its own rate, all in parallel."""
    return max(n / rates[p] for p, n in counts.items())


def main():
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    recs = load(sys.argv[1])
    cal = load(sys.argv[2] if len(sys.argv) == 3 else "validate/data/h100-sxm/calibration.jsonl")
    single = {p: rate(recs, m) for p, m in (("fma", "ffma"), ("max", "fmnmx"), ("ex2", "ex2"), ("cvt", "cvt_bf16x2"))}
    print("single instructions, per clock per SM:", ", ".join(f"{k} {v:.1f}" for k, v in single.items()))
    # ex2 + cvt, 2:1: separate pipes, or the conversion on the SFU.
    sep = 3 / per_pipe_time({"ex2": 2, "cvt": 1}, single)
    shared = 3 / (2 / single["ex2"] + 1 / single["ex2"])
    print(f"ex2_cvt_2to1: measured {rate(recs, 'ex2_cvt_2to1'):.1f}; separate pipes {sep:.1f}; cvt on the SFU {shared:.1f}")
    # FFMA + FMNMX, 2:1: per-pipe rates, or one dispatch slot per instruction.
    sep = 3 / per_pipe_time({"fma": 2, "max": 1}, single)
    disp = min(sep, DISPATCH_LANES)
    print(f"ffma_fmnmx_2to1: measured {rate(recs, 'ffma_fmnmx_2to1'):.1f}; per-pipe rates {sep:.1f}; "
          f"shared dispatch {disp:.1f}")
    for mix in ("softmax_fwd", "softmax_bwd"):
        print(f"{mix}: measured {rate(recs, mix):.1f} instructions per clock per SM")
    reads = [r for r in cal if r["id"].endswith("ubench_l2/read/footprint13107200")]
    for r in recs:
        if "ubench_l2_red/" not in r["id"]:
            continue
        line = f"{r['id'].split('/', 1)[1]}: {r['derived']['GBps']:.0f} GB/s"
        if reads:
            read_gbps = reads[0]["derived"]["GBps"]
            line += f" against L2 read {read_gbps:.0f} GB/s: l2.reduction_cost_factor ~ {read_gbps / r['derived']['GBps']:.2f}"
        print(line)


if __name__ == "__main__":
    main()
