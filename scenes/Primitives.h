// Procedural primitives, all centred on the origin and fitting the unit cube [-0.5, 0.5]^3, so
// `scale` in a config is the object's size in metres:
//   cube      side 1
//   sphere    diameter 1
//   cylinder  diameter 1, height 1, axis +Y
//   cone      base diameter 1, height 1, apex at +Y
//   torus     outer diameter 1 (ring radius 0.35, tube radius 0.15), in the XZ plane
//   plane     1 x 1 in the XZ plane, normal +Y (scale it up to make a ground)
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "scenes/Mesh.h"

namespace synthlabel {

enum class PrimitiveKind { cube, sphere, cylinder, cone, torus, plane };

inline constexpr std::array<std::string_view, 6> k_primitive_names = {"cube",  "sphere", "cylinder",
                                                                      "cone",  "torus",  "plane"};

std::optional<PrimitiveKind> primitive_from_name(std::string_view name);
std::string_view primitive_name(PrimitiveKind kind);
Mesh make_primitive(PrimitiveKind kind);

}  // namespace synthlabel
