"""What `eirules rulesets validate` says of a bad value: every problem at once, in TOML terms.

A ruleset author fixes one reported problem and runs the check again; a check that
stops at the first bad key of a clock makes that a loop of one fix per run (QA
review, session 9). Values are shown as the author writes them in TOML, and every
date is held to the one date bound (core/dates.py) the engine computes within.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.core.errors import RulesetError, show_toml
from eirules.core.rulesets import RulesetRegistry, ruleset_folders


def _problems(tmp_path: Path, body: str) -> list[str]:
    folder = tmp_path / "us-zz"
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "us-zz"\ntitle = "Test"\nextends = "us"\n', encoding="utf-8"
    )
    (folder / "p.toml").write_text(body, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        RulesetRegistry(ruleset_folders([tmp_path])).get("us-zz")
    return [p.what for p in info.value.problems]


def test_every_bad_key_of_a_clock_is_reported_not_only_the_first(tmp_path):
    """An unknown key no longer hides a bad unit and a bad count_start_day_as."""
    got = _problems(
        tmp_path,
        "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
        "effective = 2026-07-01\n"
        'citation = "State rule 1"\n'
        'value = { length = 30, unit = "fortnights", count_start_day_as = 7, bogus = 1 }\n',
    )
    assert got == [
        'unknown clock key "bogus"',
        'unit: found "fortnights"; expected a unit',
        "count_start_day_as: found 7; expected 0 or 1",
    ]


def test_every_bad_key_of_a_criterion_is_reported(tmp_path):
    """at_least over 100 percent no longer hides domains = 0 (303.21(a)(3) criteria)."""
    got = _problems(
        tmp_path,
        "[[parameters.part_c.eligibility.delay_criteria.values]]\n"
        "effective = 2026-07-01\n"
        'citation = "State rule 1"\n'
        'value = [{ measure = "percent_delay", at_least = 250, domains = 0 },'
        ' { measure = "stanines", at_least = 2 }]\n',
    )
    assert got == [
        "criterion 0: at_least 250; a percent delay is at most 100",
        "criterion 0: domains 0; expected a whole number, 1 or more",
        'criterion 1: measure "stanines"; expected a measure',
    ]


@pytest.mark.parametrize(
    ("key", "day"),
    [("effective", "9999-12-31"), ("until", "2200-01-01"), ("effective", "1899-12-31")],
)
def test_a_date_past_the_engines_date_bound_is_refused(tmp_path, key, day):
    """`--as-of` stops at 2199-12-31: a value dated past it could never be used or checked."""
    lines = {"effective": "2026-07-01", "until": None, key: day}
    body = "[[parameters.part_c.initial_ifsp_meeting.values]]\n" + "".join(
        f"{k} = {v}\n" for k, v in lines.items() if v
    )
    got = _problems(tmp_path, body + 'citation = "S"\nvalue = { length = 30 }\n')
    assert got == [f"found {day}; expected a date from 1900-01-01 to 2199-12-31"]


def test_a_date_time_and_an_empty_citation_are_named_as_the_author_wrote_them(tmp_path):
    got = _problems(
        tmp_path,
        "[[parameters.part_c.initial_ifsp_meeting.values]]\n"
        'effective = 2026-07-01T00:00:00\ncitation = ""\nvalue = { length = 30 }\n',
    )
    assert got == [
        "found a date-time 2026-07-01T00:00:00; expected a date",
        "found an empty string; every value needs a citation",
    ]


def test_show_toml_spells_values_as_toml():
    assert show_toml("fortnights") == '"fortnights"'
    assert show_toml(True) == "true"
    assert show_toml(date(2026, 7, 1)) == "2026-07-01"
    assert show_toml(datetime(2026, 7, 1)) == "2026-07-01T00:00:00"
    assert show_toml(["a", 1]) == '["a", 1]'
    assert show_toml({"length": 30, "unit": "weeks"}) == '{ length = 30, unit = "weeks" }'
    assert show_toml({"a b": 1}) == '{ "a b" = 1 }'
    assert show_toml({}) == "{}"
    assert show_toml("\x1b[2J\u202e") == '"\\u001b[2J\\u202e"'  # no raw control or bidi


_toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@given(_toml_values)
def test_show_toml_never_fails_and_stays_short_and_printable(value):
    text = show_toml(value)
    assert len(text) <= 60
    assert text.isascii() and text.isprintable()
