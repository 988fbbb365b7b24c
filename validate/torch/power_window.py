#!/usr/bin/env python3
"""How fast the power cap follows the load: one FP8 GEMM timed in a train of identical launches
separated by idle gaps of the GPU, and in a train that alternates it with a light kernel.

A power controller that enforces the cap over an averaging window lets a heavy kernel run above its
sustained clock when lighter work or idle time precedes it within the window. These runs measure that:
the same GEMM's time (CUDA events around it alone) with 0 to 20 ms of idle GPU between launches
(torch.cuda._sleep on one thread block keeps the stream busy without load), and with an
HBM-bound copy of 0.1 to 2 ms between launches. hwsim models the cap at steady state per kernel
(models/power/dvfs.hpp); these are the data for a windowed model and are validation data (nothing is
set from them).
The records go to validate/data/<gpu>/dynamics/, which `hwsim validate` does not score.
Usage: python3 power_window.py --gpu-name h100-sxm --out power_window.jsonl
Standard library + torch only; output written atomically.
"""
import argparse
import os
import sys
import statistics
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, write_jsonl_atomic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--launches", type=int, default=60)
    args = ap.parse_args()
    import torch

    dev = torch.device("cuda")
    torch.manual_seed(99)
    m = n = k = 8192
    a = (torch.randn(m, k, device=dev) * 0.5).to(torch.float8_e4m3fn)
    b = (torch.randn(n, k, device=dev) * 0.5).to(torch.float8_e4m3fn)
    one = torch.ones((), device=dev)

    def gemm():
        torch._scaled_mm(a, b.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)

    src = torch.empty(1 << 30, dtype=torch.uint8, device=dev)
    dst = torch.empty_like(src)
    # Cycles of torch.cuda._sleep per ms, measured here (the clock of one idle SM).
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    torch.cuda._sleep(10_000_000)
    e.record()
    torch.cuda.synchronize()
    cycles_per_ms = 10_000_000 / s.elapsed_time(e)

    def train(gap, light_bytes):
        """Times `launches` GEMMs, each after `gap` ms of idle or a copy of `light_bytes`."""
        times = []
        evs = []
        for _ in range(5):
            gemm()
        torch.cuda.synchronize()
        for i in range(args.launches):
            if light_bytes > 0:
                dst[:light_bytes].copy_(src[:light_bytes])
            elif gap > 0:
                torch.cuda._sleep(int(gap * cycles_per_ms))
            s0, e0 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s0.record()
            gemm()
            e0.record()
            evs.append((s0, e0))
        torch.cuda.synchronize()
        times = [1000.0 * x.elapsed_time(y) for x, y in evs[len(evs) // 3:]]  # after the train settles
        return times

    prov = dict(provenance(torch, "power_window.py", args.gpu_name, args.out), sm_clock_mhz=0.0)
    records = []
    params = {"m": m, "n": n, "k": k, "a_dtype": "fp8_e4m3", "b_dtype": "fp8_e4m3", "out_dtype": "bf16",
              "scaling": "per_tensor", "fast_accum": False}
    cases = [("idle", g, 0) for g in (0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20)]
    cases += [("copy", 0, nb) for nb in (1 << 27, 1 << 28, 1 << 29, 1 << 30)]
    for kind, gap, nb in cases:
        time.sleep(1.0)
        t = train(gap, nb)
        med = statistics.median(t)
        tag = f"idle_{gap:g}ms" if kind == "idle" else f"copy_{nb >> 20}MiB"
        print(f"fp8 gemm 8192^3 after {tag:14s}: {med:8.1f} us (min {min(t):.1f}, max {max(t):.1f})", flush=True)
        records.append({"id": f"{args.gpu_name}/power_window/gemm_fp8_pt_8192/{tag}", "gpu": args.gpu_name,
                        "kernel": "gemm", "params": params,
                        "measured": {"time_us_median": round(med, 3), "time_us_min": round(min(t), 3),
                                     "time_us_max": round(max(t), 3), "reps": len(t)},
                        "implementation": "torch-cublas", "role": "validation",
                        "derived": {"between_launches": kind, "idle_ms": gap, "copy_bytes": nb,
                                    "sleep_cycles_per_ms": round(cycles_per_ms, 1)},
                        "implementation_detail": "torch._scaled_mm per-tensor FP8, a train of launches; the first third "
                                                 "discarded",
                        "provenance": prov})
    write_jsonl_atomic(args.out, records)
    print(f"power_window.py: {len(records)} records -> {args.out}")


if __name__ == "__main__":
    main()
