"""sequence: {length, fps}: clips. Frame f depends only on (config, seed, f), so frames 5..7 rendered
alone give the same bytes as in the whole run, and shards split on clip boundaries (one of them empty)
merge to the single run's bytes (MOT and YouTube-VIS files included). COCO images carry video_id (clip + 1) and frame_index, annotations
track_id (the instance id, kept for the clip). The records' poses follow the drawn motion exactly:
position(k) = position(0) + velocity * k / fps, azimuth(k) = azimuth(0) + rate * k / fps.
"""
import filecmp
import json
import subprocess

from conftest import BINARY, SOURCE, check, generate

CONFIG = SOURCE / "tests/data/clips.yaml"  # 20 frames, clips of 8 at 10 fps


def files_of(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")


def test_a_clip_range_alone_equals_the_whole_run(tmp_path):
    whole = generate(CONFIG, tmp_path / "whole")
    part = generate(CONFIG, tmp_path / "part", "--start", "5", "--frames", "3")
    for stem in ("000005", "000006", "000007"):
        for sub, ext in (("rgb", "png"), ("instance", "png"), ("semantic", "png"), ("depth", "exr"), ("records", "json")):
            assert filecmp.cmp(whole / sub / f"{stem}.{ext}", part / sub / f"{stem}.{ext}", shallow=False), (sub, stem)
    assert check(whole)[0] == 0


def test_shards_split_on_clip_boundaries_and_merge_to_the_same_bytes(tmp_path):
    # With the video formats, flow and tracks too: merge rewrites their per-clip files from the shards. records.
    whole = generate(CONFIG, tmp_path / "whole", "outputs=[mot, vis, flow, kitti_flow, tracks]")
    shards = [generate(CONFIG, tmp_path / f"s{k}", "--shard", f"{k}/4", "outputs=[mot, vis, flow, kitti_flow, tracks]") for k in range(4)]
    firsts = []
    for s in shards:
        frames = sorted(int(p.stem) for p in (s / "records").glob("*.json"))
        if frames:
            firsts.append(frames[0])
    assert all(f % 8 == 0 for f in firsts), firsts  # every non-empty shard starts a clip
    r = subprocess.run([BINARY, "merge", *map(str, shards), "--out", str(tmp_path / "merged")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    merged = tmp_path / "merged"
    assert files_of(whole) == files_of(merged)
    for f in files_of(whole):
        assert filecmp.cmp(whole / f, merged / f, shallow=False), f


def test_video_fields_track_ids_and_motion(tmp_path):
    out = generate(CONFIG, tmp_path / "ds")
    coco = json.loads((out / "coco.json").read_text())
    for im in coco["images"]:
        frame = im["id"] - 1
        assert (im["video_id"], im["frame_index"]) == (frame // 8 + 1, frame % 8)
    tracks = {}
    for a in coco["annotations"]:
        assert a["track_id"] == a["instance_id"]
        im = coco["images"][a["image_id"] - 1]
        tracks.setdefault((im["video_id"], a["track_id"]), set()).add(a["category_id"])
    assert all(len(c) == 1 for c in tracks.values())  # a track keeps its category through its clip
    records = [json.loads((out / f"records/{f:06d}.json").read_text())["params"] for f in range(20)]
    for f, p in enumerate(records):
        first = records[f - f % 8]
        t = (f % 8) / 10.0
        assert p["clip"] == {"clip": f // 8, "frame_index": f % 8, "time_s": t}
        assert abs(p["camera"]["azimuth_deg"] - (first["camera"]["azimuth_deg"] + first["camera"]["orbit_rate_deg"] * t)) < 1e-9
        for a, b in zip(first["instances"], p["instances"]):
            assert a["instance_id"] == b["instance_id"] and a["velocity"] == b["velocity"]
            for k in range(3):
                assert abs(b["position"][k] - (a["position"][k] + a["velocity"][k] * t)) < 1e-5
    moved = [p for p in records[:8] if p["instances"][0]["position"] != records[0]["instances"][0]["position"]]
    assert len(moved) == 7  # the boxes really move


def test_motion_keys_need_a_sequence(tmp_path):
    config = tmp_path / "still.yaml"
    config.write_text(CONFIG.read_text().replace("sequence: {length: 8, fps: 10}\n", ""))
    r = subprocess.run([BINARY, "validate", str(config)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "camera.orbit_rate_deg: only applies with sequence" in r.stderr, r.stderr


def test_the_checker_compares_tracks_mot_and_vis_with_coco(tmp_path):
    import shutil
    ds = generate(CONFIG, tmp_path / "ds", "outputs=[mot, vis]")
    code, out, err = check(ds)
    assert code == 0, out + err
    line = next(l for l in out.splitlines() if l.strip().startswith("clips:"))
    assert "3 clips" in line and "60 MOT rows and 60 YouTube-VIS masks" in line, line
    # A MOT box moved by a pixel, then a YouTube-VIS mask swapped between two tracks: both caught.
    bad = tmp_path / "mot"
    shutil.copytree(ds, bad)
    gt = bad / "mot/synthlabel-all/clip000000/gt/gt.txt"
    rows = gt.read_text().splitlines()
    f = rows[0].split(",")
    f[2] = str(int(f[2]) + 1)
    rows[0] = ",".join(f)
    gt.write_text("\n".join(rows) + "\n")
    code, out, err = check(bad)
    assert code != 0 and "gt.txt:1: differs from the COCO annotation" in out + err, out + err
    bad = tmp_path / "vis"
    shutil.copytree(ds, bad)
    path = bad / "vis/youtube_vis_all/instances.json"
    vis = json.loads(path.read_text())
    a, b = vis["annotations"][0], vis["annotations"][1]
    a["segmentations"][0], b["segmentations"][0] = b["segmentations"][0], a["segmentations"][0]
    path.write_text(json.dumps(vis))
    code, out, err = check(bad)
    assert code != 0 and ("box, area or category differ" in out + err or "joins several COCO tracks" in out + err), out + err


def test_camera_and_light_motion_follow_their_rates_and_the_flow_follows_them(tmp_path):
    # Dolly, elevation rate, moving target, hand-held shake, circling lights: the records follow the
    # drawn rates exactly, and the checker's reprojection of the flow (which uses the recorded
    # world_to_camera, shake included) holds.
    out = generate(SOURCE / "tests/data/clips_moving_camera.yaml", tmp_path / "ds", "outputs=[flow]")
    code, stdout, stderr = check(out)
    assert code == 0, stdout + stderr
    assert "flow: 40 files" in stdout
    records = [json.loads((out / f"records/{f:06d}.json").read_text())["params"] for f in range(20)]
    for f, p in enumerate(records):
        first = records[f - f % 8]
        t = p["clip"]["time_s"]
        cam, cam0 = p["camera"], first["camera"]
        assert abs(cam["distance"] - (cam0["distance"] - 1.0 * t)) < 1e-9
        assert abs(cam["elevation_deg"] - (cam0["elevation_deg"] + 10 * t)) < 1e-9
        assert abs(cam["target"][0] - (cam0["target"][0] + 0.2 * t)) < 1e-5  # float32 in the record
        turn = cam["shake"]["turn_deg"]
        assert (max(map(abs, turn)) == 0) == (f % 8 == 0) and max(map(abs, turn)) < 3 * 1.5
        for light, light0, rate in zip(p["lights"], first["lights"], (40, -20)):
            assert abs(light["azimuth_deg"] - (light0["azimuth_deg"] + rate * t)) < 1e-9


def checked_params(config, out):
    """The record params of each frame of `config`'s 20 frames with flow, generated into `out`; the
    dataset checks sound (flow included)."""
    ds = generate(config, out, "outputs=[flow]")
    code, stdout, stderr = check(ds)
    assert code == 0, stdout + stderr
    return [json.loads((ds / f"records/{f:06d}.json").read_text())["params"] for f in range(20)]


def interpolated(keys, t):
    """Keyframes' positions, linearly interpolated at time t."""
    import numpy as np
    return [np.interp(t, [k["t"] for k in keys], [k["position"][a] for k in keys]) for a in range(3)]


def test_keyframed_paths_interpolate_their_drawn_keys(tmp_path):
    import numpy as np
    params = checked_params(SOURCE / "tests/data/clips_path.yaml", tmp_path / "ds")
    for f, p in enumerate(params):
        t = p["clip"]["time_s"]
        for inst in p["instances"]:
            keys = inst["path"]
            expected = interpolated(keys, t)
            assert np.allclose(inst["position"], expected, atol=1e-6), (f, inst["position"], expected)
            if "rotation_wxyz" in keys[0]:  # slerp about one axis (+Y here): the angle is interpolated
                angle = 2 * np.degrees(np.arccos(min(1.0, inst["rotation_wxyz"][0])))
                assert abs(angle - np.interp(t, [k["t"] for k in keys], [0, 45, 90])) < 1e-3, (f, angle)
    # Drawn per clip: the middle key's x differs between clips, and is the same within one.
    xs = [params[f]["instances"][0]["path"][1]["position"][0] for f in (0, 7, 8)]
    assert xs[0] == xs[1] != xs[2]


def test_a_per_frame_randomizer_changes_appearance_per_frame_and_nothing_else(tmp_path):
    # per: frame (appearance randomizers only): colours are drawn per frame; what is where, and so
    # every label, depth and flow file, is the same as with the same randomizer per clip.
    flicker = SOURCE / "tests/data/clips_flicker.yaml"
    per_frame = generate(flicker, tmp_path / "frame", "outputs=[flow, mot]")
    per_clip = generate(flicker, tmp_path / "clip", "outputs=[flow, mot]", "randomizers[0].per=clip")
    colours = [json.loads((per_frame / f"records/{f:06d}.json").read_text())["params"]["instances"][0]["color"] for f in range(8)]
    assert len({tuple(c) for c in colours}) == 8  # a new colour every frame of the clip
    for rel in files_of(per_frame):
        if str(rel).startswith(("instance/", "semantic/", "depth/", "flow/")) or rel.name == "gt.txt":
            assert filecmp.cmp(per_frame / rel, per_clip / rel, shallow=False), rel
    assert check(per_frame)[0] == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"include: {SOURCE / 'tests/data/clips.yaml'}\nrandomizers:\n  - {{type: rotate, per: frame}}\n")
    r = subprocess.run([BINARY, "generate", str(bad), "--out", str(tmp_path / "bad")], capture_output=True, text=True)
    assert r.returncode == 2 and "randomizers[0].per: rotate moves, adds or removes objects" in r.stderr, r.stderr


def test_the_camera_follows_its_look_at_path(tmp_path):
    import numpy as np
    for f, p in enumerate(checked_params(SOURCE / "tests/data/clips_look_path.yaml", tmp_path / "ds")):
        expected = interpolated(p["camera"]["target_path"], p["clip"]["time_s"])
        assert np.allclose(p["camera"]["target"], expected, atol=1e-5), (f, p["camera"]["target"], expected)
