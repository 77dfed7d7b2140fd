#version 450
// The neighbour pass's output: the depth's bits and the instance id (RG32_UINT: bits, so no float
// conversion can touch them).
layout(push_constant) uniform NeighbourData {
  uint instance_id;
  uint which;
} neighbour;

layout(location = 0) in float v_depth;
layout(location = 0) out uvec2 out_surface;

void main() { out_surface = uvec2(floatBitsToUint(v_depth), neighbour.instance_id); }
