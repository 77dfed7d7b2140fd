"""docs/config.schema.json read by the reader editors and CI use: python-jsonschema (Debian's
python3-jsonschema, Draft 2020-12) on YAML loaded by PyYAML (python3-yaml). The schema is what
`synthlabel schema` prints (so the committed file cannot drift), every example config validates, and
the bad-input table's config cases that a schema can express are rejected; the rest (ranges across
keys, cross references, YAML-level faults) are the loader's, listed below.
"""
import json
import subprocess

import jsonschema
import pytest
import yaml

from conftest import BINARY, SOURCE


@pytest.fixture(scope="module")
def validator():
    printed = subprocess.run([BINARY, "schema"], capture_output=True, text=True, check=True).stdout
    committed = (SOURCE / "docs/config.schema.json").read_text()
    assert json.loads(printed) == json.loads(committed), \
        "docs/config.schema.json is stale: regenerate it with synthlabel schema > docs/config.schema.json"
    schema = json.loads(committed)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# (configs/calibration/ holds camera calibrations in OpenCV's format, not scene configs.)
EXAMPLES = sorted(p for p in (SOURCE / "configs").rglob("*.yaml") if "calibration" not in p.parts) + sorted((SOURCE / "tests/data").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_every_example_config_validates(validator, path):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert not errors, errors


OK = "categories: [box]\nobjects: [{primitive: cube, category: box}]\n"

# docs/bad-inputs.md's config cases a schema can express (the key or the value's type is wrong).
REJECTED = {
    "unknown key (typo)": OK + "camera: {distnce: 4}\n",
    "wrong type": "frames: many\n" + OK,
    "unknown distribution": OK + "camera: {distance: {gauss: [5, 1]}}\n",
    "negative count": "categories: [box]\nobjects: [{primitive: cube, category: box, count: -1}]\n",
    "absurd count": "categories: [box]\nobjects: [{primitive: cube, category: box, count: 99999999}]\n",
    "unknown top-level key": "sede: 1\n" + OK,
    "unknown primitive": "categories: [box]\nobjects: [{primitive: cubes, category: box}]\n",
    "unknown output format": OK + "outputs: [coco, yolov8]\n",
    "resolution side out of range": "resolution: [99999, 2]\n" + OK,
}
# The loader's alone: min > max, categories named by objects, a randomizer's own parameters, missing
# keys (an included file holds part of a config), files, YAML syntax/duplicates/depth, UTF-8, pixels
# per frame (16384 x 16384), include cycles.


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_bad_inputs_the_schema_can_express_are_rejected(validator, name):
    assert list(validator.iter_errors(yaml.safe_load(REJECTED[name]))), f"{name}: accepted"
