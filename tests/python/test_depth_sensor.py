"""outputs: [depth_sensor] (exporters/DepthSensor.h, docs/conventions.md) read with OpenCV (Debian's
python3-opencv): what a depth camera measures, beside the exact depth, which stays byte for byte.

- axial noise: on a wall facing the camera at 2 m, the measured minus exact depth has mean ~0 and
  standard deviation sigma(2) = a + b (2 - c)^2 (quantization off), within the sampling error;
- quantization: every return is fx B / (k / subpixel) for an integer k;
- range and incidence: no return (0) beyond max or nearer than min, and where the surface turns more
  than max_incidence_deg from the ray (the ground, whose incidence is known per pixel), returns elsewhere;
- edges: with edge_dropout 1 no pixel next to a depth step has a return;
- labels, RGB and the exact depth are unchanged by the output; runs are byte-identical.
"""
import json

import cv2
import numpy as np

from conftest import generate

WALL_Z = 2.0


def config(tmp_path, name, sensor, outputs="[coco, depth_sensor]", look_at_y=1.0):
    text = f"""seed: 5
frames: 2
resolution: [320, 240]
categories: [box]
camera:
  fov_deg: 50
  pose: {{position: [0, 1.0, {WALL_Z}], look_at: [0, {look_at_y}, 0]}}
lights: [{{elevation_deg: 50, azimuth_deg: 20}}]
objects:
  - {{primitive: plane, labeled: false, scale: 20}}
  - {{primitive: cube, labeled: false, scale: [6, 6, 0.01], position: [0, 1.0, 0]}}
  - {{primitive: cube, category: box, scale: 0.3, position: [0.4, 1.1, 0.8]}}
outputs: {outputs}
{sensor}
"""
    p = tmp_path / f"{name}.yaml"
    p.write_text(text)
    return p


def planes(out, i=0):
    im = sorted(json.loads((out / "coco.json").read_text())["images"], key=lambda x: x["frame"])[i]
    read = lambda key: cv2.imread(str(out / im[key]), cv2.IMREAD_UNCHANGED)
    return im, read("depth_file"), read("depth_sensor_file"), read("instance_file")


def test_axial_noise_matches_the_model(tmp_path):
    out = generate(config(tmp_path, "noise", "depth_sensor: {quantization: none, edge_dropout: 0}"), tmp_path / "out")
    _, depth, measured, ids = planes(out)
    wall = (np.abs(depth - (WALL_Z - 0.005)) < 1e-3) & (measured > 0)
    assert wall.sum() > 20000
    err = (measured[wall] - depth[wall]).astype(np.float64)
    sigma = 0.0012 + 0.0019 * (depth[wall].mean() - 0.4) ** 2
    n = wall.sum()
    print(f"{n} wall pixels: mean {err.mean():.2e} m, std {err.std():.5f} m, model {sigma:.5f} m")
    assert abs(err.mean()) < 5 * sigma / np.sqrt(n)
    assert abs(err.std() / sigma - 1) < 5 / np.sqrt(2 * n) + 0.01


def test_quantization_range_incidence_and_edges(tmp_path):
    # Looking down a little, so the ground between camera and wall shows at incidences of 50..63 degrees.
    sensor = "depth_sensor: {range: [0.5, 3.0], max_incidence_deg: 58, edge_dropout: 1, quantization: {baseline: 0.075, subpixel: 8}}"
    out = generate(config(tmp_path, "q", sensor, look_at_y=0.4), tmp_path / "out")
    im, depth, measured, ids = planes(out)
    fx = im["camera"]["K"][0][0]
    ret = measured > 0
    k = fx * 0.075 / measured[ret].astype(np.float64) * 8
    assert np.abs(k - np.round(k)).max() < 1e-3, "returns are fx B / (k / 8)"
    seen = np.isfinite(depth)
    assert not np.any(ret & (~seen | (depth > 3.0) | (depth < 0.5)))
    assert ret.sum() > 10000
    # The ground (y = 0) seen from 1 m up: its incidence from the ray is known per pixel.
    h, w = depth.shape
    ys, xs = np.mgrid[0:h, 0:w]
    ray = np.stack([(xs + 0.5 - im["camera"]["K"][0][2]) / fx, (ys + 0.5 - im["camera"]["K"][1][2]) / fx, np.ones_like(xs, float)], -1)
    ray /= np.linalg.norm(ray, axis=-1, keepdims=True)
    up_in_camera = np.array(im["camera"]["world_to_camera"])[:3, :3] @ np.array([0.0, 1.0, 0.0])
    incidence = np.degrees(np.arccos(np.clip(-ray @ up_in_camera, -1, 1)))
    ground = seen & (depth < 3.0) & (np.abs((ray * (depth / ray[..., 2])[..., None]) @ up_in_camera + 1.0) < 1e-3)
    assert ground.sum() > 500
    assert not np.any(ret & ground & (incidence > 58.5))
    assert np.any(ret & ground & (incidence < 57.5))
    assert np.any(ground & (incidence > 58.5))
    # Edges: a neighbour without a surface or more than 5 cm off: never a return with edge_dropout 1.
    pad = np.pad(depth.astype(np.float64), 1, constant_values=np.nan)
    edge = np.zeros_like(ret)
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        nb = pad[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
        inside = np.ones_like(ret)
        if dy == -1: inside[0, :] = False
        if dy == 1: inside[-1, :] = False
        if dx == -1: inside[:, 0] = False
        if dx == 1: inside[:, -1] = False
        with np.errstate(invalid="ignore"):
            edge |= inside & (~np.isfinite(nb) | (np.abs(nb - depth) > 0.05))
    assert edge[seen].sum() > 100
    assert not np.any(ret & edge)


def test_labels_rgb_and_exact_depth_unchanged_and_runs_identical(tmp_path):
    a = generate(config(tmp_path, "plain", "", outputs="[coco]"), tmp_path / "a")
    b = generate(config(tmp_path, "sensor", ""), tmp_path / "b")
    c = generate(config(tmp_path, "sensor", ""), tmp_path / "c")
    for folder in ("rgb", "instance", "semantic", "depth"):
        for f in sorted((a / folder).iterdir()):
            assert f.read_bytes() == (b / folder / f.name).read_bytes(), f"{folder}/{f.name}"
    for f in sorted((b / "depth_sensor").iterdir()):
        assert f.read_bytes() == (c / "depth_sensor" / f.name).read_bytes()
    f0, f1 = sorted((b / "depth_sensor").iterdir())
    assert f0.read_bytes() != f1.read_bytes(), "each frame draws its own noise"
