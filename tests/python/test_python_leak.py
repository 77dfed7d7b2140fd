"""No leak over 10,000 frames: the process's resident memory after 10,000 frames iterated (each
frame's arrays and labels dropped) is what it was after the first 1,000, within a small margin.
A leak of one frame's planes (32 x 24 px: 8.4 KiB) or of its record (about 4 KiB) per frame would add
over 35 MiB over the 9,000 frames measured."""
import gc

import synthlabel
from conftest import SOURCE


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_rss_flat_over_10000_frames():
    gen = synthlabel.Generator(SOURCE / "configs" / "quickstart.yaml", ["resolution=[32, 24]", "frames=10000"])
    annotations = 0
    samples = {}
    with gen.frames(range(10000)) as it:
        for frame in it:
            annotations += len(frame.annotations)
            if frame.index + 1 in (1000, 5000, 10000):
                gc.collect()
                samples[frame.index + 1] = rss_kib()
    assert annotations > 10000
    growth = samples[10000] - samples[1000]
    print(f"RSS after 1,000 / 5,000 / 10,000 frames: {samples[1000]} / {samples[5000]} / {samples[10000]} KiB")
    assert growth < 4096, f"RSS grew by {growth} KiB from frame 1,000 to 10,000: {samples}"
    # A second iteration and single frames reuse the same generator without growth either.
    before = rss_kib()
    for i in range(200):
        gen.frame(i)
    gc.collect()
    assert rss_kib() - before < 4096
