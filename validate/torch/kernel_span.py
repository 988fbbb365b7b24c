#!/usr/bin/env python3
"""The profiler's span of a kernel that does (almost) nothing: how long CUPTI, and so every PyTorch
profiler trace, reports a kernel whose own work takes no time, as a function of its grid.

A profiler trace's kernel duration runs from the moment the GPU's front end starts the grid to the
moment the last thread block has finished and its writes are visible. For a kernel of a few
microseconds that fixed part is most of the duration; hwsim's kernel time (its CTAs' work) does not
include it. These records calibrate it (`launch.profiler_span_us` in models/gpus/h100-sxm.yaml).

Kernels (PTX loaded through the CUDA driver API into PyTorch's context, no compiler needed):
  empty  `ret` alone;
  store  every thread block's thread 0 stores one 32-bit word (the kernel's writes must drain).
Grids of 1 to 16,896 blocks of 128 threads (1,024 threads for the largest), each launched 50 times
back to back on one stream inside torch.profiler (CUDA activity); the record holds the median,
minimum and maximum of the 50 kernel durations of the trace. Standard library + torch only.
Usage: python3 kernel_span.py --gpu-name h100-sxm --out kernel_span.jsonl
"""
import argparse
import ctypes
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, trace_kernel_events, write_jsonl_atomic  # noqa: E402

PTX = b"""
.version 8.0
.target sm_90
.address_size 64
.visible .entry span_empty() { ret; }
.visible .entry span_store(.param .u64 out) {
  .reg .pred %p<2>;
  .reg .b32 %r<3>;
  .reg .b64 %rd<4>;
  mov.u32 %r1, %tid.x;
  setp.ne.u32 %p1, %r1, 0;
  @%p1 bra DONE;
  ld.param.u64 %rd1, [out];
  cvta.to.global.u64 %rd1, %rd1;
  mov.u32 %r2, %ctaid.x;
  mul.wide.u32 %rd2, %r2, 4;
  add.u64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r2;
DONE:
  ret;
}
"""

GRIDS = [(1, 128), (132, 128), (528, 128), (2112, 128), (8448, 128), (16896, 1024)]
LAUNCHES = 50


class Driver:
    """The few CUDA driver calls the script needs, on the context PyTorch made current."""

    def __init__(self):
        self.cu = ctypes.CDLL("libcuda.so.1")
        self.module = ctypes.c_void_p()
        self.check(self.cu.cuModuleLoadData(ctypes.byref(self.module), ctypes.c_char_p(PTX)), "cuModuleLoadData")
        self.fn = {}
        for name in ("span_empty", "span_store"):
            f = ctypes.c_void_p()
            self.check(self.cu.cuModuleGetFunction(ctypes.byref(f), self.module, name.encode()), name)
            self.fn[name] = f

    @staticmethod
    def check(rc, what):
        if rc != 0:
            sys.exit(f"kernel_span.py: {what} failed with CUresult {rc}")

    def launch(self, name, grid, block, stream, out_ptr):
        arg = ctypes.c_uint64(out_ptr)
        params = (ctypes.c_void_p * 1)(ctypes.cast(ctypes.byref(arg), ctypes.c_void_p))
        self.check(self.cu.cuLaunchKernel(self.fn[name], grid, 1, 1, block, 1, 1, 0, ctypes.c_void_p(stream),
                                          params if name == "span_store" else None, None), "cuLaunchKernel")


def kernel_durations(trace_path):
    """(name, grid blocks) -> kernel durations in microseconds, from the exported Chrome trace."""
    out = {}
    for e in trace_kernel_events(trace_path):
        if e.get("name", "").startswith("span_"):
            grid = e["args"]["grid"]
            out.setdefault((e["name"], grid[0] * grid[1] * grid[2]), []).append(float(e["dur"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    import torch
    from torch.profiler import ProfilerActivity, profile

    sink = torch.zeros(max(g for g, _ in GRIDS), dtype=torch.int32, device="cuda")
    drv = Driver()
    stream = torch.cuda.current_stream().cuda_stream
    for name in drv.fn:  # warm-up: module load, first launch
        drv.launch(name, 1, 32, stream, sink.data_ptr())
    torch.cuda.synchronize()
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "t.json")
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for name in drv.fn:
                for grid, block in GRIDS:
                    for _ in range(LAUNCHES):
                        drv.launch(name, grid, block, stream, sink.data_ptr())
                    torch.cuda.synchronize()
        prof.export_chrome_trace(raw)
        durs = kernel_durations(raw)
    prov = provenance(torch, "kernel_span.py", args.gpu_name, args.out)
    records = []
    for name in drv.fn:
        for grid, block in GRIDS:
            d = durs.get((name, grid), [])
            if len(d) < LAUNCHES // 2:
                sys.exit(f"kernel_span.py: the trace holds {len(d)} launches of {name} with {grid} blocks")
            op = name[len("span_"):]
            records.append({
                "id": f"{args.gpu_name}/ubench_launch/span_{op}/grid{grid}_block{block}",
                "gpu": args.gpu_name, "kernel": "ubench_launch",
                "params": {"op": f"span_{op}", "grid": grid, "block": block},
                "measured": {"time_us_median": statistics.median(d), "time_us_min": min(d), "time_us_max": max(d),
                             "reps": len(d)},
                "implementation": "cuda-driver-ptx", "role": "calibration",
                "derived": {"timing": "CUPTI kernel duration through torch.profiler (launches back to back)"},
                "provenance": prov})
            print(f"{op:6s} grid {grid:6d} x {block:4d}: median {statistics.median(d):7.3f} us "
                  f"(min {min(d):.3f}, max {max(d):.3f}, n {len(d)})", flush=True)
    write_jsonl_atomic(args.out, records)


if __name__ == "__main__":
    main()
