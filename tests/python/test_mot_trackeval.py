"""outputs: [mot] read as TrackEval reads MOT Challenge ground truth, with a reader written from its
source (JonathonLuiten/TrackEval, trackeval/datasets/mot_challenge_2d_box.py at f56ff47):
- _get_seq_info: the seqmap GT_FOLDER/seqmaps/BENCHMARK-SPLIT.txt is CSV whose first row is a header;
  each sequence's seqinfo.ini is read with configparser, [Sequence] seqLength timesteps;
- _load_raw_file: GT_LOC_FORMAT '{gt_folder}/{seq}/gt/gt.txt' under GT_FOLDER/BENCHMARK-SPLIT; rows are
  grouped by their first column as text, timestep t reading the rows keyed str(t + 1); columns 2:6 are
  the box (x, y, w, h), column 1 the id, column 6 zero_marked, column 7 the class;
- get_preprocessed_seq_data: ids must be unique per timestep (_check_unique_ids); gt rows with
  zero_marked 0 are dropped; class 1 is the evaluated class;
- _calculate_similarities: IoU of xywh boxes.
Every row is checked against coco.json (track_id, category, tight box, visibility from the amodal
renders), and a tracker that outputs the ground truth (taken from coco.json) scores perfectly:
every gt det matched with IoU 1, no id switch.
"""
import configparser
import csv
import filecmp
import json
from collections import defaultdict

from conftest import SOURCE, generate


def iou_xywh(a, b):
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0.0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def read_sequences(gt_folder, benchmark="synthlabel", split="all"):
    with open(gt_folder / "seqmaps" / f"{benchmark}-{split}.txt") as fp:
        seqs = [row[0] for i, row in enumerate(csv.reader(fp)) if i > 0 and row[0] != ""]
    out = {}
    for seq in seqs:
        ini = configparser.ConfigParser()
        ini.read(gt_folder / f"{benchmark}-{split}" / seq / "seqinfo.ini")
        length = int(ini["Sequence"]["seqLength"])
        rows = defaultdict(list)
        with open(gt_folder / f"{benchmark}-{split}" / seq / "gt" / "gt.txt") as fp:
            for r in csv.reader(fp):
                rows[r[0]].append([float(x) for x in r])
        timesteps = []
        for t in range(length):
            data = rows.get(str(t + 1), [])
            timesteps.append({"ids": [int(d[1]) for d in data], "dets": [d[2:6] for d in data],
                              "zero_marked": [int(d[6]) for d in data], "classes": [int(d[7]) for d in data],
                              "visibility": [d[8] for d in data]})
        out[seq] = (ini["Sequence"], timesteps)
    return out


def test_mot_ground_truth_as_trackeval_reads_it(tmp_path):
    out = generate(SOURCE / "tests/data/clips.yaml", tmp_path / "ds", "outputs=[mot]")
    coco = json.loads((out / "coco.json").read_text())
    seqs = read_sequences(out / "mot")
    assert sorted(seqs) == ["clip000000", "clip000001", "clip000002"]
    by_image = defaultdict(list)
    for a in coco["annotations"]:
        by_image[a["image_id"]].append(a)
    rows_checked = 0
    for seq, (info, timesteps) in seqs.items():
        clip = int(seq[4:])
        assert info["imDir"] == "img1" and float(info["frameRate"]) == 10.0
        assert int(info["seqLength"]) == (8 if clip < 2 else 4)
        last = {}
        for t, ts in enumerate(timesteps):
            image = next(i for i in coco["images"] if i["video_id"] == clip + 1 and i["frame_index"] == t)
            assert (int(info["imWidth"]), int(info["imHeight"])) == (image["width"], image["height"])
            assert filecmp.cmp(out / image["file_name"], out / "mot/synthlabel-all" / seq / "img1" / f"{t + 1:06d}.png", shallow=False)
            assert len(set(ts["ids"])) == len(ts["ids"])  # _check_unique_ids
            anns = {a["track_id"]: a for a in by_image[image["id"]]}
            assert sorted(ts["ids"]) == sorted(anns)
            for k, tid in enumerate(ts["ids"]):
                a = anns[tid]
                x, y, w, h = a["bbox"]
                assert ts["dets"][k] == [x + 1, y + 1, w, h]  # 1-based left/top, as MOT's gt
                assert ts["classes"][k] == a["category_id"] and ts["zero_marked"][k] == 1
                assert abs(ts["visibility"][k] - a["visibility"]) <= 5e-7
                rows_checked += 1
            # A tracker that outputs the ground truth (built from coco.json: track ids, boxes in MOT's
            # 1-based convention): each gt det's best match has IoU 1, and no gt id ever switches to
            # another tracker id (CLEAR's IDSW counts exactly such changes).
            tracker = [(a["track_id"], [a["bbox"][0] + 1, a["bbox"][1] + 1, a["bbox"][2], a["bbox"][3]])
                       for a in by_image[image["id"]]]
            for k, gid in enumerate(ts["ids"]):
                best_iou, best_id = max((iou_xywh(ts["dets"][k], box), tid) for tid, box in tracker)
                assert best_iou == 1.0
                assert last.setdefault(gid, best_id) == best_id, f"id switch of {gid} at {seq} t={t}"
    assert rows_checked == len(coco["annotations"])
