"""outputs: [flow]: optical flow to the clip's next and previous frame, exact by construction.

Read back with the readers flow users load it with: OpenCV's EXR decoder (flow/*/STEM.exr: R = du,
G = dv, B = status, so BGR order in cv2), the KITTI devkit's decoding of its 16-bit PNGs (flow_read.m:
u = (R - 2^15) / 64, v = (G - 2^15) / 64, valid = B > 0; vogechri/PRSM solvePWRSMulti/io/flow_read.m)
and OpenCV's cv2.readOpticalFlow for Middlebury .flo (whose flowIO.h calls |u| or |v| > 1e9 unknown:
halajun/VDO_SLAM include/flow/flowIO.h).

The flow is checked here against a reprojection written from the convention (docs/conventions.md):
the point at pixel (x, y)'s centre, unprojected with the depth and K, moved by the recorded poses,
projected again: flow = projection - (x + 0.5, y + 0.5). `synthlabel check` does the same in C++; a
shifted flow field and a flipped status pixel are caught.
"""
import filecmp
import json
import shutil

import cv2
import numpy as np
import pytest

from conftest import SOURCE, check, generate

CONFIG = SOURCE / "tests/data/clips.yaml"  # 20 frames, clips of 8 at 10 fps
FLOW = "outputs=[flow, kitti_flow, flo]"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return generate(CONFIG, tmp_path_factory.mktemp("flow") / "ds", FLOW)


def rotation(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def model(inst):
    m = np.eye(4)
    m[:3, :3] = rotation(inst["rotation_wxyz"]) @ np.diag(inst["scale"])
    m[:3, 3] = inst["position"]
    return m


def read(ds, rel):
    img = cv2.imread(str(ds / rel), cv2.IMREAD_UNCHANGED)
    assert img is not None, rel
    return img


def labeled_points(ds, frame, rec, side):
    """Per labeled instance with pixels in `frame`: (its record entry, its pose in the `side` frame,
    ys, xs, p), p the points at those pixels' centres (homogeneous, OpenCV camera frame) from the
    depth and K."""
    K = np.array(rec["image"]["camera"]["K"])
    ids = read(ds, f"instance/{frame:06d}.png")
    depth = read(ds, f"depth/{frame:06d}.exr")
    for inst, there in zip(rec["params"]["instances"], rec["flow"][side]["instances"]):
        assert inst["instance_id"] == there["instance_id"]
        ys, xs = np.nonzero(ids == inst["instance_id"])
        if inst["instance_id"] == 0 or len(xs) == 0:
            continue
        z = depth[ys, xs].astype(np.float64)
        yield inst, there, ys, xs, np.stack([(xs + 0.5 - K[0, 2]) / K[0, 0] * z, (ys + 0.5 - K[1, 2]) / K[1, 1] * z, z,
                                             np.ones_like(z)])


def expected_flow(ds, frame, side):
    """(ys, xs, du, dv, depth there) of every labeled pixel, from depth, K and the recorded poses."""
    rec = json.loads((ds / f"records/{frame:06d}.json").read_text())
    K = np.array(rec["image"]["camera"]["K"])
    W = np.array(rec["image"]["camera"]["world_to_camera"])
    W2 = np.array(rec["flow"][side]["world_to_camera"])
    out = []
    for inst, there, ys, xs, p in labeled_points(ds, frame, rec, side):
        q = W2 @ model(there) @ np.linalg.inv(model(inst)) @ np.linalg.inv(W) @ p
        u = K[0, 0] * q[0] / q[2] + K[0, 2]
        v = K[1, 1] * q[1] / q[2] + K[1, 2]
        out.append((ys, xs, u - (xs + 0.5), v - (ys + 0.5), q[2]))
    return out


def test_flow_equals_the_reprojection_of_depth_by_the_recorded_poses(dataset):
    checked = 0
    for frame in range(20):
        index = frame % 8
        for side, name in (("next", "forward"), ("previous", "backward")):
            flow = read(dataset, f"flow/{name}/{frame:06d}.exr")  # BGR: status, dv, du
            at_end = (side == "next" and index == 7) or (side == "previous" and index == 0)
            rec = json.loads((dataset / f"records/{frame:06d}.json").read_text())
            if at_end:  # the clip's ends: the file is there, every pixel says "no flow"
                assert rec["flow"][side] is None
                assert (flow[..., 0] == -1).all() and (flow[..., 1:] == 0).all()
                continue
            for ys, xs, du, dv, _ in expected_flow(dataset, frame, side):
                assert (flow[ys, xs, 0] >= 0).all()
                err = np.maximum(np.abs(flow[ys, xs, 2] - du), np.abs(flow[ys, xs, 1] - dv))
                assert err.max() < 1e-3, (frame, side, err.max())
                checked += len(xs)
            depth = read(dataset, f"depth/{frame:06d}.exr")
            assert (flow[np.isinf(depth)][:, 0] == -1).all()  # no surface, no flow
    assert checked > 10000


def test_status_says_whether_the_next_frame_shows_the_point(dataset):
    # Status 1 exactly where the destination pixel of the next frame holds the same instance at the
    # point's depth (tolerance 0.01 m + 2 % of it, docs/conventions.md); skip the undecidable edges.
    agreed = 0
    for frame in range(7):
        flow = read(dataset, f"flow/forward/{frame:06d}.exr")
        ids2 = read(dataset, f"instance/{frame + 1:06d}.png")
        depth2 = read(dataset, f"depth/{frame + 1:06d}.exr")
        h, w = ids2.shape
        ids = read(dataset, f"instance/{frame:06d}.png")
        for ys, xs, du, dv, z in expected_flow(dataset, frame, "next"):
            qx, qy = xs + 0.5 + du, ys + 0.5 + dv
            inside = (qx >= 0) & (qy >= 0) & (qx < w) & (qy < h)
            px = np.clip(np.floor(qx).astype(int), 0, w - 1)
            py = np.clip(np.floor(qy).astype(int), 0, h - 1)
            gap = np.abs(depth2[py, px] - z)
            tol = 0.01 + 0.02 * z
            visible = inside & (ids2[py, px] == ids[ys, xs]) & (gap <= tol)
            edge = np.minimum.reduce([qx % 1, 1 - qx % 1, qy % 1, 1 - qy % 1]) < 1e-3
            sure = ~edge & (np.abs(gap - tol) > 1e-4 * (1 + z))
            assert ((flow[ys, xs, 0] == 1) == visible)[sure].all(), frame
            agreed += int(sure.sum())
    assert agreed > 2000


def test_kitti_png_and_flo_hold_the_same_flow(dataset):
    for frame in (0, 3, 9):
        for name in ("forward", "backward"):
            exr = read(dataset, f"flow/{name}/{frame:06d}.exr")
            du, dv, status = exr[..., 2], exr[..., 1], exr[..., 0]
            png = cv2.imread(str(dataset / f"kitti_flow/{name}/{frame:06d}.png"), cv2.IMREAD_ANYDEPTH | cv2.IMREAD_COLOR)
            assert png.dtype == np.uint16 and png.shape[2] == 3
            rgb = png[..., ::-1].astype(np.float64)  # OpenCV reads BGR
            u, v, valid = (rgb[..., 0] - 2**15) / 64, (rgb[..., 1] - 2**15) / 64, rgb[..., 2] > 0
            assert (valid == (status >= 0)).all()  # defined flow, occluded included (KITTI's flow_occ)
            assert valid.any() == (not (frame % 8 == 0 and name == "backward"))  # none at the clip's start
            if valid.any():  # rounded to the format's 1/64 px
                assert np.abs(u - du)[valid].max() <= 1 / 128 + 1e-6 and np.abs(v - dv)[valid].max() <= 1 / 128 + 1e-6
            flo = cv2.readOpticalFlow(str(dataset / f"flo/{name}/{frame:06d}.flo"))
            assert flo is not None and flo.shape == exr.shape[:2] + (2,)
            unknown = (np.abs(flo) > 1e9).any(axis=2)
            assert (unknown == (status < 0)).all()
            assert (flo[..., 0] == du)[~unknown].all() and (flo[..., 1] == dv)[~unknown].all()


def test_the_checker_verifies_the_flow_and_catches_planted_defects(dataset, tmp_path):
    code, out, err = check(dataset)
    assert code == 0, out + err
    line = next(l for l in out.splitlines() if l.strip().startswith("flow:"))
    assert "40 files" in line, line
    # A flow field shifted by 0.01 px, then one status flipped where the flow is defined.
    for defect, expected in (("shift", "differs from the reprojection"), ("status", "status disagrees")):
        bad = tmp_path / defect
        shutil.copytree(dataset, bad)
        rel = "flow/forward/000002.exr"
        flow = read(bad, rel)
        if defect == "shift":
            flow[..., 2] += 0.01
        else:
            ys, xs = np.nonzero(flow[..., 0] == 1)
            flow[ys[len(ys) // 2], xs[len(xs) // 2], 0] = 0
        assert cv2.imwrite(str(bad / rel), flow)
        code, out, err = check(bad)
        assert code != 0 and expected in out + err, out + err


@pytest.mark.parametrize("start", [5, 2])
def test_a_clip_range_alone_has_the_whole_runs_flow(tmp_path, start):
    # Frames 5..7 end their clip (the run renders frame 4 too, for its depth and ids); 2..4 sit inside
    # one (frames 1 and 5 are rendered for theirs).
    whole = generate(CONFIG, tmp_path / "whole", FLOW)
    part = generate(CONFIG, tmp_path / "part", FLOW, "--start", str(start), "--frames", "3")
    assert sorted(p.name for p in (part / "flow/forward").iterdir()) == [f"{f:06d}.exr" for f in range(start, start + 3)]
    for stem in (f"{f:06d}" for f in range(start, start + 3)):
        for rel in (f"flow/forward/{stem}.exr", f"flow/backward/{stem}.exr", f"kitti_flow/forward/{stem}.png",
                    f"flo/backward/{stem}.flo", f"records/{stem}.json"):
            assert filecmp.cmp(whole / rel, part / rel, shallow=False), rel


def test_supersampled_flow_is_that_of_the_middle_sample(tmp_path):
    # With supersampling the labels are the middle sample's (docs/conventions.md): so are the flow and
    # the status, judged against the destination frame's middle samples.
    ds = generate(CONFIG, tmp_path / "ss", FLOW, "render.supersampling=3", "--frames", "8")
    code, out, err = check(ds)
    assert code == 0, out + err
    plain = generate(CONFIG, tmp_path / "plain", FLOW, "--frames", "8")
    for frame in range(8):
        a = read(ds, f"flow/forward/{frame:06d}.exr")
        b = read(plain, f"flow/forward/{frame:06d}.exr")
        assert (a[..., 0] == b[..., 0]).mean() > 0.999  # the same surfaces, edges aside


@pytest.mark.parametrize("shutter", ["shutter_s", "rolling_shutter_s"])
def test_motion_blur_changes_only_the_rgb(tmp_path, shutter):
    # sensor.shutter_s: the RGB is the mean of sub-frame renders over the shutter time; rolling_shutter_s:
    # each row's exposure is centred at its own time. The labels, the depth and the flow stay those of
    # the frame's own instant (mid-exposure).
    args = (FLOW.replace("]", ", mot, vis]"), "--frames", "8")
    sharp = generate(CONFIG, tmp_path / "sharp", *args)
    blurred = generate(CONFIG, tmp_path / "blurred", *args, f"sensor.{shutter}=0.08", "sensor.shutter_samples=6")
    rgb_copies = ("rgb/", "mot/synthlabel-all/clip000000/img1/", "vis/JPEGImages/")
    changed_rgb = 0
    for rel in files_of(sharp):
        same = filecmp.cmp(sharp / rel, blurred / rel, shallow=False)
        if str(rel).startswith(rgb_copies):
            changed_rgb += not same
        elif str(rel).startswith("records/"):
            a, b = (json.loads((d / rel).read_text()) for d in (sharp, blurred))
            assert b["params"].pop("sensor")[shutter] == 0.08 and "sensor" not in a["params"]
            assert a["params"] == b["params"] and a["annotations"] == b["annotations"] and a["image"] == b["image"]
            assert a["flow"] == b["flow"]
            assert {k: v for k, v in a["files"].items() if not k.startswith(rgb_copies)} == \
                   {k: v for k, v in b["files"].items() if not k.startswith(rgb_copies)}
        else:
            assert same, rel  # labels, depth, flow in every format, coco.json, MOT and VIS ground truth
    assert changed_rgb >= 8  # every frame's RGB is blurred (things move in every frame)
    assert check(blurred)[0] == 0


def files_of(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")


def test_the_report_animates_each_clip_with_its_flow(dataset, tmp_path):
    import re
    import subprocess
    from conftest import BINARY
    html = tmp_path / "report.html"
    r = subprocess.run([BINARY, "check", str(dataset), "--report", str(html)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert "<h2>Clips</h2>" in text and "flow colours" in text
    for k, frames in ((0, 8), (1, 8), (2, 4)):  # clips of 8, the last cut to 4 by frames: 20
        for kind in ("clip", "flow"):
            listed = re.search(kind + str(k) + r": \[(.*?)\]", text).group(1)
            assert listed.count("data:image/png;base64,") == frames, (kind, k)


def test_scene_flow_is_the_points_3d_motion_in_this_camera(tmp_path):
    # outputs: [flow, scene_flow]: per pixel with flow, the 3D displacement of its point to the other
    # frame in this frame's OpenCV camera frame (metres). Checked against the recorded poses: the point
    # unprojected from depth, moved by its object's motion in the world, both ends in this camera.
    ds = generate(CONFIG, tmp_path / "ds", "outputs=[flow, scene_flow]", "--frames", "8")
    assert check(ds)[0] == 0
    checked = 0
    for frame in range(7):
        rec = json.loads((ds / f"records/{frame:06d}.json").read_text())
        assert rec["image"]["scene_flow_forward_file"] == f"flow/scene_forward/{frame:06d}.exr"
        sf = read(ds, f"flow/scene_forward/{frame:06d}.exr")[..., ::-1]  # BGR -> x, y, z
        flow = read(ds, f"flow/forward/{frame:06d}.exr")
        W = np.array(rec["image"]["camera"]["world_to_camera"])
        for inst, there, ys, xs, p in labeled_points(ds, frame, rec, "next"):
            moved = W @ model(there) @ np.linalg.inv(model(inst)) @ np.linalg.inv(W) @ p
            expected = (moved - p)[:3].T
            assert (flow[ys, xs, 0] >= 0).all()
            assert np.abs(sf[ys, xs] - expected).max() < 1e-4, (frame, np.abs(sf[ys, xs] - expected).max())
            checked += len(xs)
        assert (sf[flow[..., 0] < 0] == 0).all()  # no flow, no scene flow
    assert checked > 3000
