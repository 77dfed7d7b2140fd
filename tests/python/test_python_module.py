"""The Python module (python/synthlabel) against the files `synthlabel generate` writes for the same
config: every array equal to its file as OpenCV decodes it, bit for bit; the labels equal coco.json's
and the records'; frames in any order and alone equal the stream; an exception class per bad input.

The files are read with OpenCV (Debian's python3-opencv), not with synthlabel's code. EXR: OpenCV
returns channels in B, G, R order (our files' R, G, B reversed) and half-float channels as float32.
"""
import json
import os
import pathlib
import shutil

import cv2
import numpy as np
import pytest

import synthlabel
from conftest import BINARY, SOURCE, generate

RES = "resolution=[64, 48]"
CLIPS = SOURCE / "configs" / "tumbling_clips.yaml"
CLIP_OUTPUTS = "outputs=[coco, flow, scene_flow, normals, object_coords, nocs, world_position]"


def read(path):
    img = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert img is not None, path
    return img


def same_bits(a, b):
    """Equal bit for bit (floats compared as their bit patterns: +inf and NaN included)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    if a.dtype.kind == "f":
        a, b = a.view(np.uint32 if a.itemsize == 4 else np.uint16), b.view(np.uint32 if b.itemsize == 4 else np.uint16)
    return np.array_equal(a, b)


@pytest.fixture(scope="module")
def clips_dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("py") / "clips"
    return generate(CLIPS, out, "--frames", "6", RES, CLIP_OUTPUTS)


@pytest.fixture(scope="module")
def clips_frames():
    gen = synthlabel.Generator(CLIPS, [RES, CLIP_OUTPUTS], frames=6)
    return gen, list(gen.frames())


def test_every_array_equals_its_file(clips_dataset, clips_frames):
    gen, frames = clips_frames
    assert [f.index for f in frames] == list(range(6))
    for f in frames:
        stem = f"{f.index:06d}"
        assert same_bits(f.rgb, read(clips_dataset / "rgb" / f"{stem}.png")[..., ::-1])
        assert f.rgb.shape == (48, 64, 3) and f.rgb.dtype == np.uint8
        assert same_bits(f.instance, read(clips_dataset / "instance" / f"{stem}.png"))
        assert same_bits(f.semantic, read(clips_dataset / "semantic" / f"{stem}.png"))
        assert same_bits(f.depth, read(clips_dataset / "depth" / f"{stem}.exr"))
        assert same_bits(f.normals, read(clips_dataset / "normals" / f"{stem}.exr")[..., ::-1])
        for name, folder in [("flow_forward", "forward"), ("flow_backward", "backward"),
                             ("scene_flow_forward", "scene_forward"), ("scene_flow_backward", "scene_backward")]:
            assert same_bits(getattr(f, name), read(clips_dataset / "flow" / folder / f"{stem}.exr")[..., ::-1]), name
        for name in ["object_coords", "nocs", "world_position"]:
            assert same_bits(getattr(f, name), read(clips_dataset / name / f"{stem}.exr")[..., ::-1]), name
        # The labels are the files' too: each annotation's instance is where the instance plane says.
        for a in f.annotations:
            ys, xs = np.nonzero(f.instance == a["instance_id"])
            assert a["area"] == len(xs)
            assert a["bbox"] == [xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1]


def test_labels_equal_coco_json_and_records(clips_dataset, clips_frames):
    _, frames = clips_frames
    coco = json.loads((clips_dataset / "coco.json").read_text())
    assert synthlabel.Generator(CLIPS, [RES, CLIP_OUTPUTS], frames=6).categories == coco["categories"]
    for f in frames:
        image = next(i for i in coco["images"] if i["frame"] == f.index)
        assert f.image == image
        expected = [{k: v for k, v in a.items() if k != "id"} for a in coco["annotations"] if a["image_id"] == image["id"]]
        assert f.annotations == expected
        assert len(f.annotations) > 0
        record = json.loads((clips_dataset / "records" / f"{f.index:06d}.json").read_text())
        del record["files"]  # the files' hashes: there are no files in memory
        assert f.record == record


def test_frames_in_any_order_and_alone_equal_the_stream(clips_frames):
    gen, frames = clips_frames
    for f in gen.frames([4, 1, 5]):
        ref = frames[f.index]
        for name in ["rgb", "depth", "instance", "semantic", "normals", "flow_forward", "flow_backward"]:
            assert same_bits(getattr(f, name), getattr(ref, name)), (f.index, name)
        assert f.record == ref.record
    alone = gen.frame(2)
    assert same_bits(alone.rgb, frames[2].rgb) and same_bits(alone.flow_backward, frames[2].flow_backward)
    assert alone.record == frames[2].record


def test_rgb_with_sensor_effects_and_amodal_equal_the_files(tmp_path):
    """The quickstart with sensor noise on (RGB only) and amodal masks: RGB and labels as written."""
    overrides = ["resolution=[80, 60]", "outputs=[coco, amodal]", "sensor.read_noise={uniform: [0.01, 0.02]}"]
    out = generate(SOURCE / "configs" / "quickstart.yaml", tmp_path / "q", "--frames", "3", *overrides)
    coco = json.loads((out / "coco.json").read_text())
    gen = synthlabel.Generator(SOURCE / "configs" / "quickstart.yaml", overrides, frames=3)
    for f in gen.frames():
        assert same_bits(f.rgb, read(out / "rgb" / f"{f.index:06d}.png")[..., ::-1])
        expected = [{k: v for k, v in a.items() if k != "id"} for a in coco["annotations"] if a["image_id"] == f.index + 1]
        assert f.annotations == expected
        assert any("amodal_segmentation" in a for a in f.annotations)
        assert f.params["sensor"]["read_noise"] > 0


@pytest.mark.parametrize("config,overrides", [
    ("keypoints.yaml", ["resolution=[96, 72]"]),                                 # keypoints, pose, box3d
    ("bin_of_parts.yaml", ["resolution=[64, 48]", "outputs=[coco, polygons]"]),  # polygons, not RLE
])
def test_labels_of_other_outputs_equal_coco_json(tmp_path, config, overrides):
    out = generate(SOURCE / "configs" / config, tmp_path / "d", "--frames", "3", *overrides)
    coco = json.loads((out / "coco.json").read_text())
    frames = list(synthlabel.Generator(SOURCE / "configs" / config, overrides, frames=3).frames())
    assert len(frames) == 3
    for f in frames:
        expected = [{k: v for k, v in a.items() if k != "id"} for a in coco["annotations"] if a["image_id"] == f.index + 1]
        assert f.annotations == expected and f.image == coco["images"][f.index]
        assert same_bits(f.rgb, read(out / "rgb" / f"{f.index:06d}.png")[..., ::-1])
    anns = [a for f in frames for a in f.annotations]
    key = "keypoints" if config == "keypoints.yaml" else "segmentation"
    assert anns and all(key in a for a in anns)
    if key == "segmentation":
        assert all(isinstance(a["segmentation"], list) for a in anns)  # polygons


def test_rle_helper_decodes_to_the_instance_plane(clips_frames):
    """synthlabel.torch.decode_rle (pycocotools' rleFrString) gives back each instance's pixels."""
    torch_helpers = pytest.importorskip("synthlabel.torch")
    _, frames = clips_frames
    for f in frames:
        for a in f.annotations:
            assert np.array_equal(torch_helpers.decode_rle(a["segmentation"]), (f.instance == a["instance_id"]).astype(np.uint8))


# --- Bad input: one exception class per exit code, with the command line's message ---------------

def test_config_errors_name_file_line_and_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("resolution: [64, 48]\nframes: -3\n")
    with pytest.raises(synthlabel.ConfigError) as e:
        synthlabel.load_config(bad)
    assert f"{bad}:2:" in str(e.value) and "frames" in str(e.value)
    assert e.value.exit_code == 2 and isinstance(e.value, synthlabel.Error)
    with pytest.raises(synthlabel.ConfigError, match="nonsense"):
        synthlabel.Generator(CLIPS, ["nonsense.key=1"])
    with pytest.raises(synthlabel.ConfigError):
        synthlabel.load_config(tmp_path / "missing.yaml")
    resolved = synthlabel.load_config(CLIPS, [RES])
    assert resolved["resolution"] == [64, 48]


def test_missing_asset_is_an_asset_error(tmp_path):
    cfg = tmp_path / "asset.yaml"
    cfg.write_text("categories: [box]\nobjects:\n  - {asset: gone.glb, category: box}\n")
    with pytest.raises(synthlabel.AssetError) as e:
        synthlabel.Generator(cfg)
    assert f"{cfg}:3:13: objects[0].asset: " in str(e.value) and e.value.exit_code == 3


def test_output_and_device_errors(tmp_path):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "keep.txt").write_text("precious")
    with pytest.raises(synthlabel.OutputError) as e:
        synthlabel.generate(CLIPS, occupied, [RES], frames=1)
    assert e.value.exit_code == 4 and (occupied / "keep.txt").read_text() == "precious"
    with pytest.raises(synthlabel.DeviceError) as e:
        synthlabel.Generator(CLIPS, [RES], device="no such device")
    assert e.value.exit_code == 5


def test_check_finds_defects_and_merge_joins_shards(tmp_path):
    a = synthlabel.generate(CLIPS, tmp_path / "s0", [RES], frames=8, shard="0/2")
    b = synthlabel.generate(CLIPS, tmp_path / "s1", [RES], frames=8, shard="1/2")
    assert a["frames"] + b["frames"] == 8
    merged = synthlabel.merge([tmp_path / "s0", tmp_path / "s1"], tmp_path / "all")
    assert merged["frames"] == 8
    result = synthlabel.check(tmp_path / "all", tmp_path / "report.html")
    assert result["ok"] and result["images"] == 8 and (tmp_path / "report.html").stat().st_size > 0
    whole = generate(CLIPS, tmp_path / "whole", "--frames", "8", RES)
    assert (whole / "coco.json").read_bytes() == (tmp_path / "all" / "coco.json").read_bytes()
    # A tampered mask: check returns the defect, or raises DefectsError when asked.
    png = tmp_path / "all" / "instance" / "000003.png"
    img = read(png)
    img[:] = 0
    cv2.imwrite(str(png), img)
    assert not synthlabel.check(tmp_path / "all")["ok"]
    with pytest.raises(synthlabel.DefectsError) as e:
        synthlabel.check(tmp_path / "all", raise_on_defects=True)
    assert e.value.exit_code == 6 and "000003" in str(e.value)
    # diff: the whole dataset against the tampered copy (the records still hash the same: identical),
    # and against a dataset of another seed.
    assert synthlabel.diff(whole, tmp_path / "whole")["within_thresholds"]
    other = synthlabel.generate(CLIPS, tmp_path / "seed7", [RES], frames=8, seed=7)["out"]
    d = synthlabel.diff(whole, other, report=tmp_path / "d.html")
    assert not d["within_thresholds"] and "config seed: 21 vs 7" in d["notes"] and (tmp_path / "d.html").exists()
    with pytest.raises(synthlabel.DiffersError) as e:
        synthlabel.diff(whole, other, raise_on_differences=True)
    assert e.value.exit_code == 7


def test_bad_frame_lists_and_a_second_iteration_are_refused():
    gen = synthlabel.Generator(CLIPS, [RES], frames=4)
    with pytest.raises(synthlabel.ConfigError):
        gen.frames([-1])
    with pytest.raises(synthlabel.ConfigError):
        gen.frames([1.5])
    assert list(gen.frames([])) == []
    sweep = synthlabel.Generator(SOURCE / "configs" / "ablation_camera_distance.yaml", ["resolution=[32, 24]"])
    with pytest.raises(synthlabel.ConfigError, match="is a sweep over the config's 9 frames"):
        sweep.frames([len(sweep)])
    assert sweep.frame(len(sweep) - 1).params["camera"]["distance"] == pytest.approx(11)
    assert [f.index for f in gen.frames(np.arange(2, 4))] == [2, 3]  # NumPy integers are frame indices too
    it = gen.frames()
    next(it)
    with pytest.raises(synthlabel.Error, match="already iterating"):
        gen.frames()
    it.close()  # stops the pipeline; the generator is free again
    assert gen.frame(0).index == 0


def test_lidar_points_equal_the_pcd_file(tmp_path):
    # The solid-state tabletop (range noise, dropouts): frame.lidar field for field equal to the pcd
    # output as Open3D's tensor reader (Debian python3-open3d) loads it.
    import open3d as o3d
    config = SOURCE / "configs" / "lidar_tabletop.yaml"
    ds = generate(config, tmp_path / "tt", "--frames", "2", "resolution=[64, 48]")
    frames = list(synthlabel.Generator(config, ["resolution=[64, 48]"], frames=2).frames())
    assert len(frames) == 2
    for f in frames:
        pcd = o3d.t.io.read_point_cloud(str(ds / f"pcd/{f.index:06d}.pcd")).point
        assert f.lidar.shape == (f.record["lidar"]["points"],)
        assert np.array_equal(np.stack([f.lidar["x"], f.lidar["y"], f.lidar["z"]], axis=1), pcd.positions.numpy())
        for name in ("intensity", "range", "noise", "time", "ring", "column", "instance", "semantic", "surface"):
            assert np.array_equal(f.lidar[name], pcd[name].numpy().ravel()), name
    assert synthlabel.Generator(SOURCE / "configs" / "quickstart.yaml", ["resolution=[32, 24]"], frames=1).frame(0).lidar is None
