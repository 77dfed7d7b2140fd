"""LiDAR (docs/lidar.md): the street example's sweeps read back the way users read them.

- SemanticKITTI: the .bin and .label read as semantic-kitti-api reads them (auxiliary/laserscan.py at
  a9c749e: line 73-74 `np.fromfile(filename, dtype=np.float32)` reshaped to (-1, 4) for x y z
  remission; line 231 `np.fromfile(filename, dtype=np.uint32)`; lines 246-247 `sem_label = label &
  0xFFFF`, `inst_label = label >> 16`), equal point for point to the PCD and PLY as Open3D's tensor
  reader (Debian python3-open3d) loads them, and to the range image as OpenCV loads it.
- KITTI: each static instance's points projected with the calib file as the KITTI object devkit's
  readme says (`x = P2 * R0_rect * Tr_velo_to_cam * y`, matrices row-major, R0_rect extended to 4x4)
  land inside the projection of its label_2 3D box (corners as devkit_object/matlab/computeBox3D.m
  builds them: x = +-l/2, y = 0 or -h, z = +-w/2 about the bottom centre, turned by ry about y).
- `synthlabel check --config`: every point within 0.1 mm of the mesh it names; a point moved by a
  millimetre is caught. Same seed: byte-identical across thread counts; a frame alone equals the run.
- Bad sensor specs: clear errors naming the key.
"""
import json
import os
import subprocess

import cv2
import numpy as np
import open3d as o3d

from conftest import BINARY, SOURCE, generate

STREET = SOURCE / "configs/lidar_street.yaml"
TABLETOP = SOURCE / "configs/lidar_tabletop.yaml"
SWEEPS = int(os.environ.get("SYNTHLABEL_LIDAR_SWEEPS", "3"))


def record(ds, frame):
    return json.loads((ds / "records" / f"{frame:06d}.json").read_text())


def check_config(ds, config):
    r = subprocess.run([BINARY, "check", str(ds), "--config", str(config)], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def semantic_kitti(ds, frame):
    stem = f"{frame:06d}"
    seq = ds / "semantic_kitti/sequences/00"
    scan = np.fromfile(seq / "velodyne" / f"{stem}.bin", dtype=np.float32).reshape((-1, 4))
    label = np.fromfile(seq / "labels" / f"{stem}.label", dtype=np.uint32).reshape((-1))
    return scan, label & 0xFFFF, label >> 16


def test_street_points_lie_on_their_meshes_and_every_format_agrees(tmp_path):
    ds = generate(STREET, tmp_path / "street", "--frames", str(SWEEPS))
    code, out, err = check_config(ds, STREET)
    assert code == 0, out + err
    assert f"lidar: {SWEEPS} sweeps" in out and "sound: no defect found" in out, out
    line = next(l for l in out.splitlines() if l.strip().startswith("lidar meshes:"))
    worst_mm = float(line.split("within ")[1].split(" mm")[0])
    assert worst_mm < 0.1, line
    for frame in range(SWEEPS):
        rec = record(ds, frame)["lidar"]
        scan, sem, inst = semantic_kitti(ds, frame)
        assert len(scan) == rec["points"] > 100_000, rec["points"]  # 64 x 2048 rays, most hit something
        pcd = o3d.t.io.read_point_cloud(str(ds / f"pcd/{frame:06d}.pcd")).point
        ply = o3d.t.io.read_point_cloud(str(ds / f"ply/{frame:06d}.ply")).point
        for cloud in (pcd, ply):
            assert np.array_equal(cloud.positions.numpy(), scan[:, :3])
            assert np.array_equal(cloud.intensity.numpy().ravel(), scan[:, 3])
            assert np.array_equal(cloud.instance.numpy().ravel().astype(np.uint32), inst)
            assert np.array_equal(cloud.semantic.numpy().ravel().astype(np.uint32), sem)
        # KITTI's velodyne copy is the same scan.
        assert np.array_equal(np.fromfile(ds / f"kitti/velodyne/{frame:06d}.bin", dtype=np.float32).reshape((-1, 4)), scan)
        # The range image (rings x columns, OpenCV's B G R A = semantic, intensity, range, instance).
        img = cv2.imread(str(ds / f"range_image/{frame:06d}.exr"), cv2.IMREAD_UNCHANGED)
        assert img.shape == (64, 2048, 4)
        ring = pcd.ring.numpy().ravel().astype(int)
        column = pcd.column.numpy().ravel().astype(int)
        assert np.array_equal(img[ring, column, 2], pcd.range.numpy().ravel())
        assert np.array_equal(img[ring, column, 3].astype(np.uint32), inst)
        assert np.count_nonzero(img[:, :, 2] > 0) == len(scan)
        assert np.count_nonzero(img[:, :, 2] == -1) == rec["dropped"]
        assert np.count_nonzero(img[:, :, 2] == -2) == rec["out_of_range"]
        # Each point's range is its distance along its beam: with the sensor moving, its own
        # origin; the first column fires at the sweep's start, from the LiDAR frame's origin.
        first = column == 0
        assert np.allclose(np.linalg.norm(scan[first, :3], axis=1), pcd.range.numpy().ravel()[first], atol=1e-4)
        # lidar_boxes: OpenPCDet's custom label lines (open-mmlab/OpenPCDet docs/CUSTOM_DATASET_TUTORIAL.md:
        # `x y z dx dy dz heading_angle category_name`, the box centre, its sizes along its heading and
        # across, its height, the heading about z): every point of a still instance lies inside its box,
        # and the box's category is its points' class.
        names = ["car", "pedestrian", "pole", "road", "building"]
        boxes = json.loads((ds / f"lidar_boxes/{frame:06d}.json").read_text())["boxes"]
        lines = (ds / f"lidar_boxes/{frame:06d}.txt").read_text().splitlines()
        assert len(lines) == len(boxes) > 0
        moving = {i["instance_id"] for i in record(ds, frame)["params"]["instances"] if any(i.get("velocity", [0, 0, 0]))}
        for line, box in zip(lines, boxes):
            f = line.split()
            x, y, z, dx, dy, dz, heading = map(float, f[:7])
            pts = scan[inst == box["instance_id"], :3].astype(np.float64)
            if len(pts) == 0:
                continue
            assert f[7] == names[int(sem[inst == box["instance_id"]][0]) - 1]
            if box["instance_id"] in moving:
                continue
            c, s = np.cos(-heading), np.sin(-heading)
            d = pts - [x, y, z]
            local = np.stack([c * d[:, 0] - s * d[:, 1], s * d[:, 0] + c * d[:, 1], d[:, 2]], axis=1)
            assert (np.abs(local) <= np.array([dx, dy, dz]) / 2 + 1e-4 + 2e-6).all(), line
        # Labels: every class of the scene is hit, the road most.
        counts = {n: int(np.sum(sem == i + 1)) for i, n in enumerate(names)}
        assert counts["road"] > counts["car"] > 0 and counts["building"] > 0 and counts["pole"] > 0, counts


def test_range_image_marks_dropped_and_too_near_beams(tmp_path):
    # 5% dropouts and a 6 m minimum range (the road right under the sensor is nearer): the range image
    # holds -1 and -2 at exactly those beams, and the checker's own reader agrees.
    ds = generate(STREET, tmp_path / "street", "--frames", "1", "lidar.dropout=0.05", "lidar.range=[6, 120]")
    rec = record(ds, 0)["lidar"]
    assert rec["dropped"] > 1000 and rec["out_of_range"] > 1000, rec
    img = cv2.imread(str(ds / "range_image/000000.exr"), cv2.IMREAD_UNCHANGED)
    assert np.count_nonzero(img[:, :, 2] == -1) == rec["dropped"]
    assert np.count_nonzero(img[:, :, 2] == -2) == rec["out_of_range"]
    assert np.count_nonzero(img[:, :, 2] > 0) == rec["points"]
    assert np.count_nonzero(img[:, :, 2] == 0) == rec["misses"]
    r = subprocess.run([BINARY, "check", str(ds)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def kitti_calib(path):
    rows = {}
    for line in path.read_text().splitlines():
        key, values = line.split(":", 1)
        rows[key] = np.array([float(v) for v in values.split()])
    P2 = rows["P2"].reshape(3, 4)
    R0 = np.eye(4)
    R0[:3, :3] = rows["R0_rect"].reshape(3, 3)
    Tr = np.vstack([rows["Tr_velo_to_cam"].reshape(3, 4), [0, 0, 0, 1]])
    return P2, R0, Tr


def box_corners(h, w, l, x, y, z, ry):
    xs = [l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2]
    ys = [0, 0, 0, 0, -h, -h, -h, -h]
    zs = [w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2]
    R = np.array([[np.cos(ry), 0, np.sin(ry)], [0, 1, 0], [-np.sin(ry), 0, np.cos(ry)]])
    return R @ np.array([xs, ys, zs]) + np.array([[x], [y], [z]])


def test_kitti_calib_projects_each_static_box_points_into_its_3d_box_projection(tmp_path):
    ds = generate(STREET, tmp_path / "street", "--frames", "2")
    checked = 0
    for frame in range(2):
        P2, R0, Tr = kitti_calib(ds / f"kitti/calib/{frame:06d}.txt")
        assert not np.allclose(Tr, np.eye(4)), "with a LiDAR, Tr_velo_to_cam is the real transform"
        scan, sem, inst = semantic_kitti(ds, frame)
        rec = record(ds, frame)
        moving = {i["instance_id"] for i in rec["params"]["instances"] if any(i.get("velocity", [0, 0, 0]))}
        # label_2 lines are the COCO annotations' order: one per visible labeled instance.
        ids = [a["instance_id"] for a in rec["annotations"]]
        lines = (ds / f"kitti/label_2/{frame:06d}.txt").read_text().splitlines()
        assert len(lines) == len(ids)
        for line, iid in zip(lines, ids):
            f = line.split()
            h, w, l, x, y, z, ry = map(float, f[8:15])
            corners = box_corners(h, w, l, x, y, z, ry)
            pts = scan[inst == iid, :3].astype(np.float64)
            if iid in moving or len(pts) == 0 or corners[2].min() < 0.5:
                continue  # moving: its points are spread over the sweep; behind the camera: no projection
            cam = P2 @ R0 @ Tr @ np.vstack([pts.T, np.ones(len(pts))])
            uv = cam[:2] / cam[2]
            box = P2 @ np.vstack([corners, np.ones(8)])
            buv = box[:2] / box[2]
            assert (cam[2] > 0).all()
            assert (uv[0] >= buv[0].min() - 1e-3).all() and (uv[0] <= buv[0].max() + 1e-3).all(), (iid, line)
            assert (uv[1] >= buv[1].min() - 1e-3).all() and (uv[1] <= buv[1].max() + 1e-3).all(), (iid, line)
            checked += 1
    assert checked >= 5, checked


def test_a_moved_point_is_caught_and_points_agree_across_files(tmp_path):
    ds = generate(STREET, tmp_path / "street", "--frames", "1")
    pcd = ds / "pcd/000000.pcd"
    data = bytearray(pcd.read_bytes())
    start = data.index(b"DATA binary\n") + len(b"DATA binary\n")
    stride = 7 * 4 + 2 + 4 * 4
    i = 5000
    x = np.frombuffer(bytes(data[start + i * stride:start + i * stride + 4]), dtype=np.float32)[0]
    data[start + i * stride:start + i * stride + 4] = np.float32(x + 0.001).tobytes()
    pcd.write_bytes(bytes(data))
    code, out, err = check_config(ds, STREET)
    assert code == 6, out + err
    assert "1 points lie more than 0.1 mm from the surface they name" in err, err
    assert "points differ from" in err, err  # the .bin and the PCD no longer agree


def test_same_seed_is_byte_identical_and_a_frame_alone_equals_the_run(tmp_path):
    a = generate(STREET, tmp_path / "a", "--frames", "3", "--threads", "1")
    b = generate(STREET, tmp_path / "b", "--frames", "3", "--threads", "2")
    c = generate(STREET, tmp_path / "c", "--start", "2", "--frames", "1")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert any(str(f).endswith(".pcd") for f in files)
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    for f in files:
        if "000002" in str(f):
            assert (a / f).read_bytes() == (c / f).read_bytes(), f
    # The solid-state tabletop too (the rosette continues frame after frame).
    t1 = generate(TABLETOP, tmp_path / "t1", "--frames", "3")
    t2 = generate(TABLETOP, tmp_path / "t2", "--start", "1", "--frames", "2")
    for sub in ("pcd/000002.pcd", "semantic_kitti/sequences/00/labels/000002.label", "records/000002.json"):
        assert (t1 / sub).read_bytes() == (t2 / sub).read_bytes(), sub
    assert (t1 / "pcd/000001.pcd").read_bytes() != (t1 / "pcd/000002.pcd").read_bytes()


def test_tabletop_solid_state_points_lie_on_their_meshes(tmp_path):
    ds = generate(TABLETOP, tmp_path / "tt", "--frames", "4")
    code, out, err = check_config(ds, TABLETOP)
    assert code == 0, out + err
    assert "lidar: 4 sweeps" in out and "sound: no defect found" in out, out
    rec = record(ds, 0)["lidar"]
    assert rec["rays"] == 20000 and rec["dropped"] > 0 and rec["rings"] == 1
    # check --config opens the config's assets only inside --asset-root, as generate does.
    r = subprocess.run([BINARY, "check", str(ds), "--config", str(TABLETOP), "--asset-root", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 3 and "is outside --asset-root" in r.stderr, r.stderr  # an asset error, as generate's


BASE = "categories: [box]\nobjects: [{primitive: cube, category: box}]\n"


def run_config(tmp_path, text):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    r = subprocess.run([BINARY, "generate", str(cfg), "--out", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True)
    return r.returncode, r.stderr


def test_bad_sensor_specs_get_clear_errors(tmp_path):
    cases = [
        ("lidar: {channels_deg: []}\n", "lidar.channels_deg: zero channels"),
        ("lidar: {preset: hdl65}\n", "lidar.preset: unknown preset 'hdl65' (did you mean 'hdl64'?)"),
        ("lidar: {preset: vlp16, range: [50, 10]}\n", "lidar.range: [min, max] metres with 0 <= min < max"),
        ("lidar: {preset: vlp16, columns: 0}\n", "lidar.columns"),
        ("lidar: {preset: vlp16, rotation_hz: 0}\n", "lidar.rotation_hz"),
        ("lidar: {preset: rosette, columns: 100}\n", "lidar.columns: is for spinning sensors"),
        ("lidar: {preset: vlp16, velocity: [1, 0, 0]}\n", "lidar.velocity: is for mount: world"),
        ("lidar: {}\n", "lidar: missing the beams"),
        ("lidar: {preset: os1_128, columns: 65536}\n", "8388608 rays a sweep (channels x columns); the limit is 2,000,000"),
        ("lidar: {preset: rosette}\noutputs: [range_image]\n", "range_image is a spinning sensor's rings x columns"),
        ("outputs: [pcd]\n", "pcd writes LiDAR sweeps: add a lidar: section"),
    ]
    for text, message in cases:
        code, err = run_config(tmp_path, BASE + text)
        assert code == 2, (text, err)
        assert message in err, (text, err)
        assert "bad.yaml:" in err, err  # the file (and line) named
