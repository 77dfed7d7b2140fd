"""COCO keypoints evaluated per category, the way pycocotools' COCOeval computes OKS.

pycocotools is not packaged by Debian; the reader below follows PythonAPI/pycocotools/cocoeval.py:
COCOeval.computeOks (lines 192-233 at cocodataset/cocoapi HEAD) takes ONE sigma vector,
Params.kpt_oks_sigmas (line 523, COCO's 17 person sigmas by default), for every category, and
subtracts each detection's keypoints from the ground truth's: categories with different keypoint
counts cannot be evaluated in one run. synthlabel writes coco_keypoints/category_ID.json per keypoint
category for that; here each is evaluated with the ground truth as detections (OKS 1 for every
annotation with a labeled point), and the combined file is shown to break the same computation."""
import json

import numpy as np
import pytest

from conftest import SOURCE, check, generate


def compute_oks(gts, dts, sigmas):
    """cocoeval.py computeOks for one image and category (dts already sorted by score)."""
    sigmas = np.asarray(sigmas)
    var = (sigmas * 2) ** 2
    k = len(sigmas)
    ious = np.zeros((len(dts), len(gts)))
    for j, gt in enumerate(gts):
        g = np.array(gt["keypoints"])
        xg, yg, vg = g[0::3], g[1::3], g[2::3]
        k1 = np.count_nonzero(vg > 0)
        bb = gt["bbox"]
        x0, x1 = bb[0] - bb[2], bb[0] + bb[2] * 2
        y0, y1 = bb[1] - bb[3], bb[1] + bb[3] * 2
        for i, dt in enumerate(dts):
            d = np.array(dt["keypoints"])
            xd, yd = d[0::3], d[1::3]
            if k1 > 0:
                dx, dy = xd - xg, yd - yg
            else:
                z = np.zeros(k)
                dx = np.max((z, x0 - xd), axis=0) + np.max((z, xd - x1), axis=0)
                dy = np.max((z, y0 - yd), axis=0) + np.max((z, yd - y1), axis=0)
            e = (dx ** 2 + dy ** 2) / var / (gt["area"] + np.spacing(1)) / 2
            if k1 > 0:
                e = e[vg > 0]
            ious[i, j] = np.sum(np.exp(-e)) / e.shape[0]
    return ious


@pytest.fixture(scope="module")
def kp(tmp_path_factory):
    return generate(SOURCE / "configs/keypoints.yaml", tmp_path_factory.mktemp("kp") / "d", "--frames", "6")


def test_each_keypoint_category_evaluates_on_its_own(kp):
    coco = json.load(open(kp / "coco.json"))
    keypoint_categories = [c for c in coco["categories"] if "keypoints" in c]
    assert len({len(c["keypoints"]) for c in keypoint_categories}) > 1, "the example mixes keypoint counts"
    for cat in keypoint_categories:
        f = json.load(open(kp / "coco_keypoints" / f"category_{cat['id']}.json"))
        assert f["categories"] == [cat]
        assert f["images"] == coco["images"]
        sigmas = [0.05] * len(cat["keypoints"])  # a user's per-keypoint sigmas: one per name
        mine = [a for a in coco["annotations"] if a["category_id"] == cat["id"]]
        assert [a["id"] for a in f["annotations"]] == list(range(1, len(mine) + 1))
        evaluated = 0
        for image in f["images"]:
            gts = [a for a in f["annotations"] if a["image_id"] == image["id"] and a["num_keypoints"] > 0]
            if not gts:
                continue
            oks = compute_oks(gts, gts, sigmas)  # ground truth as detections
            assert np.allclose(np.diag(oks), 1.0)
            evaluated += len(gts)
        assert evaluated > 0, cat["name"]


def test_the_combined_file_cannot_be_evaluated_with_one_sigma_vector(kp):
    combined = json.load(open(kp / "coco_keypoints.json"))
    first = combined["categories"][0]
    sigmas = [0.05] * len(first["keypoints"])
    other = [a for a in combined["annotations"] if a["category_id"] != first["id"] and a["num_keypoints"] > 0]
    assert other
    with pytest.raises(ValueError):
        compute_oks(other[:1], other[:1], sigmas)
    rc, _, stderr = check(kp)
    assert rc == 0, stderr
