"""YOLO segmentation labels filled the way Ultralytics fills them, on every example config.

Ultralytics (ultralytics/data/utils.py, polygon2mask) denormalizes each label's points by the image
size, casts them with np.asarray(..., dtype=np.int32) and paints them with cv2.fillPoly; its dataset
loader first resamples each polygon (ultralytics/utils/ops.py, resample_segments: the closed polygon,
its own points kept, more points interpolated along its edges, float32). Both are done here with
Debian's OpenCV, and the result compared with the instance PNG: exactly the mask where an object is
one 8-connected part (holes and all); a superset otherwise (bridges between parts add background
pixels), whose worst IoU per config is printed and must equal what `synthlabel check` reports."""
import json
import re

import cv2
import numpy as np
import pytest

from conftest import SOURCE, check, generate

CONFIGS = ["quickstart", "bin_of_parts", "clutter_with_distractors", "keypoints", "ablation_camera_distance",
           "realism_textured_models"]


def resample(points, n=1000):
    """ops.resample_segments as Ultralytics 8.3 has it, for one polygon (points: k x 2 float32)."""
    s = np.concatenate((points, points[0:1, :]), axis=0)
    n = max(n, len(points) + 1)  # dataset.py: n grows past the longest polygon
    x = np.linspace(0, len(s) - 1, n - len(s) if len(s) < n else n)
    xp = np.arange(len(s))
    x = np.insert(x, np.searchsorted(x, xp), xp) if len(s) < n else x
    return np.concatenate([np.interp(x, xp, s[:, i]) for i in range(2)], dtype=np.float32).reshape(2, -1).T


def polygon2mask(shape, points):
    mask = np.zeros(shape, np.uint8)
    poly = np.asarray(points, dtype=np.int32).reshape(1, -1, 2)
    cv2.fillPoly(mask, poly, color=1)
    return mask.astype(bool)


def one_part(mask):
    parts, _ = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    return parts == 2  # the background label and one part


@pytest.mark.parametrize("config", CONFIGS)
def test_opencv_fill_of_each_polygon_matches_the_mask(config, tmp_path):
    out = generate(SOURCE / "configs" / f"{config}.yaml", tmp_path / "d", "--frames", "6", "outputs=[yolo_seg]")
    coco = json.load(open(out / "coco.json"))
    worst, simple, other = 1.0, 0, 0
    for image in coco["images"]:
        h, w = image["height"], image["width"]
        stem = f"{image['frame']:06d}"
        ids = cv2.imread(str(out / "instance" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        anns = [a for a in coco["annotations"] if a["image_id"] == image["id"]]
        lines = open(out / "yolo_seg/labels" / f"{stem}.txt").read().splitlines()
        assert len(lines) == len(anns)
        for line, a in zip(lines, anns):
            values = line.split()
            assert int(values[0]) == a["category_id"] - 1
            pts = np.array(values[1:], dtype=np.float32).reshape(-1, 2)
            assert len(pts) >= 3 and pts.min() >= 0 and pts.max() <= 1
            pts = pts * np.array([w, h], np.float32)  # Instances.denormalize (float32)
            mask = ids == a["instance_id"]
            filled = polygon2mask((h, w), pts)
            resampled = polygon2mask((h, w), resample(pts))
            assert np.array_equal(resampled, filled), f"{stem} instance {a['instance_id']}: resampling changed the fill"
            if one_part(mask):
                simple += 1
                assert np.array_equal(filled, mask), f"{stem} instance {a['instance_id']}"
            else:
                other += 1
                assert not (mask & ~filled).any(), "every mask pixel is filled"
                worst = min(worst, (filled & mask).sum() / (filled | mask).sum())
    print(f"{config}: {simple} one-part objects exact, {other} others, worst IoU {worst:.4f}")
    assert simple > 0
    rc, stdout, stderr = check(out)
    assert rc == 0, stderr
    m = re.search(r"yolo_seg: worst IoU of OpenCV's fill with the mask ([0-9.]+)", stdout)
    assert m, stdout
    assert float(m.group(1)) == pytest.approx(worst, abs=5e-5)
