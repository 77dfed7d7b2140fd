"""outputs: [classes], image-level classification labels, read the way a classification team's loader
reads them: classes.csv with Python's csv module (RFC 4180 quoting), classes.json with json. Every
number is checked against the pixels: a category is listed for a frame exactly when the semantic PNG
(read with OpenCV) holds it, with its pixel count and share = count / (W x H); image ids and file
names as coco.json has them.
"""
import csv
import json

import cv2
import numpy as np

from conftest import SOURCE, generate


def test_classes_match_the_semantic_pixels(tmp_path):
    # A category name with a comma and a quote, to prove the CSV's quoting.
    name = 'box, "large"'
    out = generate(SOURCE / "configs/quickstart.yaml", tmp_path / "ds", "--frames", "6", "--resolution", "160x120",
                   "outputs=[classes]", f"categories[0]={json.dumps(name)}", f"objects[1].category={json.dumps(name)}")
    coco = json.loads((out / "coco.json").read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    assert names[1] == name
    with open(out / "classes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and list(rows[0].keys()) == ["file_name", "category_id", "category", "pixels", "share"]
    doc = json.loads((out / "classes.json").read_text())
    assert [c["id"] for c in doc["categories"]] == sorted(names)
    assert [(i["id"], i["file_name"]) for i in doc["images"]] == [(i["id"], i["file_name"]) for i in coco["images"]]
    by_file = {}
    for r in rows:
        by_file.setdefault(r["file_name"], []).append(r)
    seen_stuff = False
    for image in coco["images"]:
        semantic = cv2.imread(str(out / image["semantic_file"]), cv2.IMREAD_UNCHANGED)
        assert semantic is not None and semantic.shape == (image["height"], image["width"])
        ids, counts = np.unique(semantic[semantic != 0], return_counts=True)
        truth = {int(c): int(n) for c, n in zip(ids, counts)}
        total = semantic.size
        listed = by_file.get(image["file_name"], [])
        assert [int(r["category_id"]) for r in listed] == sorted(truth)  # by id, exactly the present ones
        for r in listed:
            c = int(r["category_id"])
            assert r["category"] == names[c]
            assert int(r["pixels"]) == truth[c]
            assert r["share"] == f"{truth[c] / total:.6f}"
        entry = next(i for i in doc["images"] if i["id"] == image["id"])
        assert {l["category_id"]: l["pixels"] for l in entry["labels"]} == truth
        assert sum(truth.values()) <= total
        seen_stuff = seen_stuff or any(names[c] in ("ground", "sky") for c in truth)
    assert seen_stuff  # stuff surfaces and the background category are categories too
    assert f'"box, ""large"""' in (out / "classes.csv").read_text()
