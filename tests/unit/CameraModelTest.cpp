// The one camera model (scenes/CameraModel.h): world -> OpenCV camera -> pixels, and pixel boxes.
#include "scenes/CameraModel.h"

#include <gtest/gtest.h>

#include <glm/ext/matrix_transform.hpp>

namespace synthlabel {
namespace {

Camera camera() {
  Camera c;
  c.width = 100;
  c.height = 80;
  c.fx = c.fy = 100.0;
  c.cx = 50.0;
  c.cy = 40.0;
  c.view = glm::lookAt(glm::vec3(0, 0, 10), glm::vec3(0), glm::vec3(0, 1, 0));  // looking down -Z
  return c;
}

TEST(CameraModel, OpenCvAxesAndPinholeProjection) {
  const Camera c = camera();
  const glm::dvec3 p = to_opencv(c, glm::dvec3(1, 2, 0));
  EXPECT_DOUBLE_EQ(p.x, 1.0);   // right stays right
  EXPECT_DOUBLE_EQ(p.y, -2.0);  // up is -Y
  EXPECT_DOUBLE_EQ(p.z, 10.0);  // in front: +Z
  const glm::dvec2 uv = project(c, p);
  EXPECT_DOUBLE_EQ(uv.x, 60.0);
  EXPECT_DOUBLE_EQ(uv.y, 20.0);
  // The matrix form (what records carry as world_to_camera) maps the point the same way.
  const glm::dvec4 q = world_to_opencv(c) * glm::dvec4(1, 2, 0, 1);
  EXPECT_EQ(glm::dvec3(q), p);
}

TEST(CameraModel, BoxCornersFollowTheBitOrder) {
  const auto k = box_corners(glm::dvec3(0, 1, 2), glm::dvec3(3, 4, 5));
  EXPECT_EQ(k[0], glm::dvec3(0, 1, 2));
  EXPECT_EQ(k[1], glm::dvec3(3, 1, 2));
  EXPECT_EQ(k[2], glm::dvec3(0, 4, 2));
  EXPECT_EQ(k[4], glm::dvec3(0, 1, 5));
  EXPECT_EQ(k[7], glm::dvec3(3, 4, 5));
}

TEST(CameraModel, PixelBoxHoldsTheProjectionWithAPixelToSpare) {
  const Camera c = camera();
  // A unit cube at the origin projects to u in [45, 55] (near face at z = 9: [44.4, 55.6]).
  const PixelBox b = pixel_box(c, glm::mat4(1.0f), glm::vec3(-0.5f), glm::vec3(0.5f));
  EXPECT_EQ(b.x, 43u);  // floor(44.44) - 1
  EXPECT_EQ(b.x + b.w, 57u);  // ceil(55.56) + 1
  EXPECT_EQ(b.y, 33u);
  EXPECT_EQ(b.y + b.h, 47u);
  // Off the frame: empty. Through the near plane: the whole frame.
  const PixelBox off = pixel_box(c, glm::translate(glm::mat4(1.0f), glm::vec3(50, 0, 0)), glm::vec3(-0.5f), glm::vec3(0.5f));
  EXPECT_EQ(off.w * off.h, 0u);
  const PixelBox near = pixel_box(c, glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, 10)), glm::vec3(-0.5f), glm::vec3(0.5f));
  EXPECT_EQ(near.w, 100u);
  EXPECT_EQ(near.h, 80u);
}

}  // namespace
}  // namespace synthlabel
