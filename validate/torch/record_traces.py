#!/usr/bin/env python3
"""Records PyTorch profiler traces of training iterations on a Hopper GPU, for validating
`hwsim trace predict` (the what-if on a user's own workload, docs/traces.md).

Workloads (each forward + backward, or an optimizer update, repeated as iterations):
  moe_bf16   a DeepSeek-V3-shaped MoE layer on one expert-parallel rank: RMSNorm, MLA attention
             (128 heads, qk 192, v 128, causal, 4,096 tokens), the router, 8 of 32 local experts per
             token as grouped GEMMs (torch._grouped_mm where present, one mm per expert otherwise),
             one shared expert, all BF16.
  moe_fp8    the same layer with every linear GEMM in FP8 (E4M3 operands, per-tensor scales through
             torch._scaled_mm; gradients E5M2), as an FP8 training recipe does, casts included.
  dense_bf16 a dense transformer block (hidden 4096, 32 heads of 128, SwiGLU MLP of 14,336, RMSNorm,
             batch 2 x 4,096 tokens), BF16.
  adamw      a memory-bound step: fused AdamW over 1.5 B FP32 parameters in 96 tensors, with
             gradient-norm clipping and zero_grad.
  elementwise ATen's memory-bound kernels on the views training code hands them: contiguous tensors
             (the vectorised kernel), chunks of a wider tensor (rows apart: inner stride 1, outer
             stride twice the row), transposed views and broadcasts, BF16 and FP32, 4 M to 128 M
             elements; unary, binary, in-place and casts. No training step: a set of kernels to
             score the elementwise model on launch configurations it was not calibrated on.

Method: torch.profiler with record_shapes=True (CPU and CUDA activities), schedule wait 1,
warm-up 2, active --iters; each active iteration is a ProfilerStep#N span. The Chrome trace is
written gzip-compressed and atomically (temporary file, then rename). A JSON sidecar names every
choice the script made (e.g. whether torch._grouped_mm ran) and the provenance.
Usage: python3 record_traces.py --gpu-name h100-sxm --out-dir DIR [--only moe_bf16,...] [--iters 3]
Standard library + torch only.
"""
import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from records_io import provenance  # noqa: E402

E4M3_MAX = 448.0
E5M2_MAX = 57344.0


def build_fp8_linear(torch):
    """y = x @ w.T in FP8 with per-tensor scales, forward and backward (dgrad, wgrad)."""

    def quant(t, dtype, fmax):
        amax = t.detach().abs().amax().float().clamp(min=1e-12)
        scale = fmax / amax
        return (t.float() * scale).clamp(-fmax, fmax).to(dtype), (1.0 / scale)

    def smm(a, b_colmajor, sa, sb):
        return torch._scaled_mm(a, b_colmajor, scale_a=sa, scale_b=sb, out_dtype=torch.bfloat16)

    class Fp8Linear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            xq, sx = quant(x, torch.float8_e4m3fn, E4M3_MAX)
            wq, sw = quant(w, torch.float8_e4m3fn, E4M3_MAX)
            ctx.save_for_backward(xq, wq, sx, sw)
            return smm(xq, wq.t(), sx, sw)  # w row-major [n, k] -> w.T column-major

        @staticmethod
        def backward(ctx, g):
            xq, wq, sx, sw = ctx.saved_tensors
            gq, sg = quant(g, torch.float8_e5m2, E5M2_MAX)
            # dgrad: g [m, n] @ w [n, k]; w must be column-major: w.T contiguous then transposed
            dx = smm(gq, wq.t().contiguous().t(), sg, sw)
            # wgrad: g.T [n, m] @ x [m, k]; x column-major
            dw = smm(gq.t().contiguous(), xq.t().contiguous().t(), sg, sx)
            return dx, dw.to(torch.bfloat16)

    return Fp8Linear


def make_linear(torch, fp8):
    fp8_fn = build_fp8_linear(torch).apply if fp8 else None

    def linear(x, w):
        if fp8:
            shape = x.shape
            y = fp8_fn(x.reshape(-1, shape[-1]), w)
            return y.reshape(*shape[:-1], w.shape[0])
        return torch.nn.functional.linear(x, w)

    return linear


def rms_norm(torch, x, w):
    return torch.nn.functional.rms_norm(x, (x.shape[-1],), w, 1e-6)


class MoeLayer:
    """DeepSeek-V3's layer at its real widths on one expert-parallel rank (32 of 256 experts)."""

    def __init__(self, torch, fp8, notes, tokens=4096):
        self.torch, self.fp8, self.notes, self.tokens = torch, fp8, notes, tokens
        self.h, self.heads, self.qk, self.rope, self.v = 7168, 128, 192, 64, 128
        self.q_lora, self.kv_lora, self.experts, self.topk, self.inter = 1536, 512, 32, 8, 2048
        d = dict(device="cuda", dtype=torch.bfloat16)
        p = lambda *s: (torch.randn(*s, **d) * (1.0 / s[-1] ** 0.5)).requires_grad_()  # noqa: E731
        h = self.h
        self.params = dict(
            attn_norm=torch.ones(h, **d).requires_grad_(), q_a=p(self.q_lora, h), q_norm=torch.ones(self.q_lora, **d),
            q_b=p(self.heads * self.qk, self.q_lora), kv_a=p(self.kv_lora + self.rope, h),
            kv_norm=torch.ones(self.kv_lora, **d), kv_b=p(self.heads * (self.qk - self.rope + self.v), self.kv_lora),
            o=p(h, self.heads * self.v), ffn_norm=torch.ones(h, **d).requires_grad_(), gate=p(self.experts * 8, h),
            w13=p(self.experts, 2 * self.inter, h), w2=p(self.experts, h, self.inter),
            s13=p(2 * self.inter, h), s2=p(h, self.inter))
        self.linear = make_linear(torch, fp8)
        self.grouped = self._grouped_available()
        notes["moe_experts"] = ("torch._grouped_mm" if self.grouped else "one mm per expert") + (
            " (FP8: one torch._scaled_mm per expert)" if fp8 else "")

    def _grouped_available(self):
        torch = self.torch
        if self.fp8 or not hasattr(torch, "_grouped_mm"):
            return False
        try:
            # The layout the layer uses (weights [groups, n, k], passed transposed) and a loss whose gradient
            # is a real tensor: the gradient of .sum() is an expanded one (strides 0), which _grouped_mm's
            # backward rejects.
            a = torch.randn(64, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            b = torch.randn(2, 64, 128, device="cuda", dtype=torch.bfloat16, requires_grad=True)
            offs = torch.tensor([32, 64], device="cuda", dtype=torch.int32)
            torch._grouped_mm(a, b.transpose(1, 2), offs=offs).float().square().mean().backward()
            torch.cuda.synchronize()
            return True
        except Exception as e:  # noqa: BLE001 - any failure means: use the per-expert path
            self.notes["grouped_mm_error"] = str(e)[:300]
            return False

    def attention(self, x):
        torch, P, L = self.torch, self.params, self.linear
        t, nh = x.shape[0], self.heads
        q = L(rms_norm(torch, L(x, P["q_a"]), P["q_norm"]), P["q_b"]).view(t, nh, self.qk)
        kv_a = L(x, P["kv_a"])
        c, k_rope = kv_a.split([self.kv_lora, self.rope], dim=-1)
        kv = L(rms_norm(torch, c.contiguous(), P["kv_norm"]), P["kv_b"]).view(t, nh, self.qk - self.rope + self.v)
        k_nope, v = kv.split([self.qk - self.rope, self.v], dim=-1)
        k = torch.cat([k_nope, k_rope.unsqueeze(1).expand(t, nh, self.rope)], dim=-1)
        o = torch.nn.functional.scaled_dot_product_attention(
            q.transpose(0, 1).unsqueeze(0), k.transpose(0, 1).unsqueeze(0), v.transpose(0, 1).unsqueeze(0),
            is_causal=True)
        return L(o.squeeze(0).transpose(0, 1).reshape(t, nh * self.v), P["o"])

    def experts_ffn(self, xs, counts):
        torch, P = self.torch, self.params
        if self.grouped:
            offs = torch.cumsum(counts, 0).to(torch.int32)
            h13 = torch._grouped_mm(xs, P["w13"].transpose(1, 2), offs=offs)
            g, u = h13.chunk(2, dim=-1)
            return torch._grouped_mm(torch.nn.functional.silu(g) * u, P["w2"].transpose(1, 2), offs=offs)
        outs, start = [], 0
        for e, n in enumerate(counts.tolist()):
            xe = xs[start:start + n]
            start += n
            if n == 0:
                continue
            pad = (-n) % 16 if self.fp8 else 0  # torch._scaled_mm needs every dimension a multiple of 16
            if pad:
                xe = torch.nn.functional.pad(xe, (0, 0, 0, pad))
            g, u = self.linear(xe, P["w13"][e]).chunk(2, dim=-1)
            outs.append(self.linear(torch.nn.functional.silu(g) * u, P["w2"][e])[:n])
        return torch.cat(outs, 0)

    def moe(self, x):
        torch, P = self.torch, self.params
        t = x.shape[0]
        scores = torch.sigmoid(torch.nn.functional.linear(x, P["gate"])[:, : self.experts].float())
        w, idx = scores.topk(self.topk, dim=-1)
        w = (w / w.sum(-1, keepdim=True)).to(x.dtype)
        flat = idx.flatten()
        order = flat.argsort(stable=True)
        counts = torch.bincount(flat, minlength=self.experts)
        xs = x.index_select(0, order // self.topk)
        ys = self.experts_ffn(xs, counts) * w.flatten()[order].unsqueeze(-1)
        out = torch.zeros_like(x).index_add_(0, order // self.topk, ys)
        g, u = self.linear(x, P["s13"]).chunk(2, dim=-1)
        return out + self.linear(torch.nn.functional.silu(g) * u, P["s2"])

    def step(self, x):
        P = self.params
        h = x + self.attention(rms_norm(self.torch, x, P["attn_norm"]))
        y = h + self.moe(rms_norm(self.torch, h, P["ffn_norm"]))
        y.float().square().mean().backward()

    def input(self):
        return self.torch.randn(self.tokens, self.h, device="cuda", dtype=self.torch.bfloat16)


class DenseBlock:
    """A Llama-class block: hidden 4096, 32 heads of 128, SwiGLU 14,336, batch 2 x 4,096 tokens."""

    def __init__(self, torch, notes):
        self.torch, self.b, self.s, self.h, self.nh, self.ff = torch, 2, 4096, 4096, 32, 14336
        d = dict(device="cuda", dtype=torch.bfloat16)
        p = lambda *s: (torch.randn(*s, **d) * (1.0 / s[-1] ** 0.5)).requires_grad_()  # noqa: E731
        self.P = dict(n1=torch.ones(self.h, **d).requires_grad_(), qkv=p(3 * self.h, self.h), o=p(self.h, self.h),
                      n2=torch.ones(self.h, **d).requires_grad_(), w13=p(2 * self.ff, self.h), w2=p(self.h, self.ff))
        notes["dense"] = "BF16, torch.nn.functional.linear, SDPA causal"

    def step(self, x):
        torch, P, F = self.torch, self.P, self.torch.nn.functional
        b, s, h, nh = self.b, self.s, self.h, self.nh
        q, k, v = F.linear(rms_norm(torch, x, P["n1"]), P["qkv"]).view(b, s, 3, nh, h // nh).unbind(2)
        o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + F.linear(o.transpose(1, 2).reshape(b, s, h), P["o"])
        g, u = F.linear(rms_norm(torch, x, P["n2"]), P["w13"]).chunk(2, dim=-1)
        y = x + F.linear(F.silu(g) * u, P["w2"])
        y.float().square().mean().backward()

    def input(self):
        return self.torch.randn(self.b, self.s, self.h, device="cuda", dtype=self.torch.bfloat16)


class AdamwStep:
    """Fused AdamW over 1.5 B FP32 parameters (96 tensors of 4096 x 3840), clipping, zero_grad."""

    def __init__(self, torch, notes):
        self.torch = torch
        self.params = [torch.nn.Parameter(torch.randn(4096, 3840, device="cuda") * 0.02) for _ in range(96)]
        for p in self.params:
            p.grad = torch.randn_like(p) * 1e-3
        try:
            self.opt = torch.optim.AdamW(self.params, lr=1e-4, fused=True)
            notes["adamw"] = "torch.optim.AdamW(fused=True)"
        except (RuntimeError, TypeError):
            self.opt = torch.optim.AdamW(self.params, lr=1e-4, foreach=True)
            notes["adamw"] = "torch.optim.AdamW(foreach=True)"

    def step(self, _):
        torch = self.torch
        torch.nn.utils.clip_grad_norm_(self.params, 1.0, foreach=True)
        self.opt.step()
        for p in self.params:  # refill rather than free: the next step has gradients again
            p.grad.mul_(0.999)

    def input(self):
        return None


class ElementwiseSet:
    """ATen elementwise kernels over contiguous, chunked, transposed and broadcast views."""

    def __init__(self, torch, notes):
        self.torch = torch
        self.cases = []
        for dtype in (torch.bfloat16, torch.float32):
            for rows, cols in ((1024, 4096), (4096, 8192), (8192, 16384)):
                wide = torch.randn(rows, 2 * cols, device="cuda", dtype=dtype)
                a, b = wide.chunk(2, dim=-1)              # inner stride 1, rows 2 * cols apart
                c = torch.randn(rows, cols, device="cuda", dtype=dtype)
                t = torch.randn(cols, rows, device="cuda", dtype=dtype).t()  # transposed view
                r = torch.randn(cols, device="cuda", dtype=dtype)            # broadcast row
                self.cases.append((a, b, c, t, r))
        notes["elementwise"] = ("BF16 and FP32 at 1024x4096, 4096x8192, 8192x16384: silu, mul, add, "
                                "in-place mul_, casts, on contiguous, chunked, transposed and broadcast views")

    def step(self, _):
        F = self.torch.nn.functional
        for a, b, c, t, r in self.cases:
            F.silu(c)
            F.silu(a)
            c * c
            a * b
            a + c
            c + t
            c + r
            c.mul_(1.0001)
            a.float() if c.dtype != self.torch.float32 else a.bfloat16()
            c.float() if c.dtype != self.torch.float32 else c.bfloat16()

    def input(self):
        return None


def record(torch, name, work, iters, out_dir):
    from torch.profiler import ProfilerActivity, profile, schedule
    x = work.input()
    tmp = tempfile.mkdtemp(dir=out_dir)
    try:
        raw = os.path.join(tmp, "trace.json")
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=True,
                     schedule=schedule(wait=1, warmup=2, active=iters),
                     on_trace_ready=lambda p: p.export_chrome_trace(raw)) as prof:
            for _ in range(1 + 2 + iters):
                work.step(x)
                torch.cuda.synchronize()
                prof.step()
        final = os.path.join(out_dir, f"{name}.json.gz")
        with open(raw, "rb") as src, gzip.open(os.path.join(tmp, "t.gz"), "wb", compresslevel=9) as dst:
            shutil.copyfileobj(src, dst)
        os.replace(os.path.join(tmp, "t.gz"), final)
        return os.path.getsize(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gpu-name", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--only", default="moe_bf16,moe_fp8,dense_bf16,adamw")
    ap.add_argument("--iters", type=int, default=3)
    args = ap.parse_args()
    import torch
    torch.manual_seed(0)
    os.makedirs(args.out_dir, exist_ok=True)
    meta = {"provenance": provenance(torch, "record_traces.py", args.gpu_name, args.out_dir,
                                     f" --only {args.only} --iters {args.iters}", cudnn=True), "traces": {}}
    meta["provenance"]["command"] = meta["provenance"]["command"].replace("--out ", "--out-dir ")
    for name in args.only.split(","):
        notes = {}
        builders = {"moe_bf16": lambda: MoeLayer(torch, False, notes), "moe_fp8": lambda: MoeLayer(torch, True, notes),
                    "dense_bf16": lambda: DenseBlock(torch, notes), "adamw": lambda: AdamwStep(torch, notes),
                    "elementwise": lambda: ElementwiseSet(torch, notes)}
        if name not in builders:
            sys.exit(f"record_traces: unknown workload '{name}' (expected one of {', '.join(builders)})")
        try:
            work = builders[name]()
            size = record(torch, name, work, args.iters, args.out_dir)
            notes["bytes"] = size
            print(f"{name}: {size / 1e6:.2f} MB compressed", flush=True)
        except Exception as e:  # noqa: BLE001 - record the failure and go on with the next workload
            notes["error"] = f"{type(e).__name__}: {str(e)[:500]}"
            print(f"{name}: FAILED {notes['error']}", flush=True)
        meta["traces"][name] = notes
        work = None
        del builders
        torch.cuda.empty_cache()
    with open(os.path.join(args.out_dir, "traces_meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
