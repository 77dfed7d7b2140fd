"""synthlabel: labeled training frames from YAML scene configs, straight into Python.

The same pipeline as the ``synthlabel`` command (same config, same seed: the same pixels and labels
as ``synthlabel generate`` writes), without the disk::

    import synthlabel
    gen = synthlabel.Generator("configs/quickstart.yaml", overrides=["frames=100"])
    for frame in gen.frames(range(100)):
        frame.rgb          # (H, W, 3) uint8, sRGB         == rgb/NNNNNN.png
        frame.depth        # (H, W) float32, metres, +inf   == depth/NNNNNN.exr
        frame.instance     # (H, W) uint16, 0 = background  == instance/NNNNNN.png
        frame.semantic     # (H, W) uint8 category ids      == semantic/NNNNNN.png
        frame.annotations  # COCO annotations (RLE, bbox, area, keypoints, pose) == coco.json's

``synthlabel.torch.SyntheticDataset`` feeds a PyTorch DataLoader. ``generate``, ``check`` and ``merge``
write and read dataset folders as the command line does. Every failure raises a subclass of
``synthlabel.Error`` whose ``exit_code`` is the command line's exit code for it. Conventions (depth
meaning, axes, pixel centres, flow direction): docs/conventions.md; this API: docs/python.md.
"""
from __future__ import annotations

import json as _json
import operator as _operator
import os as _os
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from . import _core
from ._core import (AssetError, ConfigError, DefectsError, DeviceError, DiffersError, Error,  # noqa: F401
                    InternalError, OutputError, git_revision)

__version__ = _core.__version__
__all__ = ["Generator", "Frame", "FrameIterator", "load_config", "generate", "check", "diff", "merge", "Error",
           "InternalError", "ConfigError", "AssetError", "OutputError", "DeviceError", "DefectsError", "DiffersError"]

PathLike = Union[str, "_os.PathLike[str]"]


def load_config(path: PathLike, overrides: Sequence[str] = (), asset_root: Optional[PathLike] = None) -> Dict[str, Any]:
    """The config at ``path`` resolved (defaults filled, ``overrides`` applied), as a dict.

    ``overrides`` are ``KEY.PATH=VALUE`` strings, as the command line takes them after the config. Raises
    ``ConfigError`` naming ``file:line:col`` and the key for a bad config, ``AssetError`` for a
    missing asset file it names.
    """
    return _json.loads(_core.load_config(_os.fspath(path), list(overrides), _os.fspath(asset_root or "")))


class Frame:
    """One rendered frame: its planes as NumPy arrays and its labels as plain dicts.

    Arrays (row-major, top row first; each equal value for value to the file ``generate`` writes):
      rgb (H, W, 3) uint8 sRGB, sensor effects applied; depth (H, W) float32 metres along the viewing
      axis, +inf where no surface; instance (H, W) uint16, 0 = background or unlabeled surface;
      semantic (H, W) uint8 category ids; with ``outputs: [normals]`` normals (H, W, 3) float32
      (OpenCV camera frame); with ``outputs: [flow]`` flow_forward and flow_backward (H, W, 3) float32
      (du, dv, status); with ``outputs: [scene_flow]`` scene_flow_forward/backward (H, W, 3) float32;
      with ``outputs: [object_coords]``, ``[nocs]``, ``[world_position]`` those (H, W, 3) float32, NaN
      where no point (docs/conventions.md); with ``outputs: [disparity]`` disparity (H, W) float32; with
      ``outputs: [undistortion_map]`` undistortion_map (H, W, 3) float32 (map x, map y, valid); with
      ``outputs: [depth_sensor]`` depth_sensor (H, W) float32 (0: no return); with ``outputs: [uv]``,
      ``[albedo]`` uv (H, W, 3) float32 (u, v, valid) and albedo (H, W, 3) float32 (linear base colour);
      with ``lidar:`` lidar (N,) a structured array of the sweep's points with the pcd format's fields
      (x y z intensity range noise time: float32; ring: uint16; column instance semantic surface:
      uint32; docs/lidar.md). Absent outputs are None.
    Labels: ``image`` (the COCO image entry, with camera K and pose), ``annotations`` (COCO annotations:
    compressed RLE ``segmentation``, ``bbox``, ``area``, ``category_id``, ``instance_id``, keypoints,
    pose, ...; ``id`` is unset, as in records/NNNNNN.json), ``params`` (every value the randomizers
    drew), ``record`` (the whole per-frame record).
    """

    __slots__ = ("index", "rgb", "depth", "instance", "semantic", "normals", "flow_forward", "flow_backward",
                 "scene_flow_forward", "scene_flow_backward", "object_coords", "nocs", "world_position", "disparity", "undistortion_map", "depth_sensor", "uv", "albedo", "lidar", "record")

    def __init__(self, index: int, arrays: Dict[str, Any], record: Dict[str, Any]):
        self.index = index
        for name in Frame.__slots__[1:-1]:
            setattr(self, name, arrays.get(name))
        self.record = record

    @property
    def image(self) -> Dict[str, Any]:
        return self.record["image"]

    @property
    def annotations(self) -> List[Dict[str, Any]]:
        return self.record["annotations"]

    @property
    def params(self) -> Dict[str, Any]:
        return self.record["params"]

    def __getstate__(self):
        return {name: getattr(self, name) for name in Frame.__slots__}

    def __setstate__(self, state):
        for name in Frame.__slots__:
            setattr(self, name, state.get(name))

    def __repr__(self) -> str:
        h, w = self.depth.shape
        return f"<synthlabel.Frame {self.index}: {w}x{h}, {len(self.annotations)} annotations>"


class FrameIterator:
    """Frames of a ``Generator.frames`` call, in the order asked. Rendering runs ahead on the
    generator's own threads (frames in flight and encoder threads, as ``generate``); ``close()`` (or
    leaving a ``with`` block, or dropping the iterator) stops it."""

    def __init__(self, stream):
        self._stream = stream

    def __iter__(self) -> "FrameIterator":
        return self

    def __next__(self) -> Frame:
        index, arrays, record = next(self._stream)
        return Frame(index, arrays, _json.loads(record))

    def __len__(self) -> int:
        return len(self._stream)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> "FrameIterator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Generator:
    """A config ready to render: assets loaded, renderer started (a GPU, else lavapipe on the CPU).

    Frame ``i`` depends only on the config, the seed and ``i``: ``gen.frame(7)`` equals frame 7 of any
    ``frames()`` call and of ``synthlabel generate``. One iteration at a time per Generator (it has one
    renderer); make one per process (a Generator does not survive ``fork``: DataLoader workers each
    make their own, see ``synthlabel.torch``).

    Args:
      config: the scene config (YAML) path.
      overrides: ``KEY.PATH=VALUE`` strings applied in order (``"resolution=[320, 240]"``).
      seed, frames, resolution ("WxH"): as the command line's --seed, --frames, --resolution.
      device: "" (a discrete GPU, else any GPU, else the CPU), a name substring or an index
        (``synthlabel devices``).
      threads: encoder threads; 0 = hardware threads - 1.
      validate: the Vulkan validation layer on (any message it reports raises DeviceError).
      asset_root: when set, every file the config names must lie inside it.
    Raises ConfigError, AssetError, DeviceError.
    """

    def __init__(self, config: PathLike, overrides: Sequence[str] = (), *, seed: Optional[int] = None,
                 frames: Optional[int] = None, resolution: str = "", device: str = "", threads: int = 0,
                 validate: bool = False, asset_root: Optional[PathLike] = None):
        self._core = _core.Generator(_os.fspath(config), list(overrides), seed, frames, resolution, device, threads,
                                     validate, _os.fspath(asset_root or ""))
        self.config: Dict[str, Any] = _json.loads(self._core.config_json)
        """The resolved config (defaults filled, overrides applied)."""
        self.categories: List[Dict[str, Any]] = _json.loads(self._core.categories_json)
        """coco.json's categories: id, name, supercategory (keypoints and skeleton when defined)."""

    @property
    def width(self) -> int:
        return self._core.width

    @property
    def height(self) -> int:
        return self._core.height

    @property
    def seed(self) -> int:
        return self._core.seed

    @property
    def device(self) -> str:
        """The Vulkan device rendering (e.g. 'llvmpipe (LLVM 15.0.6, 256 bits)' for lavapipe)."""
        return self._core.device

    def __len__(self) -> int:
        """The config's frames (after a ``frames`` override): what ``generate`` would write."""
        return self._core.frame_count

    def frames(self, frames: Union[range, Iterable[int], None] = None) -> FrameIterator:
        """Frames in the order given (default: ``range(len(self))``), rendered ahead on the pipeline's
        threads. With ``outputs: [flow]``, a frame's clip neighbours outside ``frames`` are rendered
        too, for their depth and ids (not returned)."""
        try:
            indices = [_operator.index(i) for i in (range(len(self)) if frames is None else frames)]
        except TypeError as e:
            raise ConfigError(f"frames: expected whole numbers from 0 ({e})") from None
        if any(i < 0 for i in indices):
            raise ConfigError("frames: expected whole numbers from 0")
        return FrameIterator(self._core.stream(indices))

    def frame(self, index: int) -> Frame:
        """Frame ``index`` alone."""
        with self.frames([index]) as it:
            return next(it)

    def __repr__(self) -> str:
        return f"<synthlabel.Generator {self.width}x{self.height}, {len(self)} frames, seed {self.seed}, on {self.device}>"


def generate(config: PathLike, out: PathLike, overrides: Sequence[str] = (), *, frames: Optional[int] = None,
             start: int = 0, seed: Optional[int] = None, resolution: str = "", overwrite: bool = False,
             resume: bool = False, shard: str = "", threads: int = 0, compression: str = "fast", rgb: str = "png",
             jpeg_quality: int = 95, device: str = "", validate: bool = False, progress: bool = False,
             asset_root: Optional[PathLike] = None) -> Dict[str, Any]:
    """``synthlabel generate CONFIG --out OUT``: writes the dataset folder; the same bytes as the command.

    Returns {"out", "frames", "skipped", "annotations", "seconds", "device"}. Raises ConfigError,
    AssetError, OutputError (e.g. ``out`` holds files and ``overwrite`` is False), DeviceError.
    """
    r = _core.generate(_os.fspath(config), _os.fspath(out), list(overrides), frames, start, seed, resolution, overwrite,
                       resume, shard, threads, compression, rgb, jpeg_quality, device, validate, progress,
                       _os.fspath(asset_root or ""))
    r["out"] = _os.fspath(r["out"])
    return r


def check(dataset: PathLike, report: Optional[PathLike] = None, *, raise_on_defects: bool = False) -> Dict[str, Any]:
    """``synthlabel check DATASET``: {"ok", "defects", "images", "annotations", "per_category"}.

    ``report``: also write the HTML report there. With ``raise_on_defects``, defects raise
    DefectsError (exit code 6) instead of being returned.
    """
    r = _core.check(_os.fspath(dataset), _os.fspath(report or ""))
    if raise_on_defects and not r["ok"]:
        raise DefectsError(f"{len(r['defects'])} defect(s) in {_os.fspath(dataset)}: " + "; ".join(r["defects"][:5]))
    return r


def diff(a: PathLike, b: PathLike, *, min_iou: float = 1.0, max_rgb_mean: float = 0.0, max_depth: float = 0.0,
         allow_appear: bool = False, strict_config: bool = False, report: Optional[PathLike] = None,
         raise_on_differences: bool = False) -> Dict[str, Any]:
    """``synthlabel diff A B``: the comparison as ``--json`` writes it ({"within_thresholds", "frames",
    "failures", "notes", "differing_frames"}). ``report``: also the HTML page. With
    ``raise_on_differences``, differences beyond the thresholds raise DiffersError (exit code 7)."""
    r = _json.loads(_core.diff(_os.fspath(a), _os.fspath(b), min_iou, max_rgb_mean, max_depth, allow_appear, strict_config,
                               _os.fspath(report or "")))
    if raise_on_differences and not r["within_thresholds"]:
        raise DiffersError(f"{len(r['failures'])} difference(s) beyond the thresholds: " + "; ".join(r["failures"][:5]))
    return r


def merge(shards: Sequence[PathLike], out: PathLike, *, overwrite: bool = False) -> Dict[str, Any]:
    """``synthlabel merge SHARD... --out OUT``: {"frames", "annotations", "shards"}."""
    return _core.merge([_os.fspath(s) for s in shards], _os.fspath(out), overwrite)
