#!/usr/bin/env python3
"""Prints criterion's median (with its 95% interval) and median absolute deviation for each
benchmark under target/criterion whose group starts with PREFIX, per iteration and, for
benchmarks that declare a throughput in elements, per element. Standard library only.

usage: python3 bench/criterion_medians.py [PREFIX] [--markdown]
"""

import json
import os
import sys


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    markdown = "--markdown" in sys.argv
    prefix = args[0] if args else ""
    root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion")
    rows = []
    for dirpath, _, files in os.walk(root):
        if os.path.basename(dirpath) != "new" or "benchmark.json" not in files:
            continue
        with open(os.path.join(dirpath, "benchmark.json")) as f:
            bench = json.load(f)
        if not bench["group_id"].startswith(prefix):
            continue
        with open(os.path.join(dirpath, "estimates.json")) as f:
            est = json.load(f)
        med = est["median"]
        ci = med["confidence_interval"]
        n = (bench.get("throughput") or {}).get("Elements") or 1
        rows.append((bench["full_id"], med["point_estimate"], ci["lower_bound"],
                     ci["upper_bound"], est["median_abs_dev"]["point_estimate"], n))
    rows.sort()
    if markdown:
        print("| benchmark | median | 95% CI of median | MAD | per element |")
        print("|---|---:|---:|---:|---:|")
    for name, m, lo, hi, mad, n in rows:
        per = fmt(m / n) if n > 1 else ""
        if markdown:
            print(f"| `{name}` | {fmt(m)} | {fmt(lo)} – {fmt(hi)} | {fmt(mad)} | {per} |")
        else:
            extra = f"  ({per} per element, {n} elements)" if n > 1 else ""
            print(f"{name:60s} median {fmt(m):>10s} [{fmt(lo)} .. {fmt(hi)}]  "
                  f"MAD {fmt(mad)}{extra}")


if __name__ == "__main__":
    main()
