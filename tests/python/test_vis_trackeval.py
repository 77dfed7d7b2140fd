"""outputs: [vis] read as TrackEval's YouTubeVIS reads video instance segmentation ground truth, with a
reader written from its source (JonathonLuiten/TrackEval, trackeval/datasets/youtube_vis.py at 11bf28e:
the one .json in GT_FOLDER + "youtube_vis_" + SPLIT; a video's sequence name is file_names[0]'s first
path part and its length len(file_names); a track's segmentations[t] is null or an object that
_prepare_gt_annotations hands to pycocotools' frPyObjects with the track's height and width, i.e.
uncompressed RLE (cocoapi PythonAPI/pycocotools/_mask.pyx frPyObjects -> frUncompressedRLE: counts a
list of run lengths, column-major, starting with a run of zeros); its track area the mean of its
non-null `areas`). Every decoded mask must equal the instance PNG's pixels of that instance, and
boxes, areas and categories coco.json's.
"""
import filecmp
import json
from collections import defaultdict

import cv2
import numpy as np

from conftest import SOURCE, generate


def decode_uncompressed_rle(seg, h, w):
    assert seg["size"] == [h, w]
    flat = np.zeros(h * w, dtype=np.uint8)
    pos, value = 0, 0
    for run in seg["counts"]:
        flat[pos:pos + run] = value
        pos += run
        value = 1 - value
    assert pos == h * w
    return flat.reshape((w, h)).T  # column-major


def test_vis_ground_truth_as_trackeval_reads_it(tmp_path):
    out = generate(SOURCE / "tests/data/clips.yaml", tmp_path / "ds", "outputs=[vis]")
    gt_folder = out / "vis" / "youtube_vis_all"
    files = [p for p in gt_folder.iterdir() if p.name.endswith(".json")]
    assert len(files) == 1  # "does not contain exactly one json file" otherwise
    gt = json.loads(files[0].read_text())
    coco = json.loads((out / "coco.json").read_text())
    seq_of = {v["file_names"][0].split("/")[0]: v["id"] for v in gt["videos"]}
    assert sorted(seq_of) == ["clip000000", "clip000001", "clip000002"]
    images = {(i["video_id"], i["frame_index"]): i for i in coco["images"]}
    anns = defaultdict(dict)
    for a in coco["annotations"]:
        anns[a["image_id"]][a["track_id"]] = a
    checked = 0
    for video in gt["videos"]:
        vid, length = video["id"], len(video["file_names"])
        assert video["length"] == length == (8 if vid < 3 else 4)
        frames = [images[(vid, t)] for t in range(length)]
        for t, im in enumerate(frames):
            assert filecmp.cmp(out / im["file_name"], out / "vis/JPEGImages" / video["file_names"][t], shallow=False)
        # The clip's instances in id order are its tracks in order.
        instance_ids = sorted({tid for im in frames for tid in anns[im["id"]]})
        tracks = [a for a in gt["annotations"] if a["video_id"] == vid]
        assert len(tracks) == len(instance_ids)
        for track, iid in zip(tracks, instance_ids):
            h, w = track["height"], track["width"]
            assert len(track["segmentations"]) == len(track["areas"]) == len(track["bboxes"]) == length
            for t, im in enumerate(frames):
                a = anns[im["id"]].get(iid)
                seg = track["segmentations"][t]
                if a is None:
                    assert seg is None and track["areas"][t] is None
                    continue
                ids = cv2.imread(str(out / im["instance_file"]), cv2.IMREAD_UNCHANGED)
                mask = decode_uncompressed_rle(seg, h, w)
                assert np.array_equal(mask.astype(bool), ids == iid)
                assert track["areas"][t] == a["area"] == int(mask.sum())
                assert track["bboxes"][t] == a["bbox"]
                assert track["category_id"] == a["category_id"]
                checked += 1
    assert checked == len(coco["annotations"])
    assert {c["id"] for c in gt["categories"]} == {c["id"] for c in coco["categories"] if c.get("isthing", 1)}
