"""The Python examples run as users run them: examples/python/train_torchvision.py trains a torchvision
detector for 20 iterations from a 2-worker DataLoader over the generator (the small Faster R-CNN on
MobileNetV3 here, for CI's time; Mask R-CNN is the example's default), and show_frame.py draws a frame
with its masks (matplotlib, Agg backend)."""
import os
import re
import subprocess
import sys

import cv2
import pytest

from conftest import SOURCE

EXAMPLES = SOURCE / "examples" / "python"


def run(args, **kw):
    env = dict(os.environ, MPLBACKEND="Agg")
    r = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, env=env, **kw)
    assert r.returncode == 0, f"{args}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_train_torchvision_20_iterations_with_2_workers():
    pytest.importorskip("torchvision")
    out = run([EXAMPLES / "train_torchvision.py", "--model", "fasterrcnn_mobilenet", "--iterations", "20", "--workers", "2"])
    losses = [float(m) for m in re.findall(r"^iteration +\d+: loss ([0-9.]+)", out, re.M)]
    assert len(losses) == 20, out
    assert all(0 < x < 100 for x in losses)
    assert "20 iterations of 2 frames" in out


def test_show_frame_saves_the_figure(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "frame.png"
    out = run([EXAMPLES / "show_frame.py", "--frame", "3", "--out", png])
    assert "annotations" in out
    img = cv2.imread(str(png))
    assert img is not None and img.shape[0] > 300 and img.shape[1] > 1000
