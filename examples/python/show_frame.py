#!/usr/bin/env python3
"""A look at one frame and its labels, notebook-style: run it whole, or cell by cell (# %% cells, as
VS Code, PyCharm and Jupytext read them). Draws the RGB, the instance masks (from each annotation's
RLE), boxes, category names and the depth, and saves the figure.

    PYTHONPATH=build/python python3 examples/python/show_frame.py --frame 3 --out frame.png
"""
# %% Render one frame
import argparse
import pathlib

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

import synthlabel
from synthlabel.torch import decode_rle

ROOT = pathlib.Path(__file__).resolve().parents[2]
p = argparse.ArgumentParser(description="Show one frame with its masks and boxes")
p.add_argument("--config", default=str(ROOT / "configs" / "quickstart.yaml"))
p.add_argument("--frame", type=int, default=0)
p.add_argument("--out", default="frame.png", help="where to save the figure")
args, _ = p.parse_known_args()

gen = synthlabel.Generator(args.config)
frame = gen.frame(args.frame)
names = {c["id"]: c["name"] for c in gen.categories}
print(frame, "on", gen.device)

# %% Masks from the COCO annotations (compressed RLE), boxes and names over the RGB
overlay = frame.rgb.astype(np.float32) / 255.0
rng = np.random.default_rng(0)
for a in frame.annotations:
    mask = decode_rle(a["segmentation"]).astype(bool)
    colour = rng.uniform(0.2, 1.0, 3)
    overlay[mask] = 0.45 * overlay[mask] + 0.55 * colour

fig, (ax_rgb, ax_masks, ax_depth) = plt.subplots(1, 3, figsize=(15, 4.2))
ax_rgb.imshow(frame.rgb)
ax_rgb.set_title(f"frame {frame.index}: RGB")
ax_masks.imshow(overlay)
for a in frame.annotations:
    x, y, w, h = a["bbox"]
    # COCO boxes cover whole pixels: pixel i spans [i, i + 1), drawn from its left edge.
    ax_masks.add_patch(plt.Rectangle((x - 0.5, y - 0.5), w, h, fill=False, color="yellow", linewidth=1))
    ax_masks.text(x - 0.5, y - 2, names[a["category_id"]], color="yellow", fontsize=7)
ax_masks.set_title(f"{len(frame.annotations)} instances: masks from RLE, boxes")

# %% Depth (metres along the viewing axis; +inf where no surface)
depth = np.where(np.isfinite(frame.depth), frame.depth, np.nan)
im = ax_depth.imshow(depth, cmap="viridis")
fig.colorbar(im, ax=ax_depth, label="depth (m)")
ax_depth.set_title("depth")
for ax in (ax_rgb, ax_masks, ax_depth):
    ax.axis("off")
fig.tight_layout()
fig.savefig(args.out, dpi=100)
print("saved", args.out)
if matplotlib.get_backend().lower() != "agg":
    plt.show()
