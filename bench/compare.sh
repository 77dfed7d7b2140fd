#!/usr/bin/env bash
# bench/compare.sh OLD NEW [CONFIG] [--frames N] [--runs R] [-- BENCH OPTIONS...]
#
# Runs two synthlabel builds' `bench --json` on the same config alternately (old, new, old, new, ...:
# drift of the machine falls on both alike), R times each, and prints per build the median frames/s
# with its range, the ratio new / old (median of the R paired ratios, with their min and max), and
# each stage's median ms/frame side by side. Numbers only: nothing is asserted.
#   bench/compare.sh /tmp/before/build/synthlabel build/synthlabel configs/quickstart.yaml --frames 100 --runs 5
set -euo pipefail
if [[ $# -lt 2 ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
old=$1 new=$2
shift 2
config=configs/quickstart.yaml
if [[ $# -gt 0 && $1 != -* ]]; then config=$1; shift; fi
frames=50 runs=3
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --frames) frames=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for b in "$old" "$new"; do
  [[ -x $b ]] || { echo "compare.sh: $b is not an executable" >&2; exit 2; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((r = 0; r < runs; ++r)); do
  for side in old new; do
    bin=$old
    [[ $side == new ]] && bin=$new
    "$bin" bench "$config" --frames "$frames" --json "${extra[@]}" > "$out/$side.$r.json"
  done
done
/usr/bin/env python3 - "$out" "$runs" "$old" "$new" "$config" <<'PY'
import json, pathlib, statistics, sys
out, runs, old, new, config = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
runs_of = {s: [json.loads((out / f"{s}.{r}.json").read_text()) for r in range(runs)] for s in ("old", "new")}
first = runs_of["old"][0]
threads = {side: runs_of[side][0]["threads"] for side in ("old", "new")}
threads_text = (f"{threads['old']} encoder threads" if threads["old"] == threads["new"]
                else f"encoder threads: old {threads['old']}, new {threads['new']}")
print(f"compare: {config}, {first['width']}x{first['height']}, {first['frames']} frames x {runs} runs each, "
      f"alternating; device {first['device']}, {threads_text}")
# Frames only (the frame loop), then end to end (start-up, the frames and the dataset's last files:
# what `generate` takes).
for key, what in (("frames_per_second", "frames/s"), ("end_to_end_frames_per_second", "frames/s end to end")):
    for side, path in (("old", old), ("new", new)):
        fps = [j[key] for j in runs_of[side]]
        print(f"  {side}: {path}: {statistics.median(fps):.2f} {what} (min {min(fps):.2f}, max {max(fps):.2f})")
    ratios = [n[key] / o[key] for o, n in zip(runs_of["old"], runs_of["new"]) if o[key] > 0]
    if ratios:
        print(f"  new / old: {statistics.median(ratios):.3f}x {what} (paired runs: min {min(ratios):.3f}, max {max(ratios):.3f})")
print("  stage (median ms/frame)            old        new     new/old")
keys = list(first["stages"].keys()) + [k for k in runs_of["new"][0]["stages"] if k not in first["stages"]]
for k in keys:
    med = {}
    for side in ("old", "new"):
        values = [j["stages"][k]["ms_per_frame"] for j in runs_of[side] if k in j["stages"]]
        med[side] = statistics.median(values) if values else None
    o, n = med["old"], med["new"]
    ratio = f"{n / o:8.3f}" if o and n is not None else "       -"
    fo = f"{o:9.3f}" if o is not None else "        -"
    fn = f"{n:9.3f}" if n is not None else "        -"
    print(f"  {k:<32} {fo}  {fn}  {ratio}")
PY
