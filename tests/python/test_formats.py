"""Label formats read back the way their own tools read them (each reader below is written from the
format's definition or its reference tool's source, cited), against the instance PNG: the pixels the
labels must match."""
import json
import xml.etree.ElementTree as ET

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import SOURCE, generate


@pytest.fixture(scope="module")
def qs(tmp_path_factory):
    out = tmp_path_factory.mktemp("qs") / "d"
    # Quickstart frame 1 has a hidden instance: later ids are not object indices there.
    return generate(SOURCE / "configs/quickstart.yaml", out, "--frames", "3",
                    "outputs=[coco, amodal, voc, kitti, bop]")


def instance_png(ds, stem):
    ids = cv2.imread(str(ds / "instance" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
    assert ids is not None and ids.dtype == np.uint16
    return ids


def test_voc_object_png_value_k_is_the_kth_object_of_the_xml(qs):
    # VOC object images: pixel value k marks the k-th <object> of the image's annotation XML
    # (1-based; 0 background), read as palette indices the way torchvision's VOCSegmentation and the
    # devkit read them (PIL's np.array(Image.open(...)) of a 'P' image).
    shifted = 0
    for stem in ("000000", "000001", "000002"):
        obj = Image.open(qs / "voc/SegmentationObject" / f"{stem}.png")
        assert obj.mode == "P"
        obj = np.array(obj)
        ids = instance_png(qs, stem)
        root = ET.parse(qs / "voc/Annotations" / f"{stem}.xml").getroot()
        objects = root.findall("object")
        assert objects and set(np.unique(obj)) == set(range(len(objects) + 1))
        for k, o in enumerate(objects, start=1):
            iid = int(o.find("instance_id").text)
            shifted += iid != k
            mask = obj == k
            assert np.array_equal(mask, ids == iid), (stem, k)
            ys, xs = np.nonzero(mask)
            box = o.find("bndbox")  # VOC: 1-based, inclusive pixel corners
            assert [int(box.find(t).text) for t in ("xmin", "ymin", "xmax", "ymax")] == \
                [xs.min() + 1, ys.min() + 1, xs.max() + 1, ys.max() + 1]
    assert shifted > 0, "the frames must include a hidden instance for this test to mean anything"


def test_kitti_boxes_are_continuous_pixel_edges(qs):
    # KITTI's evaluation (devkit_object/cpp/evaluate_object.cpp, imageBoxOverlap) takes box areas as
    # (x2 - x1) * (y2 - y1) and heights as y2 - y1: continuous, so a mask spanning pixel columns
    # a..b has left a and right b + 1.
    coco = json.load(open(qs / "coco.json"))
    names = {c["id"]: c["name"] for c in coco["categories"]}
    for image in coco["images"]:
        stem = f"{image['frame']:06d}"
        ids = instance_png(qs, stem)
        anns = [a for a in coco["annotations"] if a["image_id"] == image["id"]]
        lines = open(qs / "kitti/label_2" / f"{stem}.txt").read().splitlines()
        assert len(lines) == len(anns)
        for line, a in zip(lines, anns):
            f = line.split()
            assert len(f) == 15 and f[0] == names[a["category_id"]]
            ys, xs = np.nonzero(ids == a["instance_id"])
            assert [float(v) for v in f[4:8]] == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


def test_bop_gt_info_boxes_follow_calc_2d_bbox(qs):
    # bop_toolkit_lib/misc.py calc_2d_bbox returns [x_min, y_min, x_max - x_min, y_max - y_min];
    # scripts/calc_gt_info.py applies it to the visible mask (bbox_visib) and writes [-1]*4 when no
    # pixel is visible.
    info = json.load(open(qs / "bop/000000/scene_gt_info.json"))
    checked = 0
    for key, entries in info.items():
        for gt_id, e in enumerate(entries):
            vis = np.array(Image.open(qs / "bop/000000/mask_visib" / f"{int(key):06d}_{gt_id:06d}.png")) > 0
            assert e["px_count_visib"] == int(vis.sum())
            if not vis.any():
                assert e["bbox_visib"] == [-1, -1, -1, -1] and e["bbox_obj"] == [-1, -1, -1, -1]
                continue
            ys, xs = np.nonzero(vis)
            assert e["bbox_visib"] == [xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min()]
            whole = np.array(Image.open(qs / "bop/000000/mask" / f"{int(key):06d}_{gt_id:06d}.png")) > 0
            assert e["px_count_all"] >= int(whole.sum()) >= e["px_count_visib"]
            assert e["visib_fract"] == pytest.approx(e["px_count_visib"] / e["px_count_all"])
            checked += 1
    assert checked > 10
