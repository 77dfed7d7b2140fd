// Label extraction on synthetic id buffers: RLE decodes to exactly (ids == id), the box is the tight
// box of those pixels and the area their count.
#include <gtest/gtest.h>

#include <random>

#include "exporters/Labels.h"
#include "tests/support/TestSupport.h"

namespace synthlabel {
namespace {

void expect_exact(const std::vector<std::uint32_t>& ids, std::uint32_t w, std::uint32_t h, std::uint32_t max_id) {
  auto labels = extract_instance_labels(ids, w, h, max_id);
  ASSERT_TRUE(labels.ok()) << labels.error().message;
  std::vector<bool> seen(max_id + 1, false);
  for (const InstanceLabel& l : *labels) {
    seen[l.instance_id] = true;
    const auto mask = test::rle_to_mask(l.rle_counts, h, w);
    std::uint64_t area = 0;
    std::uint32_t x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (std::uint32_t y = 0; y < h; ++y) {
      for (std::uint32_t x = 0; x < w; ++x) {
        const bool in = ids[y * w + x] == l.instance_id;
        ASSERT_EQ(mask[y * w + x], in ? 1 : 0) << "id " << l.instance_id << " at " << x << "," << y;
        if (in) {
          ++area;
          x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
      }
    }
    EXPECT_EQ(l.area, area);
    EXPECT_EQ(l.x, x0);
    EXPECT_EQ(l.y, y0);
    EXPECT_EQ(l.w, x1 - x0 + 1);
    EXPECT_EQ(l.h, y1 - y0 + 1);
  }
  // Exactly the ids present in the buffer have labels.
  for (std::uint32_t id = 1; id <= max_id; ++id) {
    const bool present = std::find(ids.begin(), ids.end(), id) != ids.end();
    EXPECT_EQ(seen[id], present) << "id " << id;
  }
}

TEST(Labels, HandMadeBuffer) {
  // 4 wide, 3 high. Column-major order of id 1: (0,0) (0,1) | (1,1) ... see counts below.
  const std::vector<std::uint32_t> ids = {1, 0, 2, 2,  //
                                          1, 1, 0, 2,  //
                                          0, 1, 0, 0};
  auto labels = extract_instance_labels(ids, 4, 3, 2);
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 2u);
  // id 1 column-major: positions 0,1 (col 0), 4,5 (col 1) -> runs [0 zeros, 2 ones, 2 zeros, 2 ones, 6 zeros]
  EXPECT_EQ((*labels)[0].rle_counts, (std::vector<std::uint32_t>{0, 2, 2, 2, 6}));
  EXPECT_EQ((*labels)[0].area, 4u);
  // id 2: positions 6 (col 2,row 0), 9 (col 3,row 0), 10 (col 3,row 1) -> [6, 1, 2, 2, 1]
  EXPECT_EQ((*labels)[1].rle_counts, (std::vector<std::uint32_t>{6, 1, 2, 2, 1}));
  EXPECT_EQ((*labels)[1].x, 2u);
  EXPECT_EQ((*labels)[1].w, 2u);
  EXPECT_EQ((*labels)[1].h, 2u);
}

TEST(Labels, MaskTouchingBothEndsOfTheImage) {
  const std::vector<std::uint32_t> ids = {3, 0, 0, 3};  // 2x2: first and last column-major pixels
  auto labels = extract_instance_labels(ids, 2, 2, 3);
  ASSERT_TRUE(labels.ok());
  ASSERT_EQ(labels->size(), 1u);
  EXPECT_EQ((*labels)[0].rle_counts, (std::vector<std::uint32_t>{0, 1, 2, 1}));  // no trailing zero run
}

TEST(Labels, RandomBlobBuffers) {
  std::mt19937 engine(11);
  auto gen = [&] { return static_cast<std::uint32_t>(engine()); };
  for (int trial = 0; trial < 30; ++trial) {
    const std::uint32_t w = 1 + gen() % 70, h = 1 + gen() % 50, max_id = 1 + gen() % 9;
    std::vector<std::uint32_t> ids(std::size_t{w} * h, 0);
    for (std::uint32_t r = 0; r < 6; ++r) {  // overlapping rectangles, then noise
      const std::uint32_t id = gen() % (max_id + 1), x0 = gen() % w, y0 = gen() % h;
      const std::uint32_t y1 = std::min(h, y0 + gen() % 20), x1 = std::min(w, x0 + gen() % 30);
      for (std::uint32_t y = y0; y < y1; ++y)
        for (std::uint32_t x = x0; x < x1; ++x) ids[y * w + x] = id;
    }
    for (int k = 0; k < 20; ++k) ids[gen() % ids.size()] = gen() % (max_id + 1);
    expect_exact(ids, w, h, max_id);
  }
}

TEST(Labels, IdAboveMaximumIsAnError) {
  const std::vector<std::uint32_t> ids = {0, 5};
  auto labels = extract_instance_labels(ids, 2, 1, 4);
  ASSERT_FALSE(labels.ok());
  EXPECT_NE(labels.error().message.find("instance id 5"), std::string::npos);
}

TEST(Labels, InBoxEqualsTheWholeFrameExtraction) {
  // An id's pixels inside a box, garbage outside it: reading the box alone must give exactly what the
  // whole-frame extraction gives on the same buffer with zeros outside the box.
  std::mt19937 mt(11);
  auto rnd = [&mt](std::uint32_t n) { return static_cast<std::uint32_t>(mt() % n); };
  for (int trial = 0; trial < 300; ++trial) {
    const std::uint32_t W = 1 + rnd(30), H = 1 + rnd(20);
    const std::uint32_t bx = rnd(W), by = rnd(H), bw = 1 + rnd(W - bx), bh = 1 + rnd(H - by);
    std::vector<std::uint32_t> garbage(std::size_t{W} * H), clean(std::size_t{W} * H, 0);
    for (std::uint32_t y = 0; y < H; ++y) {
      for (std::uint32_t x = 0; x < W; ++x) {
        const bool in_box = x >= bx && x < bx + bw && y >= by && y < by + bh;
        const std::uint32_t v = rnd(3) == 0 ? 0u : 5u;
        garbage[y * W + x] = in_box ? v : rnd(7);  // outside: anything, the id 5 included
        clean[y * W + x] = in_box ? v : 0u;
      }
    }
    auto whole = extract_instance_labels(clean, W, H, 5);
    ASSERT_TRUE(whole.ok());
    const InstanceLabel boxed = extract_instance_label_in_box(garbage, W, H, 5, bx, by, bw, bh);
    SCOPED_TRACE("trial " + std::to_string(trial));
    if (whole->empty()) {
      EXPECT_EQ(boxed.area, 0u);
      continue;
    }
    const InstanceLabel& w = whole->front();
    EXPECT_EQ(boxed.rle_counts, w.rle_counts);
    EXPECT_EQ(boxed.area, w.area);
    EXPECT_EQ(std::vector<std::uint32_t>({boxed.x, boxed.y, boxed.w, boxed.h}), std::vector<std::uint32_t>({w.x, w.y, w.w, w.h}));
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace synthlabel
