#!/usr/bin/env python3
"""Trains a torchvision Mask R-CNN for a few iterations on frames rendered on the fly: no dataset on
disk. A DataLoader's workers each render their share of the frames (synthlabel.torch), CPU-friendly
at the default size; prints the losses of each iteration.

    PYTHONPATH=build/python python3 examples/python/train_torchvision.py            # from the build tree
    python examples/python/train_torchvision.py --iterations 200 --resolution 320x240  # after pip install .

On a GPU machine pass --device cuda (the renderer picks the GPU by itself).
"""
import argparse
import pathlib
import time

import torch
import torchvision
from torch.utils.data import DataLoader

import synthlabel
from synthlabel.torch import SyntheticDataset, detection_sample

ROOT = pathlib.Path(__file__).resolve().parents[2]


def collate(batch):
    return tuple(zip(*batch))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", default=str(ROOT / "configs" / "quickstart.yaml"))
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--resolution", default="160x120", help="WxH of the rendered frames")
    p.add_argument("--model", choices=["maskrcnn", "fasterrcnn_mobilenet"], default="maskrcnn")
    p.add_argument("--device", default="cpu", help="torch device for training")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    w, h = (int(v) for v in args.resolution.split("x"))
    overrides = [f"resolution=[{w}, {h}]"]
    categories = synthlabel.load_config(args.config, overrides)["categories"]
    num_classes = len(categories) + 1  # category ids 1..C, 0 = background
    # Frames of the range, split across the workers in blocks of one batch (same batches whatever
    # the worker count); the model sees frame ids 0, 1, 2, ...
    dataset = SyntheticDataset(args.config, overrides, frames=range(args.iterations * args.batch), block=args.batch,
                               transform=detection_sample)
    loader = DataLoader(dataset, batch_size=args.batch, num_workers=args.workers, collate_fn=collate)

    size = dict(min_size=min(w, h), max_size=max(w, h))  # train at the rendered size
    if args.model == "maskrcnn":
        model = torchvision.models.detection.maskrcnn_resnet50_fpn(weights=None, weights_backbone=None,
                                                                   num_classes=num_classes, **size)
    else:
        model = torchvision.models.detection.fasterrcnn_mobilenet_v3_large_fpn(weights=None, weights_backbone=None,
                                                                               num_classes=num_classes, **size)
    model.to(args.device).train()
    optimizer = torch.optim.SGD([q for q in model.parameters() if q.requires_grad], lr=0.005, momentum=0.9,
                                weight_decay=1e-4)

    t0 = time.perf_counter()
    for it, (images, targets) in enumerate(loader, start=1):
        images = [i.to(args.device) for i in images]
        if args.model != "maskrcnn":
            targets = [{k: v for k, v in t.items() if k != "masks"} for t in targets]
        targets = [{k: v.to(args.device) for k, v in t.items()} for t in targets]
        losses = model(images, targets)
        loss = sum(losses.values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        parts = " ".join(f"{k.replace('loss_', '')} {v.item():.3f}" for k, v in losses.items())
        print(f"iteration {it:3d}: loss {loss.item():.3f} ({parts})", flush=True)
        if not torch.isfinite(loss):
            raise SystemExit("the loss is not finite")
    print(f"{it} iterations of {args.batch} frames in {time.perf_counter() - t0:.1f} s "
          f"({args.workers} DataLoader workers rendering)")


if __name__ == "__main__":
    main()
