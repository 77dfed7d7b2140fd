"""--rgb jpeg read with the tools users load images with (Debian's python3-opencv): the RGB files are
JPEGs of the same frames (close to the PNGs, never the same bytes), and every label is byte for byte
what the PNG run writes: only the RGB changes (the label contract: sensor-like effects touch RGB only).
"""
import json
import subprocess

import cv2
import numpy as np

from conftest import BINARY, SOURCE, generate


def test_jpeg_rgb_changes_the_rgb_only(tmp_path):
    config = tmp_path / "scene.yaml"
    text = (SOURCE / "tests/data/floating.yaml").read_text().replace("../../assets", str(SOURCE / "assets"))
    config.write_text(text + "outputs: [yolo, kitti]\n")
    png = generate(config, tmp_path / "png", "--frames", "3")
    jpg = generate(config, tmp_path / "jpg", "--frames", "3", "--rgb", "jpeg", "--jpeg-quality", "90")
    for i in range(3):
        stem = f"{i:06d}"
        a = cv2.imread(str(png / "rgb" / f"{stem}.png"), cv2.IMREAD_COLOR)
        b = cv2.imread(str(jpg / "rgb" / f"{stem}.jpg"), cv2.IMREAD_COLOR)
        assert b is not None and b.shape == a.shape
        diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
        assert diff.mean() < 3.0, diff.mean()
        # YOLO takes the JPEG as written; KITTI's image_2 stays PNG, the PNG run's bytes.
        assert (jpg / "yolo/images" / f"{stem}.jpg").read_bytes() == (jpg / "rgb" / f"{stem}.jpg").read_bytes()
        assert (jpg / "kitti/image_2" / f"{stem}.png").read_bytes() == (png / "rgb" / f"{stem}.png").read_bytes()
        for label in (f"instance/{stem}.png", f"semantic/{stem}.png", f"depth/{stem}.exr", f"kitti/label_2/{stem}.txt",
                      f"yolo/labels/{stem}.txt"):
            assert (jpg / label).read_bytes() == (png / label).read_bytes(), label
    a, b = json.loads((png / "coco.json").read_text()), json.loads((jpg / "coco.json").read_text())
    for im in b["images"]:
        assert im["file_name"].endswith(".jpg")
        im["file_name"] = im["file_name"][:-4] + ".png"
    assert a == b
    # The format is part of the dataset's identity: a PNG command does not resume a JPEG dataset.
    r = subprocess.run([BINARY, "generate", str(config), "--out", str(jpg), "--frames", "3", "--resume", "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "differ in rgb" in r.stderr, r.stderr
