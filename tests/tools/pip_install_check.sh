#!/usr/bin/env bash
# `pip install .` in a fresh virtual environment made with Debian's site packages, offline: no package
# index at all (PIP_NO_INDEX=1, no --find-links). Then, outside the source tree, the installed package
# renders a frame and its torch module imports. Argument: the source tree (it builds in its build/).
set -euo pipefail
src=$1
tmp=$(mktemp -d /tmp/synthlabel-pip-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
cd "$src"
env -u PIP_FIND_LINKS PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 "$tmp/venv/bin/pip" install --quiet .
cd "$tmp"
"$tmp/venv/bin/python" - "$src" <<'PY'
import sys, synthlabel
assert synthlabel.__file__.startswith(sys.prefix), synthlabel.__file__
gen = synthlabel.Generator(sys.argv[1] + "/configs/quickstart.yaml", ["resolution=[64, 48]"])
frame = gen.frame(2)
assert frame.rgb.shape == (48, 64, 3) and len(frame.annotations) > 0
try:
    import synthlabel.torch  # noqa: F401 (with Debian's python3-torch)
except ImportError as e:
    assert "torch" in str(e), e
print("pip install . ok:", synthlabel.__file__, frame)
PY
