"""Dense correspondence outputs (object_coords, nocs, world_position; docs/conventions.md) read with
OpenCV (Debian's python3-opencv, OPENCV_IO_ENABLE_OPENEXR=1), against closed forms on primitives:

- a cube of known pose seen by a camera of known pose: every cube pixel's object coordinate lies on
  the unit cube's surface (max |x|, |y|, |z| = 0.5), equals the analytic intersection of the pixel
  centre's ray with the cube (from the image record's K and world_to_camera), and its NOCS is
  object / sqrt(3) + 0.5 (the unit cube's box has diagonal sqrt(3));
- the ground plane's world positions have y = 0; world = model x object for the cube;
- NaN exactly where there is no point (no surface; for NOCS also the unlabeled ground);
- with the outputs on, the RGB, instance, semantic and depth files are byte for byte those without;
- through a fisheye lens the surface invariant and the analytic intersection still hold.
"""
import json

import cv2
import numpy as np
import pytest

from conftest import SOURCE, generate

ROT_Y = 30.0
CUBE = np.array([0.2, 0.5, -0.1])


def config(tmp_path, outputs, lens=""):
    text = f"""seed: 1
frames: 1
resolution: [320, 240]
categories: [box]
camera:
  fov_deg: 50
{lens}  pose: {{position: [2.0, 1.6, 2.6], look_at: [0, 0.45, 0]}}
lights: [{{elevation_deg: 60, azimuth_deg: 30}}]
objects:
  - {{primitive: plane, labeled: false, scale: 8}}
  - {{primitive: cube, category: box, position: [{CUBE[0]}, {CUBE[1]}, {CUBE[2]}], rotation: [0, {ROT_Y}, 0]}}
outputs: [{", ".join(["coco"] + outputs)}]
"""
    name = "cfg_" + "_".join(outputs or ["none"]) + ("_lens" if lens else "") + ".yaml"
    (tmp_path / name).write_text(text)
    return tmp_path / name


def read_xyz(path):
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.dtype == np.float32 and img.shape[2] == 3, path
    return img[..., ::-1]  # OpenCV gives B, G, R: the file's x, y, z reversed


def cube_model():
    a = np.radians(ROT_Y)
    r = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])  # about +Y
    return r, CUBE


def rays(image, shape, fisheye=False):
    """Unit-depth rays (OpenCV camera frame, z = 1) of every pixel centre, from the record's K (and lens)."""
    h, w = shape
    k = np.array(image["camera"]["K"], np.float64)
    xs, ys = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    if not fisheye:
        return np.stack([(xs - k[0, 2]) / k[0, 0], (ys - k[1, 2]) / k[1, 1], np.ones_like(xs)], -1)
    kcv = k.copy()
    kcv[0, 2] -= 0.5
    kcv[1, 2] -= 0.5
    d = np.array(image["camera"]["distortion"]["coefficients"])
    pts = np.stack([xs - 0.5, ys - 0.5], -1).reshape(-1, 1, 2)
    und = cv2.fisheye.undistortPoints(pts, kcv, d).reshape(h, w, 2)
    # The labels' ray: that of the source-view sample (docs/camera.md) holding the exact ray's point.
    s = image["camera"]["distortion"]["source"]
    qx, qy = s["fx"] * und[..., 0] + s["cx"], s["fy"] * und[..., 1] + s["cy"]
    ray = np.stack([(np.floor(qx) + 0.5 - s["cx"]) / s["fx"], (np.floor(qy) + 0.5 - s["cy"]) / s["fy"], np.ones_like(qx)], -1)
    # Where cv2's inverse could land in the neighbouring sample: no expectation.
    edge = (np.abs(qx - np.round(qx)) < 1e-3) | (np.abs(qy - np.round(qy)) < 1e-3)
    ray[edge] = np.nan
    return ray


def analytic_cube_hits(image, ray):
    """The nearest intersection of each ray with the cube, in the cube's own coordinates (NaN: a miss)."""
    w2c = np.array(image["camera"]["world_to_camera"], np.float64)
    c2w = np.linalg.inv(w2c)
    r, t = cube_model()
    origin = r.T @ (c2w[:3, 3] - t)                       # camera centre in cube coordinates
    dirs = ray @ c2w[:3, :3].T @ r                        # ray directions in cube coordinates (row vectors)
    with np.errstate(divide="ignore", invalid="ignore"):
        t0 = (-0.5 - origin) / dirs
        t1 = (0.5 - origin) / dirs
        near = np.nanmax(np.minimum(t0, t1), axis=-1)
        far = np.nanmin(np.maximum(t0, t1), axis=-1)
    hit = (near <= far) & (near > 0)
    pts = origin + near[..., None] * dirs
    pts[~hit] = np.nan
    return pts, near, hit


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # comparisons with the NaN of rays that miss
@pytest.mark.parametrize("lens", [False, True], ids=["pinhole", "fisheye"])
def test_cube_coordinates_against_closed_forms(tmp_path, lens):
    lens_yaml = "  intrinsics: {fx: 150, fy: 150, cx: 160, cy: 120}\n  lens: {model: fisheye, k1: 0.02, k2: -0.004, max_field_deg: 150}\n" if lens else ""
    cfg = config(tmp_path, ["object_coords", "nocs", "world_position"], lens_yaml.replace("  fov_deg: 50\n", ""))
    if lens:
        cfg.write_text(cfg.read_text().replace("  fov_deg: 50\n", ""))
    out = generate(cfg, tmp_path / "out")
    image = json.loads((out / "coco.json").read_text())["images"][0]
    obj = read_xyz(out / image["object_coords_file"])
    nocs = read_xyz(out / image["nocs_file"])
    world = read_xyz(out / image["world_position_file"])
    ids = cv2.imread(str(out / image["instance_file"]), cv2.IMREAD_UNCHANGED)
    depth = cv2.imread(str(out / image["depth_file"]), cv2.IMREAD_UNCHANGED)
    cube = ids == 1
    assert cube.sum() > 2000
    # On the unit cube's surface.
    on_surface = np.abs(np.max(np.abs(obj[cube]), axis=-1) - 0.5)
    print(f"cube pixels {cube.sum()}, worst distance to the cube's surface {on_surface.max():.2e}")
    assert on_surface.max() < 1e-4
    assert np.all(np.abs(obj[cube]) <= 0.5 + 1e-4)
    # The analytic intersection of each pixel centre's ray, where the ray hits the cube well inside a face.
    ray = rays(image, ids.shape, fisheye=lens)
    hits, _, hit = analytic_cube_hits(image, ray)
    inner = cube & hit & (np.sort(np.abs(hits), axis=-1)[..., 1] < 0.49)  # not within 1 cm of an edge
    err = np.abs(obj[inner] - hits[inner]).max()
    print(f"{inner.sum()} pixels against the analytic intersection, worst {err:.2e}")
    assert inner.sum() > 1000 and err < 2e-4
    # NOCS of the unit cube: object / sqrt(3) + 0.5; NaN off the cube (the ground is unlabeled).
    np.testing.assert_allclose(nocs[cube], obj[cube] / np.sqrt(3) + 0.5, atol=1e-6)
    assert np.all(np.isnan(nocs[~cube]))
    # World: the cube's model applied to its object coordinates; the ground at y = 0.
    r, t = cube_model()
    np.testing.assert_allclose(world[cube], obj[cube] @ r.T + t, atol=1e-5)
    ground = (ids == 0) & np.isfinite(depth)
    assert ground.sum() > 1000
    assert np.abs(world[ground][:, 1]).max() < 1e-4
    assert np.abs(obj[ground][:, 1]).max() < 1e-5  # the plane primitive lies in its own y = 0
    # NaN exactly where no surface.
    none = ~np.isfinite(depth)
    assert np.all(np.isnan(world[none])) and np.all(np.isnan(obj[none]))
    assert np.all(np.isfinite(world[~none])) and np.all(np.isfinite(obj[~none]))


def test_labels_and_rgb_unchanged_by_the_correspondence_outputs(tmp_path):
    a = generate(config(tmp_path, []), tmp_path / "a")
    b = generate(config(tmp_path, ["object_coords", "nocs", "world_position"]), tmp_path / "b")
    for folder in ("rgb", "instance", "semantic", "depth"):
        for f in sorted((a / folder).iterdir()):
            assert f.read_bytes() == (b / folder / f.name).read_bytes(), f"{folder}/{f.name}"


# The unit cube's faces (scenes/Primitives.cpp): corners a, b, d of each quad, whose texture
# coordinates are (0, 1), (1, 1) and (0, 0): a point a + s (b - a) + t (d - a) has uv (s, 1 - t).
CUBE_FACES = {  # (axis, sign): (a, b, d)
    (0, 1): ((0.5, -0.5, -0.5), (0.5, 0.5, -0.5), (0.5, -0.5, 0.5)),
    (0, -1): ((-0.5, -0.5, 0.5), (-0.5, 0.5, 0.5), (-0.5, -0.5, -0.5)),
    (1, 1): ((-0.5, 0.5, -0.5), (-0.5, 0.5, 0.5), (0.5, 0.5, -0.5)),
    (1, -1): ((-0.5, -0.5, 0.5), (-0.5, -0.5, -0.5), (0.5, -0.5, 0.5)),
    (2, 1): ((-0.5, -0.5, 0.5), (0.5, -0.5, 0.5), (-0.5, 0.5, 0.5)),
    (2, -1): ((0.5, -0.5, -0.5), (-0.5, -0.5, -0.5), (0.5, 0.5, -0.5)),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("lens", [False, True], ids=["pinhole", "fisheye"])
def test_uv_and_albedo_against_closed_forms(tmp_path, lens):
    """uv: on the cube, the face's affine map of the (independently tested) object coordinates; albedo:
    the cube's and the ground's colours (linear, as configured) exactly up to half precision."""
    cfg = config(tmp_path, ["object_coords", "uv", "albedo"])
    text = cfg.read_text().replace("primitive: cube, category: box,", "primitive: cube, category: box, color: [0.8, 0.3, 0.1],")
    text = text.replace("{primitive: plane, labeled: false, scale: 8}", "{primitive: plane, labeled: false, scale: 8, color: [0.2, 0.5, 0.25]}")
    if lens:
        text = text.replace("  fov_deg: 50\n", "  intrinsics: {fx: 150, fy: 150, cx: 160, cy: 120}\n  lens: {model: fisheye, k1: 0.02, max_field_deg: 150}\n")
    cfg.write_text(text)
    out = generate(cfg, tmp_path / "out")
    image = json.loads((out / "coco.json").read_text())["images"][0]
    obj = read_xyz(out / image["object_coords_file"]).astype(np.float64)
    uv = read_xyz(out / image["uv_file"])
    albedo = read_xyz(out / image["albedo_file"])
    ids = cv2.imread(str(out / image["instance_file"]), cv2.IMREAD_UNCHANGED)
    depth = cv2.imread(str(out / image["depth_file"]), cv2.IMREAD_UNCHANGED)
    cube = ids == 1
    worst, checked = 0.0, 0
    for (axis, sign), (a, b, d) in CUBE_FACES.items():
        a, b, d = map(np.array, (a, b, d))
        others = [i for i in range(3) if i != axis]
        face = cube & (np.abs(obj[..., axis] - 0.5 * sign) < 1e-4) & np.all(np.abs(obj[..., others]) < 0.49, axis=-1)
        p = obj[face]
        s = (p - a) @ (b - a) / np.dot(b - a, b - a)
        t = (p - a) @ (d - a) / np.dot(d - a, d - a)
        if len(p):
            worst = max(worst, float(np.abs(uv[face][:, 0] - s).max()), float(np.abs(uv[face][:, 1] - (1 - t)).max()))
            checked += len(p)
    print(f"{checked} cube pixels: uv within {worst:.2e} of the face maps")
    assert checked > 1000 and worst < 1e-4
    assert np.all(uv[cube][:, 2] == 1)
    none = ~np.isfinite(depth)
    assert np.all(np.isnan(uv[none][:, :2])) and np.all(uv[none][:, 2] == 0)
    half = 1e-3
    assert np.abs(albedo[cube] - [0.8, 0.3, 0.1]).max() < half
    ground = (ids == 0) & ~none
    assert np.abs(albedo[ground] - [0.2, 0.5, 0.25]).max() < half
    assert np.all(albedo[none] == 0)


def test_labels_and_rgb_unchanged_by_uv_and_albedo(tmp_path):
    a = generate(config(tmp_path, []), tmp_path / "a")
    b = generate(config(tmp_path, ["uv", "albedo"]), tmp_path / "b")
    for folder in ("rgb", "instance", "semantic", "depth"):
        for f in sorted((a / folder).iterdir()):
            assert f.read_bytes() == (b / folder / f.name).read_bytes(), f"{folder}/{f.name}"


def test_odd_frame_sizes_read_back_every_plane_under_the_validation_layer(tmp_path):
    """Planes of 8 bytes a pixel (normals, uv, albedo) after ones of 4 at an odd pixel count: each copy's
    buffer offset must stay a multiple of its texel size (VUID-vkCmdCopyImageToBuffer-bufferOffset-01558)."""
    out = generate(config(tmp_path, ["normals", "uv", "albedo", "object_coords"]), tmp_path / "out", "--resolution", "63x47", "--validate")
    image = json.loads((out / "coco.json").read_text())["images"][0]
    assert read_xyz(out / image["uv_file"]).shape == (47, 63, 3)
