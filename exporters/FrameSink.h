// Where the pipeline (cli/Pipeline.h) hands encoded frames, in frame order, one call at a time:
// DatasetWriter writes them into a dataset folder; the Python module (python/) queues them for its
// iterator. A sink that fails a commit stops the run with that error.
#pragma once

#include <cstdint>

#include "core/Error.h"
#include "exporters/FrameEncoder.h"

namespace synthlabel {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // `frame` is the sink's to take from (its planes may be moved out).
  virtual Status take(EncodedFrame& frame) = 0;
  virtual std::uint64_t frames_taken() const = 0;
  virtual std::uint64_t annotations_taken() const = 0;
};

}  // namespace synthlabel
