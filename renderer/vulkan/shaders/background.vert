#version 450
// One triangle covering the whole framebuffer, for the environment background, at the far depth (1):
// drawn after the meshes, its z-test (LESS_OR_EQUAL against the cleared 1) passes only where no
// surface was drawn, so only those pixels are shaded.
void main() {
  vec2 p = vec2(float((gl_VertexIndex << 1) & 2), float(gl_VertexIndex & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 1.0, 1.0);
}
