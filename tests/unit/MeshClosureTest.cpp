// mesh_closure (scenes/MeshClosure.h): which meshes enclose a volume, and which side faces out.
#include "scenes/MeshClosure.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "scenes/Primitives.h"

namespace synthlabel {
namespace {

TEST(MeshClosure, ThePrimitives) {
  // The cube's faces are wound counter-clockwise seen from outside; the sphere's, the torus's, the
  // cylinder's and the cone's grids and caps the other way (their seams, poles, rims and apex weld shut).
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::cube)), Closure::outward);
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::sphere)), Closure::inward);
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::torus)), Closure::inward);
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::cylinder)), Closure::inward);
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::cone)), Closure::inward);
  EXPECT_EQ(mesh_closure(make_primitive(PrimitiveKind::plane)), Closure::open);
}

TEST(MeshClosure, WindingHolesAndInconsistencyAreSeen) {
  const Mesh cube = make_primitive(PrimitiveKind::cube);
  Mesh inward = cube;  // every triangle turned round
  for (std::size_t t = 0; t < inward.indices.size(); t += 3) std::swap(inward.indices[t + 1], inward.indices[t + 2]);
  EXPECT_EQ(mesh_closure(inward), Closure::inward);
  Mesh holed = cube;  // one face missing
  holed.indices.resize(holed.indices.size() - 6);
  EXPECT_EQ(mesh_closure(holed), Closure::open);
  Mesh flipped = cube;  // one triangle turned round: not consistently oriented
  std::swap(flipped.indices[1], flipped.indices[2]);
  EXPECT_EQ(mesh_closure(flipped), Closure::open);
  Mesh doubled = cube;  // a face twice: an edge run along twice the same way
  doubled.indices.insert(doubled.indices.end(), cube.indices.begin(), cube.indices.begin() + 6);
  EXPECT_EQ(mesh_closure(doubled), Closure::open);
  Mesh cracked = cube;  // one corner's copy moved apart by a thousandth of the size: a crack
  cracked.vertices[0].position.x += 1e-3f;
  EXPECT_EQ(mesh_closure(cracked), Closure::open);
  Mesh bad_index = cube;
  bad_index.indices[0] = 1000;
  EXPECT_EQ(mesh_closure(bad_index), Closure::open);
  EXPECT_EQ(mesh_closure(Mesh{}), Closure::open);
}

}  // namespace
}  // namespace synthlabel
