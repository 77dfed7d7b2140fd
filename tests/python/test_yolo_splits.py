"""YOLO with splits: data.yaml's train/val lists read as Ultralytics reads them, from its source
(ultralytics/ultralytics ultralytics/data/base.py, BaseDataset.get_img_files: a list file's lines are
image paths, one starting with "./" is taken relative to the list's folder; ultralytics/data/utils.py,
img2label_paths: the label of .../images/X.ext is .../labels/X.txt). Each list must hold exactly the
images of its split, the same frames as coco_SPLIT.json.
"""
import json
import os
from pathlib import Path

import yaml

from conftest import SOURCE, generate


def ultralytics_images(list_file: Path):
    lines = list_file.read_text().strip().splitlines()
    parent = str(list_file.parent) + os.sep
    return [x.replace("./", parent) if x.startswith("./") else x for x in lines]


def label_of(image: str):
    sa, sb = f"{os.sep}images{os.sep}", f"{os.sep}labels{os.sep}"
    return sb.join(image.rsplit(sa, 1)).rsplit(".", 1)[0] + ".txt"


def test_yolo_lists_follow_the_splits(tmp_path):
    config = tmp_path / "scene.yaml"
    text = (SOURCE / "tests/data/floating.yaml").read_text().replace("../../assets", str(SOURCE / "assets"))
    config.write_text(text + "outputs: [yolo]\nsplits: {train: 0.6, val: 0.25, test: 0.15}\n")
    out = generate(config, tmp_path / "ds", "--frames", "16")
    data = yaml.safe_load((out / "yolo/data.yaml").read_text())
    for split in ("train", "val", "test"):
        assert data[split] == f"{split}.txt"
        images = ultralytics_images(out / "yolo" / data[split])  # Ultralytics: relative to data.yaml's folder
        assert images, split
        for im in images:
            assert Path(im).is_file() and Path(label_of(im)).is_file(), im
        coco = json.loads((out / f"coco_{split}.json").read_text())
        assert sorted(Path(im).stem for im in images) == sorted(Path(i["file_name"]).stem for i in coco["images"])
