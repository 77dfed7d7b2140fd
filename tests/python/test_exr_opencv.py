"""Depth and normals EXR files read with OpenCV (cv2.imread, IMREAD_UNCHANGED), as most users load
them: the exact float values synthlabel wrote, not zeros (OpenCV's EXR decoder reads a lone channel
only when it is named "Y": modules/imgcodecs/src/grfmt_exr.cpp, ExrDecoder::readHeader finds "Z" but
readData inserts a "Y" slice)."""
import os
import subprocess

import cv2
import numpy as np

from conftest import SOURCE, generate

W, H = 37, 23  # tests/tools/exr_samples.cpp


def expected_depth():
    p = np.arange(W * H, dtype=np.uint64)
    bits = ((p * 2654435761 + 12345) % 2**32).astype(np.uint32)
    f = bits.view(np.float32).copy()
    f[np.isnan(f)] = np.inf
    return f.reshape(H, W)


def expected_normals():
    p = np.arange(W * H, dtype=np.uint64)
    out = np.empty((H, W, 3), np.float32)
    for c in range(3):
        bits = ((p * 40503 + c * 7919) % 2**16).astype(np.uint16)
        v = bits.view(np.float16).astype(np.float32)
        v[np.isnan(v)] = np.inf
        out[..., c] = v.reshape(H, W)
    return out


def samples(tmp_path):
    subprocess.run([os.environ["EXR_SAMPLES"], str(tmp_path)], check=True)
    return tmp_path


def same_bits(a, b):
    return a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def test_depth_files_read_bit_exact_in_opencv(tmp_path):
    d = samples(tmp_path)
    for name in ("depth_zip.exr", "depth_none.exr"):
        img = cv2.imread(str(d / name), cv2.IMREAD_UNCHANGED)
        assert img is not None, name
        assert img.dtype == np.float32 and img.shape == (H, W), (name, img.dtype, img.shape)
        assert same_bits(img, expected_depth()), name


def test_normals_files_read_bit_exact_in_opencv(tmp_path):
    d = samples(tmp_path)
    img = cv2.imread(str(d / "normals_zip.exr"), cv2.IMREAD_UNCHANGED)
    assert img is not None and img.dtype == np.float32 and img.shape == (H, W, 3)
    xyz = img[..., ::-1]  # OpenCV returns B, G, R; R, G, B hold x, y, z
    assert same_bits(np.ascontiguousarray(xyz), expected_normals())


def test_a_dataset_depth_and_normals_in_opencv(tmp_path):
    out = generate(SOURCE / "tests/data/floating.yaml", tmp_path / "d", "--frames", "2", "outputs=[normals, bop]")
    for stem in ("000000", "000001"):
        z = cv2.imread(str(out / "depth" / f"{stem}.exr"), cv2.IMREAD_UNCHANGED)
        ids = cv2.imread(str(out / "instance" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        assert z.dtype == np.float32 and z.shape == ids.shape
        # floating.yaml has no ground: a surface (finite depth) exactly where an instance is.
        assert np.array_equal(np.isfinite(z), ids != 0)
        assert (z[ids != 0] > 0).all()
        # BOP's depth PNG holds the same depth in millimetres, rounded (written from the same buffer).
        mm = cv2.imread(str(out / "bop/000000/depth" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        assert mm.dtype == np.uint16
        expect = np.where(np.isfinite(z), np.rint(np.where(np.isfinite(z), z, 0).astype(np.float64) * 1000), 0)
        assert np.array_equal(mm.astype(np.float64), expect)
        n = cv2.imread(str(out / "normals" / f"{stem}.exr"), cv2.IMREAD_UNCHANGED)[..., ::-1]
        length = np.linalg.norm(n.astype(np.float64), axis=2)
        assert (length[ids == 0] == 0).all()
        assert np.abs(length[ids != 0] - 1).max() < 2e-3
