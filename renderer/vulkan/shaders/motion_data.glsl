// Flow's per-instance data (std430; mirrored by InstanceMotion in ShaderInterface.h): for instance i
// of the frame (the draw's firstInstance), model[2 i] is its object -> world matrix at the clip's
// previous frame and model[2 i + 1] at the next.
layout(set = 0, binding = 5, std430) readonly buffer MotionData {
  mat4 model[];
} motion;
