"""Lens models against OpenCV (Debian's python3-opencv), the tool users calibrate and undistort with.

1. Calibration round trip: a checkerboard rendered through a published calibration, its corners
   found by cv2.findChessboardCorners + cornerSubPix, the camera re-calibrated by
   cv2.calibrateCamera (Brown-Conrady) or cv2.fisheye.calibrate (Kannala-Brandt); the recovered K and
   coefficients must match the file's within the tolerances stated in docs/camera.md.
   - configs/calibration/tum_rgbd_freiburg1.yaml: TUM RGB-D "freiburg1" (k1 k2 p1 p2 k3).
   - configs/calibration/tum_vi_512_cam0.yaml: TUM-VI cam0 512x512 fisheye (k1..k4).
2. Labels consistent with the distorted pixels: every stored 3D box corner and keypoint equals
   cv2.projectPoints / cv2.fisheye.projectPoints of the record's 3D geometry to 1e-3 px, and
   `synthlabel check` passes on the lens examples (its masks are the remapped ids).

OpenCV's pixel coordinates put the first pixel's centre at (0, 0); synthlabel's at (0.5, 0.5)
(docs/conventions.md), so K's cx, cy differ by 0.5 between them.
"""
import json
import pathlib

import cv2
import numpy as np
import pytest

from conftest import SOURCE, check, generate

CORNERS = (9, 6)  # inner corners: 10 x 7 tiles
TILE = 0.1        # metres


def read_calibration(path):
    fs = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
    k = fs.getNode("camera_matrix").mat()
    d = fs.getNode("distortion_coefficients").mat().ravel()
    size = (int(fs.getNode("image_width").real()), int(fs.getNode("image_height").real()))
    fs.release()
    return k, d, size


def board_config(tmp, calibration, size, camera, extra_lens=""):
    """A checkerboard of abutting tiles (coplanar top faces, so corners are exact), unlabeled, lit from above."""
    tiles = []
    for j in range(CORNERS[1] + 1):
        for i in range(CORNERS[0] + 1):
            c = 0.03 if (i + j) % 2 == 0 else 0.92
            x = (i - (CORNERS[0] + 1) / 2 + 0.5) * TILE
            z = (j - (CORNERS[1] + 1) / 2 + 0.5) * TILE
            tiles.append(f"  - {{primitive: cube, labeled: false, scale: [{TILE}, 0.01, {TILE}], position: [{x:.6f}, -0.005, {z:.6f}], color: [{c}, {c}, {c}]}}")
    # A white margin around the pattern (findChessboardCorners needs the quiet zone), just below it.
    tiles.append(f"  - {{primitive: cube, labeled: false, scale: [{TILE * (CORNERS[0] + 3)}, 0.01, {TILE * (CORNERS[1] + 3)}], "
                 "position: [0, -0.0051, 0], color: [0.92, 0.92, 0.92]}")
    text = f"""seed: 3
frames: 24
resolution: [{size[0]}, {size[1]}]
categories: [thing]
camera:
  lens: {{calibration: {calibration}{extra_lens}}}
  near: 0.1
  far: 20
{camera}
lights:
  - {{elevation_deg: 90, azimuth_deg: 0, intensity: 0.8, shadows: false}}
ambient: 0.25
background: [0.35, 0.35, 0.35]
render: {{supersampling: 3}}
objects:
""" + "\n".join(tiles) + "\n"
    p = tmp / "board.yaml"
    p.write_text(text)
    return p


def find_corners(rgb_path):
    gray = cv2.cvtColor(cv2.imread(str(rgb_path)), cv2.COLOR_BGR2GRAY)
    ok, corners = cv2.findChessboardCorners(gray, CORNERS, cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE)
    if not ok:
        return None
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 1e-4)
    return cv2.cornerSubPix(gray, corners, (5, 5), (-1, -1), criteria)


def object_points():
    g = np.zeros((CORNERS[0] * CORNERS[1], 3), np.float64)
    g[:, :2] = np.mgrid[0:CORNERS[0], 0:CORNERS[1]].T.reshape(-1, 2) * TILE
    return g


def views(out):
    pts = []
    for p in sorted((out / "rgb").glob("*.png")):
        c = find_corners(p)
        if c is not None:
            pts.append(c.astype(np.float64))
    return pts


def board_views(tmp_path, name, camera, extra_lens=""):
    """The file's calibration and the corners found in 24 rendered views of the board (12 at least)."""
    cal = SOURCE / "configs/calibration" / name
    k_true, d_true, size = read_calibration(cal)
    out = generate(board_config(tmp_path, cal, size, camera, extra_lens), tmp_path / "out")
    img = views(out)
    assert len(img) >= 12, f"corners found in {len(img)} of 24 views"
    return k_true, d_true, size, img


def assert_k_recovered(rms, k, k_true, d, d_true, views_used):
    print(f"views {views_used} rms {rms:.4f} px\nK true {k_true.ravel()}\nK got  {k.ravel()}\nd true {d_true}\nd got  {d}")
    assert rms < 0.15
    assert abs(k[0, 0] / k_true[0, 0] - 1) < 0.003 and abs(k[1, 1] / k_true[1, 1] - 1) < 0.003
    assert abs(k[0, 2] - k_true[0, 2]) < 1.0 and abs(k[1, 2] - k_true[1, 2]) < 1.0


def test_brown_conrady_calibration_round_trip(tmp_path):
    k_true, d_true, size, img = board_views(tmp_path, "tum_rgbd_freiburg1.yaml", """  target: {uniform: [[-0.25, 0, -0.2], [0.25, 0, 0.2]]}
  distance: {uniform: [1.05, 1.5]}
  elevation_deg: {uniform: [50, 88]}
  azimuth_deg: {uniform: [-35, 35]}
  roll_deg: {uniform: [-25, 25]}""")
    obj = [object_points().astype(np.float32)] * len(img)
    img32 = [c.astype(np.float32) for c in img]
    rms, k, d, _, _ = cv2.calibrateCamera(obj, img32, size, None, None, flags=0)
    d = d.ravel()
    assert_k_recovered(rms, k, k_true, d, d_true, len(img))
    tol = np.array([0.02, 0.1, 5e-4, 5e-4, 0.15])  # k1 k2 p1 p2 k3 (docs/camera.md)
    assert np.all(np.abs(d[:5] - d_true[:5]) < tol), f"coefficient error {np.abs(d[:5] - d_true[:5])} (tolerance {tol})"


def test_fisheye_calibration_round_trip(tmp_path):
    k_true, d_true, size, img = board_views(tmp_path, "tum_vi_512_cam0.yaml", """  target: {uniform: [[-0.3, 0, -0.25], [0.3, 0, 0.25]]}
  distance: {uniform: [0.55, 0.9]}
  elevation_deg: {uniform: [45, 88]}
  azimuth_deg: {uniform: [-35, 35]}
  roll_deg: {uniform: [-25, 25]}""", extra_lens=", max_field_deg: 150, oversample: 1.5")
    obj = [object_points().reshape(-1, 1, 3)] * len(img)
    img = [c.reshape(-1, 1, 2) for c in img]
    flags = cv2.fisheye.CALIB_RECOMPUTE_EXTRINSIC | cv2.fisheye.CALIB_FIX_SKEW
    criteria = (cv2.TERM_CRITERIA_COUNT + cv2.TERM_CRITERIA_EPS, 200, 1e-12)
    rms, k, d, _, _ = cv2.fisheye.calibrate(obj, img, size, np.eye(3), np.zeros(4), flags=flags, criteria=criteria)
    d = d.ravel()
    assert_k_recovered(rms, k, k_true, d, d_true, len(img))
    # The Kannala-Brandt basis (theta^3, ^5, ^7, ^9) is ill-conditioned over the field a board covers:
    # the coefficients trade off, the mapping they make does not. Both are held: each coefficient, and
    # the radial mapping f * theta_d(theta) over the field the corners span (docs/camera.md).
    tol = np.array([0.03, 0.03, 0.03, 0.015])
    assert np.all(np.abs(d - d_true) < tol), f"coefficient error {np.abs(d - d_true)} (tolerance {tol})"
    rays = [cv2.fisheye.undistortPoints(c, k_true, d_true).reshape(-1, 2) for c in img]
    theta_max = max(float(np.max(np.arctan(np.hypot(r[:, 0], r[:, 1])))) for r in rays)
    theta = np.linspace(0, theta_max, 200)
    def radius(dd):
        t2 = theta * theta
        return theta * (1 + dd[0] * t2 + dd[1] * t2**2 + dd[2] * t2**3 + dd[3] * t2**4)
    worst = float(np.max(np.abs(k[0, 0] * radius(d) - k_true[0, 0] * radius(d_true))))
    print(f"field covered {2 * np.degrees(theta_max):.1f} deg, worst radial mapping difference {worst:.4f} px")
    assert worst < 0.25
