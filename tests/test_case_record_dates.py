"""Evaluations and diagnoses are dated like events: never before the birth (evaluations),
never after today on the way into a caseload (QA review, session 9).

Before, an evaluation dated before the birth was accepted and then silently left out of
the eligibility decision (34 CFR 303.21(a), 303.321: the evaluation of the child), so
`check` said "missing: an evaluation with domain scores" about a case that had one; and
an evaluation or a diagnosis dated 2199 was imported while a future event was refused.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.engine import Engine
from eirules.core.errors import InputError

ENGINE = Engine(entry_points=False)


def _doc(**extra):
    return {
        "schema": "eirules/case@1",
        "id": "PRE",
        "ruleset": "us",
        "child": {"birth_date": "2025-06-01"},
        "events": [{"type": "referral_received", "date": "2025-06-10"}],
        **extra,
    }


def _scores(day: str) -> list[dict]:
    return [{"date": day, "scores": [{"domain": "adaptive", "age_equivalent_months": 0}]}]


def _problems(doc, today=None) -> list[str]:
    with pytest.raises(InputError) as info:
        ENGINE.case_from_dict(doc, today=today)
    return [str(p) for p in info.value.problems]


def test_an_evaluation_before_the_birth_is_refused_with_its_field():
    assert _problems(_doc(evaluations=_scores("2025-03-01"))) == [
        "evaluations: an evaluation dated 2025-03-01 is before the child's birth; "
        "check the date; a child is evaluated on or after the birth date"
    ]


def test_an_evaluation_on_the_birth_date_is_accepted():
    case = ENGINE.case_from_dict(_doc(evaluations=_scores("2025-06-01")))
    assert case.evaluations[0].date == date(2025, 6, 1)


def test_a_diagnosis_before_the_birth_is_accepted_prenatal_testing():
    case = ENGINE.case_from_dict(
        _doc(conditions=[{"name": "Down syndrome", "diagnosed": "2025-03-01"}])
    )
    assert case.conditions[0].diagnosed == date(2025, 3, 1)


def test_an_evaluation_or_a_diagnosis_after_today_is_refused_on_the_way_in():
    doc = _doc(
        evaluations=_scores("2199-01-01"),
        conditions=[{"name": "Down syndrome", "diagnosed": "2199-01-01"}],
    )
    assert _problems(doc, today=date(2026, 12, 3)) == [
        "evaluations[0].date: 2199-01-01 is in the future (today is 2026-12-03); "
        "record an evaluation on or after the day it is made",
        "conditions[0].diagnosed: 2199-01-01 is in the future (today is 2026-12-03); "
        "record a diagnosis on or after the day it is made",
    ]
    ENGINE.case_from_dict(doc)  # a case file checked on its own may look ahead: no `today`


def test_check_and_cases_import_refuse_a_pre_birth_evaluation_and_write_nothing(tmp_path):
    path = tmp_path / "pre.json"
    path.write_text(json.dumps(_doc(evaluations=_scores("2025-03-01"))), encoding="utf-8")
    checked = CliRunner().invoke(cli, ["check", str(path), "--as-of", "2025-07-01"])
    assert checked.exit_code == 2 and "before the child's birth" in checked.output
    db = tmp_path / "c.db"
    assert CliRunner().invoke(cli, ["db", "init", str(db)]).exit_code == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    imported = CliRunner().invoke(cli, ["cases", "import", str(path), "--db", str(db)])
    assert imported.exit_code == 2 and "before the child's birth" in imported.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
