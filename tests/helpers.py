"""Test helpers shared by several test modules: fictional rulesets, case builders, CLI runners.

The fictional test ruleset "xs" (Example State) extends the federal baseline with
values a state would supply; "xt" extends xs with the 303.211 option. Their numbers
are test data, not any real state's rule.
"""

from __future__ import annotations

import json
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

XS_HEADER = """
[ruleset]
id = "xs"
title = "Example State"
jurisdiction = "US-XS"
extends = "us"
version = "test"

[calendar]
school_calendar = "calendars/school.toml"
"""

XS_SCHOOL = """
name = "Example district"
terms = [
  { first_day = 2025-08-18, last_day = 2026-05-22 },
  { first_day = 2026-08-17, last_day = 2027-05-21 },
  { first_day = 2027-08-16, last_day = 2028-05-19 },
]
closures = [2025-11-27, 2025-12-25, 2026-01-01]
years = [
  { name = "2025-2026", first_day = 2025-07-01, last_day = 2026-06-30 },
  { name = "2026-2027", first_day = 2026-07-01, last_day = 2027-06-30 },
  { name = "2027-2028", first_day = 2027-07-01, last_day = 2028-06-30 },
]
"""


def _value(name: str, value: str, cite: str = "Example State test rule (fictional)") -> str:
    return textwrap.dedent(
        f"""
        [[parameters.{name}.values]]
        effective = 2011-10-28
        value = {value}
        citation = "{cite}"
        """
    )


XS_PARAMS = "".join(
    [
        _value(
            "part_c.eligibility.delay_criteria",
            """[
  { measure = "percent_delay", at_least = 50, domains = 1 },
  { measure = "sd_below_mean", at_least = 2.0, domains = 1 },
  { measure = "sd_below_mean", at_least = 1.5, domains = 2 },
  { measure = "months_delay", at_least = 12, domains = 1 },
  { measure = "percent_delay", at_least = 33, in = ["expressive"], only = ["expressive"], label = "33% delay when expressive communication is the only delay" },
]""",
        ),
        _value("part_c.prematurity.correct_age", "true"),
        _value("part_c.prematurity.below_gestational_weeks", "37"),
        _value("part_c.prematurity.term_weeks", "40"),
        _value("part_c.prematurity.until_age_months", "24"),
        _value("part_c.prematurity.max_adjustment_weeks", "16"),
        _value("part_c.eligibility.at_risk_served", "true"),
        _value(
            "part_c.eligibility.at_risk_factors",
            '["low_birth_weight", "homelessness", "caregiver_substance_abuse", "parent_under_15"]',
        ),
        _value("part_c.eligibility.at_risk_factors_required", "3"),
        _value(
            "part_c.service_start",
            '{ start = ["consent_for_services"], length = 30, unit = "calendar_days", stop = ["service_started"] }',
        ),
        _value("part_b.age_of_majority", "18"),
        _value("part_b.developmental_delay.used", "true"),
        _value("part_b.developmental_delay.age_through", "5"),
    ]
)

XT_HEADER = """
[ruleset]
id = "xt"
title = "Extended State"
jurisdiction = "US-XT"
extends = "xs"
version = "test"
"""
XT_PARAMS = _value("part_c.extended_eligibility", "true") + _value(
    "part_c.extended_eligibility_until_age_years", "5"
)


def write_test_rulesets(root: Path) -> Path:
    """Write the fictional rulesets xs (Example State) and xt (xs with the 303.211 option)."""
    xs = root / "xs"
    xs.mkdir(parents=True, exist_ok=True)
    (xs / "ruleset.toml").write_text(XS_HEADER)
    (xs / "calendars").mkdir(exist_ok=True)
    (xs / "calendars" / "school.toml").write_text(XS_SCHOOL)
    (xs / "rules.toml").write_text(XS_PARAMS)
    xt = root / "xt"
    xt.mkdir(exist_ok=True)
    (xt / "ruleset.toml").write_text(XT_HEADER)
    (xt / "rules.toml").write_text(XT_PARAMS)
    return root


def case(
    engine,
    *,
    birth="2024-01-01",
    ga=None,
    events=(),
    evaluations=(),
    conditions=(),
    risk=(),
    ruleset="xs",
):
    child = {"birth_date": birth}
    if ga is not None:
        child["gestational_age_weeks"] = ga
    if risk:
        child["risk_factors"] = list(risk)
    return engine.case_from_dict(
        {
            "id": "PC-TEST",
            "ruleset": ruleset,
            "child": child,
            "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
            "evaluations": list(evaluations),
            "conditions": list(conditions),
        }
    )


def ae(domain, months, subdomain=None):
    score = {"domain": domain, "age_equivalent_months": months}
    if subdomain:
        score["subdomain"] = subdomain
    return score


def ss(domain, standard, mean=100, sd=15):
    return {"domain": domain, "standard_score": standard, "mean": mean, "sd": sd}


def evaluation(day, *scores, ico=None):
    data = {"date": day, "scores": list(scores)}
    if ico:
        data["informed_clinical_opinion"] = ico
    return data


def det(engine, c, as_of, ruleset="us"):
    return engine.evaluate(c, ruleset, date.fromisoformat(as_of))


# The caseload CLI ------------------------------------------------------------------------


def write_case_file(path: Path, case_id: str, *, events=None, ruleset="us", **more) -> Path:
    """A one-child case file for Ada Fictional (born 2024-11-02), referred 2026-01-05 by default."""
    data = {
        "schema": "eirules/case@1",
        "id": case_id,
        "ruleset": ruleset,
        "child": {"birth_date": "2024-11-02", "name": "Ada Fictional"},
        "events": events or [{"type": "referral_received", "date": "2026-01-05"}],
        **more,
    }
    path.write_text(json.dumps(data))
    return path


def referred_case(
    case_id: str, *, name: str | None = None, district: str | None = None,
    referred: str = "2026-01-05",
) -> dict:  # fmt: skip
    """A fictional Part C case document referred on `referred`: its 45-day initial IFSP
    meeting (34 CFR 303.310(a)) is due 45 days later (2026-02-19 for the default, so
    overdue by 2026-03-02). The child is "Child ID" unless `name` is given."""
    return {
        "schema": "eirules/case@1",
        "id": case_id,
        "ruleset": "us",
        **({"district": district} if district is not None else {}),
        "child": {"birth_date": "2024-11-02", "name": name or f"Child {case_id}"},
        "events": [{"type": "referral_received", "date": referred}],
    }


def write_cases(folder: Path, *docs: dict) -> Path:
    """Each case-file dict as FOLDER/ID.json (the folder made if need be); the folder."""
    folder.mkdir(exist_ok=True)
    for doc in docs:
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
    return folder


def caseload_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, chdir: bool = False):
    """`invoke(*args, code=0)`: eirules with EIRULES_DB pointing at a fresh caseload in tmp_path."""
    monkeypatch.setenv("EIRULES_DB", str(tmp_path / "caseload.db"))
    if chdir:
        monkeypatch.chdir(tmp_path)
    from click.testing import CliRunner

    from eirules.cli import cli

    runner = CliRunner()

    def invoke(*args, code=0):
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    invoke("db", "init")
    return invoke


# MTSS progress monitoring ------------------------------------------------------------------


def weekly(start: date, scores):
    """One progress-monitoring point a week from `start`."""
    from eirules.plugins.mtss.models import Point

    return tuple(Point(date=start + timedelta(weeks=i), score=s) for i, s in enumerate(scores))


def series(scores, *, start=date(2025, 9, 29), baseline=40.0, goal=70.0, **kw):
    """Baseline 40 on 2025-09-22, goal 70 on 2026-02-09: an ascending aimline of 1.5 per week."""
    from eirules.plugins.mtss.models import Series

    return Series(
        id=kw.pop("id", "orf"),
        measure=kw.pop("measure", "orf"),
        skill_area=kw.pop("skill_area", "decoding"),
        baseline=baseline,
        baseline_date=kw.pop("baseline_date", date(2025, 9, 22)),
        goal=goal,
        goal_date=kw.pop("goal_date", date(2026, 2, 9)),
        points=weekly(start, scores),
        **kw,
    )
