#!/usr/bin/env python3
"""GEMMs and MoE grouped GEMMs through PyTorch, each timed in three regimes of power history.

The power cap's clock depends on what the GPU did before a launch, so the same kernel is timed
  * "idle":      after 1 s of idle GPU, one launch (the median of 3 such launches);
  * "train":     after 1 s of idle GPU, 30 launches back to back, operands rotated among sets
                 whose total exceeds the L2 (the median of the 30);
  * "sustained": 3 s back to back, operands rotated (the median of the launches of the last second).
Every launch is timed alone with CUDA events (events between back-to-back launches add no gap).
Kernels: dense GEMMs (torch.matmul BF16, torch._scaled_mm FP8 E4M3 per-tensor) at DeepSeek-V3's
projection shapes for 4,096 tokens and squares, and MoE grouped GEMMs (torch._grouped_mm BF16,
torch._scaled_grouped_mm FP8 row-wise; contiguous layout, one weight matrix per group) at the routed
experts' shapes with equal and uneven rows per group. Each grouped GEMM is checked against a
per-group loop first. Also one trajectory: BF16 8192^3 back to back for 4 s after 3 s idle, the
per-launch time in 20 ms bins (the regime's transient), recorded under dynamics/.
These are validation records: nothing is set from them.
Usage: python3 gemm_regimes.py --gpu-name h100-sxm --out gemm_regimes.jsonl --dynamics-out train_from_rest.jsonl
Standard library + torch only; outputs written atomically.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance, write_jsonl_atomic  # noqa: E402


def timed_launches(torch, fns, count=None, seconds=None):
    """Launches fns[i % len(fns)] back to back; returns the per-launch times (us) and start times (ms)."""
    evs = []
    t_end = time.time() + (seconds or 0)
    i = 0
    while (count is not None and i < count) or (seconds is not None and time.time() < t_end):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fns[i % len(fns)]()
        e.record()
        evs.append((s, e))
        i += 1
        if len(evs) % 64 == 0:
            evs[-32][1].synchronize()  # keep the queue bounded without draining it
    torch.cuda.synchronize()
    t0 = evs[0][0]
    return [1000.0 * s.elapsed_time(e) for s, e in evs], [t0.elapsed_time(s) for s, _ in evs]


def regimes(torch, fns, do_sustained):
    out = {}
    torch.cuda.synchronize()
    idle = []
    for _ in range(3):
        time.sleep(1.0)
        # The GPU spins 2 ms on one thread block first, so the start event is not
        # stamped before the host (waking from its sleep) has queued the launch:
        # an earlier version timed the host's launch latency, ~300 us, here.
        torch.cuda._sleep(2_000_000)
        us, _ = timed_launches(torch, fns, count=1)
        idle.append(us[0])
    out["idle"] = (idle, {"idle_before_ms": 1000, "launches": 1})
    time.sleep(1.0)
    us, _ = timed_launches(torch, fns, count=30)
    out["train"] = (us, {"idle_before_ms": 1000, "launches": 30, "gap_us": 0})
    if do_sustained:
        time.sleep(1.0)
        us, start = timed_launches(torch, fns, seconds=3.0)
        last = [u for u, t in zip(us, start) if t >= start[-1] - 1000.0]
        out["sustained"] = (last, {"idle_before_ms": 1000, "back_to_back_ms": 3000})
    return out


def operand_sets(bytes_per_set, l2_bytes):
    return max(2, min(8, int(3 * l2_bytes // max(bytes_per_set, 1)) + 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dynamics-out", required=True)
    args = ap.parse_args()
    import torch

    dev = torch.device("cuda")
    torch.manual_seed(1818)
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    prov = provenance(torch, "gemm_regimes.py", args.gpu_name, args.out, flags=" --dynamics-out " +
                      os.path.basename(args.dynamics_out))
    records = []

    def add(kernel, params, tag, impl, results, detail):
        for regime, (us, history) in results.items():
            t = statistics.median(us)
            print(f"{kernel:13s} {tag:44s} {regime:9s} {t:10.1f} us (n={len(us)})", flush=True)
            records.append({"id": f"{args.gpu_name}/regimes/{kernel}/{tag}/{regime}", "gpu": args.gpu_name,
                            "kernel": kernel, "params": params,
                            "measured": {"time_us_median": round(t, 3), "time_us_min": round(min(us), 3),
                                         "time_us_max": round(max(us), 3), "reps": len(us)},
                            "implementation": impl, "role": "validation", "regime": regime, "history": history,
                            "implementation_detail": detail, "provenance": prov})

    def bf16(*shape):
        return (torch.rand(*shape, device=dev) * 2 - 1).to(torch.bfloat16)

    def fp8(*shape):
        return ((torch.rand(*shape, device=dev) * 2 - 1) * 8).to(torch.float8_e4m3fn)

    one = torch.ones((), device=dev)
    # Dense GEMMs C[m,n] = A[m,k] B[n,k]^T.
    shapes = [(2048, 2048, 2048), (4096, 4096, 4096), (8192, 8192, 8192), (16384, 16384, 16384),
              (4096, 24576, 1536), (4096, 7168, 16384), (4096, 4096, 7168), (4096, 7168, 2048)]
    for m, n, k in shapes:
        for dt in ("bf16", "fp8_e4m3"):
            sets = operand_sets((m * k + n * k) * (2 if dt == "bf16" else 1), l2)
            if dt == "bf16":
                ops = [(bf16(m, k), bf16(n, k)) for _ in range(sets)]
                fns = [lambda a=a, b=b: torch.matmul(a, b.t()) for a, b in ops]
                params = {"m": m, "n": n, "k": k, "a_dtype": "bf16", "b_dtype": "bf16", "out_dtype": "bf16",
                          "scaling": "none", "fast_accum": False}
            else:
                ops = [(fp8(m, k), fp8(n, k)) for _ in range(sets)]
                fns = [lambda a=a, b=b: torch._scaled_mm(a, b.t(), scale_a=one, scale_b=one,
                                                         out_dtype=torch.bfloat16) for a, b in ops]
                params = {"m": m, "n": n, "k": k, "a_dtype": "fp8_e4m3", "b_dtype": "fp8_e4m3",
                          "out_dtype": "bf16", "scaling": "per_tensor", "fast_accum": False}
            for f in fns[:2]:
                f()
            res = regimes(torch, fns, do_sustained=(m, n, k) in [(8192, 8192, 8192), (4096, 7168, 16384),
                                                                  (4096, 4096, 7168)])
            add("gemm", params, f"m{m}_n{n}_k{k}_{dt}", "torch-cublas", res,
                f"{sets} operand sets rotated; CUDA events per launch")
            del ops, fns
            torch.cuda.empty_cache()

    # Grouped GEMMs: out[rows of g] = A[rows of g] B[g]^T, B [groups, n, k].
    gen = torch.Generator().manual_seed(77)

    def uneven(groups, mean):
        w = torch.rand(groups, generator=gen) + 0.25
        rows = [max(16, int(round(float(x) * mean * groups / float(w.sum()) / 16)) * 16) for x in w]
        return rows

    grouped = []
    for n, k in [(4096, 7168), (7168, 2048)]:
        for mpg in (256, 512, 1024, 2048):
            grouped.append((8, [mpg] * 8, n, k))
        grouped.append((8, uneven(8, 1024), n, k))
        grouped.append((32, uneven(32, 256), n, k))
    for groups, rows, n, k in grouped:
        total = sum(rows)
        offs = torch.tensor(list(torch.tensor(rows).cumsum(0)), device=dev, dtype=torch.int32)
        for dt in ("bf16", "fp8_e4m3"):
            per_set = (total * k + groups * n * k) * (2 if dt == "bf16" else 1)
            sets = operand_sets(per_set, l2)
            try:
                if dt == "bf16":
                    ops = [(bf16(total, k), bf16(groups, n, k)) for _ in range(sets)]
                    fns = [lambda a=a, b=b: torch._grouped_mm(a, b.transpose(-2, -1), offs=offs,
                                                              out_dtype=torch.bfloat16) for a, b in ops]
                    scaling = "none"
                else:
                    ops = [(fp8(total, k), fp8(groups, n, k), torch.rand(total, device=dev) + 0.5,
                            torch.rand(groups, n, device=dev) + 0.5) for _ in range(sets)]
                    fns = [lambda a=a, b=b, sa=sa, sb=sb: torch._scaled_grouped_mm(
                        a, b.transpose(-2, -1), sa, sb, offs=offs, out_dtype=torch.bfloat16)
                        for a, b, sa, sb in ops]
                    scaling = "rowwise"
                # Check against a per-group loop on the first operand set.
                got = fns[0]().float()
                a0, b0 = ops[0][0].float(), ops[0][1].float()
                start = 0
                err = 0.0
                for g, r in enumerate(rows):
                    ref = a0[start:start + r] @ b0[g].t()
                    if dt != "bf16":
                        ref = ref * ops[0][2][start:start + r, None] * ops[0][3][g][None, :]
                    err = max(err, float((got[start:start + r] - ref).norm() / ref.norm()))
                    start += r
                if not err < 2e-2:
                    raise RuntimeError(f"grouped GEMM check failed: relative error {err:.3g}")
            except (RuntimeError, TypeError, AttributeError) as e:
                print(f"grouped_gemm groups{groups} {dt}: not run ({str(e)[:160]})", flush=True)
                continue
            params = {"groups": groups, "n": n, "k": k, "a_dtype": dt, "b_dtype": dt, "out_dtype": "bf16",
                      "scaling": scaling, "layout": "contiguous"}
            if len(set(rows)) == 1:
                params["m_per_group"] = rows[0]
                tag = f"g{groups}_m{rows[0]}_n{n}_k{k}_{dt}"
            else:
                params["group_rows"] = ",".join(str(r) for r in rows)
                tag = f"g{groups}_uneven{total}_n{n}_k{k}_{dt}"
            res = regimes(torch, fns, do_sustained=rows == [1024] * 8)
            add("grouped_gemm", params, tag, "torch-grouped", res,
                f"{sets} operand sets rotated; checked against a per-group loop (relative error {err:.2e})")
            del ops, fns
            torch.cuda.empty_cache()
    write_jsonl_atomic(args.out, records)

    # The transient from rest: BF16 8192^3 back to back for 4 s after 3 s idle.
    a, b = bf16(8192, 8192), bf16(8192, 8192)
    fn = [lambda: torch.matmul(a, b.t())]
    fn[0]()
    torch.cuda.synchronize()
    time.sleep(3.0)
    us, start = timed_launches(torch, fn, seconds=4.0)
    bins = {}
    for u, t in zip(us, start):
        bins.setdefault(int(t // 20), []).append(u)
    t_ms = [20 * b_ + 10 for b_ in sorted(bins)]
    med = [round(statistics.median(bins[b_]), 2) for b_ in sorted(bins)]
    dyn = [{"id": f"{args.gpu_name}/regimes/train_from_rest/gemm_m8192_n8192_k8192_bf16", "gpu": args.gpu_name,
            "kernel": "gemm", "params": {"m": 8192, "n": 8192, "k": 8192, "a_dtype": "bf16", "b_dtype": "bf16",
                                         "out_dtype": "bf16", "scaling": "none", "fast_accum": False},
            "measured": {"time_us_median": round(statistics.median(us), 3), "time_us_min": round(min(us), 3),
                         "time_us_max": round(max(us), 3), "reps": len(us)},
            "implementation": "torch-cublas", "role": "validation", "regime": "train_from_rest",
            "history": {"idle_before_ms": 3000, "back_to_back_ms": 4000},
            "derived": {"t_ms": t_ms, "time_us": med},
            "implementation_detail": "one operand set, back to back; per-launch CUDA events, 20 ms bins",
            "provenance": prov}]
    print(f"train_from_rest bf16 8192^3: first bin {med[0]} us, last {med[-1]} us", flush=True)
    write_jsonl_atomic(args.dynamics_out, dyn)
    print(f"gemm_regimes.py: {len(records)} records -> {args.out}")


if __name__ == "__main__":
    main()
