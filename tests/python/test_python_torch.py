"""synthlabel.torch with Debian's PyTorch: DataLoader workers split the frames deterministically
(the same frames, in the same order, for 1, 2 and 4 workers), each worker rendering with its own
Generator; the map-style dataset gives the same frames; detection_sample feeds torchvision."""
import hashlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader  # noqa: E402

import synthlabel  # noqa: E402
from synthlabel.torch import SyntheticDataset, SyntheticMapDataset, detection_sample  # noqa: E402
from conftest import SOURCE  # noqa: E402

CONFIG = SOURCE / "configs" / "quickstart.yaml"
OVERRIDES = ["resolution=[48, 32]"]
FRAMES = range(3, 15)


def digest(frame):
    h = hashlib.sha256()
    for a in (frame.rgb, frame.depth, frame.instance, frame.semantic):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr(frame.annotations).encode())
    return frame.index, h.hexdigest()


def loader_frames(workers, batch, block):
    ds = SyntheticDataset(CONFIG, OVERRIDES, frames=FRAMES, block=block)
    dl = DataLoader(ds, batch_size=batch, num_workers=workers, collate_fn=list)
    return [[digest(f) for f in b] for b in dl]


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_workers_split_frames_deterministically():
    reference = loader_frames(1, 1, 1)
    assert [b[0][0] for b in reference] == list(FRAMES)
    for workers in (2, 4):
        assert loader_frames(workers, 1, 1) == reference, workers
    # Batches of 3 with block 3: each batch the same 3 frames whatever the worker count.
    batched = loader_frames(1, 3, 3)
    assert [[i for i, _ in b] for b in batched] == [list(FRAMES[k:k + 3]) for k in range(0, len(FRAMES), 3)]
    assert loader_frames(4, 3, 3) == batched
    assert sum(batched, []) == sum(reference, [])


def test_worker_frame_split_is_w_plus_k_n():
    ds = SyntheticDataset(CONFIG, OVERRIDES, frames=range(10))
    assert ds.frame_indices(1, 3) == [1, 4, 7]
    assert SyntheticDataset(CONFIG, OVERRIDES, frames=range(10), block=2).frame_indices(1, 2) == [2, 3, 6, 7]
    assert len(ds) == 10
    assert len(SyntheticDataset(CONFIG, OVERRIDES + ["frames=7"])) == 7


def test_map_style_dataset_renders_the_same_frames():
    reference = dict(sum(loader_frames(1, 1, 1), []))
    ds = SyntheticMapDataset(CONFIG, OVERRIDES, frames=FRAMES)
    dl = DataLoader(ds, batch_size=2, num_workers=2, shuffle=False, collate_fn=list)
    got = dict(digest(f) for b in dl for f in b)
    assert got == reference


def test_detection_sample_matches_the_labels():
    frame = synthlabel.Generator(CONFIG, OVERRIDES).frame(5)
    image, target = detection_sample(frame)
    assert image.shape == (3, 32, 48) and image.dtype == torch.float32 and float(image.max()) <= 1.0
    assert target["boxes"].shape == (len(frame.annotations), 4)
    for k, a in enumerate(frame.annotations):
        x, y, w, h = a["bbox"]
        assert target["boxes"][k].tolist() == [x, y, x + w, y + h]
        assert int(target["masks"][k].sum()) == a["area"]
        assert int(target["labels"][k]) == a["category_id"]
