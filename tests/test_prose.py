"""Explanations as data, prose on demand (issue 15): a finding's reason may be a
`Prose` (template and values), rendered only when read; the JSON is unchanged."""

from __future__ import annotations

import json
import pickle
from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules import Finding, Prose
from eirules.core.convert import determination_to_dict
from eirules.core.evaluator import _sorted_findings
from eirules.core.explain import prose


def _late_toddler(engine, referral: str):
    return engine.case_from_dict(
        {
            "id": "PC-LATE",
            "child": {"birth_date": "2023-07-01"},
            "events": [{"type": "referral_received", "date": referral}],
        }
    )


def test_part_c_referred_30_days_before_third_birthday_finding_keeps_its_numbers(engine):
    """34 CFR 303.209(b)(1)(iii): born 2023-07-01, third birthday 2026-07-01; referred
    2026-06-01, 30 days before (fewer than 45): no evaluation or IFSP meeting is owed."""
    det = engine.evaluate(_late_toddler(engine, "2026-06-01"), "us", date(2026, 6, 2))
    finding = next(f for f in det.findings if f.rule == "part_c.late_referral")
    assert finding.outcome == "under_45"
    assert finding.prose is not None
    assert finding.prose.values == {"days": 30, "third_birthday": date(2026, 7, 1)}
    assert finding.reason == (
        "Referred 30 days before the third birthday (2026-07-01): fewer than 45 days, so no "
        "evaluation, assessment or initial IFSP meeting is required; refer to the SEA and LEA "
        "with consent."
    )
    assert finding.parameters == {"part_c.late_referral_days": 45}
    shown = next(f for f in determination_to_dict(det)["findings"] if f["rule"] == finding.rule)
    assert shown["reason"] == finding.reason


def test_part_c_referred_60_days_before_third_birthday_45_to_90_branch(engine):
    """34 CFR 303.209(b)(1)(ii): referred 2026-05-02, 60 days before 2026-07-01."""
    det = engine.evaluate(_late_toddler(engine, "2026-05-02"), "us", date(2026, 5, 3))
    finding = next(f for f in det.findings if f.rule == "part_c.late_referral")
    assert finding.outcome == "45_to_90"
    assert finding.prose.values["days"] == 60
    assert finding.reason.startswith(
        "Referred 60 days before the third birthday (2026-07-01): 45 to 90"
    )


def _both(template: str, **values):
    kept = Finding(rule="r", outcome="o", reason=prose(template, **values), citation="c")
    text = Finding(rule="r", outcome="o", reason=template.format(**values), citation="c")
    return kept, text


def test_a_prose_finding_equals_its_text_finding_and_survives_pickle():
    kept, text = _both("Due {due}, {days} days", due=date(2026, 2, 19), days=45)
    assert kept == text and hash(kept) == hash(text)
    assert kept.reason == "Due 2026-02-19, 45 days" and text.prose is None
    again = pickle.loads(pickle.dumps(kept))
    assert again == kept and again.prose == kept.prose
    assert attrs.evolve(kept, outcome="x").reason == kept.reason
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        kept.reason = "changed"  # type: ignore[misc]


@given(
    days=st.integers(-10_000, 10_000),
    day=st.dates(),
    word=st.text(max_size=20),
)
def test_prose_renders_as_the_f_string_it_replaces(days, day, word):
    kept = Prose("{word}: {days} days from {day}", {"word": word, "days": days, "day": day})
    assert str(kept) == f"{word}: {days} days from {day}"
    finding = Finding(rule="r", outcome="o", reason=kept, citation="c")
    assert json.dumps(attrs.asdict(finding)["reason"]) == json.dumps(str(kept))


def test_findings_tied_on_rule_sort_by_their_rendered_reason():
    b, _ = _both("b {n}", n=1)
    a, _ = _both("a {n}", n=1)
    other = Finding(rule="q", outcome="o", reason=prose("z"), citation="c")
    assert [f.reason for f in _sorted_findings([b, other, a])] == ["z", "a 1", "b 1"]
