#!/usr/bin/env bash
# Installs whatever Debian/Ubuntu packages synthlabel needs and are missing, then builds it (Release,
# warnings as errors) into build/. Idempotent: a second run installs nothing and rebuilds incrementally.
#   scripts/setup.sh          packages for building and running
#   scripts/setup.sh --tests  also the test dependencies (GoogleTest, assimp-testmodels)
#   scripts/setup.sh --python  also the Python module: builds it and installs the synthlabel package
#                              (`pip install .`) into the active virtual environment, else into .venv/
#                              (made with Debian's site packages: numpy, and torch when installed)
#   scripts/setup.sh --deps-only  only the packages for building and running, no build (the container
#                                 recipe, examples/kubernetes/Containerfile, runs this: one list)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ pkg-config git
          libvulkan-dev mesa-vulkan-drivers glslc vulkan-validationlayers
          libassimp-dev libglm-dev libyaml-cpp-dev libtinyexr-dev libpng-dev libjpeg-dev zlib1g-dev libdeflate-dev
          nlohmann-json3-dev libcli11-dev libxxhash-dev libbullet-dev libembree-dev)
python_packages=(pybind11-dev python3-dev python3-numpy python3-venv python3-pip python3-setuptools python3-wheel)
if [[ "${1:-}" == "--tests" ]]; then
  packages+=(libgtest-dev assimp-testmodels python3-opencv python3-numpy python3-pytest python3-pil python3-jsonschema python3-yaml
             "${python_packages[@]}" python3-torch python3-torchvision python3-matplotlib python3-open3d dpkg-dev
             libopenblas0-pthread mmdebstrap)
  # libopenblas0-pthread: Debian's torch on the reference BLAS takes 14 s a training step, not 1.
  # mmdebstrap: the .deb installed in a clean Debian 12 root (scripts/deb_check.sh).
elif [[ "${1:-}" == "--python" ]]; then
  packages+=("${python_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  echo "synthlabel setup: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [[ "${1:-}" == "--deps-only" ]]; then exit 0; fi

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSYNTHLABEL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

if [[ "${1:-}" == "--python" ]]; then
  # pip builds with this same build/ (setup.py), offline: no build isolation, nothing downloaded.
  if [[ -z "${VIRTUAL_ENV:-}" ]]; then
    [[ -x .venv/bin/python ]] || /usr/bin/python3 -m venv --system-site-packages .venv
    pip=(.venv/bin/python -m pip)
    echo "synthlabel setup: installing the Python package into .venv (activate it: source .venv/bin/activate)" >&2
  else
    pip=(python -m pip)
    echo "synthlabel setup: installing the Python package into $VIRTUAL_ENV" >&2
  fi
  "${pip[@]}" install --no-index --no-build-isolation --quiet .
fi
