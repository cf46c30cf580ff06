"""JSON Schemas (draft 2020-12) for the case file v1 and the determination.

Generated from the attrs models (core/schemas.py), shipped in the package
(eirules/schemas/) and in docs/schemas/. Every example validates; the loader
never accepts a document the case schema refuses. Run this file to rewrite the
shipped copies after a model change: `python tests/test_schemas.py`.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eirules
from eirules.core.convert import determination_to_dict, read_json
from eirules.core.engine import Engine
from eirules.core.errors import InputError
from eirules.core.schemas import FILES, json_schema

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = Path(eirules.__file__).parent / "schemas"
DOCS = ROOT / "docs" / "schemas"
ENGINE = Engine(entry_points=False)

CASE_FILES = sorted(
    p
    for pattern in ("examples/*.json", "examples/caseload/*.json", "examples/**/students/*.json")
    for p in ROOT.glob(pattern)
) + sorted(p for p in ROOT.glob("*/**/tests/*.json"))


def _text(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_shipped() -> None:
    for folder in (SHIPPED, DOCS):
        folder.mkdir(parents=True, exist_ok=True)
        for kind, name in FILES.items():
            (folder / name).write_text(_text(json_schema(kind, ENGINE)), encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("folder", [SHIPPED, DOCS], ids=["package", "docs"])
def test_shipped_schema_is_the_one_generated_from_the_models(folder, kind):
    """They cannot drift: a model change without `python tests/test_schemas.py` fails here."""
    shipped = (folder / FILES[kind]).read_text(encoding="utf-8")
    assert shipped == _text(json_schema(kind, ENGINE)), (
        f"{folder / FILES[kind]} is not the schema of the current models: "
        "run python tests/test_schemas.py and commit the result"
    )


@pytest.mark.parametrize("kind", sorted(FILES))
def test_schemas_are_valid_draft_2020_12(kind):
    schema = json_schema(kind, ENGINE)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


CASE = jsonschema.Draft202012Validator(json_schema("case", ENGINE))
DETERMINATION = jsonschema.Draft202012Validator(json_schema("determination", ENGINE))


def test_there_are_many_example_case_files():
    assert len(CASE_FILES) > 280


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_example_case_file_and_its_determination_validate(path):
    data = read_json(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in CASE.iter_errors(data)]
    assert errors == []
    case = ENGINE.case_from_dict(data, source=str(path))
    ruleset = case.ruleset if case.ruleset in ENGINE.rulesets.ids() else "us"
    det = determination_to_dict(ENGINE.evaluate(case, ruleset, date(2026, 6, 1)))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in DETERMINATION.iter_errors(det)]
    assert errors == []


def test_schema_refuses_what_the_loader_refuses_by_type_and_vocabulary():
    """Worked examples: an unknown key, a misspelt event type, a string for a number."""
    base = read_json(ROOT / "examples" / "mo-0001.json")
    bad = [
        {**base, "childe": {}},
        {**base, "events": [{"type": "referal_received", "date": "2025-01-02"}]},
        {**base, "child": {**base["child"], "gestational_age_weeks": "31"}},
        {**base, "child": {**base["child"], "birth_date": "2024-11-2"}},
        {**base, "schema": "eirules/case@2"},
    ]
    for doc in bad:
        assert not CASE.is_valid(doc)
        with pytest.raises(InputError):
            ENGINE.case_from_dict(doc)


# Property: the loader never accepts what the schema refuses ---------------------------

EXAMPLES = [read_json(p) for p in CASE_FILES[:: max(1, len(CASE_FILES) // 40)]]
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2025-02-30", "2025-01-15", "", " ", "eligible", "ifsp", "week"]),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


@st.composite
def mutated_documents(draw):
    doc = copy.deepcopy(draw(st.sampled_from(EXAMPLES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add_key"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON_VALUE)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(JSON_VALUE)
    return doc


@settings(max_examples=300)
@given(mutated_documents())
def test_loader_accepts_only_schema_valid_documents(doc):
    """Accepted => valid, i.e. schema-invalid => refused, with a message for each problem."""
    valid = CASE.is_valid(doc)
    try:
        ENGINE.case_from_dict(doc)
    except InputError as exc:
        assert exc.problems, "a refusal lists what is wrong"
        assert all(p.what for p in exc.problems)
        return
    assert valid, [e.message for e in CASE.iter_errors(doc)]


if __name__ == "__main__":
    write_shipped()
    print(f"wrote {', '.join(FILES.values())} to {SHIPPED} and {DOCS}")
