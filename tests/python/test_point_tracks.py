"""outputs: [tracks]: TAP-Vid style point tracks per clip, read with numpy as TAP-Vid's loaders hold them.

Convention followed (google-deepmind/tapnet, tapnet/tapvid/evaluation_datasets.py): `points` is
[n_tracks, n_frames, 2] with each point [x, y] scaled to [0, 1] (create_davis_dataset multiplies by
[width, height] to get raster coordinates); `occluded` is a bool [n_tracks, n_frames], True when the
point is not visible (sample_queries_first's docstring). The metrics below follow that file's
compute_tapvid_metrics ('first' query mode: frames after each track's first visible one).
"""
import json

import cv2
import numpy as np

from conftest import SOURCE, check, generate

CONFIG = SOURCE / "tests/data/clips.yaml"  # 20 frames, clips of 8 at 10 fps: clips 0, 1 of 8, clip 2 of 4


def rotation(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def tapvid_average_jaccard(gt_occluded, gt_tracks, pred_occluded, pred_tracks):
    """TAP-Vid's average Jaccard in 'first' query mode, for one video (tracks in pixels)."""
    valid = (~gt_occluded).sum(axis=1) > 0  # sample_queries_first drops tracks never visible
    gt_occluded, gt_tracks = gt_occluded[valid], gt_tracks[valid]
    pred_occluded, pred_tracks = pred_occluded[valid], pred_tracks[valid]
    n = gt_occluded.shape[1]
    query = np.array([np.where(~o)[0][0] for o in gt_occluded])
    evaluation = np.arange(n)[None, :] > query[:, None]
    visible, pred_visible = ~gt_occluded, ~pred_occluded
    jaccards = []
    for thresh in (1, 2, 4, 8, 16):
        within = np.sum(np.square(pred_tracks - gt_tracks), axis=-1) < thresh**2
        correct = within & visible
        true_positives = np.sum(correct & pred_visible & evaluation)
        false_positives = np.sum((((~visible) & pred_visible) | ((~within) & pred_visible)) & evaluation)
        jaccards.append(true_positives / (np.sum(visible & evaluation) + false_positives))
    return float(np.mean(jaccards))


def test_tracks_follow_the_surface_and_say_when_it_is_hidden(tmp_path):
    ds = generate(CONFIG, tmp_path / "ds", "outputs=[tracks]")
    assert check(ds)[0] == 0
    clips = sorted((ds / "tracks").glob("clip*.npz"))
    assert [c.name for c in clips] == ["clip000000.npz", "clip000001.npz", "clip000002.npz"]
    checked = visible_checked = 0
    for path in clips:
        t = np.load(path)  # numpy alone: no pickle
        points, occluded, ids, obj, frames = (t[k] for k in ("points", "occluded", "instance_id", "object_points", "frames"))
        n, steps = occluded.shape
        assert points.shape == (n, steps, 2) and points.dtype == np.float32 and occluded.dtype == bool
        assert n == 16 * len(set(ids.tolist()))  # sequence.track_points (16) per instance
        assert list(frames) == list(range(frames[0], frames[0] + steps)) and frames[0] % 8 == 0
        for s, frame in enumerate(frames):
            rec = json.loads((ds / f"records/{frame:06d}.json").read_text())
            K = np.array(rec["image"]["camera"]["K"])
            W = np.array(rec["image"]["camera"]["world_to_camera"])
            w, h = rec["image"]["width"], rec["image"]["height"]
            inst_png = cv2.imread(str(ds / f"instance/{frame:06d}.png"), cv2.IMREAD_UNCHANGED)
            depth = cv2.imread(str(ds / f"depth/{frame:06d}.exr"), cv2.IMREAD_UNCHANGED)
            poses = {i["instance_id"]: i for i in rec["params"]["instances"]}
            for k in range(n):
                inst = poses[int(ids[k])]
                world = rotation(inst["rotation_wxyz"]) @ (np.array(inst["scale"]) * obj[k]) + inst["position"]
                c = W @ np.append(world, 1.0)
                u, v = K[0, 0] * c[0] / c[2] + K[0, 2], K[1, 1] * c[1] / c[2] + K[1, 2]
                x, y = points[k, s] * np.array([w, h])  # TAP-Vid's scaling to raster coordinates
                assert abs(x - u) < 1e-3 and abs(y - v) < 1e-3, (frame, k, x, u, y, v)
                checked += 1
                inside = 0 <= u < w and 0 <= v < h and c[2] > 0
                if not inside:
                    assert occluded[k, s]
                    continue
                px, py = int(u), int(v)
                tol = 0.01 + 0.02 * c[2]
                if abs(depth[py, px] - (c[2] - tol)) < 1e-4:
                    continue  # on the tolerance's edge
                seen = inst_png[py, px] == ids[k] and depth[py, px] >= c[2] - tol
                assert occluded[k, s] == (not seen), (frame, k)
                visible_checked += not occluded[k, s]
        # The ground truth as a tracker's output scores perfectly.
        assert tapvid_average_jaccard(occluded, points * [w, h], occluded.copy(), points * [w, h]) == 1.0
    assert checked > 500 and visible_checked > 100


def test_points_are_drawn_per_clip_and_frames_alone_agree(tmp_path):
    whole = generate(CONFIG, tmp_path / "whole", "outputs=[tracks]")
    part = generate(CONFIG, tmp_path / "part", "outputs=[tracks]", "--start", "9", "--frames", "3")
    a, b = np.load(whole / "tracks/clip000001.npz"), np.load(part / "tracks/clip000001.npz")
    assert list(b["frames"]) == [9, 10, 11]
    assert (a["object_points"] == b["object_points"]).all() and (a["instance_id"] == b["instance_id"]).all()
    assert (a["points"][:, 1:4] == b["points"]).all() and (a["occluded"][:, 1:4] == b["occluded"]).all()
    c0 = np.load(whole / "tracks/clip000000.npz")
    assert not np.array_equal(c0["object_points"], a["object_points"])  # a new clip draws new points
