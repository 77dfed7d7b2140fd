"""PyTorch datasets over a synthlabel config: frames rendered on the fly, no files.

``SyntheticDataset`` is an ``IterableDataset``: with a DataLoader of n workers, worker w renders the
frames w, w + n, w + 2n, ... of the range (in blocks of ``block`` frames: blocks w, w + n, ...), each
with its own renderer (made in the worker, never shared across ``fork``). The DataLoader takes one
batch from each worker in turn, so with ``block`` equal to the batch size the batches come in the
same order, holding the same frames, for any number of workers; frame i is the same whoever renders
it. ``SyntheticMapDataset`` is the map-style twin (``dataset[i]`` renders frame i).

Items are ``synthlabel.Frame`` objects unless ``transform`` maps them (e.g. ``detection_sample``);
use ``collate_fn=list`` (or your own) for Frames, which the default collate cannot stack.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from . import Frame, Generator, load_config

__all__ = ["SyntheticDataset", "SyntheticMapDataset", "detection_sample", "decode_rle"]


def decode_rle(segmentation: Dict[str, Any]) -> np.ndarray:
    """A COCO compressed RLE ({"size": [h, w], "counts": str}) as an (h, w) uint8 mask.

    The counts string as pycocotools reads it (maskApi.c rleFrString): 5 bits a character from 48,
    a continuation bit 0x20, sign-extended, deltas from the count two back after the third; runs
    alternate 0 and 1 from 0, column-major (Fortran order).
    """
    h, w = segmentation["size"]
    s = segmentation["counts"].encode("ascii") if isinstance(segmentation["counts"], str) else segmentation["counts"]
    counts, p = [], 0
    while p < len(s):
        x, k, more = 0, 0, True
        while more:
            c = s[p] - 48
            x |= (c & 0x1F) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    flat = np.zeros(h * w, dtype=np.uint8)
    pos = 0
    for i, n in enumerate(counts):
        if i % 2 == 1:
            flat[pos:pos + n] = 1
        pos += n
    return flat.reshape((w, h)).T.copy()


def detection_sample(frame: Frame) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
    """A frame as torchvision's detection models take it: a (3, H, W) float image in [0, 1] and a
    target with ``boxes`` (N, 4) x0, y0, x1, y1 in pixels (COCO's [x, y, w, h] + [0, 0, x, y]),
    ``labels`` (N,) int64 category ids, ``masks`` (N, H, W) uint8 (the annotations' RLE, which equal
    the instance plane), ``image_id``, ``area`` and ``iscrowd``."""
    image = torch.from_numpy(frame.rgb).permute(2, 0, 1).float().div_(255.0)
    anns = frame.annotations
    h, w = frame.depth.shape
    boxes = torch.tensor([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns],
                         dtype=torch.float32).reshape(-1, 4)
    labels = torch.tensor([a["category_id"] for a in anns], dtype=torch.int64)
    masks = torch.from_numpy(np.stack([frame.instance == a["instance_id"] for a in anns]).astype(np.uint8)) if anns else \
        torch.zeros((0, h, w), dtype=torch.uint8)
    target = {"boxes": boxes, "labels": labels, "masks": masks, "image_id": torch.tensor(frame.image["id"]),
              "area": torch.tensor([float(a["area"]) for a in anns], dtype=torch.float32),
              "iscrowd": torch.zeros(len(anns), dtype=torch.int64)}
    return image, target


# Generators made before a fork (DataLoader workers): the child neither uses nor destroys them (their
# renderer's threads did not survive the fork).
_left_behind = []


class _Lazy:
    """The process's own Generator for a dataset: made on first use in each process (DataLoader
    workers make theirs); the frame count without one (from the config)."""

    def __init__(self, config, overrides, kwargs):
        self.config, self.overrides, self.kwargs = os.fspath(config), list(overrides), dict(kwargs)
        self._generator: Optional[Generator] = None
        self._pid = -1

    def get(self) -> Generator:
        if self._generator is None or self._pid != os.getpid():
            if self._generator is not None:
                _left_behind.append(self._generator)
            self._generator = Generator(self.config, self.overrides, **self.kwargs)
            self._pid = os.getpid()
        return self._generator

    def frame_count(self) -> int:
        if self.kwargs.get("frames") is not None:
            return int(self.kwargs["frames"])
        return int(load_config(self.config, self.overrides, self.kwargs.get("asset_root"))["frames"])

    def __getstate__(self):
        return {"config": self.config, "overrides": self.overrides, "kwargs": self.kwargs}

    def __setstate__(self, state):
        self.__init__(state["config"], state["overrides"], state["kwargs"])


class SyntheticDataset(IterableDataset):
    """Frames of ``frames`` (default: the config's ``range(len(Generator))``) rendered as iterated.

    Args:
      config, overrides, **generator_options: as ``synthlabel.Generator`` (seed, resolution, device,
        threads, ...). ``threads`` defaults to 1 here: each DataLoader worker is a process of its own.
      frames: a range of frame indices.
      block: frames per block of the worker split (set it to the DataLoader's batch_size to keep the
        batches' order independent of the worker count).
      transform: applied to each Frame (e.g. ``detection_sample``).
    """

    def __init__(self, config, overrides: Sequence[str] = (), *, frames: Optional[range] = None, block: int = 1,
                 transform: Optional[Callable[[Frame], Any]] = None, **generator_options):
        super().__init__()
        if block < 1:
            raise ValueError("block: at least 1")
        generator_options.setdefault("threads", 1)
        self._lazy = _Lazy(config, overrides, generator_options)
        self._frames = frames
        self.block = block
        self.transform = transform

    def frame_indices(self, worker: int = 0, workers: int = 1) -> list:
        """The frames worker ``worker`` of ``workers`` renders, in order."""
        frames = self._frames if self._frames is not None else range(self._lazy.frame_count())
        out = []
        for start in range((worker * self.block), len(frames), workers * self.block):
            out.extend(frames[start:start + self.block])
        return out

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        with self._lazy.get().frames(self.frame_indices(worker, workers)) as it:
            for frame in it:
                yield self.transform(frame) if self.transform else frame

    def __len__(self) -> int:
        return len(self._frames) if self._frames is not None else self._lazy.frame_count()


class SyntheticMapDataset(Dataset):
    """``dataset[i]`` renders frame ``frames[i]`` (default: frame i of the config's frames); any
    sampler or shuffle works, each worker rendering with its own Generator. Frames one at a time:
    slower than ``SyntheticDataset``'s stream when the order is sequential anyway."""

    def __init__(self, config, overrides: Sequence[str] = (), *, frames: Optional[range] = None,
                 transform: Optional[Callable[[Frame], Any]] = None, **generator_options):
        super().__init__()
        generator_options.setdefault("threads", 1)
        self._lazy = _Lazy(config, overrides, generator_options)
        self._frames = frames
        self.transform = transform

    def __len__(self) -> int:
        return len(self._frames) if self._frames is not None else self._lazy.frame_count()

    def __getitem__(self, i: int):
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"frame {i} of {n}")
        index = self._frames[i] if self._frames is not None else range(n)[i]
        frame = self._lazy.get().frame(index)
        return self.transform(frame) if self.transform else frame
