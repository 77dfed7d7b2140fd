#!/usr/bin/env bash
# Regenerates the table in docs/bad-inputs.md from real runs of build/synthlabel: each bad input, the
# one line a user sees, the exit code. Run from the repo root after building:
#   scripts/bad_inputs_table.sh > docs/bad-inputs.md
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${SYNTHLABEL_BIN:-$PWD/build/synthlabel}  # (the test suite passes its build's)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
ok='categories: [box]
objects: [{primitive: cube, category: box}]'
head -c 1024 assets/models/bottle.glb > "$t/broken.glb"

row() {  # row DESCRIPTION YAML [OPTIONS...]
  local desc=$1 yaml=$2; shift 2
  printf '%s\n' "$yaml" > "$t/scene.yaml"
  rm -rf "$t/out"
  local got; got=$(cd "$t" && "$bin" generate scene.yaml --out out --quiet "$@" 2>&1 >/dev/null; echo "::$?")
  show "$desc" "${got%::*}" "${got##*::}"
}

show() {  # show DESCRIPTION MESSAGE EXIT: one table row
  local msg=${2%$'\n'}
  msg=${msg//$t\//}
  msg=${msg//$t/.}
  msg=${msg//|/\\|}
  printf '| %s | `%s` | %s |\n' "$1" "${msg:0:400}" "$3"
}

cat <<'HEAD'
# Bad input: what a user sees

Every row below is a real run of `synthlabel generate scene.yaml --out out` (the config named
`scene.yaml` in the current folder); regenerate with `scripts/bad_inputs_table.sh > docs/bad-inputs.md`.
In every case the message is one line on stderr, the exit code is as documented in the README, and no
output folder is created (for 2, 3 and 5 nothing is touched; for 4 nothing already written is lost).

| bad input | message | exit |
|---|---|---|
HEAD
row "YAML syntax error" 'seed: 1
categories: [box
objects: []'
row "unknown key (typo)" "$ok
camera: {distnce: 4}"
row "wrong type" "frames: many
$ok"
row "min greater than max" "$ok
camera: {distance: {uniform: [5, 1]}}"
row "unknown distribution" "$ok
camera: {distance: {gauss: [5, 1]}}"
row "negative count" 'categories: [box]
objects: [{primitive: cube, category: box, count: -1}]'
row "unknown category" 'categories: [box]
objects: [{primitive: cube, category: boxes}]'
row "duplicate key" "seed: 1
seed: 2
$ok"
row "missing objects" 'categories: [box]'
row "empty file" ''
row "include of a device file (include: /dev/zero)" "include: /dev/zero
$ok"
row "include cycle" "include: scene.yaml
$ok"
row "YAML nested 100,000 deep" "seed: $(printf '[%.0s' $(seq 1000))$(printf ']%.0s' $(seq 1000))
$ok"
row "text that is not UTF-8" "$(printf 'categories: [\xff\xfe]\nobjects: [{primitive: cube, category: box}]')"
row "absurd resolution" "resolution: [16384, 16384]
$ok"
row "absurd count" 'categories: [box]
objects: [{primitive: cube, category: box, count: 99999999}]'
row "missing asset" 'categories: [box]
objects: [{asset: gone.glb, category: box}]'
row "corrupt asset (truncated GLB)" 'categories: [box]
objects: [{asset: broken.glb, category: box}]'
row "asset that exhausts memory (assimp-testmodels invalid/OutOfMemory.off)" 'categories: [box]
objects: [{asset: /usr/share/assimp/models/invalid/OutOfMemory.off, category: box}]'
row "asset outside --asset-root" 'categories: [box]
objects: [{asset: ../../../../../../etc/passwd, category: box}]' --asset-root .
mkdir -p "$t/models" "$t/textures" && cp assets/textures/checker.png "$t/textures/"
row "texture folder outside --asset-root" 'categories: [box]
objects: [{name: b, primitive: cube, category: box}]
randomizers: [{type: material, objects: [b], texture_folder: textures}]' --asset-root models
rm -rf "$t/models" "$t/textures"
row "unknown randomizer" "$ok
randomizers: [{type: place_on_surfce, height: 0}]"
row "unknown randomizer parameter" "$ok
randomizers: [{type: rotate, axis: [0, 1, 0], angel_deg: 30}]"
row "randomizer naming no object" "$ok
randomizers: [{type: rotate, objects: [bx], jitter_deg: 2}]"
row "missing texture folder" "$ok
randomizers: [{type: material, texture_folder: textures}]"
row "missing environment map" "$ok
environment: {maps: sky.exr}"
row "corrupt environment map" "$ok
environment: {maps: broken.glb}"
row "unknown --device" "$ok" --device no-such-gpu
row "unknown option" "$ok" --framez 3
row "--resolution out of range" "$ok" --resolution 99999x2
mkdir -p "$t/out" && echo keep > "$t/out/notes.txt"
printf '%s\n' "$ok" > "$t/scene.yaml"
got=$(cd "$t" && "$bin" generate scene.yaml --out out --quiet 2>&1 >/dev/null; echo "::$?")
show "output folder not empty" "${got%::*}" "${got##*::}"
got=$(cd "$t" && "$bin" generate scene.yaml --out out --quiet --overwrite 2>&1 >/dev/null; echo "::$?")
show "--overwrite on a folder that is not a dataset" "${got%::*}" "${got##*::}"
got=$(cd "$t" && "$bin" generate scene.yaml --out /proc/x --quiet 2>&1 >/dev/null; echo "::$?")
show "unwritable output path" "${got%::*}" "${got##*::}"
got=$(cd "$t" && VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json \
      "$bin" generate scene.yaml --out out2 --quiet 2>&1 >/dev/null; echo "::$?")
show "no Vulkan driver" "${got%::*}" "${got##*::}"
cp tests/data/floating.yaml "$t/floating.yaml"
sed -i 's|../../assets|'"$PWD"'/assets|' "$t/floating.yaml"
got=$(cd "$t" && (ulimit -f 16; "$bin" generate floating.yaml --out out3 --quiet) 2>&1 >/dev/null; echo "::$?")
show "file-size limit reached (\`ulimit -f 16\`)" "${got%::*}" "${got##*::}"

cat <<'MID'

## Hostile input: data never destroyed, nothing read outside the root, no hang, no crash

Each row is a real run in a scratch folder (scripts/bad_inputs_table.sh has the commands). synthlabel deletes
only what it can prove it wrote: a manifest with `"tool": "synthlabel"`, and only the files it
accounts for (frame files in its range, its dataset-level files); it never writes over an input of
the same command and holds a lock on the output folder while writing. With `--asset-root`, nothing a
config, an include or a model refers to is opened outside it; FIFOs and devices are never opened.
`check` rows show the first of its lines (one per defect), then exit 6.

| hostile input | message | exit |
|---|---|---|
MID
cmd() {  # cmd DESCRIPTION SHELL-COMMAND: run in $t, show the first stderr line and the exit code
  local got; got=$(cd "$t" && bash -c "$2" 2>&1 >/dev/null; echo "::$?")
  local msg=${got%::*}
  show "$1" "${msg%%$'\n'*}" "${got##*::}"
}
printf '%s\n' "seed: 1
resolution: [64, 48]
$ok" > "$t/cube.yaml"
gen="$bin generate cube.yaml --quiet --frames 2"
mkdir -p "$t/theirs/rgb" && echo '{"tool": "blenderproc"}' > "$t/theirs/manifest.json" && echo x > "$t/theirs/rgb/000000.png"
cmd "--overwrite on another tool's dataset (its manifest.json has no \"tool\": \"synthlabel\")" "$gen --out theirs --overwrite"
mkdir -p "$t/d.parts" && echo mine > "$t/d.parts/results.csv"
cmd "--devices 0,0 with a user's file in OUT.parts/" "$gen --out d --devices 0,0"
(cd "$t" && $gen --out a --shard 0/2 >/dev/null && $gen --out b --shard 1/2 >/dev/null)
cmd "merge A B --out A --overwrite (an input as output)" "$bin merge a b --out a --overwrite"
cp -r "$t/b" "$t/b2" && sed -i 's/"file_name":"rgb\/000001.png"/"file_name":"rgb\/x.png"/' "$t/b2/records/000001.json"
cmd "merge of a shard whose record was edited after it finished" "$bin merge a b2 --out m"
cmd "a second generate into a folder another one is writing" "$bin generate cube.yaml --quiet --frames 2000 --threads 1 --out busy & pid=\$!; while [ ! -f busy/manifest.json ]; do sleep 0.05; done; $gen --out busy --overwrite; rc=\$?; kill \$pid; wait \$pid; exit \$rc"
cmd "check DS --report DS/coco.json" "$bin check a --report a/coco.json"
mkdir -p "$t/root"
python3 - "$t" <<'PY'
import struct, sys, os
t = sys.argv[1]
tri = struct.pack('<9f', 0, 0, 0, 1, 0, 0, 0, 1, 0)
open(f'{t}/outside.bin', 'wb').write(tri)
def gltf(uri):
    return ('{"asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}], "meshes": [{"primitives": '
            '[{"attributes": {"POSITION": 0}}]}], "buffers": [{"uri": "%s", "byteLength": 36}], "bufferViews": [{"buffer": 0, '
            '"byteLength": 36}], "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3", '
            '"max": [1, 1, 0], "min": [0, 0, 0]}]}' % uri)
open(f'{t}/root/rel.gltf', 'w').write(gltf('../outside.bin'))
open(f'{t}/root/fifo.gltf', 'w').write(gltf('fifo.bin'))
os.mkfifo(f'{t}/root/fifo.bin')
open(f'{t}/root/tex.obj', 'w').write('mtllib tex.mtl\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nusemtl red\nf 1/1 2/2 3/3\n')
open(f'{t}/root/tex.mtl', 'w').write(f'newmtl red\nKd 1 0 0\nmap_Kd {t}/outside.png\n')
PY
cp assets/textures/checker.png "$t/outside.png"
asset() { printf 'categories: [t]\nobjects: [{asset: %s, category: t}]\n' "$1" > "$t/root/scene.yaml"; }
asset rel.gltf; cmd "a glTF buffer outside --asset-root (\"uri\": \"../outside.bin\")" "$bin generate root/scene.yaml --out o --quiet --asset-root root"
asset tex.obj; cmd "an OBJ texture at an absolute path outside --asset-root" "$bin generate root/scene.yaml --out o --quiet --asset-root root"
asset fifo.gltf; cmd "a glTF buffer that is a FIFO (with or without --asset-root)" "$bin generate root/scene.yaml --out o --quiet"
printf 'include: /proc/self/status\n%s\n' "$ok" > "$t/root/inc.yaml"
cmd "include: /proc/self/status under --asset-root" "$bin generate root/inc.yaml --out o --quiet --asset-root root"
for i in 0 1 2 3 4; do printf 'include: [f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml, f%d.yaml]\n' $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) $((i+1)) > "$t/f$i.yaml"; done
echo 'seed: 1' > "$t/f5.yaml"
printf 'include: f0.yaml\n%s\n' "$ok" > "$t/fan.yaml"
cmd "include fan-out: f0 includes f1 ten times, f1 includes f2 ten times, ... (10^5 reads)" "$bin generate fan.yaml --out o --quiet"
bomb="{a0: &a0 [1,1,1,1,1,1,1,1,1,1]"
for i in 1 2 3 4 5 6 7 8 9; do bomb+=", a$i: &a$i [*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1))]"; done
bomb+="}"
cmd "a YAML alias bomb (10^9 values) in an override" "$bin generate cube.yaml 'camera.extra=$bomb' --out o --quiet"
cmd "check on a coco.json that is \`[]\`" "cp -r a c1 && echo '[]' > c1/coco.json && $bin check c1"
cmd "check on a category id of 1e15" "cp -r a c2 && sed -i 's/\"categories\":\[{\"id\":1,/\"categories\":[{\"id\":1000000000000000,/' c2/coco.json && $bin check c2"
cmd "--threads 256 under an address-space limit (\`ulimit -v 2000000\`)" "ulimit -v 2000000; $gen --out t1 --threads 256"
cmd "--start 18446744073709551615" "$gen --out t2 --start 18446744073709551615"
cmd "--seed -1 (also 2^64, 1e23)" "$gen --out t2 --seed -1"
cmd "--shard 5/18446744073709551615" "$gen --out t2 --shard 5/18446744073709551615"
row "a draw of \`uniform: [-1e308, 1e308]\`" 'categories: [box]
objects: [{primitive: cube, category: box, position: {uniform: [[-1e308, 0, 0], [1e308, 0, 0]]}}]'
row "\`near: 1e-9\` (every object would vanish)" "camera: {near: 1e-9}
$ok"
row "a category name with a newline" 'categories: ["box\nCar 0 0"]
objects: [{primitive: cube, category: "box\nCar 0 0"}]'
row "an \`include=FILE\` override" "$ok" include=other.yaml
printf 'seed: 1\ncategories: [bo\000x]\nobjects: [{primitive: cube, category: box}]\n' > "$t/nul.yaml"
cmd "a NUL byte in the YAML" "$bin generate nul.yaml --out o --quiet"
printf '%s\n' "$ok
environment: {maps: bad.exr}" > "$t/exr.yaml"
printf 'v/1\001\002\000\000\000channels\000chlist\000\350\003\000\000garbage' > "$t/bad.exr"
cmd "an EXR whose header breaks off" "$bin generate exr.yaml --out o --quiet"
mkdir -p "$t/tex" && printf '\211PNG\r\n\032\ncorrupt' > "$t/tex/bad.png"
row "a corrupt PNG in a texture folder" "$ok
randomizers: [{type: material, texture_folder: tex}]"
cmd "--resume with one config value changed" "$gen --out r >/dev/null 2>&1; sed 's/seed: 1/seed: 2/' cube.yaml > c.yaml && mv c.yaml cube.yaml && $gen --out r --resume"
cmd "a model on which Assimp prints a line (assimp-testmodels OpenGEX/empty_camera.ogex)" "printf 'categories: [t]\nobjects: [{asset: /usr/share/assimp/models/OpenGEX/empty_camera.ogex, category: t}]\n' > g.yaml && $bin generate g.yaml --out o --quiet"
row "optical flow without clips" "$ok
outputs: [flow]"
row "a motion key without clips" "categories: [box]
objects: [{primitive: cube, category: box, velocity: [1, 0, 0]}]"
row "\`per: frame\` on a randomizer that moves objects" "sequence: {length: 4}
$ok
randomizers: [{type: rotate, per: frame}]"
row "a keyframed path and a velocity on one object" "sequence: {length: 4}
categories: [box]
objects: [{primitive: cube, category: box, velocity: [1, 0, 0], path: [{t: 0, position: [0, 0, 0]}]}]"
row "path keys out of order" "sequence: {length: 4}
categories: [box]
objects: [{primitive: cube, category: box, path: [{t: 1, position: [0, 0, 0]}, {t: 0.5, position: [1, 0, 0]}]}]"
row "a flow format without flow" "sequence: {length: 4}
$ok
outputs: [kitti_flow]"
row "a LiDAR with zero channels" "$ok
lidar: {channels_deg: []}"
row "a LiDAR's min range above its max" "$ok
lidar: {preset: vlp16, range: [50, 10]}"
row "an unknown LiDAR preset" "$ok
lidar: {preset: hdl65}"
row "a range image of a solid-state LiDAR" "$ok
lidar: {preset: rosette}
outputs: [range_image]"
cat <<'TAIL'

A full disk reads like the file-size row with "No space left on device"; tests/e2e/CrashSafetyTest.cpp
fills a real 600 KiB tmpfs mid-run. After a full disk, a kill or a file-size limit, the frames already
written stay complete (each verified by the hashes in its record), and `--resume` finishes the dataset
byte-identical to an uninterrupted run.
TAIL
