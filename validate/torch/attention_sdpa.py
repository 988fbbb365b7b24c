#!/usr/bin/env python3
"""Times fused attention on a Hopper GPU through PyTorch's scaled_dot_product_attention
and writes validation records (validate/data/README.md schema) for hwsim's `attention`
kernel.

Why PyTorch: a FlashAttention-3-class kernel is thousands of lines of CUDA; the GPU machine
has PyTorch, whose cuDNN backend runs cuDNN's Hopper fused-attention kernels (TMA, wgmma,
warp specialisation: the design hwsim's `attention` kernel models, workloads/kernels/
attention.cpp). The FlashAttention-2 backend (mma.sync, no wgmma) and the memory-efficient
backend are timed too and printed, but never recorded: hwsim does not model them.

What is recorded per (shape, pass): the GPU time of the main attention kernel (the longest
kernel of the call, from the PyTorch profiler), median over the repetitions, because hwsim's
`attention` kernel excludes the backward's small pre- and post-processing kernels
(D = rowsum(dO * O), dQ to BF16), which the layer lists separately. The whole call's time
(CUDA events) and every kernel's name and median time go in `derived` and
`implementation_detail`.

Method: one sequence per call (batch 1, as hwsim's kernel), BF16 inputs from a fixed seed,
2 warm-up calls, then `--reps` repetitions each after an L2 flush (a 256 MiB write).
Usage: python3 attention_sdpa.py --gpu-name h100-sxm --out attention.jsonl [--quick] [--shapes fa3]
--shapes fa3 times the FlashAttention-3 paper's sweep instead (Shah et al. 2024, Fig. 5-6: 16K tokens
in total, hidden 2048, head dims 64 and 128, sequences of 512 to 16K, causal and not), batch b folded
into the heads (b x h independent (sequence, head) pairs are one sequence of b x h heads for the kernel),
skipping the shapes of the default set.
Output is written atomically (temporary file, then rename). Standard library + torch only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def smi(query):
    try:
        out = subprocess.run(["nvidia-smi", f"--query-gpu={query}", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=20).stdout.strip().splitlines()
        return out[0].strip() if out else ""
    except (OSError, subprocess.SubprocessError):
        return ""

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, write_jsonl_atomic  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=25)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--shapes", choices=["default", "fa3"], default="default")
    args = ap.parse_args()

    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.profiler import ProfilerActivity, profile

    if not torch.cuda.is_available():
        sys.exit("attention_sdpa.py: no CUDA GPU visible")
    dev = torch.device("cuda")
    torch.manual_seed(1234)
    flush = torch.empty(256 << 20, dtype=torch.uint8, device=dev)

    # (seq, heads, qk_dim, v_dim, causal): DeepSeek-V3's MLA training attention (128 heads,
    # qk 192 = 128 + 64 RoPE, v 128, 4K tokens), the same with equal head dims, and the
    # FlashAttention-3 paper's setting (16K tokens in total, hidden 2048: 16 heads of 128).
    shapes = [(4096, 128, 192, 128, True), (4096, 128, 128, 128, True), (4096, 128, 192, 192, True),
              (8192, 16, 128, 128, False), (8192, 16, 128, 128, True),
              (16384, 16, 128, 128, False), (16384, 16, 128, 128, True), (4096, 32, 128, 128, False)]
    if args.shapes == "fa3":
        default = set(shapes)
        shapes = [(seq, 16384 // seq * (2048 // d), d, d, causal) for d in (64, 128)
                  for seq in (512, 1024, 2048, 4096, 8192, 16384) for causal in (False, True)]
        shapes = [sh for sh in shapes if sh not in default]
    if args.quick:
        shapes = shapes[:2]
    backends = [("cudnn", SDPBackend.CUDNN_ATTENTION), ("flash2", SDPBackend.FLASH_ATTENTION),
                ("efficient", SDPBackend.EFFICIENT_ATTENTION)]
    extra = (" --quick" if args.quick else "") + (" --shapes fa3" if args.shapes == "fa3" else "")
    prov = provenance(torch, "attention_sdpa.py", args.gpu_name, args.out, extra,
                      driver=smi("driver_version"), cudnn=True)
    records = []

    def timed(fn):
        for _ in range(2):
            fn()
        torch.cuda.synchronize()
        totals = []
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(args.reps):
                flush.fill_(1)
                start.record()
                fn()
                stop.record()
                stop.synchronize()
                totals.append(1000.0 * start.elapsed_time(stop))
        # The profiler's Chrome trace is the stable interface to kernel durations.
        fd, trace = tempfile.mkstemp(suffix=".json")
        os.close(fd)
        prof.export_chrome_trace(trace)
        with open(trace) as f:
            events = json.load(f).get("traceEvents", [])
        os.unlink(trace)
        per_name = {}
        for e in events:
            if e.get("cat") != "kernel" or "fill" in e.get("name", "").lower():
                continue  # not a kernel, or the L2 flush
            per_name.setdefault(e["name"], []).append(float(e["dur"]))
        return totals, per_name

    for seq, heads, qk, dv, causal in shapes:
        q = torch.randn(1, heads, seq, qk, device=dev, dtype=torch.bfloat16, requires_grad=True)
        k = torch.randn(1, heads, seq, qk, device=dev, dtype=torch.bfloat16, requires_grad=True)
        v = torch.randn(1, heads, seq, dv, device=dev, dtype=torch.bfloat16, requires_grad=True)
        scale = qk ** -0.5
        for tag, backend in backends:
            try:
                with sdpa_kernel([backend]):
                    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)
                    dout = torch.randn_like(out)

                    def fwd():
                        with torch.no_grad():
                            torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=scale)

                    def bwd():
                        torch.autograd.grad(out, (q, k, v), dout, retain_graph=True)

                    for pass_name, fn in (("fwd", fwd), ("bwd", bwd)):
                        totals, per_name = timed(fn)
                        kernels = {n: statistics.median(ts) for n, ts in per_name.items() if len(ts) >= args.reps}
                        main_name = max(kernels, key=kernels.get) if kernels else ""
                        mains = per_name.get(main_name, [])
                        flops = 2.0 * seq * seq * heads * (qk + dv) * (0.5 if causal else 1.0)
                        if pass_name == "bwd":
                            flops = 2.0 * seq * seq * heads * (3 * qk + 2 * dv) * (0.5 if causal else 1.0)
                        med_main = statistics.median(mains) if mains else float("nan")
                        line = (f"{tag:9s} {pass_name} seq {seq:6d} heads {heads:3d} qk {qk} v {dv} "
                                f"{'causal' if causal else 'full  '}: main {med_main:9.1f} us "
                                f"({flops / med_main / 1e6:6.1f} TFLOP/s), call {statistics.median(totals):9.1f} us, "
                                f"main kernel {main_name[:90]}")
                        print(line, flush=True)
                        if tag != "cudnn" or not mains:
                            continue
                        shape_id = f"s{seq}_h{heads}_qk{qk}_v{dv}_{'causal' if causal else 'full'}"
                        records.append({
                            "id": f"{args.gpu_name}/attention/cudnn_{pass_name}/{shape_id}",
                            "gpu": args.gpu_name, "kernel": "attention",
                            "params": {"seq": seq, "heads": heads, "qk_dim": qk, "v_dim": dv, "causal": causal,
                                       "pass": pass_name},
                            "measured": {"time_us_median": round(med_main, 3), "time_us_min": round(min(mains), 3),
                                         "time_us_max": round(max(mains), 3), "reps": len(mains)},
                            "implementation": "torch-sdpa-cudnn", "role": "validation",
                            "derived": {"TFLOPs": round(flops / med_main / 1e6, 3),
                                        "call_us_median": round(statistics.median(totals), 3)},
                            "implementation_detail": "; ".join(f"{n[:120]}: {t:.1f} us" for n, t in
                                                               sorted(kernels.items(), key=lambda x: -x[1])),
                            # The clock is not sampled during these short calls (steady_clock.py
                            # measures it under sustained load): 0 = not recorded.
                            "provenance": dict(prov, sm_clock_mhz=0.0)})
            except RuntimeError as e:
                print(f"{tag:9s} seq {seq} heads {heads} qk {qk} v {dv} causal {causal}: not run ({str(e)[:160]})",
                      flush=True)
            torch.cuda.empty_cache()

    write_jsonl_atomic(args.out, records)
    print(f"attention_sdpa.py: {len(records)} records -> {args.out}")


if __name__ == "__main__":
    main()
