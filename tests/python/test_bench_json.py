"""`synthlabel bench --json` and bench/compare.sh (issue 23): the figures as JSON a script can read,
the same stages as the table, and the comparison of two builds run alternately."""
import json
import re
import subprocess

from conftest import BINARY, SOURCE

CONFIG = SOURCE / "configs" / "quickstart.yaml"


def test_bench_json_holds_every_stage_of_the_table():
    r = subprocess.run([BINARY, "bench", str(CONFIG), "--frames", "3", "--resolution", "64x48", "--json"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert (j["width"], j["height"], j["frames"]) == (64, 48, 3)
    assert j["frames_per_second"] > 0 and j["peak_rss_mib"] > 0
    for key in ("scene_sampling", "render_wait", "label_extraction", "encode_rgb_png", "write_files", "frames_wall"):
        stage = j["stages"][key]
        assert stage["seconds"] >= 0
        assert abs(stage["ms_per_frame"] - 1000 * stage["seconds"] / 3) < 1e-9
    table = subprocess.run([BINARY, "bench", str(CONFIG), "--frames", "3", "--resolution", "64x48"],
                           capture_output=True, text=True).stdout
    rows = [l for l in table.splitlines() if re.match(r"^  \S.*\s+\d+\.\d{3}\s+\d+\.\d{3}", l)]
    assert len(rows) == len(j["stages"]), (rows, list(j["stages"]))


def test_compare_runs_two_builds_alternately_and_prints_the_ratio():
    r = subprocess.run([str(SOURCE / "bench" / "compare.sh"), BINARY, BINARY, str(CONFIG), "--frames", "2", "--runs", "2",
                        "--", "--resolution", "64x48"], capture_output=True, text=True, cwd=SOURCE)
    assert r.returncode == 0, r.stderr
    m = re.search(r"new / old: ([0-9.]+)x frames/s \(paired runs: min ([0-9.]+), max ([0-9.]+)\)", r.stdout)
    assert m, r.stdout
    ratio, lo, hi = map(float, m.groups())
    assert 0 < lo <= ratio <= hi
    assert "encode_rgb_png" in r.stdout and "64x48, 2 frames x 2 runs" in r.stdout
    bad = subprocess.run([str(SOURCE / "bench" / "compare.sh"), BINARY], capture_output=True, text=True)
    assert bad.returncode == 2 and "compare.sh OLD NEW" in bad.stderr
