#!/usr/bin/env bash
# Runs examples/kubernetes/Containerfile's build steps in a clean Debian 12 root: with a Docker engine,
# `docker build`; else, as root with mmdebstrap, a fresh bookworm root (minbase) into which the
# repository is copied and the recipe's RUN lines run in a chroot: scripts/setup.sh --deps-only, then
# the build of the synthlabel target, then `synthlabel generate` on the quickstart with lavapipe.
# Slow (downloads Debian packages; minutes): the test suite runs it only with SYNTHLABEL_SLOW_TESTS=1.
# Exit 0: the image builds and renders; 77: cannot run here (no Docker engine, no mmdebstrap or root).
set -euo pipefail
cd "$(dirname "$0")/.."
if docker info >/dev/null 2>&1; then
  docker build -f examples/kubernetes/Containerfile -t synthlabel-check .
  docker run --rm synthlabel-check generate configs/quickstart.yaml --out /tmp/q --frames 2 --quiet
  exit 0
fi
if ! command -v mmdebstrap >/dev/null || [[ $(id -u) -ne 0 ]]; then
  echo "container_check: no Docker engine, and no mmdebstrap or root for a chroot: skipped" >&2
  exit 77
fi
root=$(mktemp -d /tmp/synthlabel-container-XXXXXX)
trap 'umount "$root/proc" "$root/dev" 2>/dev/null || true; rm -rf "$root"' EXIT
mmdebstrap --variant=minbase --include=ca-certificates bookworm "$root" >/dev/null
mkdir -p "$root/src"
git ls-files -z | xargs -0 -I{} cp --parents {} "$root/src/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true  # (the recipe's apt-get needs the network)
# The recipe's RUN lines, as written there (FROM debian:12; COPY . /src).
# Each RUN line (with its continuation lines) one command of the script.
awk '/^RUN /{if (cmd) print cmd; cmd=substr($0, 5); cont=/\\$/; next}
     cont{cmd=cmd " " $0; cont=/\\$/; next}
     {if (cmd) print cmd; cmd=""}
     END{if (cmd) print cmd}' examples/kubernetes/Containerfile | sed -E 's/\\( |$)/ /g' > "$root/build.sh"
sed 's/^/container_check: RUN /' "$root/build.sh" >&2
chroot "$root" /bin/bash -euo pipefail /build.sh
chroot "$root" /bin/bash -c 'cd /opt && synthlabel generate configs/quickstart.yaml --out /tmp/q --frames 2 --quiet'
