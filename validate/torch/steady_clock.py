#!/usr/bin/env python3
"""Steady-state SM clock and board power of a GPU running one kernel back to back.

For each kernel it runs `--seconds` of back-to-back launches (no L2 flush: the point is the
power the kernel itself draws) while `nvidia-smi --query-gpu=clocks.sm,power.draw -lms 20`
samples the clock, and records the median clock, median power and the median launch time of
the second half of the run (after the governor settled). The kernels: cuDNN fused attention
(the shapes of attention_sdpa.py), cuBLAS BF16 GEMMs and FP8 GEMMs through torch._scaled_mm.

These are validation records of hwsim's power model (models/power/dvfs.hpp): hwsim predicts
the clock each kernel settles at; nothing here sets a parameter.
Usage: python3 steady_clock.py --gpu-name h100-sxm --out steady_clock.jsonl
Standard library + torch only; output written atomically.
"""
import argparse
import os
import sys
import statistics
import subprocess
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, write_jsonl_atomic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel

    dev = torch.device("cuda")
    torch.manual_seed(4321)
    prov = provenance(torch, "steady_clock.py", args.gpu_name, args.out, cudnn=True)
    cases = []

    def attention(seq, heads, qk, dv, causal, pass_name):
        q = torch.randn(1, heads, seq, qk, device=dev, dtype=torch.bfloat16, requires_grad=True)
        k = torch.randn(1, heads, seq, qk, device=dev, dtype=torch.bfloat16, requires_grad=True)
        v = torch.randn(1, heads, seq, dv, device=dev, dtype=torch.bfloat16, requires_grad=True)
        with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
            out = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        dout = torch.randn_like(out)

        def fwd():
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]), torch.no_grad():
                torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)

        def bwd():
            with sdpa_kernel([SDPBackend.CUDNN_ATTENTION]):
                torch.autograd.grad(out, (q, k, v), dout, retain_graph=True)
        return fwd if pass_name == "fwd" else bwd

    for seq, heads, qk, dv, causal in [(4096, 128, 192, 128, True), (16384, 16, 128, 128, False)]:
        for p in ("fwd", "bwd"):
            cases.append(("attention", {"seq": seq, "heads": heads, "qk_dim": qk, "v_dim": dv, "causal": causal,
                                        "pass": p}, lambda a=(seq, heads, qk, dv, causal, p): attention(*a)))

    def bf16_gemm(m, n, k):
        a = torch.randn(m, k, device=dev, dtype=torch.bfloat16)
        b = torch.randn(n, k, device=dev, dtype=torch.bfloat16)
        return lambda: torch.matmul(a, b.t())

    def fp8_gemm(m, n, k):
        a = (torch.randn(m, k, device=dev) * 0.5).to(torch.float8_e4m3fn)
        b = (torch.randn(n, k, device=dev) * 0.5).to(torch.float8_e4m3fn)
        one = torch.ones((), device=dev)
        return lambda: torch._scaled_mm(a, b.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)

    for m, n, k in [(8192, 8192, 8192), (4096, 7168, 16384)]:
        cases.append(("gemm", {"m": m, "n": n, "k": k, "a_dtype": "bf16", "b_dtype": "bf16", "out_dtype": "bf16",
                               "scaling": "none", "fast_accum": False}, lambda s=(m, n, k): bf16_gemm(*s)))
        cases.append(("gemm", {"m": m, "n": n, "k": k, "a_dtype": "fp8_e4m3", "b_dtype": "fp8_e4m3",
                               "out_dtype": "bf16", "scaling": "per_tensor", "fast_accum": False},
                      lambda s=(m, n, k): fp8_gemm(*s)))

    records = []
    for kernel, params, make in cases:
        try:
            fn = make()
        except RuntimeError as e:
            print(f"{kernel} {params}: not run ({str(e)[:120]})")
            continue
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        time.sleep(1.0)  # let the clock recover between cases
        smi = subprocess.Popen(["nvidia-smi", "--query-gpu=clocks.sm,power.draw", "--format=csv,noheader,nounits",
                                "-lms", "20"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        ev = []
        t_end = time.time() + args.seconds
        while time.time() < t_end:
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            for _ in range(5):
                fn()
            e.record()
            ev.append((s, e))
            torch.cuda.synchronize()
        smi.terminate()
        lines = smi.communicate()[0].strip().splitlines()
        samples = []
        for ln in lines:
            try:
                c, pw = (float(x) for x in ln.split(","))
                samples.append((c, pw))
            except ValueError:
                pass
        # The first 300 ms of samples precede the loop; keep the second half of the loop.
        half = samples[len(samples) // 2:]
        launch_us = [1000.0 * s.elapsed_time(e) / 5 for s, e in ev[len(ev) // 2:]]
        if not half or not launch_us:
            continue
        clock = statistics.median(c for c, _ in half)
        power = statistics.median(p for _, p in half)
        t = statistics.median(launch_us)
        tag = "_".join(f"{k}{v}" for k, v in params.items() if k in ("seq", "heads", "qk_dim", "v_dim", "m", "n", "k"))
        tag += "_" + params.get("pass", params.get("a_dtype", ""))
        print(f"{kernel:9s} {tag:40s} {t:9.1f} us per launch, SM clock {clock:.0f} MHz, {power:.0f} W "
              f"({len(half)} samples)", flush=True)
        records.append({"id": f"{args.gpu_name}/steady_clock/{kernel}/{tag}", "gpu": args.gpu_name,
                        "kernel": kernel, "params": params,
                        "measured": {"time_us_median": round(t, 3), "time_us_min": round(min(launch_us), 3),
                                     "time_us_max": round(max(launch_us), 3), "reps": len(launch_us)},
                        "implementation": "torch-cudnn" if kernel == "attention" else "torch-cublas",
                        "role": "validation", "regime": "sustained",
                        "derived": {"sm_clock_mhz_median": clock, "power_w_median": power,
                                    "clock_samples": len(half)},
                        "implementation_detail": "back to back, no L2 flush; clock and power from nvidia-smi -lms 20 "
                                                 "over the second half of the run",
                        "provenance": dict(prov, sm_clock_mhz=clock)})
    write_jsonl_atomic(args.out, records)
    print(f"steady_clock.py: {len(records)} records -> {args.out}")


if __name__ == "__main__":
    main()
