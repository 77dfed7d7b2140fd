"""COCO panoptic read and scored the way panopticapi's pq_compute does it (which Detectron2's
COCOPanopticEvaluator calls), and Cityscapes instance ids as cityscapesScripts defines them.

panopticapi is not packaged by Debian; the reader follows panopticapi/evaluation.py (cocodataset/
panopticapi at 7bb4655): pq_compute (lines 184-240) finds the PNGs in the folder named like the JSON
less ".json" and joins each annotation's file_name to it; pq_compute_single_core (77-165) reads them
with rgb2id (id = R + 256 G + 256^2 B, panopticapi/utils.py), requires the PNG's ids and the JSON's
segments to agree, matches segments at IoU > 0.5; PQStat.pq_average (49-73) divides by the number of
categories of each kind seen, so a dataset without any stuff segment raises ZeroDivisionError for
"Stuff" (panopticapi issue #54), as every synthlabel panoptic dataset did before stuff categories."""
import json
import os
from collections import defaultdict

import numpy as np
import pytest
from PIL import Image

from conftest import SOURCE, check, generate

OFFSET = 256 * 256 * 256


def rgb2id(color):
    color = color.astype(np.int32)
    return color[..., 0] + 256 * color[..., 1] + 256 * 256 * color[..., 2]


def pq_stats(gt_json_file, pred_json_file):
    """pq_compute's statistics: per category tp, fp, fn and summed IoU."""
    gt_json, pred_json = json.load(open(gt_json_file)), json.load(open(pred_json_file))
    gt_folder, pred_folder = gt_json_file[: -len(".json")], pred_json_file[: -len(".json")]
    categories = {c["id"]: c for c in gt_json["categories"]}
    pred_by_image = {a["image_id"]: a for a in pred_json["annotations"]}
    stat = defaultdict(lambda: {"iou": 0.0, "tp": 0, "fp": 0, "fn": 0})
    for gt_ann in gt_json["annotations"]:
        pred_ann = pred_by_image[gt_ann["image_id"]]
        pan_gt = rgb2id(np.array(Image.open(os.path.join(gt_folder, gt_ann["file_name"])), dtype=np.uint32))
        pan_pred = rgb2id(np.array(Image.open(os.path.join(pred_folder, pred_ann["file_name"])), dtype=np.uint32))
        gt_segms = {s["id"]: dict(s) for s in gt_ann["segments_info"]}
        pred_segms = {s["id"]: dict(s) for s in pred_ann["segments_info"]}
        pred_labels = set(pred_segms)
        for label, count in zip(*np.unique(pan_pred, return_counts=True)):
            if label not in pred_segms:
                assert label == 0, f"segment {label} in the PNG, not in the JSON"
                continue
            pred_segms[label]["area"] = count
            pred_labels.remove(label)
            assert pred_segms[label]["category_id"] in categories
        assert not pred_labels, f"segments {pred_labels} in the JSON, not in the PNG"
        pairs = {}
        for label, inter in zip(*np.unique(pan_gt.astype(np.uint64) * OFFSET + pan_pred.astype(np.uint64), return_counts=True)):
            pairs[(int(label // OFFSET), int(label % OFFSET))] = inter
        gt_matched, pred_matched = set(), set()
        for (g, p), inter in pairs.items():
            if g not in gt_segms or p not in pred_segms or gt_segms[g]["iscrowd"] == 1:
                continue
            if gt_segms[g]["category_id"] != pred_segms[p]["category_id"]:
                continue
            union = pred_segms[p]["area"] + gt_segms[g]["area"] - inter - pairs.get((0, p), 0)
            if inter / union > 0.5:
                stat[gt_segms[g]["category_id"]]["tp"] += 1
                stat[gt_segms[g]["category_id"]]["iou"] += inter / union
                gt_matched.add(g)
                pred_matched.add(p)
        for g, info in gt_segms.items():
            if g not in gt_matched and info["iscrowd"] != 1:
                stat[info["category_id"]]["fn"] += 1
        for p, info in pred_segms.items():
            if p not in pred_matched and pairs.get((0, p), 0) / info["area"] <= 0.5:
                stat[info["category_id"]]["fp"] += 1
    return stat, categories


def pq_average(stat, categories, isthing):
    pq, n = 0.0, 0
    for label, info in categories.items():
        if isthing is not None and (info["isthing"] == 1) != isthing:
            continue
        s = stat[label]
        if s["tp"] + s["fp"] + s["fn"] == 0:
            continue
        n += 1
        pq += s["iou"] / (s["tp"] + 0.5 * s["fp"] + 0.5 * s["fn"])
    return pq / n, n  # ZeroDivisionError when no category of the kind was seen


@pytest.fixture(scope="module")
def qs(tmp_path_factory):
    # configs/quickstart.yaml declares ground and sky stuff categories.
    return generate(SOURCE / "configs/quickstart.yaml", tmp_path_factory.mktemp("pan") / "d", "--frames", "4",
                    "outputs=[panoptic, cityscapes]")


def test_pq_compute_scores_the_ground_truth_against_itself_as_perfect(qs):
    stat, categories = pq_stats(str(qs / "panoptic.json"), str(qs / "panoptic.json"))
    for isthing in (None, True, False):
        pq, n = pq_average(stat, categories, isthing)
        assert pq == pytest.approx(1.0) and n > 0, isthing
    assert {c["name"] for c in categories.values() if c["isthing"] == 0} == {"ground", "sky"}


def test_stuff_segments_cover_the_semantic_pixels_of_unlabeled_surfaces(qs):
    pan = json.load(open(qs / "panoptic.json"))
    stuff = {c["id"] for c in pan["categories"] if c["isthing"] == 0}
    for ann in pan["annotations"]:
        ids = rgb2id(np.array(Image.open(qs / "panoptic" / ann["file_name"])))
        stem = ann["file_name"][: -len(".png")]
        semantic = np.array(Image.open(qs / "semantic" / f"{stem}.png"))
        instance = np.array(Image.open(qs / "instance" / f"{stem}.png"))
        for seg in ann["segments_info"]:
            mask = ids == seg["id"]
            assert mask.sum() == seg["area"]
            if seg["category_id"] in stuff:
                assert np.array_equal(mask, (instance == 0) & (semantic == seg["category_id"]))
            else:
                assert np.array_equal(mask, instance == seg["id"])
        # Cityscapes (cityscapesscripts/preparation/json2instanceImg.py): instance ids are class x 1000 + k
        # for classes with instances, the class id alone otherwise; labelIds hold every pixel's class.
        labels = np.array(Image.open(qs / "cityscapes" / f"{stem}_gtFine_labelIds.png"))
        inst_ids = np.array(Image.open(qs / "cityscapes" / f"{stem}_gtFine_instanceIds.png"))
        assert np.array_equal(labels, semantic)
        unlabeled = instance == 0
        assert np.array_equal(inst_ids[unlabeled], semantic[unlabeled])
        assert (inst_ids[~unlabeled] // 1000 == semantic[~unlabeled]).all()
    rc, _, stderr = check(qs)
    assert rc == 0, stderr


def test_without_stuff_pq_compute_divides_by_zero(tmp_path):
    # tests/data/floating.yaml declares no stuff category: panopticapi cannot average "Stuff".
    out = generate(SOURCE / "tests/data/floating.yaml", tmp_path / "d", "--frames", "2", "outputs=[panoptic]")
    stat, categories = pq_stats(str(out / "panoptic.json"), str(out / "panoptic.json"))
    assert pq_average(stat, categories, True)[0] == pytest.approx(1.0)
    with pytest.raises(ZeroDivisionError):
        pq_average(stat, categories, False)
