#!/usr/bin/env bash
# Regenerates the table in docs/bad-inputs.md from real runs of build/synthlabel: each bad input, the
# one line a user sees, the exit code. Run from the repo root after building:
#   scripts/bad_inputs_table.sh > docs/bad-inputs.md
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/build/synthlabel
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
cat <<'TAIL'

A full disk reads like the file-size row with "No space left on device"; tests/e2e/CrashSafetyTest.cpp
fills a real 600 KiB tmpfs mid-run. After a full disk, a kill or a file-size limit, the frames already
written stay complete (each verified by the hashes in its record), and `--resume` finishes the dataset
byte-identical to an uninterrupted run.
TAIL
