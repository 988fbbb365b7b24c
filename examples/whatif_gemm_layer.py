#!/usr/bin/env python3
"""What-if with hwsim from Python: DeepSeek-V3's FP8 GEMM and one MoE layer on
the H800 as it is and with group-scaled MMA (hw_proposals/group_scaled_mma).
Writes whatif.png (or --png PATH) and prints the numbers.

    PYTHONPATH=build/python python3 examples/whatif_gemm_layer.py [--tokens 4096]
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed: the plot goes to a PNG
import matplotlib.pyplot as plt  # noqa: E402

import hwsim  # noqa: E402

PROPOSAL = "group_scaled_mma"
GEMM = dict(m=4096, n=7168, k=2048, a_dtype="fp8_e4m3", b_dtype="fp8_e4m3", out_dtype="bf16",
            scaling="block_1x128_128x128")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tokens", type=int, default=4096, help="tokens per GPU of the layer's micro-batch")
    ap.add_argument("--png", default="whatif.png", help="where to write the plot")
    args = ap.parse_args()

    h800 = hwsim.gpu("h800-sxm")
    gemm_base = hwsim.run(h800, "gemm", **GEMM)
    gemm_prop = hwsim.run(h800.with_proposals(PROPOSAL), "gemm", **GEMM)
    print(f"GEMM 4096x7168x2048 FP8: {gemm_base.time_us:.1f} us on the H800, "
          f"{gemm_prop.time_us:.1f} us with {PROPOSAL} ({gemm_base.time_us / gemm_prop.time_us:.3f}x)")

    study = hwsim.study([PROPOSAL], h800, tokens=args.tokens, sensitivity=False, progress=True)
    layer = study[study.level == "layer"].set_index("configuration")
    print(layer[["layer_us", "layer_speedup", "forward_us", "backward_input_us", "backward_weight_us"]]
          .round(3).to_string())

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.bar(["H800", f"H800 + {PROPOSAL}"], [gemm_base.time_us, gemm_prop.time_us], color=["grey", "tab:blue"])
    ax1.set_ylabel("time (us)")
    ax1.set_title("FP8 GEMM 4096 x 7168 x 2048")
    phases = ["forward_us", "backward_input_us", "backward_weight_us"]
    bottom = [0.0, 0.0]
    for ph in phases:
        values = [layer.loc["baseline", ph], layer.loc[PROPOSAL, ph]]
        ax2.bar(["H800", f"H800 + {PROPOSAL}"], values, bottom=bottom, label=ph.removesuffix("_us"))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax2.set_ylabel("time per layer (us)")
    ax2.set_title(f"DeepSeek-V3 MoE layer, {args.tokens} tokens/GPU")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
