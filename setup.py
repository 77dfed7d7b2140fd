"""`pip install .`: the synthlabel Python package (python/synthlabel) with its native module built by
this repository's CMake build, offline, from Debian packages (scripts/setup.sh --python installs them:
pybind11-dev, python3-dev, python3-numpy; PyTorch is optional, for synthlabel.torch).

The native module is built in build/ (or $SYNTHLABEL_BUILD_DIR) exactly as `cmake --build build`
builds it, for the interpreter running pip. No pyproject.toml on purpose: pip then builds without an
isolated environment, so nothing is downloaded (pass --no-build-isolation with newer pips).
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
VERSION = re.search(r"project\(synthlabel VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = pathlib.Path(os.environ.get("SYNTHLABEL_BUILD_DIR", ROOT / "build"))
        jobs = str(os.cpu_count() or 2)
        # For this interpreter (a virtual environment's is its base interpreter: same headers and ABI).
        # A build already configured for it with the module on is not configured again (that would
        # record a new git revision in the module alone): only the module's target is built.
        python = os.path.realpath(sys.executable)
        cache = build / "CMakeCache.txt"
        text = cache.read_text() if cache.exists() else ""
        cached = re.search(r"^Python_EXECUTABLE:[A-Z]+=(.*)$", text, re.M)
        same_python = cached is not None and os.path.realpath(cached.group(1)) == python
        module_on = re.search(r"^SYNTHLABEL_PYTHON_MODULE:BOOL=ON$", text, re.M) is not None
        if not (same_python and module_on):
            args = ["cmake", "-S", str(ROOT), "-B", str(build), "-DSYNTHLABEL_PYTHON_MODULE=ON"]
            if not cache.exists():
                args.append("-DCMAKE_BUILD_TYPE=Release")
            if not same_python:
                args.append(f"-DPython_EXECUTABLE={python}")
            subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(build), "--target", "synthlabel_python", "-j", jobs], check=True)
        built = sorted((build / "python" / "synthlabel").glob("_core*.so"))
        if not built:
            raise RuntimeError(f"no synthlabel/_core*.so in {build}/python: is pybind11-dev installed? "
                               "(scripts/setup.sh --python installs it)")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


setup(
    name="synthlabel",
    version=VERSION,
    description="Labeled training data from YAML scene configs: pixel-exact labels, frames straight into Python",
    long_description=(ROOT / "docs" / "python.md").read_text(),
    long_description_content_type="text/markdown",
    license="see the repository",
    python_requires=">=3.9",
    install_requires=["numpy"],
    extras_require={"torch": ["torch", "torchvision"]},
    packages=["synthlabel"],
    package_dir={"": "python"},
    package_data={"synthlabel": ["py.typed", "_core.pyi"]},
    ext_modules=[Extension("synthlabel._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
