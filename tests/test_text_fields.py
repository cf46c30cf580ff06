"""Every free-text field of a case and of a ruleset gets the one text check (core/text.py).

QA found control characters in `county`, `district`, `provider`, `conditions[].name` and
`code` and `instrument` (checked only as strings), and in ruleset citations: written raw
into CSV and HTML. The fields are enumerated from the attrs models (`text_fields`), so a
str field added without a check fails `test_every_str_field_of_every_model_...`.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sqlite3
from datetime import date

import attrs
import pytest
from helpers import caseload_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eirules.core.engine import Engine
from eirules.core.errors import InputError, RulesetError
from eirules.core.model_fields import _string, text_fields, unchecked_text
from eirules.core.models import Case
from eirules.core.ruleset_validate import validate_paths
from eirules.core.rulesets import RulesetRegistry, builtin_folder, ruleset_folders
from eirules.core.text import first_unsafe
from eirules.plugins.mtss.models import School

#: A case with every list filled, so that every text field of the model has a place.
FULL = {
    "schema": "eirules/case@1",
    "id": "TX-0001",
    "ruleset": "us",
    "district": "Fictional Unified",
    "county": "Fictional County",
    "provider": "Fictional Early Steps",
    "child": {"birth_date": "2024-11-02", "name": "Ada Fictional", "risk_factors": ["x"]},
    "events": [
        {
            "type": "referral_received",
            "date": "2025-01-06",
            "program": "part_c",
            "reason": "a reason",
            "outcome": "an outcome",
            "category": "a category",
            "service": "speech therapy",
            "note": "a note",
        }
    ],
    "evaluations": [
        {
            "date": "2025-01-20",
            "instrument": "BDI-3",
            "program": "part_c",
            "note": "a note",
            "scores": [{"domain": "communication", "subdomain": "expressive", "percent_delay": 30}],
        }
    ],
    "conditions": [{"name": "a condition", "code": "Q90.9"}],
    "enrolments": [{"program": "part_c", "start": "2025-01-06"}],
    "service_plans": [
        {
            "kind": "ifsp",
            "services": [{"name": "speech therapy", "method": "individual", "location": "home"}],
            "transition": [{"date": "2025-02-01", "note": "a note"}],
        }
    ],
}
#: The case fields that are not free text but one of given words (refused all the same).
CHOICES = {
    "evaluations[].scores[].domain",
    "evaluations[].informed_clinical_opinion",
    "service_plans[].kind",
    "service_plans[].services[].per",
    "service_plans[].transition[].agency_invited",
}
NOTES = {"events[].note", "evaluations[].note", "service_plans[].transition[].note"}
CASE_TEXT = sorted(path for path, _ in text_fields(Case))

#: The characters no field but a note may hold: C0 and C1 controls, DEL, bidi controls,
#: the line and paragraph separators.
CONTROLS = [
    *map(chr, range(0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *map(chr, range(0x2028, 0x202F)),
    *map(chr, range(0x2066, 0x206A)),
]
plain = st.text(
    st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Cn", "Zl", "Zp")), max_size=6
)


def hostile(note: bool):
    controls = [c for c in CONTROLS if not (note and c in "\n\t")]
    # "x" first: text of only white space is refused as empty before its characters.
    return st.tuples(plain, st.sampled_from(controls), plain).map(lambda t: "x" + "".join(t))


def _set(doc: dict, path: str, value: str) -> str:
    """Put `value` at a `text_fields` path of the FULL case; the path as a problem names it."""
    parts = path.split(".")
    target = doc
    shown = []
    for part in parts[:-1]:
        if part.endswith("[]"):
            target = target[part[:-2]][0]
            shown.append(f"{part[:-2]}[0]")
        else:
            target = target[part]
            shown.append(part)
    last = parts[-1]
    target[last] = [value] if isinstance(target.get(last), list) else value
    return ".".join([*shown, last])


@pytest.fixture(scope="module")
def engine():
    return Engine(entry_points=False)


def test_the_full_case_is_valid_and_names_every_text_field(engine):
    engine.case_from_dict(copy.deepcopy(FULL), today=date(2026, 1, 1))
    for path in CASE_TEXT:
        _set(copy.deepcopy(FULL), path, "x")  # a place for each field: KeyError if not
    assert {"county", "district", "provider", "conditions[].name", "conditions[].code"} <= set(
        CASE_TEXT
    )
    assert "evaluations[].instrument" in CASE_TEXT


def test_every_str_field_of_every_model_makes_the_text_check(engine):
    """The case, every section a plugin registers (MTSS, plans, Part B, Missouri) and the MTSS
    school file: no str field, however deep, skips `text_problem`."""
    models = [Case, School, *engine.case_sections.values()]
    assert {m.__name__ for m in models} >= {"Case", "School", "MtssRecord", "PlansRecord"}
    for model in models:
        assert unchecked_text(model) == [], model.__name__


@attrs.frozen
class _Inner:
    code: str | None = attrs.field(default=None, validator=attrs.validators.optional(_string))


@attrs.frozen
class _Outer:
    """A model a new field was added to without the check (the type check alone is none)."""

    county: str = "x"
    tags: tuple[str, ...] = ()
    inner: tuple[_Inner, ...] = ()


def test_a_str_field_added_without_the_check_is_found():
    assert unchecked_text(_Outer) == ["county", "tags", "inner[].code"]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_control_character_in_any_text_field_of_a_case_is_refused(engine, data):
    """Field, code point and fix named; a note may break lines and hold tabs, nothing else."""
    path = data.draw(st.sampled_from(CASE_TEXT))
    value = data.draw(hostile(note=path in NOTES))
    doc = copy.deepcopy(FULL)
    where = _set(doc, path, value)
    with pytest.raises(InputError) as caught:
        engine.case_from_dict(doc, today=date(2026, 1, 1))
    problems = [p for p in caught.value.problems if p.where.startswith(where)]
    assert problems, [str(p) for p in caught.value.problems]
    if path not in CHOICES:
        found = first_unsafe(value.replace("\n", "").replace("\t", "") if path in NOTES else value)
        assert any(
            f"character {found}" in p.what and p.fix.startswith("remove it") for p in problems
        )


_ONCE = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_ONCE
@given(data=st.data())
def test_an_import_with_a_control_character_in_any_field_writes_nothing(
    tmp_path, monkeypatch, data
):
    run = caseload_cli(tmp_path, monkeypatch)
    path = data.draw(st.sampled_from(CASE_TEXT))
    doc = copy.deepcopy(FULL)
    where = _set(doc, path, data.draw(hostile(note=path in NOTES)))
    case_file = tmp_path / "c.json"
    case_file.write_text(json.dumps(doc))
    result = run("cases", "import", case_file, code=2)
    assert str(case_file) in result.output and where in result.output
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        assert conn.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM case_documents").fetchone()[0] == 0


def test_the_qa_county_is_refused_with_file_field_code_point_and_fix(tmp_path, monkeypatch):
    run = caseload_cli(tmp_path, monkeypatch)
    doc = {**copy.deepcopy(FULL), "county": "Evil\u001b[31m"}
    doc["conditions"] = [{"name": "x\u0000y", "code": "Q\u0007"}]
    case_file = tmp_path / "c.json"
    case_file.write_text(json.dumps(doc))
    out = run("cases", "import", case_file, code=2).output
    for where, code in (
        ("county", "001B"),
        ("conditions[0].name", "0000"),
        ("conditions[0].code", "0007"),
    ):
        assert re.search(
            rf"{re.escape(where)}: contains the control or bidi character U\+{code}", out
        )
    assert "remove it: every field but a note is plain text on one line" in out
    assert str(case_file) in out


# Ruleset text: citations, labels, reasons -------------------------------------------------


def _copy(tmp_path, rid="us-mo"):
    folder = tmp_path / rid
    shutil.copytree(builtin_folder() / rid, folder)
    return folder


def _problems(folder):
    [result] = validate_paths([folder], [folder.parent, builtin_folder()])
    return list(result.problems)


def _toml_escape(text: str) -> str:
    return "".join(c if c.isalnum() or c == " " else f"\\u{ord(c):04x}" for c in text)


@settings(max_examples=15, deadline=None)
@given(value=hostile(note=False), key=st.sampled_from(["citation", "note"]))
def test_a_control_character_in_a_ruleset_citation_is_refused_at_its_key_and_line(
    tmp_path_factory, value, key
):
    """A value's citation is one line of plain text; its note may break lines, no more."""
    folder = _copy(tmp_path_factory.mktemp("rs"))
    part_c = folder / "part_c.toml"
    lines = part_c.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith(f'{key} = "'))
    lines[n] = f'{key} = "{_toml_escape(value)}"'
    part_c.write_text("\n".join(lines) + "\n")
    ours = [p for p in _problems(folder) if p.key.endswith(f".{key}")]
    if key == "note" and first_unsafe(value.replace("\n", "").replace("\t", "")) is None:
        assert ours == []  # a note's line break or tab is allowed
        return
    assert len(ours) == 1 and ours[0].line == n + 1
    assert "character U+" in ours[0].what and ours[0].fix.startswith("remove it")


def test_the_qa_citation_with_esc_and_bel_does_not_load(tmp_path):
    folder = _copy(tmp_path)
    part_c = folder / "part_c.toml"
    text = part_c.read_text().replace(
        'citation = "Missouri', 'citation = "\\u001b[31mMissouri\\u0007', 1
    )
    part_c.write_text(text)
    assert [p.what for p in _problems(folder)] == ["contains the control or bidi character U+001B"]
    with pytest.raises(RulesetError):
        RulesetRegistry(ruleset_folders([tmp_path])).get("us-mo")


def test_a_label_and_a_key_are_checked_too(tmp_path):
    folder = _copy(tmp_path, "us")
    part_c = folder / "part_c.toml"
    text = part_c.read_text()
    label = re.search(r'^label = "', text, re.M)
    assert label is not None
    text = text[: label.end()] + "\\u202e" + text[label.end() :] + '\n"odd\\u0007key" = 1\n'
    part_c.write_text(text)
    problems = _problems(folder)
    assert any(p.key.endswith(".label") and "U+202E" in p.what for p in problems)
    assert any(p.what == "the key contains the control or bidi character U+0007" for p in problems)
