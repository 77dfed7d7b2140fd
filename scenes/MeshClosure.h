// Whether a mesh's triangles enclose a volume, and which side of them faces out. A renderer may skip
// the faces of a closed mesh turned away from the camera (or from a light): at every pixel a face
// turned towards it is nearer or, on an outline, at exactly the same depth and of the same instance.
#pragma once

#include "scenes/Mesh.h"

namespace synthlabel {

enum class Closure {
  open,     // not closed (a plane, an open or non-manifold surface, a crack): both faces can be seen
  outward,  // closed; each triangle's counter-clockwise side (right hand) faces out
  inward,   // closed; the clockwise side faces out
};

// Closed when, the vertices welded by position (within 1e-6 of the box's diagonal, so seams whose
// duplicated vertices differ in the last bits join), every edge of a non-degenerate triangle is run
// along once in each direction: a closed, consistently oriented surface. Then the sign of the
// enclosed volume tells the side facing out. A mesh of no non-degenerate triangle is open.
Closure mesh_closure(const Mesh& mesh);

}  // namespace synthlabel
