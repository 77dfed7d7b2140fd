// Flow's per-instance data (std430; mirrored by InstanceMotion in ShaderInterface.h), for instance i of
// the frame (the draw's firstInstance): its object -> world matrix at the clip's previous frame
// (model[0]) and next frame (model[1]), for the neighbour pass; and this frame's camera space -> that
// frame's camera space for a point of the instance (relative[0], relative[1]; OpenGL axes), for the
// flow itself.
struct InstanceMotion {
  mat4 model[2];
  mat4 relative[2];
};
layout(set = 0, binding = 5, std430) readonly buffer MotionData {
  InstanceMotion instance[];
} motion;
