#version 450
#extension GL_GOOGLE_include_directive : require
// The neighbour pass (flow validity): the clip's previous or next frame drawn at the main pass's size,
// depth and id only, as that frame's own main pass draws it. gl_Position is precise (no fused operations) and computed
// by the same expressions as mesh.vert's (model, then view, then projection) from the same values:
// that frame's object -> world matrix (the storage buffer) and view.
layout(location = 0) in vec3 in_position;

#include "frame_data.glsl"

#include "motion_data.glsl"

layout(push_constant) uniform NeighbourData {
  uint instance_id;
  uint which;  // 0: previous frame, 1: next
} neighbour;

layout(location = 0) out float v_depth;
precise gl_Position;

void main() {
  vec4 world = motion.instance[gl_InstanceIndex].model[neighbour.which] * vec4(in_position, 1.0);
  vec4 view = frame.other_view[neighbour.which] * world;
  v_depth = -view.z;
  gl_Position = frame.proj * view;
}
