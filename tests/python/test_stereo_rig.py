"""Rigs and stereo (docs/camera.md), read with OpenCV (Debian's python3-opencv):

- configs/stereo_pair.yaml: frame 2k is the left camera, 2k + 1 the right one of instant k; the right
  camera's world_to_camera is the left's moved by the baseline along its +X; the pair's records carry
  the rectification (P2[0][3] = -fx B, OpenCV's stereoRectify convention).
- disparity d at pixel p equals fx B / depth to 1e-4 relative (0 where no surface), and the right
  image's id at p - d equals the left's wherever the right pixel sees the same surface (same depth:
  a pure baseline translation keeps the depth), over every interior pixel of every labeled instance.
- A three-camera rig: each view's world_to_camera is inverse(camera_to_rig) x the rig's, every view
  passes `synthlabel check`, and frames rendered alone equal the whole run's.
"""
import json
import subprocess

import cv2
import numpy as np

from conftest import BINARY, SOURCE, check, generate


def images_of(out):
    coco = json.loads((out / "coco.json").read_text())
    return sorted(coco["images"], key=lambda im: im["frame"])


def test_stereo_disparity_and_correspondence(tmp_path):
    out = generate(SOURCE / "configs/stereo_pair.yaml", tmp_path / "out", "--frames", "6", "--resolution", "320x240")
    code, stdout, stderr = check(out)
    assert code == 0, stdout + stderr
    images = images_of(out)
    matched = 0
    for k in range(3):
        left, right = images[2 * k], images[2 * k + 1]
        assert (left["rig"]["name"], right["rig"]["name"]) == ("left", "right")
        assert left["rig"]["instant"] == right["rig"]["instant"] == k
        b = right["rig"]["stereo"]["baseline_m"]
        fx = left["camera"]["K"][0][0]
        assert right["rig"]["stereo"]["P2"][0][3] == -fx * b
        shift = np.eye(4)
        shift[0, 3] = -b  # world -> right camera = (left -> right) x (world -> left)
        np.testing.assert_allclose(np.array(right["camera"]["world_to_camera"]), shift @ np.array(left["camera"]["world_to_camera"]), atol=2e-6)
        depth_l = cv2.imread(str(out / left["depth_file"]), cv2.IMREAD_UNCHANGED)
        depth_r = cv2.imread(str(out / right["depth_file"]), cv2.IMREAD_UNCHANGED)
        d = cv2.imread(str(out / left["disparity_file"]), cv2.IMREAD_UNCHANGED)
        ids_l = cv2.imread(str(out / left["instance_file"]), cv2.IMREAD_UNCHANGED)
        ids_r = cv2.imread(str(out / right["instance_file"]), cv2.IMREAD_UNCHANGED)
        seen = np.isfinite(depth_l)
        expected = fx * b / depth_l[seen].astype(np.float64)
        assert np.max(np.abs(d[seen] - expected) / expected) < 1e-4
        assert np.all(d[~seen] == 0)
        h, w = ids_l.shape
        # Interior pixels of labeled instances (their 3x3 neighbourhood one id), their match in the right image.
        same = np.ones_like(ids_l, bool)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                same &= np.roll(np.roll(ids_l, dy, 0), dx, 1) == ids_l
        ys, xs = np.nonzero(same & (ids_l > 0))
        xr = np.floor(xs + 0.5 - d[ys, xs]).astype(int)
        inside = (xr >= 0) & (xr < w)
        ys, xs, xr = ys[inside], xs[inside], xr[inside]
        surface = np.abs(depth_r[ys, xr] - depth_l[ys, xs]) < 0.005 * depth_l[ys, xs]
        assert surface.mean() > 0.9
        assert np.array_equal(ids_r[ys[surface], xr[surface]], ids_l[ys[surface], xs[surface]])
        matched += int(surface.sum())
    print(f"{matched} left pixels matched in the right images, every id equal")
    assert matched > 1000


def test_three_camera_rig(tmp_path):
    text = (SOURCE / "configs/quickstart.yaml").read_text().replace("../assets/", str(SOURCE / "assets") + "/")
    rig = """  rig:
    - {name: front}
    - {name: left, position: [-0.3, 0, 0], rotation_deg: [0, -40, 0]}
    - {name: up, position: [0, -0.2, 0.1], rotation_deg: [25, 0, 5]}
"""
    text = text.replace("camera:\n", "camera:\n" + rig, 1)
    (tmp_path / "rig.yaml").write_text(text)
    out = generate(tmp_path / "rig.yaml", tmp_path / "out", "--frames", "6", "--resolution", "160x120")
    code, stdout, stderr = check(out)
    assert code == 0, stdout + stderr
    images = images_of(out)
    for k in range(2):
        views = images[3 * k:3 * k + 3]
        assert [v["rig"]["name"] for v in views] == ["front", "left", "up"]
        base = np.array(views[0]["camera"]["world_to_camera"])
        for v in views:
            c2r = np.array(v["rig"]["camera_to_rig"])
            np.testing.assert_allclose(np.array(v["camera"]["world_to_camera"]), np.linalg.inv(c2r) @ base, atol=2e-6)
    # Frames alone equal the whole run's (view 4 = camera 1 of instant 1).
    alone = generate(tmp_path / "rig.yaml", tmp_path / "alone", "--frames", "1", "--start", "4", "--resolution", "160x120")
    for folder in ("rgb", "instance", "depth"):
        name = next((alone / folder).iterdir()).name
        assert (alone / folder / name).read_bytes() == (out / folder / name).read_bytes()
