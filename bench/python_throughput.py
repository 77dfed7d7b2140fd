#!/usr/bin/env python3
"""Frames/s to Python against `synthlabel generate` for the same config and frames (must-show of the
Python issue): iterating Generator.frames(range(N)) with every label (arrays + COCO labels parsed),
touching nothing on disk, beside `synthlabel generate` writing the dataset. Runs alternate, R rounds;
prints each run and the medians.

    PYTHONPATH=build/python python3 bench/python_throughput.py configs/quickstart.yaml -n 1000 -r 3
"""
import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import synthlabel


def python_run(config, overrides, n):
    t0 = time.perf_counter()
    gen = synthlabel.Generator(config, overrides, frames=n)
    start = time.perf_counter()
    annotations = 0
    for frame in gen.frames(range(n)):
        annotations += len(frame.annotations)
        frame.rgb[0, 0]  # the arrays are there
    end = time.perf_counter()
    return n / (end - start), end - t0, annotations


def cli_run(binary, config, overrides, n, out):
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    r = subprocess.run([binary, "generate", config, "--out", str(out), "--frames", str(n), "--quiet", *overrides],
                       capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    return n / wall, wall, r.stdout.strip()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config")
    p.add_argument("overrides", nargs="*")
    p.add_argument("-n", type=int, default=1000)
    p.add_argument("-r", "--rounds", type=int, default=3)
    p.add_argument("--binary", default=str(pathlib.Path(__file__).resolve().parents[1] / "build" / "synthlabel"))
    args = p.parse_args()
    py, cli = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            fps, wall, anns = python_run(args.config, args.overrides, args.n)
            py.append(fps)
            print(f"round {r + 1}: python  {fps:7.1f} frames/s ({args.n} frames, {anns} annotations, {wall:.1f} s with start-up)", flush=True)
            fps, wall, _ = cli_run(args.binary, args.config, args.overrides, args.n, pathlib.Path(tmp) / "out")
            cli.append(fps)
            print(f"round {r + 1}: generate {fps:7.1f} frames/s (whole command, {wall:.1f} s, files written)", flush=True)
    print(f"median: python {statistics.median(py):.1f} frames/s, generate {statistics.median(cli):.1f} frames/s, "
          f"ratio {statistics.median(py) / statistics.median(cli):.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    sys.exit(main())
