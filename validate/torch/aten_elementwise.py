#!/usr/bin/env python3
"""ATen's element-wise kernels on views they cannot vectorise, against the same ops on contiguous
tensors: how the time per element grows with the view's dimensions, the operands and the dtype.

Why: PyTorch runs an element-wise op on a strided view (the halves of a `chunk`, a transposed or
sliced tensor) with `elementwise_kernel<128, 4>` or `unrolled_elementwise_kernel`, which compute
every element's address through `OffsetCalculator` (an integer division and a multiply-add per
dimension and operand; aten/src/ATen/native/cuda/CUDALoops.cuh, OffsetCalculator.cuh) and move one
element per instruction. On the H200 these kernels are 1.9x slower than a streaming pass of their
bytes and barely faster than on the H100 (docs/validation.md), so they are not HBM-bound. These
records characterise them for a model of that cost (calibration); the profiler traces stay the
validation.

Method: each case is one op on a view of `--elements` elements (BF16 or FP32): `contig` (a
contiguous tensor: the vectorised kernel), `chunk` (the first half of the last dimension of a
tensor twice as wide: inner stride 1, rows apart) and `transpose` (a transposed 2-D tensor), at 2,
3 and 4 dimensions for `chunk`. Ops: `silu` (one input), `mul` (two inputs), `contiguous` (a copy
out of the view) and `float` / `bfloat16` (a cast). 3 warm-up calls, then `--reps` calls back to
back inside torch.profiler; `measured` is the median CUPTI duration of the op's kernel, `derived`
its name, grid and block, bytes moved and elements per microsecond.
Usage: python3 aten_elementwise.py --gpu-name h100-sxm --out aten_elementwise.jsonl [--reps 20]
Standard library + torch only. Output written atomically.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, write_jsonl_atomic  # noqa: E402

SHAPES = {2: (8192, 8192), 3: (64, 1024, 1024), 4: (16, 16, 512, 512)}  # 64 M elements each


def make_view(torch, layout, dims, dtype, scale):
    shape = list(SHAPES[dims])
    shape[0] = max(1, shape[0] * scale // 8)
    if layout == "contig":
        return torch.randn(*shape, device="cuda", dtype=dtype)
    if layout == "chunk":
        wide = torch.randn(*shape[:-1], 2 * shape[-1], device="cuda", dtype=dtype)
        return wide[..., :shape[-1]]
    return torch.randn(shape[1], shape[0], device="cuda", dtype=dtype).t()  # transpose, 2-D


def cases(torch):
    for dtype_name, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32)):
        for scale in (1, 8):  # 8 M and 64 M elements
            for layout, dims in (("contig", 2), ("chunk", 2), ("chunk", 3), ("chunk", 4), ("transpose", 2)):
                for op in ("silu", "mul", "contiguous", "cast"):
                    if op == "contiguous" and layout == "contig":
                        continue
                    yield dtype_name, dtype, scale, layout, dims, op


def run_op(torch, op, x, y):
    if op == "silu":
        return torch.nn.functional.silu(x)
    if op == "mul":
        return x * y
    if op == "contiguous":
        return x.contiguous()
    return x.float() if x.dtype == torch.bfloat16 else x.bfloat16()


def kernels_in(trace_path):
    with open(trace_path) as f:
        events = json.load(f)["traceEvents"]
    return [e for e in events if e.get("cat") == "kernel"]


def measure(torch, op, x, y, reps):
    from torch.profiler import ProfilerActivity, profile
    for _ in range(3):
        run_op(torch, op, x, y)
    torch.cuda.synchronize()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "t.json")
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(reps):
                run_op(torch, op, x, y)
            torch.cuda.synchronize()
        prof.export_chrome_trace(raw)
        ks = kernels_in(raw)
    if len(ks) < reps:
        sys.exit(f"aten_elementwise.py: {op}: the trace holds {len(ks)} kernels for {reps} calls")
    main = max({k["name"] for k in ks}, key=lambda n: sum(k["dur"] for k in ks if k["name"] == n))
    durs = [float(k["dur"]) for k in ks if k["name"] == main]
    one = next(k for k in ks if k["name"] == main)
    return main, durs, one["args"].get("grid"), one["args"].get("block")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    import torch
    torch.manual_seed(0)
    prov = provenance(torch, "aten_elementwise.py", args.gpu_name, args.out, f" --reps {args.reps}")
    records = []
    for dtype_name, dtype, scale, layout, dims, op in cases(torch):
        x = make_view(torch, layout, dims, dtype, scale)
        y = make_view(torch, layout, dims, dtype, scale) if op == "mul" else None
        name, durs, grid, block = measure(torch, op, x, y, args.reps)
        n = x.numel()
        out_bytes = 4 if (op == "cast" and dtype_name == "bf16") else (2 if op == "cast" else x.element_size())
        moved = n * x.element_size() * (2 if op == "mul" else 1) + n * out_bytes
        med = statistics.median(durs)
        rid = f"{args.gpu_name}/aten_elementwise/{op}/{layout}_d{dims}_{dtype_name}_n{n}"
        records.append({
            "id": rid, "gpu": args.gpu_name, "kernel": "aten_elementwise",
            "params": {"op": op, "layout": layout, "dims": dims, "dtype": dtype_name, "elements": n,
                       "strides": list(x.stride()), "shape": list(x.shape)},
            "measured": {"time_us_median": med, "time_us_min": min(durs), "time_us_max": max(durs), "reps": len(durs)},
            "implementation": "torch-aten",
            "role": "calibration" if args.gpu_name.startswith("h100") else "validation",  # calibrate on the H100 only
            "derived": {"kernel_name": name[:300], "grid": grid, "block": block, "bytes_moved": moved,
                        "GBps": moved / med / 1e3, "elements_per_us": n / med,
                        "timing": "CUPTI kernel duration through torch.profiler (calls back to back)"},
            "provenance": prov})
        print(f"{rid:60s} {med:9.2f} us {moved / med / 1e3:7.0f} GB/s {name[:60]}", flush=True)
        del x, y
        torch.cuda.empty_cache()
    write_jsonl_atomic(args.out, records)


if __name__ == "__main__":
    main()
