// Optical flow from a frame's planes (exporters/FlowField.h): a wall seen head-on that slides sideways
// has flow fx * shift / depth everywhere; the status follows the other frame's own ids and depth.
#include "exporters/FlowField.h"

#include <limits>

#include <gtest/gtest.h>

#include <glm/ext/matrix_transform.hpp>

namespace synthlabel {
namespace {

constexpr std::uint32_t W = 8, H = 6;

Camera camera() {
  Camera c;
  c.width = W;
  c.height = H;
  c.fx = c.fy = 4.0;
  c.cx = 4.0;
  c.cy = 3.0;
  c.view = glm::mat4(1.0f);  // at the origin, looking down -Z: OpenCV x = world x, z = -world z
  return c;
}

// One instance (id 7) covering the frame at depth 2, except pixel (0, 0), which shows nothing.
struct Fixture {
  Scene scene;
  FrameBuffers fb;
  LabelPlanes next;
  Fixture() {
    scene.frame = 5;
    scene.camera = camera();
    Instance wall;
    wall.instance_id = 7;
    scene.instances.push_back(wall);
    NeighbourPoses n;
    n.frame = 6;
    n.camera = scene.camera;
    n.models = {glm::translate(glm::mat4(1.0f), glm::vec3(0.5f, 0.0f, 0.0f))};  // 0.5 m to the right
    scene.next = n;
    fb.width = W;
    fb.height = H;
    fb.depth.assign(W * H, 2.0f);
    fb.instance_id.assign(W * H, 7);
    fb.instance_index.assign(W * H, 0);
    fb.depth[0] = std::numeric_limits<float>::infinity();
    fb.instance_id[0] = 0;
    fb.instance_index[0] = 0xffffffffu;
    next = {6, W, H, fb.depth, fb.instance_id};
    next.depth[0] = 2.0f;  // the next frame shows the wall everywhere
    next.ids[0] = 7;
  }
  const float* forward(std::uint32_t x, std::uint32_t y) const { return &fb.flow_forward[4 * (std::size_t{y} * W + x)]; }
  const float* backward(std::uint32_t x, std::uint32_t y) const { return &fb.flow_backward[4 * (std::size_t{y} * W + x)]; }
};

TEST(FlowField, ASlidingWallMovesEveryPixelByFxTimesShiftOverDepth) {
  Fixture f;
  ASSERT_TRUE(compute_flow(f.scene, f.fb, nullptr, &f.next).ok());
  ASSERT_EQ(f.fb.flow_forward.size(), 4u * W * H);
  for (std::uint32_t y = 0; y < H; ++y) {
    for (std::uint32_t x = 0; x < W; ++x) {
      const float* o = f.forward(x, y);
      if (x == 0 && y == 0) {  // no surface: no flow
        EXPECT_EQ(o[2], -1.0f);
        EXPECT_EQ(o[0], 0.0f);
        continue;
      }
      EXPECT_NEAR(o[0], 1.0f, 1e-6) << x << "," << y;  // 4 px/m x 0.5 m / 2 m
      EXPECT_NEAR(o[1], 0.0f, 1e-6);
      EXPECT_NEAR(o[3], 2.0f, 1e-6);                       // depth there
      EXPECT_EQ(o[2], x + 1 < W ? 1.0f : 0.0f) << x;       // the last column lands outside the frame
    }
  }
  // No previous frame in the clip: no backward flow anywhere.
  for (std::uint32_t p = 0; p < W * H; ++p) EXPECT_EQ(f.fb.flow_backward[4 * p + 2], -1.0f);
}

TEST(FlowField, StatusNeedsTheSameIdAndDepthAtTheDestination) {
  Fixture f;
  // Pixel (3, 2) lands in pixel (4, 2), (5, 3) in (6, 3) (centre + 1 px).
  f.next.ids[2 * W + 4] = 9;      // another instance there: occluded
  f.next.depth[3 * W + 6] = 1.5f;  // something 0.5 m nearer (beyond 0.01 m + 2 % of 2 m): occluded
  f.next.depth[1 * W + 3] = 2.04f;  // within the tolerance: still seen (pixel (2, 1) lands there)
  ASSERT_TRUE(compute_flow(f.scene, f.fb, nullptr, &f.next).ok());
  EXPECT_EQ(f.forward(3, 2)[2], 0.0f);
  EXPECT_EQ(f.forward(5, 3)[2], 0.0f);
  EXPECT_EQ(f.forward(2, 1)[2], 1.0f);
  EXPECT_EQ(f.forward(4, 4)[2], 1.0f);
}

TEST(FlowField, APointBehindTheOtherCameraHasNoFlow) {
  Fixture f;
  f.scene.next->models = {glm::translate(glm::mat4(1.0f), glm::vec3(0.0f, 0.0f, 3.0f))};  // behind the camera
  ASSERT_TRUE(compute_flow(f.scene, f.fb, nullptr, &f.next).ok());
  EXPECT_EQ(f.forward(4, 3)[2], -1.0f);
  EXPECT_EQ(f.forward(4, 3)[0], 0.0f);
}

TEST(FlowField, BackwardUsesThePreviousFramesPoses) {
  Fixture f;
  f.scene.previous = f.scene.next;
  f.scene.previous->frame = 4;
  f.scene.previous->models = {glm::translate(glm::mat4(1.0f), glm::vec3(0.0f, -0.25f, 0.0f))};  // 0.25 m down
  LabelPlanes previous = f.next;
  previous.frame = 4;
  ASSERT_TRUE(compute_flow(f.scene, f.fb, &previous, &f.next).ok());
  EXPECT_NEAR(f.backward(4, 3)[0], 0.0f, 1e-6);
  EXPECT_NEAR(f.backward(4, 3)[1], 0.5f, 1e-6);  // world down is image down: +0.25 x 4 / 2
  EXPECT_EQ(f.backward(4, 3)[2], 1.0f);
  EXPECT_EQ(f.backward(4, H - 1)[2], 0.0f);  // the last row lands below the frame
}

TEST(FlowField, MissingNeighbourBuffersAreAnInternalError) {
  Fixture f;
  auto s = compute_flow(f.scene, f.fb, nullptr, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::internal);
  LabelPlanes wrong = f.next;
  wrong.frame = 7;  // not the next frame's
  EXPECT_FALSE(compute_flow(f.scene, f.fb, nullptr, &wrong).ok());
}

}  // namespace
}  // namespace synthlabel
