"""Shared fixtures for the reader tests: they load synthlabel's outputs with the tools users load them
with (OpenCV from Debian's python3-opencv, Pillow), never with synthlabel's own code.

Environment (set by tests/CMakeLists.txt): SYNTHLABEL_BINARY, SYNTHLABEL_SOURCE_DIR, EXR_SAMPLES
(the tests/tools/exr_samples program), OPENCV_IO_ENABLE_OPENEXR=1 (OpenCV reads EXR only with it).
"""
import os
import pathlib
import subprocess

import pytest

BINARY = os.environ.get("SYNTHLABEL_BINARY", "build/synthlabel")
SOURCE = pathlib.Path(os.environ.get("SYNTHLABEL_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


def generate(config, out, *args):
    """Runs `synthlabel generate CONFIG --out OUT ARGS...`; fails the test on a non-zero exit."""
    cmd = [BINARY, "generate", str(config), "--out", str(out), "--quiet", *args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}"
    return pathlib.Path(out)


def check(dataset):
    """Runs `synthlabel check DATASET`; returns (exit code, stdout, stderr)."""
    r = subprocess.run([BINARY, "check", str(dataset)], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


@pytest.fixture(scope="session")
def source():
    return SOURCE
