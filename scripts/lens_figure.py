#!/usr/bin/python3
"""Draws docs/images/lens_models.png: where a square grid of ray directions lands in the image under
each lens model synthlabel renders (docs/camera.md), next to the pinhole. Brown-Conrady and fisheye
are projected with OpenCV (cv2.projectPoints, cv2.fisheye.projectPoints) from the calibrations in
configs/calibration/; the radial table is the example in docs/camera.md.

    /usr/bin/python3 scripts/lens_figure.py docs/images/lens_models.png
"""
import pathlib
import sys

import cv2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def calibration(name):
    fs = cv2.FileStorage(str(ROOT / "configs/calibration" / name), cv2.FILE_STORAGE_READ)
    k, d = fs.getNode("camera_matrix").mat(), fs.getNode("distortion_coefficients").mat().ravel()
    w, h = int(fs.getNode("image_width").real()), int(fs.getNode("image_height").real())
    return k, d, (w, h)


def grid_lines(extent, n=13, samples=200):
    """Lines of constant x and of constant y on the plane z = 1, x, y in [-extent, extent]."""
    t = np.linspace(-extent, extent, samples)
    for c in np.linspace(-extent, extent, n):
        yield np.stack([np.full_like(t, c), t, np.ones_like(t)], 1)
        yield np.stack([t, np.full_like(t, c), np.ones_like(t)], 1)


def panel(ax, title, size, project, extent, circle=None):
    w, h = size
    for line in grid_lines(extent):
        uv = project(line)
        ok = np.isfinite(uv).all(1)
        ax.plot(uv[ok, 0], uv[ok, 1], color="#1f77b4", lw=0.7)
    ax.add_patch(plt.Rectangle((0, 0), w, h, fill=False, ec="black", lw=1.5))
    if circle is not None:
        ax.add_patch(plt.Circle(circle[0], circle[1], fill=False, ec="#d62728", lw=1.2, ls="--"))
    ax.set_xlim(-0.15 * w, 1.15 * w)
    ax.set_ylim(1.15 * h, -0.15 * h)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def main(out):
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.6))
    k, d, size = calibration("tum_rgbd_freiburg1.yaml")
    panel(axes[0], "pinhole (same K)", size, lambda p: (p[:, :2] / p[:, 2:]) @ np.diag([k[0, 0], k[1, 1]]) + k[:2, 2], 0.8)
    panel(axes[1], "brown_conrady: TUM RGB-D freiburg1\n(k1 k2 p1 p2 k3, cv2.projectPoints)", size,
          lambda p: cv2.projectPoints(p, np.zeros(3), np.zeros(3), k, d)[0].reshape(-1, 2), 0.8)
    kf, df, sf = calibration("tum_vi_512_cam0.yaml")
    theta = np.radians(75)
    t2 = theta * theta
    r = kf[0, 0] * theta * (1 + df[0] * t2 + df[1] * t2**2 + df[2] * t2**3 + df[3] * t2**4)

    def fisheye(p):
        inside = np.degrees(np.arctan(np.hypot(p[:, 0], p[:, 1]) / p[:, 2])) <= 75
        uv = cv2.fisheye.projectPoints(p.reshape(-1, 1, 3), np.zeros((3, 1)), np.zeros((3, 1)), kf, df)[0].reshape(-1, 2)
        uv[~inside] = np.nan
        return uv

    panel(axes[2], "fisheye: TUM-VI cam0 (Kannala-Brandt,\ncv2.fisheye), max_field_deg 150", sf, fisheye, 4.0, circle=(kf[:2, 2], r))
    table = np.array([[0, 0], [20, 0.33], [40, 0.62], [60, 0.86], [75, 1.0]], np.float64)
    f, c = 230.0, (320.0, 240.0)

    def radial(p):
        th = np.degrees(np.arctan2(np.hypot(p[:, 0], p[:, 1]), p[:, 2]))
        rd = np.interp(th, table[:, 0], table[:, 1], right=np.nan)
        phi = np.arctan2(p[:, 1], p[:, 0])
        return np.stack([f * rd * np.cos(phi) + c[0], f * rd * np.sin(phi) + c[1]], 1)

    panel(axes[3], "radial_table: [[0,0],[20,0.33],[40,0.62],\n[60,0.86],[75,1.0]], f = 230", (640, 480), radial, 3.7)
    fig.suptitle("Where a square grid of rays (x/z, y/z) lands in the image; the frame in black", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.92))
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs/images/lens_models.png"))
