"""outputs: [kitti_tracking] read as TrackEval's Kitti2DBox reads KITTI tracking ground truth, with a
reader written from its source (JonathonLuiten/TrackEval, trackeval/datasets/kitti_2d_box.py at 3a293cf:
the seqmap GT_FOLDER/evaluate_tracking.seqmap.SPLIT, rows of >= 4 columns giving the sequence (0) and
its number of timesteps (3); GT_FOLDER/label_02/SEQ.txt, rows keyed by str(t) of column 0, id column 1,
class column 2, truncation column 3 and occlusion column 4 as integers, the box x0 y0 x1 y1 in columns
6:10). Rows are checked against coco.json (track ids, category names, boxes) and against the kitti
object format's lines of the same frames (the same 3D fields; truncation as our integer levels).
"""
import csv
import filecmp
import json
from collections import defaultdict

from conftest import SOURCE, generate


def read_kitti_tracking(gt_folder, split="training"):
    with open(gt_folder / f"evaluate_tracking.seqmap.{split}") as fp:
        dialect = csv.Sniffer().sniff(fp.read(1024))
        fp.seek(0)
        seqs = [(row[0], int(row[3])) for row in csv.reader(fp, dialect) if len(row) >= 4]
    out = {}
    for seq, length in seqs:
        rows = defaultdict(list)
        for line in (gt_folder / "label_02" / f"{seq}.txt").read_text().splitlines():
            cols = line.split(" ")
            rows[cols[0]].append(cols)
        out[seq] = [rows.get(str(t), []) for t in range(length)]
    return out


def test_kitti_tracking_as_trackeval_reads_it(tmp_path):
    out = generate(SOURCE / "tests/data/clips.yaml", tmp_path / "ds", "outputs=[kitti_tracking, kitti]")
    coco = json.loads((out / "coco.json").read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    images = {(i["video_id"], i["frame_index"]): i for i in coco["images"]}
    anns = defaultdict(dict)
    for a in coco["annotations"]:
        anns[a["image_id"]][a["track_id"]] = a
    seqs = read_kitti_tracking(out / "kitti_tracking")
    assert [s for s in seqs] == ["0000", "0001", "0002"] and [len(t) for t in seqs.values()] == [8, 8, 4]
    checked = 0
    for seq, timesteps in seqs.items():
        for t, rows in enumerate(timesteps):
            image = images[(int(seq) + 1, t)]
            assert filecmp.cmp(out / image["file_name"], out / f"kitti_tracking/image_02/{seq}/{t:06d}.png", shallow=False)
            obj_lines = (out / "kitti/label_2" / f"{image['id'] - 1:06d}.txt").read_text().splitlines()
            assert len(rows) == len(obj_lines) == len(anns[image["id"]])
            ids = [int(r[1]) for r in rows]
            assert len(set(ids)) == len(ids)
            for r, obj in zip(rows, obj_lines):
                a = anns[image["id"]][int(r[1])]
                assert r[2] == names[a["category_id"]]
                x, y, w, h = a["bbox"]
                assert [float(v) for v in r[6:10]] == [x, y, x + w, y + h]
                o = obj.split(" ")
                assert r[2] == o[0] and r[4] == o[2] and r[5:] == o[3:]  # same type, occlusion, 3D fields
                trunc = float(o[1])
                assert int(r[3]) == (0 if trunc <= 0 else 1 if trunc <= 0.5 else 2)
                assert int(r[4]) in (0, 1, 2)  # known: the amodal renders are on
                checked += 1
    assert checked == len(coco["annotations"])
