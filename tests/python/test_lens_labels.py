"""Labels consistent with distorted pixels (docs/camera.md), read with OpenCV (Debian's python3-opencv):

- `synthlabel check` passes on every lens example (its masks, boxes and RLE are checked against the
  remapped id buffer the files hold);
- every 3D box corner (records: box3d.corners_px, synthlabel's pixel coordinates) equals
  cv2.projectPoints (Brown-Conrady) or cv2.fisheye.projectPoints (Kannala-Brandt) of the corner
  rebuilt from the record's box3d centre, size and pose R, with the image record's K and distortion,
  to 1e-3 px; every COCO keypoint of the cubes (their 8 corners, in COCO's pixel-index coordinates)
  likewise;
- the distortion record is OpenCV's: cv2 with those coefficients is the model;
- labels of pixels outside the image circle: none (id 0, depth +inf), and RGB black there.
"""
import json
import os

import cv2
import numpy as np
import pytest

from conftest import SOURCE, check, generate

EXAMPLES = [("lens_tum_rgbd.yaml", 4), ("lens_fisheye.yaml", 6)]


def opencv_camera(image):
    cam = image["camera"]
    k = np.array(cam["K"], np.float64)
    k[0, 2] -= 0.5  # synthlabel's pixel centres are at +0.5 (docs/conventions.md)
    k[1, 2] -= 0.5
    d = cam["distortion"]
    return k, d["model"], np.array(d["coefficients"], np.float64), d


def project(points, k, model, coeffs):
    pts = np.asarray(points, np.float64).reshape(-1, 1, 3)
    if model == "fisheye":
        uv, _ = cv2.fisheye.projectPoints(pts, np.zeros((3, 1)), np.zeros((3, 1)), k, coeffs)
    else:
        uv, _ = cv2.projectPoints(pts, np.zeros(3), np.zeros(3), k, coeffs)
    return uv.reshape(-1, 2)


def box_corners(box, pose):
    r = np.array(pose["R"], np.float64)
    c = np.array(box["centre"], np.float64)
    half = 0.5 * np.array(box["size"], np.float64)
    out = []
    for i in range(8):
        s = np.array([1 if i & 1 else -1, 1 if i & 2 else -1, 1 if i & 4 else -1], np.float64)
        out.append(c + r @ (s * half))
    return np.array(out)


@pytest.mark.parametrize("config,frames", EXAMPLES)
def test_lens_labels_agree_with_opencv(tmp_path, config, frames):
    out = generate(SOURCE / "configs" / config, tmp_path / "out", "--frames", str(frames))
    code, stdout, stderr = check(out)
    assert code == 0, stdout + stderr
    coco = json.loads((out / "coco.json").read_text())
    images = {im["id"]: im for im in coco["images"]}
    worst_corner = worst_keypoint = 0.0
    corners = keypoints = 0
    for a in coco["annotations"]:
        k, model, coeffs, _ = opencv_camera(images[a["image_id"]])
        stored = a["box3d"]["corners_px"]
        expected = project(box_corners(a["box3d"], a["pose"]), k, model, coeffs) + 0.5
        for s, e in zip(stored, expected):
            if s is None or s[0] is None:  # outside the lens's field: no projection
                continue
            worst_corner = max(worst_corner, float(np.max(np.abs(np.array(s) - e))))
            corners += 1
        if "keypoints" in a and len(a["keypoints"]) == 24:  # the cubes: keypoints are the box's corners
            kp = np.array(a["keypoints"], np.float64).reshape(-1, 3)
            for (x, y, v), e in zip(kp, expected - 0.5):
                if v > 0:
                    worst_keypoint = max(worst_keypoint, float(np.max(np.abs(np.array([x, y]) - e))))
                    keypoints += 1
    print(f"{config}: {corners} corners, worst {worst_corner:.2e} px; {keypoints} keypoints, worst {worst_keypoint:.2e} px")
    assert corners > 0
    assert worst_corner < 1e-3
    assert worst_keypoint < 1e-3
    if config == "lens_fisheye.yaml":
        assert keypoints > 0


def test_outside_the_image_circle_nothing_is_seen(tmp_path):
    out = generate(SOURCE / "configs/lens_fisheye.yaml", tmp_path / "out", "--frames", "2")
    coco = json.loads((out / "coco.json").read_text())
    for im in coco["images"]:
        k, model, coeffs, d = opencv_camera(im)
        h, w = im["height"], im["width"]
        xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
        pts = np.stack([xs.ravel(), ys.ravel()], 1).reshape(-1, 1, 2)
        und = cv2.fisheye.undistortPoints(pts, k, coeffs).reshape(-1, 2)
        theta = np.degrees(np.arctan(np.hypot(und[:, 0], und[:, 1])))
        # Pixels whose distorted radius lies past the circle's: cv2's inverse is unreliable there, so
        # test by the radius of the circle's edge (the model's radius at half the field).
        t = np.radians(d["max_field_deg"] / 2)
        rd = t * (1 + coeffs[0] * t**2 + coeffs[1] * t**4 + coeffs[2] * t**6 + coeffs[3] * t**8)
        r = np.hypot((xs.ravel() - k[0, 2]) / k[0, 0], (ys.ravel() - k[1, 2]) / k[1, 1])
        outside = (r > rd * 1.01).reshape(h, w)
        inside = (r < rd * 0.99).reshape(h, w)
        assert outside.any() and inside.any()
        ids = cv2.imread(str(out / im["instance_file"]), cv2.IMREAD_UNCHANGED)
        depth = cv2.imread(str(out / im["depth_file"]), cv2.IMREAD_UNCHANGED)
        rgb = cv2.imread(str(out / im["file_name"]))
        assert np.all(ids[outside] == 0)
        assert np.all(np.isinf(depth[outside]))
        assert np.all(rgb[outside] == 0)
        assert np.all(np.isfinite(depth[inside]) | (ids[inside] == 0))
        assert np.isfinite(depth[inside]).mean() > 0.3
        assert np.all(theta[inside.ravel()] <= d["max_field_deg"] / 2 + 0.5)


def test_poses_from_a_file_reproduce_a_capture(tmp_path):
    """camera.poses: the world_to_camera of a dataset's images, written as a JSON list, drives a second
    run; its frames have those very poses and the same pixels' labels (ids and depth bit for bit)."""
    first = generate(SOURCE / "configs/quickstart.yaml", tmp_path / "a", "--frames", "3", "--resolution", "160x120")
    images = json.loads((first / "coco.json").read_text())["images"]
    poses = [{"world_to_camera": im["camera"]["world_to_camera"]} for im in images]
    (tmp_path / "poses.json").write_text(json.dumps(poses))
    text = (SOURCE / "configs/quickstart.yaml").read_text()
    cam_start = text.index("camera:")
    cam_end = text.index("lights:")
    fov = [l for l in text[cam_start:cam_end].splitlines() if "fov_deg" in l][0]
    cfg = text[:cam_start] + f"camera:\n{fov}\n  poses: {{file: {tmp_path / 'poses.json'}}}\n\n" + text[cam_end:]
    cfg = cfg.replace("../assets/", str(SOURCE / "assets") + "/")
    (tmp_path / "again.yaml").write_text(cfg)
    second = generate(tmp_path / "again.yaml", tmp_path / "b", "--frames", "3", "--resolution", "160x120")
    again = json.loads((second / "coco.json").read_text())["images"]
    for a, b in zip(images, again):
        assert a["camera"]["world_to_camera"] == b["camera"]["world_to_camera"]
        for key in ("instance_file", "depth_file"):
            x = cv2.imread(str(first / a[key]), cv2.IMREAD_UNCHANGED)
            y = cv2.imread(str(second / b[key]), cv2.IMREAD_UNCHANGED)
            assert np.array_equal(x, y, equal_nan=True), key
    records = [json.loads(p.read_text()) for p in sorted((second / "records").glob("*.json"))]
    assert [r["params"]["camera"]["pose_index"] for r in records] == [0, 1, 2]


@pytest.mark.parametrize("config", ["lens_tum_rgbd.yaml", "lens_fisheye.yaml"])
def test_undistortion_map_is_opencvs(tmp_path, config):
    """outputs: [undistortion_map] equals cv2.initUndistortRectifyMap (cv2.fisheye's for the fisheye)
    with the record's K and coefficients, new camera matrix K, CV_32FC1 maps; invalid beyond the field."""
    out = generate(SOURCE / "configs" / config, tmp_path / "out", "--frames", "1", "outputs=[coco, undistortion_map]")
    image = json.loads((out / "coco.json").read_text())["images"][0]
    k, model, coeffs, d = opencv_camera(image)
    size = (image["width"], image["height"])
    m = cv2.imread(str(out / image["undistortion_file"]), cv2.IMREAD_UNCHANGED)[..., ::-1]  # x, y, valid
    if model == "fisheye":
        mx, my = cv2.fisheye.initUndistortRectifyMap(k, coeffs, np.eye(3), k, size, cv2.CV_32FC1)
    else:
        mx, my = cv2.initUndistortRectifyMap(k, coeffs, None, k, size, cv2.CV_32FC1)
    valid = m[..., 2] == 1
    assert valid.mean() > 0.5
    assert np.all(np.isnan(m[~valid][:, :2]))
    err = max(np.abs(m[..., 0][valid] - mx[valid]).max(), np.abs(m[..., 1][valid] - my[valid]).max())
    print(f"{config}: {valid.sum()} valid pixels, worst difference from OpenCV's map {err:.2e} px")
    assert err < 1e-2


def test_flow_through_a_fisheye_lens(tmp_path):
    """outputs: [flow] with a lens: on a static scene under an orbiting camera, each visible pixel's
    destination (pixel centre + flow) equals cv2.fisheye.projectPoints of its point (the label
    sample's ray at its depth, as docs/camera.md states) moved into the next frame's camera by the
    records' world_to_camera; `synthlabel check` (its own flow check) passes."""
    out = generate(SOURCE / "configs/quickstart.yaml", tmp_path / "out", "--frames", "3", "--resolution", "200x150",
                   "outputs=[coco, flow]", "sequence={length: 3, fps: 10}", "camera.orbit_rate_deg=25",
                   "camera.lens={model: fisheye, k1: 0.02, k2: -0.003, max_field_deg: 150}")
    code, stdout, stderr = check(out)
    assert code == 0, stdout + stderr
    images = sorted(json.loads((out / "coco.json").read_text())["images"], key=lambda im: im["frame"])
    a, b = images[0], images[1]
    k, _, coeffs, d = opencv_camera(a)
    depth = cv2.imread(str(out / a["depth_file"]), cv2.IMREAD_UNCHANGED)
    flow = cv2.imread(str(out / a["flow_forward_file"]), cv2.IMREAD_UNCHANGED)[..., ::-1]  # du, dv, status
    h, w = depth.shape
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    und = cv2.fisheye.undistortPoints(np.stack([xs, ys], -1).reshape(-1, 1, 2), k, coeffs).reshape(h, w, 2)
    s = d["source"]  # the label sample's ray (docs/camera.md)
    qx, qy = s["fx"] * und[..., 0] + s["cx"], s["fy"] * und[..., 1] + s["cy"]
    edge = (np.abs(qx - np.round(qx)) < 1e-3) | (np.abs(qy - np.round(qy)) < 1e-3)
    ray = np.stack([(np.floor(qx) + 0.5 - s["cx"]) / s["fx"], (np.floor(qy) + 0.5 - s["cy"]) / s["fy"], np.ones_like(qx)], -1)
    use = (flow[..., 2] == 1) & np.isfinite(depth) & ~edge
    assert use.sum() > 5000
    pts = ray[use] * depth[use][:, None].astype(np.float64)
    move = np.array(b["camera"]["world_to_camera"]) @ np.linalg.inv(np.array(a["camera"]["world_to_camera"]))
    moved = pts @ move[:3, :3].T + move[:3, 3]
    uv, _ = cv2.fisheye.projectPoints(moved.reshape(-1, 1, 3), np.zeros((3, 1)), np.zeros((3, 1)), k, coeffs)
    dest = np.stack([xs[use] + flow[..., 0][use], ys[use] + flow[..., 1][use]], -1)  # OpenCV pixel coordinates
    err = np.abs(dest - uv.reshape(-1, 2)).max()
    print(f"{use.sum()} pixels' flow against cv2.fisheye.projectPoints: worst {err:.2e} px")
    assert err < 1e-3
