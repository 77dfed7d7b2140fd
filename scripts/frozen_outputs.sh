#!/usr/bin/env bash
# Behaviour frozen? Renders every example config (configs/*.yaml) with two synthlabel builds, all
# outputs on and with the default outputs (RGB as JPEG), 20 frames each (a sweep config: its own
# frames), checks each dataset, and compares every file byte for byte. Only the git revision may
# differ (coco.json's info, the manifest, and the manifest's hashes of the JSON files that carry it).
#   scripts/frozen_outputs.sh OLD_BINARY NEW_BINARY [WORK_FOLDER]
# Both builds must read every config; FROZEN_CONFIGS="a b" (names without .yaml) limits the set, e.g.
# to the configs an older build knows.
# Exit 0 when every file matches; 1 listing the files that differ.
set -euo pipefail
old=$1 new=$2 work=${3:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
all='outputs=[amodal, polygons, normals, panoptic, cityscapes, voc, yolo, yolo_seg, kitti, bop]'
render() {  # BINARY ROOT
  rm -rf "$2" && mkdir -p "$2"
  for c in "$here"/configs/*.yaml; do
    n=$(basename "$c" .yaml)
    if [ -n "${FROZEN_CONFIGS:-}" ] && [[ " $FROZEN_CONFIGS " != *" $n "* ]]; then continue; fi
    frames=(--frames 20)
    grep -q 'sweep' "$c" && frames=()
    "$1" generate -q "$c" "$all" --out "$2/$n.all" "${frames[@]}" -j 2 >/dev/null
    "$1" generate -q "$c" --out "$2/$n.default" "${frames[@]}" -j 2 --rgb jpeg >/dev/null
    "$1" check "$2/$n.all" >/dev/null
    "$1" check "$2/$n.default" >/dev/null
  done
}
hashes() {  # ROOT -> "hash path" lines, the git revision normalized
  /usr/bin/python3 - "$1" <<'PY'
import hashlib, json, os, re, sys
root = sys.argv[1]
rev = re.compile(rb'"git_revision":\s*"[^"]*"')
rows = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        b = rev.sub(b'"git_revision":""', open(p, 'rb').read())
        if f == 'manifest.json':
            m = json.loads(b)
            for k in list(m.get('file_hashes', {})):
                if k.endswith('.json'):
                    m['file_hashes'][k] = 'checked as a file'
            for k in [k for k in m if k.endswith('_hash')]:
                m[k] = 'checked as a file'
            b = json.dumps(m, sort_keys=True).encode()
        rows.append((os.path.relpath(p, root), hashlib.sha256(b).hexdigest()[:16]))
for path, h in sorted(rows):
    print(h, path)
PY
}
render "$old" "$work/old"
render "$new" "$work/new"
hashes "$work/old" > "$work/old.txt"
hashes "$work/new" > "$work/new.txt"
if diff "$work/old.txt" "$work/new.txt" > "$work/diff.txt"; then
  echo "frozen: $(wc -l < "$work/new.txt") files in $(ls "$work/new" | wc -l) datasets byte-identical (git revision aside)"
else
  echo "differ:"; cat "$work/diff.txt"; exit 1
fi
