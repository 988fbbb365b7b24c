#!/usr/bin/env python3
"""Scores hwsim's H100 -> H200 what-if on profiler traces (docs/validation.md, "The H100 -> H200 what-if").

For each trace name T, reads DIR/T-h100on200/summary.json (the H100 trace predicted with --gpu h200-sxm) and
DIR/T-h200/summary.json (the H200's own trace of the same script predicted on h200-sxm), and prints a Markdown
row: measured iteration times (mean of the profiled iterations), the measured speed-up (H100 over H200), the
predicted one (hwsim's H100 iteration over its H200 iteration), its error, and the H200 trace's own scores.
Usage: score_trace_whatif.py DIR TRACE [TRACE...]. Standard library only.
"""
import json
import statistics
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"score_trace_whatif: {path}: {e}")


def row(folder, name):
    whatif = load(f"{folder}/{name}-h100on200/summary.json")
    own = load(f"{folder}/{name}-h200/summary.json")
    mean = lambda its, key: statistics.mean(i[key] for i in its)  # noqa: E731
    h100, h200 = mean(whatif["iterations"], "measured_us"), mean(own["iterations"], "measured_us")
    measured = h100 / h200
    predicted = mean(whatif["iterations"], "baseline_us") / mean(whatif["iterations"], "predicted_us")
    errors = ", ".join(f"{i['error'] * 100:+.1f}%" for i in own["iterations"])
    return (f"| `{name}` | {h100:,.0f} µs | {h200:,.0f} µs | {measured:.3f}x | {predicted:.3f}x | "
            f"{(predicted / measured - 1) * 100:+.1f}% | {errors} | {own['per_kernel']['median_abs_error'] * 100:.1f}% | "
            f"{(1 - own['unmapped_share']) * 100:.1f}% |")


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: score_trace_whatif.py DIR TRACE [TRACE...]")
    print("| trace | H100 measured | H200 measured | measured speed-up | predicted speed-up | error "
          "| H200 trace: per-iteration error | per-kernel median |e| | mapped |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for name in sys.argv[2:]:
        print(row(sys.argv[1], name))


if __name__ == "__main__":
    main()
