#!/usr/bin/env bash
# Builds the Debian package (CPack) and smoke-tests it in a clean Debian 12 root: mmdebstrap makes a
# fresh bookworm root (minbase), `apt-get install ./synthlabel_*.deb` pulls its dependencies from
# Debian, then inside the root: synthlabel generate on /usr/share/synthlabel/configs/quickstart.yaml
# (lavapipe), check on the result, the man page and bash completion present, and the Python package
# (installed with the package's Recommends) rendering a frame.
# Needs root and mmdebstrap (scripts/setup.sh --tests installs it) and Debian's mirror; exit 77 when
# it cannot run here (not root, no mmdebstrap). Argument: the build folder (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
if ! command -v mmdebstrap >/dev/null || [[ $(id -u) -ne 0 ]]; then
  echo "deb_check: needs root and mmdebstrap for a clean Debian 12 root: skipped" >&2
  exit 77
fi
t0=$SECONDS
work=$(mktemp -d /tmp/synthlabel-deb-XXXXXX)
root=$work/root
cleanup() {
  umount "$root/proc" "$root/dev" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cpack --config "$build/CPackConfig.cmake" -B "$work/package" >/dev/null
deb=$(ls "$work"/package/synthlabel_*_amd64.deb)
echo "deb_check: built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((SECONDS - t0)) s" >&2
mmdebstrap --variant=minbase --include=ca-certificates bookworm "$root" >/dev/null 2>&1
echo "deb_check: clean bookworm root after $((SECONDS - t0)) s" >&2
cp "$deb" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
chroot "$root" /bin/bash -euo pipefail -c "
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq /tmp/$(basename "$deb") >/dev/null
  echo \"deb_check: installed: \$(dpkg-query -W synthlabel)\" >&2
  cd /tmp
  synthlabel --version
  synthlabel generate /usr/share/synthlabel/configs/quickstart.yaml --out /tmp/q --frames 3
  synthlabel check /tmp/q
  test -s /usr/share/man/man1/synthlabel.1.gz
  grep -q 'complete .* synthlabel' /usr/share/bash-completion/completions/synthlabel
  if [ -d /usr/lib/python3/dist-packages/synthlabel ]; then
    python3 -c 'import synthlabel; g = synthlabel.Generator(\"/usr/share/synthlabel/configs/quickstart.yaml\", [\"resolution=[64, 48]\"]); print(\"python:\", g.frame(1))'
  fi
"
echo "deb_check: ok in $((SECONDS - t0)) s" >&2
