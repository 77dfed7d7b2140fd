"""`synthlabel diff` on planted changes: each reported precisely, with the right exit code (0 within
the thresholds, 7 beyond). The datasets are real runs of configs/quickstart.yaml with one change each."""
import json
import shutil
import subprocess

import pytest

from conftest import BINARY, SOURCE, generate

CONFIG = SOURCE / "configs" / "quickstart.yaml"
BASE = ["resolution=[96, 72]", "--frames", "6"]


def diff(a, b, *args, json_out=None):
    cmd = [BINARY, "diff", str(a), str(b), *args]
    if json_out:
        cmd += ["--json", str(json_out)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return generate(CONFIG, tmp_path_factory.mktemp("diff") / "a", *BASE)


def variant(tmp_path, *overrides):
    return generate(CONFIG, tmp_path / "b", *BASE, *overrides)


def test_same_config_twice_is_identical_by_hash(base, tmp_path):
    b = variant(tmp_path)
    code, out, err = diff(base, b, json_out=tmp_path / "d.json")
    assert code == 0, err
    assert "6 identical (by hash), 0 differ" in out
    j = json.loads((tmp_path / "d.json").read_text())
    assert j["within_thresholds"] and j["frames"]["identical"] == 6 and j["differing_frames"] == []


def test_another_git_revision_with_identical_bytes_passes_and_is_noted(base, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(base, b)
    m = json.loads((b / "manifest.json").read_text())
    m["git_revision"] = "0123456789ab"
    (b / "manifest.json").write_text(json.dumps(m))
    code, out, err = diff(base, b)
    assert code == 0, err
    assert "note: git_revision:" in out and '"0123456789ab"' in out


def test_one_objects_colour_changes_rgb_only(base, tmp_path):
    b = variant(tmp_path, "objects[4].color=[0.2, 0.45, 0.9]")  # the cones, orange -> blue
    code, out, err = diff(base, b, json_out=tmp_path / "d.json")
    assert code == 7
    j = json.loads((tmp_path / "d.json").read_text())
    changed = j["differing_frames"]
    assert changed, out
    for f in changed:
        assert all(p.startswith("rgb/") or p.startswith("records/") for p in f["files_differing"]), f
        assert f["instances"] == [] and "depth" not in f
        assert f["rgb"]["mean_abs"] > 0
    assert all("RGB mean difference" in line for line in err.splitlines()[:-1])
    assert "note: config objects[4].color: [0.9,0.45,0.1] vs [0.2,0.45,0.9]" in out
    # Within a threshold that allows it, the same comparison passes.
    worst = max(f["rgb"]["mean_abs"] for f in changed)
    assert diff(base, b, "--max-rgb-mean", str(worst + 0.01))[0] == 0


def test_a_slightly_larger_mesh_changes_masks_with_iou_reported(base, tmp_path):
    b = variant(tmp_path, "objects[6].scale={uniform: [0.525, 0.84]}")  # the bottles, 5 % larger
    code, out, err = diff(base, b, "--max-rgb-mean", "255", "--max-depth", "100", json_out=tmp_path / "d.json")
    assert code == 7
    j = json.loads((tmp_path / "d.json").read_text())
    instances = [i for f in j["differing_frames"] for i in f["instances"]]
    assert instances
    bottles = [i for i in instances if i["category"] == [6, 6]]
    assert bottles and all(0.5 < i["iou"] < 1.0 for i in bottles)
    assert all(i["area"][1] > i["area"][0] for i in bottles if i["iou"] > 0.8)  # larger, where not occluded more
    assert "mask IoU" in err
    assert "note: config objects[6].scale.uniform: [0.5,0.8] vs [0.525,0.84]" in out
    low = min(i["iou"] for i in instances if i["area"][0] and i["area"][1])
    assert diff(base, b, "--max-rgb-mean", "255", "--max-depth", "100", "--min-iou", str(low - 1e-4), "--allow-appear")[0] == 0


def test_a_renamed_category_fails(base, tmp_path):
    cats = "categories=[box, ball, tin, cone, ring, bottle, pawn, {name: ground, stuff: true}, {name: sky, stuff: true}]"
    b = variant(tmp_path, cats, "objects[3].category=tin")
    code, out, err = diff(base, b)
    assert code == 7
    assert "category 3 renamed: 'can' -> 'tin'" in err
    assert "6 identical" in out  # frame files and records do not hold names


def test_a_missing_frame_fails(base, tmp_path):
    b = generate(CONFIG, tmp_path / "b", "resolution=[96, 72]", "--frames", "5")
    code, out, err = diff(base, b)
    assert code == 7
    assert "1 frame(s) only in A, first 000005" in err


def test_not_a_dataset_is_a_usage_error(base, tmp_path):
    code, _, err = diff(base, tmp_path)
    assert code == 2 and "holds no synthlabel dataset" in err


def test_report_shows_the_frames_that_differ_most(base, tmp_path):
    b = variant(tmp_path, "objects[6].scale={uniform: [0.525, 0.84]}")
    code, out, _ = diff(base, b, "--report", str(tmp_path / "r.html"))
    assert code == 7
    html = (tmp_path / "r.html").read_text()
    assert "Frames that differ most" in html and "Per category" in html
    assert html.count("data:image/png;base64,") >= 3  # A, B and the difference of at least one frame
    assert "<td>bottle</td>" in html
    code, _, _ = diff(base, b, json_out=tmp_path / "d.json")
    cats = json.loads((tmp_path / "d.json").read_text())["categories"]
    assert cats["bottle"]["a"]["instances"] == cats["bottle"]["b"]["instances"] > 0
    assert cats["bottle"]["b"]["area_mean"] > cats["bottle"]["a"]["area_mean"]  # 5 % larger
    assert cats["box"]["a"] == cats["box"]["b"] or cats["box"]["a"]["instances"] == cats["box"]["b"]["instances"]


def test_moved_keypoints_and_changed_flow_are_measured(tmp_path):
    """Keypoints (configs/keypoints.yaml, the boxes 5 % larger) and flow (tumbling clips spinning
    faster): the moves are reported per instance and as the flow's end-point error."""
    kp = SOURCE / "configs" / "keypoints.yaml"
    a = generate(kp, tmp_path / "ka", "resolution=[96, 72]", "--frames", "3")
    b = generate(kp, tmp_path / "kb", "resolution=[96, 72]", "--frames", "3", "objects[1].scale={uniform: [0.42, 0.735]}")
    code, _, err = diff(a, b, "--max-rgb-mean", "255", "--max-depth", "100", "--min-iou", "0", json_out=tmp_path / "k.json")
    assert code == 7 and "keypoints moved up to" in err
    shifts = [i["keypoint_shift_px"] for f in json.loads((tmp_path / "k.json").read_text())["differing_frames"] for i in f["instances"]]
    assert max(shifts) > 0.1
    assert diff(a, b, "--max-rgb-mean", "255", "--max-depth", "100", "--min-iou", "0", "--allow-appear",
                "--max-keypoint-shift", str(max(shifts) + 1e-3))[0] == 0

    clips = SOURCE / "configs" / "tumbling_clips.yaml"
    base = ["resolution=[64, 48]", "--frames", "3", "outputs=[coco, flow]"]
    a = generate(clips, tmp_path / "fa", *base)
    b = generate(clips, tmp_path / "fb", *base, "objects[1].angular_velocity_deg={uniform: [[-99, -99, -99], [99, 99, 99]]}")
    code, out, err = diff(a, b, "--max-rgb-mean", "255", "--max-depth", "100", "--min-iou", "0", "--allow-appear",
                          json_out=tmp_path / "f.json")
    assert code == 7 and "flow end-point error" in err and "flow EPE mean" in out
    frames = json.loads((tmp_path / "f.json").read_text())["differing_frames"]
    assert any(f["flow"]["epe_max_px"] > 0 for f in frames if "flow" in f)


def test_instances_whose_ids_shift_are_paired_by_mask_iou(base, tmp_path):
    """One box fewer: the instances after it take other ids; each is paired with its old self by the
    best mask IoU, so the report shows a changed id, not a disappearance and an appearance."""
    b = variant(tmp_path, "objects[1].count=1")
    code, _, err = diff(base, b, "--max-rgb-mean", "255", "--max-depth", "100", "--min-iou", "0", json_out=tmp_path / "d.json")
    assert code == 7
    instances = [i for f in json.loads((tmp_path / "d.json").read_text())["differing_frames"] for i in f["instances"]]
    paired = [i for i in instances if i["instance_id_b"] != i["instance_id"]]
    assert paired and all(i["iou"] > 0.5 and i["category"][0] == i["category"][1] for i in paired)
    assert "paired by mask IoU" in err and "id changed" in err


def test_jpeg_rgb_is_compared_decoded(tmp_path):
    a = generate(CONFIG, tmp_path / "a", *BASE, "--rgb", "jpeg")
    b = generate(CONFIG, tmp_path / "b", *BASE, "--rgb", "jpeg", "objects[4].color=[0.2, 0.45, 0.9]")
    code, _, err = diff(a, b, json_out=tmp_path / "d.json")
    assert code == 7 and "RGB mean difference" in err
    frames = json.loads((tmp_path / "d.json").read_text())["differing_frames"]
    assert frames and all(f["rgb"]["mean_abs"] > 0 for f in frames) and all(f["instances"] == [] for f in frames)
