#version 450
// The neighbour pass's outputs: the depth (as the main pass writes it) and the instance id.
layout(push_constant) uniform NeighbourData {
  uint instance_id;
  uint which;
} neighbour;

layout(location = 0) in float v_depth;
layout(location = 0) out float out_depth;
layout(location = 1) out uint out_id;

void main() {
  out_depth = v_depth;
  out_id = neighbour.instance_id;
}
