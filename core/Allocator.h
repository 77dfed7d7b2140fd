// Process-wide heap tuning for frame pipelines. Call once at the start of main().
#pragma once

namespace synthlabel {

// Keeps freed heap memory mapped instead of returning it to the kernel. A frame pipeline allocates
// and frees the same large buffers every frame (our encoders' scratch buffers, and lavapipe's per-draw
// buffers: it runs in-process); with glibc's defaults each of those is a fresh mmap, and every frame
// pays its page faults again. Measured on 2 cores (docs/performance.md): lavapipe render of the
// quickstart 17.5 -> 10.3 ms/frame. Costs nothing on a GPU; raises peak RSS by at most the freed
// memory kept for reuse.
void tune_allocator_for_frames();

}  // namespace synthlabel
