"""examples/ci/run_local.sh, the regression job the CI recipes run: accepts the first dataset, passes
on an unchanged config, fails (exit 7, diff.json written) on a planted change, and passes again once
the change is accepted. The GitHub Actions and GitLab recipes parse and run that script."""
import json
import os
import subprocess

import yaml

from conftest import BINARY, SOURCE

SCRIPT = SOURCE / "examples" / "ci" / "run_local.sh"
ARGS = "resolution=[64, 48]\n--frames\n4"


def run(work, extra_args="", **env):
    e = dict(os.environ, SYNTHLABEL=BINARY, WORK=str(work), REGRESSION_ARGS=ARGS + extra_args, **env)
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=e, cwd=work.parent)


def test_local_ci_job_passes_and_fails_as_it_should(tmp_path):
    work = tmp_path / "regression"
    first = run(work)
    assert first.returncode == 0 and "accepted" in first.stdout, first.stderr
    same = run(work)
    assert same.returncode == 0 and "equals the accepted one" in same.stdout, same.stderr
    changed = run(work, "\nobjects[4].color=[0.2, 0.45, 0.9]")
    assert changed.returncode == 7, changed.stdout + changed.stderr
    assert "synthlabel: differs: frame" in changed.stderr and "ACCEPT=1" in changed.stderr
    report = json.loads((work / "diff.json").read_text())
    assert not report["within_thresholds"] and report["differing_frames"]
    accepted = run(work, "\nobjects[4].color=[0.2, 0.45, 0.9]", ACCEPT="1")
    assert accepted.returncode == 0
    assert run(work, "\nobjects[4].color=[0.2, 0.45, 0.9]").returncode == 0
    loose = run(work, "", DIFF_ARGS="--max-rgb-mean\n255")  # the colour back: RGB only, allowed
    assert loose.returncode == 0, loose.stderr


def test_a_golden_folder_that_is_not_a_dataset_is_never_replaced(tmp_path):
    work = tmp_path / "regression"
    golden = tmp_path / "mine"
    golden.mkdir()
    (golden / "notes.txt").write_text("precious")
    r = run(work, "", GOLDEN=str(golden))
    assert r.returncode == 2 and "not replacing it" in r.stderr
    assert (golden / "notes.txt").read_text() == "precious"


def test_recipes_run_the_local_script():
    gh = yaml.safe_load((SOURCE / "examples" / "ci" / "github-actions.yml").read_text())
    steps = gh["jobs"]["regression"]["steps"]
    assert any("examples/ci/run_local.sh" in s.get("run", "") for s in steps)
    assert any("scripts/setup.sh" in s.get("run", "") for s in steps)
    gl = yaml.safe_load((SOURCE / "examples" / "ci" / "gitlab-ci.yml").read_text())
    script = gl["synthlabel-regression"]["script"]
    assert "examples/ci/run_local.sh" in script and "scripts/setup.sh" in script
