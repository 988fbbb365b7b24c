#!/usr/bin/env python3
"""Predicted versus measured kernel times from hwsim.validate(), one point per
validation record, with the y = x line. Writes validation.png (or --png PATH)
and prints the median |error| per kernel class.

    PYTHONPATH=build/python python3 examples/validation_scatter.py [--gpu h100-sxm] [--model sim]
"""
import argparse

import matplotlib

matplotlib.use("Agg")  # no display needed: the plot goes to a PNG
import matplotlib.pyplot as plt  # noqa: E402

import hwsim  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpu", default="h100-sxm", help="whose measurements to score")
    ap.add_argument("--model", default="sim", help="timing model: sim or roofline")
    ap.add_argument("--data", default=None, help="records folder (default: the repository's validate/data)")
    ap.add_argument("--png", default="validation.png", help="where to write the plot")
    args = ap.parse_args()

    df = hwsim.validate(args.data, gpu=args.gpu, model=args.model, progress=True)
    by_class = df.assign(abs_error_pct=df.error_pct.abs()).groupby("class").abs_error_pct.median()
    print(f"{len(df)} validation records of {args.gpu}, model {args.model}; median |error| "
          f"{df.error_pct.abs().median():.1f}%")
    print(by_class.round(1).to_string())

    fig, ax = plt.subplots(figsize=(6, 6))
    for cls, points in df.groupby("class"):
        ax.scatter(points.measured_us, points.predicted_us, s=10, label=cls)
    low, high = df[["measured_us", "predicted_us"]].min().min(), df[["measured_us", "predicted_us"]].max().max()
    ax.plot([low, high], [low, high], color="black", linewidth=1, label="y = x")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured (us)")
    ax.set_ylabel(f"predicted by {args.model} (us)")
    ax.set_title(f"hwsim on {args.gpu}: predicted vs measured")
    ax.legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
