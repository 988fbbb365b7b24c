#!/usr/bin/env python3
"""Which kernel PyTorch launches for a GEMM: the CUDA kernel names (and
grids) behind torch.matmul (BF16), torch._scaled_mm (FP8 per-tensor) and the
grouped GEMMs torch._grouped_mm (BF16) and torch._scaled_grouped_mm (FP8
row-wise), at shapes of the validation records (validate/data/h100-sxm/
regimes.jsonl). Library kernel names encode the design (CUTLASS: tile, cluster,
schedule, accumulation); this is the evidence for which kernel the model
should stand for. Prints one line per (op, shape, kernel) and writes them as a
JSON array to --out (not records: kept beside the logs, never scored). Needs a
Hopper GPU.

usage: gemm_kernel_names.py --gpu-name NAME --out FILE.json
"""
import argparse
import json
import os
import sys
import tempfile

import torch
from torch.profiler import ProfilerActivity, profile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, trace_kernel_events, write_json_atomic  # noqa: E402

FP8 = torch.float8_e4m3fn


def dense_ops(m, n, k):
    a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, k, device="cuda", dtype=torch.bfloat16)
    one = torch.ones((), device="cuda")
    a8, b8 = a.to(FP8), b.to(FP8)
    return {
        "matmul_bf16": lambda: torch.matmul(a, b.t()),
        "scaled_mm_fp8": lambda: torch._scaled_mm(a8, b8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16),
        "scaled_mm_fp8_fast": lambda: torch._scaled_mm(
            a8, b8.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16, use_fast_accum=True
        ),
    }


def grouped_ops(groups, m_per_group, n, k):
    rows = groups * m_per_group
    a = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(groups, n, k, device="cuda", dtype=torch.bfloat16)
    offs = torch.arange(m_per_group, rows + 1, m_per_group, device="cuda", dtype=torch.int32)
    a8, b8 = a.to(FP8), b.to(FP8)
    sa = torch.ones(rows, device="cuda", dtype=torch.float32)
    sb = torch.ones(groups, n, device="cuda", dtype=torch.float32)
    ops = {"grouped_mm_bf16": lambda: torch._grouped_mm(a, b.transpose(-2, -1), offs=offs)}
    if hasattr(torch, "_scaled_grouped_mm"):
        ops["scaled_grouped_mm_fp8_rowwise"] = lambda: torch._scaled_grouped_mm(
            a8, b8.transpose(-2, -1), sa, sb, offs=offs, out_dtype=torch.bfloat16
        )
    return ops


def kernels_of(fn):
    """The kernels one call of fn launches, with the launch configuration
    Kineto records (grid, block, registers, shared memory)."""
    fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    with tempfile.NamedTemporaryFile(suffix=".json") as tmp:
        prof.export_chrome_trace(tmp.name)
        events = trace_kernel_events(tmp.name)
    out = []
    for e in events:
        args = e.get("args", {})
        out.append(
            {
                "kernel": e.get("name", ""),
                "us": round(float(e.get("dur", 0.0)), 2),
                "grid": args.get("grid"),
                "block": args.get("block"),
                "registers_per_thread": args.get("registers per thread"),
                "shared_memory": args.get("shared memory"),
            }
        )
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    prov = provenance(torch, "gemm_kernel_names.py", args.gpu_name, args.out)
    cases = []
    for m, n, k in [(4096, 7168, 2048), (4096, 2112, 7168), (8192, 8192, 8192), (16384, 32768, 512), (1024, 4096, 7168)]:
        cases += [(name, {"m": m, "n": n, "k": k}, fn) for name, fn in dense_ops(m, n, k).items()]
    for g, mg, n, k in [(8, 256, 4096, 7168), (8, 1024, 7168, 2048), (8, 2048, 4096, 7168), (32, 256, 4096, 7168)]:
        shape = {"groups": g, "m_per_group": mg, "n": n, "k": k}
        cases += [(name, shape, fn) for name, fn in grouped_ops(g, mg, n, k).items()]
    found = []
    for name, shape, fn in cases:
        for kern in kernels_of(fn):
            found.append({"gpu": args.gpu_name, "op": name, "shape": shape, **kern})
            print(f"{name:30s} {json.dumps(shape):60s} {kern['us']:9.2f} us grid {kern['grid']} block {kern['block']} smem {kern['shared_memory']}  {kern['kernel']}", flush=True)
    write_json_atomic(args.out, {"provenance": prov, "kernels": found})


if __name__ == "__main__":
    main()
