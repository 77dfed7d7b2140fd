#include "physics/World.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

#include <btBulletDynamicsCommon.h>

namespace synthlabel {
namespace {

btVector3 bt(const glm::dvec3& v) { return {static_cast<btScalar>(v.x), static_cast<btScalar>(v.y), static_cast<btScalar>(v.z)}; }
glm::dvec3 glm_of(const btVector3& v) { return {double(v.x()), double(v.y()), double(v.z())}; }
btQuaternion bt(const glm::dquat& q) {
  return {static_cast<btScalar>(q.x), static_cast<btScalar>(q.y), static_cast<btScalar>(q.z), static_cast<btScalar>(q.w)};
}

bool same(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); }

}  // namespace

struct PhysicsWorld::Impl {
  WorldSettings settings;
  btDefaultCollisionConfiguration config;
  btCollisionDispatcher dispatcher{&config};
  btDbvtBroadphase broadphase;
  btSequentialImpulseConstraintSolver solver;
  btDiscreteDynamicsWorld world{&dispatcher, &broadphase, &solver, &config};
  struct Body {
    std::unique_ptr<btRigidBody> body;
    std::vector<std::unique_ptr<btCollisionShape>> shapes;  // the compound's children first, the root last
    std::unique_ptr<btTriangleMesh> triangles;
    glm::dvec3 com{0.0};  // centre of mass in the instance's (scaled, unrotated) frame
    std::uint32_t tag = 0;
  };
  std::vector<Body> bodies;
  std::uint64_t steps = 0;
  std::set<std::pair<std::size_t, std::size_t>> touching;  // handle pairs pushing in the last step
  std::vector<ContactEvent> events;

  explicit Impl(const WorldSettings& s) : settings(s) {
    // Bullet puts a body to sleep after gDeactivationTime seconds below its sleeping thresholds (a
    // process-wide setting, 2 s by default): half a second, set once before any world steps.
    static std::once_flag once;
    std::call_once(once, [] { gDeactivationTime = btScalar(0.5); });
    world.setGravity(bt(s.gravity));
    btContactSolverInfo& info = world.getSolverInfo();
    info.m_numIterations = s.solver_iterations;
    // Split impulses (penetration pushed out by a separate position correction, adding no energy) for
    // every penetration, not only those past Bullet's default 4 cm: parts are centimetres across.
    info.m_splitImpulse = 1;
    info.m_splitImpulsePenetrationThreshold = btScalar(-1e-5);
  }
  ~Impl() {
    for (auto& b : bodies) {
      if (b.body) world.removeRigidBody(b.body.get());
    }
  }

  btCollisionShape* hull_shape(Body& b, const ConvexPiece& piece, const glm::dvec3& scale) {
    auto hull = std::make_unique<btConvexHullShape>();
    for (const auto& p : piece.points) hull->addPoint(bt(p * scale), false);
    hull->recalcLocalAabb();
    hull->setMargin(static_cast<btScalar>(settings.margin_m));
    b.shapes.push_back(std::move(hull));
    return b.shapes.back().get();
  }

  // The shapes of one body (in the instance's scaled frame, origin at the mesh's origin).
  std::vector<btCollisionShape*> make_shapes(Body& b, const BodyDesc& d) {
    const CollisionRecipe& r = *d.recipe;
    const glm::dvec3 s = glm::abs(d.scale);
    const btScalar margin = static_cast<btScalar>(settings.margin_m);
    auto own = [&](std::unique_ptr<btCollisionShape> shape) {
      shape->setMargin(std::min(shape->getMargin(), margin));
      b.shapes.push_back(std::move(shape));
      return std::vector<btCollisionShape*>{b.shapes.back().get()};
    };
    switch (r.kind) {
      case ShapeKind::box: return own(std::make_unique<btBoxShape>(bt(0.5 * s)));
      case ShapeKind::sphere:
        if (same(s.x, s.y) && same(s.y, s.z)) return own(std::make_unique<btSphereShape>(static_cast<btScalar>(0.5 * s.x)));
        break;
      case ShapeKind::plane: {  // never dynamic: add() makes a body without volume a fixture
          // A slab under the plane, as thick as the plane is wide (nothing tunnels through it).
          const double thick = std::max(s.x, s.z);
          auto box = std::make_unique<btBoxShape>(bt(glm::dvec3(0.5 * s.x, 0.5 * thick, 0.5 * s.z)));
          b.shapes.push_back(std::move(box));
          auto compound = std::make_unique<btCompoundShape>();
          compound->addChildShape(btTransform(btQuaternion::getIdentity(), bt(glm::dvec3(0, -0.5 * thick, 0))), b.shapes.back().get());
          b.shapes.push_back(std::move(compound));
          return {b.shapes.back().get()};
        }
      case ShapeKind::convex_hull:
      case ShapeKind::convex_decomposition: break;
    }
    if (d.type != BodyType::dynamic && !r.surface.triangles.empty() && !r.primitive) {
      // Fixtures and moving obstacles collide as their exact triangles (concave bins, tables).
      b.triangles = std::make_unique<btTriangleMesh>();
      for (const auto& t : r.surface.triangles) {
        b.triangles->addTriangle(bt(r.surface.points[t[0]] * d.scale), bt(r.surface.points[t[1]] * d.scale),
                                 bt(r.surface.points[t[2]] * d.scale), false);
      }
      auto mesh = std::make_unique<btBvhTriangleMeshShape>(b.triangles.get(), true);
      mesh->setMargin(margin);
      b.shapes.push_back(std::move(mesh));
      return {b.shapes.back().get()};
    }
    std::vector<btCollisionShape*> out;
    if (r.kind == ShapeKind::convex_decomposition) {
      for (const auto& piece : r.pieces) out.push_back(hull_shape(b, piece, d.scale));
    } else {
      out.push_back(hull_shape(b, r.hull, d.scale));  // a hull, or a sphere scaled out of its symmetry
    }
    return out;
  }
};

PhysicsWorld::PhysicsWorld(const WorldSettings& settings) : m(std::make_unique<Impl>(settings)) {}
PhysicsWorld::~PhysicsWorld() = default;

std::size_t PhysicsWorld::add(const BodyDesc& desc) {
  BodyDesc d = desc;
  if (d.type != BodyType::fixed && !d.recipe->has_volume()) d.type = BodyType::fixed;  // no volume, no mass: a fixture
  const std::size_t handle = m->bodies.size();
  m->bodies.emplace_back();
  Impl::Body& b = m->bodies.back();
  b.tag = d.tag;
  const std::vector<btCollisionShape*> parts = m->make_shapes(b, d);
  btScalar mass = 0;
  btVector3 inertia(0, 0, 0);
  if (d.type == BodyType::dynamic) {
    const CollisionRecipe& r = *d.recipe;
    const MassProperties mp = r.closed() ? mass_properties(r.surface.points, r.surface.triangles, d.scale)
                                         : mass_properties(r.hull.points, r.hull.triangles, d.scale);
    b.com = mp.volume > 0 ? mp.centre : glm::dvec3(0.0);
    const double density = mp.volume > 0 ? d.mass / mp.volume : 0.0;
    // The tensor's diagonal in the mesh's axes (exact for the primitives and any mesh symmetric about
    // its axes; an approximation otherwise).
    inertia = bt(density * glm::dvec3(mp.inertia[0][0], mp.inertia[1][1], mp.inertia[2][2]));
    mass = static_cast<btScalar>(d.mass);
  }
  // A body's origin is its centre of mass: a shape centred there is the body's shape itself, else a
  // compound holds its parts at -com (compound against compound costs parts x parts tests).
  btCollisionShape* root = parts.front();
  if (parts.size() > 1 || glm::length(b.com) > 0) {
    auto compound = std::make_unique<btCompoundShape>(true, static_cast<int>(parts.size()));
    for (btCollisionShape* p : parts) compound->addChildShape(btTransform(btQuaternion::getIdentity(), bt(-b.com)), p);
    root = compound.get();
    b.shapes.push_back(std::move(compound));
  }
  const btTransform pose(bt(d.rotation), bt(d.position + d.rotation * b.com));
  btRigidBody::btRigidBodyConstructionInfo info(mass, nullptr, root, inertia);
  info.m_startWorldTransform = pose;
  info.m_friction = static_cast<btScalar>(d.friction);
  info.m_restitution = static_cast<btScalar>(d.restitution);
  info.m_rollingFriction = static_cast<btScalar>(d.type == BodyType::dynamic ? 0.002 : 0.0);
  info.m_spinningFriction = info.m_rollingFriction;
  info.m_linearDamping = static_cast<btScalar>(d.type == BodyType::dynamic ? m->settings.linear_damping : 0.0);
  info.m_angularDamping = static_cast<btScalar>(d.type == BodyType::dynamic ? m->settings.angular_damping : 0.0);
  info.m_linearSleepingThreshold = 0.01f;
  info.m_angularSleepingThreshold = 0.05f;
  b.body = std::make_unique<btRigidBody>(info);
  b.body->setUserIndex(static_cast<int>(handle));
  if (d.type == BodyType::kinematic) {
    b.body->setCollisionFlags(b.body->getCollisionFlags() | btCollisionObject::CF_KINEMATIC_OBJECT);
    b.body->setActivationState(DISABLE_DEACTIVATION);
  } else if (d.type == BodyType::dynamic) {
    b.body->setLinearVelocity(bt(d.velocity));
    b.body->setAngularVelocity(bt(d.angular_velocity));
    // Continuous collision for fast small parts: a swept sphere of 40% of the smallest half extent.
    btVector3 lo, hi;
    root->getAabb(btTransform::getIdentity(), lo, hi);
    const btVector3 extent = hi - lo;
    const btScalar half = 0.5f * extent[extent.minAxis()];
    b.body->setCcdMotionThreshold(0.5f * half);
    b.body->setCcdSweptSphereRadius(0.4f * half);
  }
  m->world.addRigidBody(b.body.get());
  return handle;
}

void PhysicsWorld::remove(std::size_t handle) {
  Impl::Body& b = m->bodies.at(handle);
  if (!b.body) return;
  m->world.removeRigidBody(b.body.get());
  b.body.reset();
  for (auto it = m->touching.begin(); it != m->touching.end();) {
    it = it->first == handle || it->second == handle ? m->touching.erase(it) : std::next(it);
  }
  // Whatever rested on it falls again.
  for (auto& o : m->bodies) {
    if (o.body && !o.body->isStaticOrKinematicObject()) o.body->activate(true);
  }
}

bool PhysicsWorld::present(std::size_t handle) const { return handle < m->bodies.size() && m->bodies[handle].body != nullptr; }

void PhysicsWorld::move_kinematic(std::size_t handle, const glm::dvec3& position, const glm::dquat& rotation) {
  Impl::Body& b = m->bodies.at(handle);
  if (!b.body) return;
  b.body->setWorldTransform(btTransform(bt(rotation), bt(position + rotation * b.com)));
}

void PhysicsWorld::step() {
  const auto dt = static_cast<btScalar>(m->settings.step_s);
  m->world.stepSimulation(dt, 0, dt);  // maxSubSteps 0: exactly one step of dt, no interpolation
  ++m->steps;
  m->events.clear();
  if (!m->settings.contacts) return;
  // Contact onsets: pairs pushing (a positive normal impulse) now that were not in the step before.
  struct Sum {
    double impulse = 0;
    glm::dvec3 weighted{0.0}, normal{0.0};
  };
  std::map<std::pair<std::size_t, std::size_t>, Sum> now;
  const int n = m->dispatcher.getNumManifolds();
  for (int i = 0; i < n; ++i) {
    const btPersistentManifold* mf = m->dispatcher.getManifoldByIndexInternal(i);
    const auto ha = static_cast<std::size_t>(mf->getBody0()->getUserIndex());
    const auto hb = static_cast<std::size_t>(mf->getBody1()->getUserIndex());
    const bool swap = m->bodies[ha].tag > m->bodies[hb].tag;
    Sum& s = now[swap ? std::make_pair(hb, ha) : std::make_pair(ha, hb)];
    for (int c = 0; c < mf->getNumContacts(); ++c) {
      const btManifoldPoint& p = mf->getContactPoint(c);
      const double j = p.getAppliedImpulse();
      if (j <= 0) continue;
      s.impulse += j;
      s.weighted += j * glm_of(p.getPositionWorldOnB());
      // normalWorldOnB points from body1 to body0; events point from b to a.
      s.normal += (swap ? -j : j) * glm_of(p.m_normalWorldOnB);
    }
  }
  std::set<std::pair<std::size_t, std::size_t>> touching;
  for (const auto& [pair, s] : now) {
    if (s.impulse <= 0) continue;
    touching.insert(pair);
    if (m->touching.count(pair)) continue;
    ContactEvent e;
    e.time_s = time();
    e.a = m->bodies[pair.first].tag;
    e.b = m->bodies[pair.second].tag;
    e.impulse = s.impulse;
    e.position = s.weighted / s.impulse;
    e.normal = glm::length(s.normal) > 0 ? glm::normalize(s.normal) : glm::dvec3(0.0);
    m->events.push_back(e);
  }
  std::sort(m->events.begin(), m->events.end(), [](const ContactEvent& x, const ContactEvent& y) {
    return std::tie(x.a, x.b) < std::tie(y.a, y.b);
  });
  m->touching = std::move(touching);
}

double PhysicsWorld::time() const { return static_cast<double>(m->steps) * m->settings.step_s; }
std::uint64_t PhysicsWorld::steps() const { return m->steps; }

BodyState PhysicsWorld::state(std::size_t handle) const {
  const Impl::Body& b = m->bodies.at(handle);
  BodyState s;
  if (!b.body) return s;
  const btTransform& t = b.body->getCenterOfMassTransform();
  const btQuaternion q = t.getRotation();
  s.rotation = glm::normalize(glm::dquat(double(q.w()), double(q.x()), double(q.y()), double(q.z())));
  s.position = glm_of(t.getOrigin()) - s.rotation * b.com;
  s.velocity = glm_of(b.body->getLinearVelocity());
  s.angular_velocity = glm_of(b.body->getAngularVelocity());
  return s;
}

const std::vector<ContactEvent>& PhysicsWorld::new_contacts() const { return m->events; }

}  // namespace synthlabel
