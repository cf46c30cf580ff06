"""A state-choice parameter is held to the bound the regulation itself sets on a state's value.

Reviewer (high): `part_b.age_through = 15` and a 6-year `part_b.reevaluation_for_category`
validated, because the floors code skipped every `state_choice` parameter; `check` then
found a 16-year-old with an IEP not eligible for Part B. The declaration now carries the
bound (`state_bound`) or says the rule sets none (`floor = "none"`), and loading checks it.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.errors import RulesetError
from eirules.core.ruleset_new import write_new
from eirules.core.rulesets import Declaration, RulesetRegistry, ValueEntry, ruleset_folders
from eirules.core.rulesets.floors import _bound_problem
from eirules.core.rulesets.registry import builtin_folder

ROOT = Path(__file__).resolve().parent.parent
TRANSITION_16 = ROOT / "examples" / "pb-transition-16.json"  # born 2010-05-20, autism, IEP
REEVAL_CLOCK = (
    '{ start = ["evaluation_completed", "reevaluation_completed", "reevaluation_waived"], '
    'length = %s, unit = "%s", stop = ["reevaluation_completed", "reevaluation_waived"], '
    'on_weekend = "keep" }'
)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def state(tmp_path: Path, body: str, rid: str = "us-zz") -> Path:
    folder = tmp_path / rid
    folder.mkdir(parents=True)
    (folder / "ruleset.toml").write_text(
        f'[ruleset]\nid = "{rid}"\ntitle = "Test {rid}"\nextends = "us"\n', encoding="utf-8"
    )
    (folder / "parameters.toml").write_text(body, encoding="utf-8")
    return folder


def age_through(value: int) -> str:
    return (
        "[[parameters.part_b.age_through.values]]\n"
        f'effective = 2020-01-01\nvalue = {value}\ncitation = "Fictional state rule 1"\n'
    )


def reevaluation(length: int, unit: str = "years") -> str:
    return (
        "[[parameters.part_b.reevaluation_categories.values]]\n"
        'effective = 2020-01-01\nvalue = ["autism"]\ncitation = "Fictional state rule 2"\n'
        "[[parameters.part_b.reevaluation_for_category.values]]\n"
        f"effective = 2020-01-01\nvalue = {REEVAL_CLOCK % (length, unit)}\n"
        'citation = "Fictional state rule 3"\n'
    )


def load(tmp_path: Path, rid: str = "us-zz"):
    return RulesetRegistry(ruleset_folders([tmp_path])).get(rid)


def test_fape_through_15_is_refused_300_101_a_300_102_a_1(tmp_path):
    """34 CFR 300.101(a), 300.102(a)(1): FAPE through 21; a state may leave out only ages
    18 through 21, so through 17 (to the 18th birthday) at the least. Through 15 validated
    and `check` found the 16-year-old of pb-transition-16 not eligible for Part B."""
    folder = state(tmp_path, age_through(15))
    with pytest.raises(RulesetError) as info:
        load(tmp_path)
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith(
        f"{folder / 'parameters.toml'}:1: parameters.part_b.age_through.values[0]: found 15 "
        "years, outside what 34 CFR 300.101(a); 300.102(a)(1) lets a state choose: at least "
        "17 years; set part_b.age_through to at least 17 years"
    )
    assert "until the 18th birthday" in problem
    validated = run("rulesets", "validate", folder)
    assert validated.exit_code == 2 and "found 15 years" in validated.output
    checked = run(
        "--rulesets-dir", tmp_path, "check", TRANSITION_16, "--ruleset", "us-zz",
        "--as-of", "2026-07-01",
    )  # fmt: skip
    assert checked.exit_code != 0
    assert "found 15 years" in checked.output and "not eligible" not in checked.output


def test_a_six_year_reevaluation_cycle_is_refused_300_303_b_2(tmp_path):
    """34 CFR 300.303(b)(2): a reevaluation at least once every 3 years, so a state's own
    cycle for a category may be shorter, never longer (a 6-year one showed the reevaluation
    due years after it was overdue)."""
    folder = state(tmp_path, reevaluation(6))
    with pytest.raises(RulesetError) as info:
        load(tmp_path)
    assert [str(p) for p in info.value.problems] == [
        f"{folder / 'parameters.toml'}:5: parameters.part_b.reevaluation_for_category.values[0]"
        ": found 6 years, outside what 34 CFR 300.303(b)(2) lets a state choose: at most 3 "
        "years; set part_b.reevaluation_for_category to at most 3 years"
    ]
    checked = run(
        "--rulesets-dir", tmp_path, "check", TRANSITION_16, "--ruleset", "us-zz",
        "--as-of", "2026-07-01",
    )  # fmt: skip
    assert checked.exit_code != 0 and "found 6 years" in checked.output


def test_values_at_the_bound_are_accepted_and_used_300_102_a_1_300_303_b_2(tmp_path):
    """Through 17 (300.102(a)(1)) and a 36-month cycle (3 years, 300.303(b)(2)) are lawful:
    the 16-year-old is eligible, and the category's own clock is due 3 years after the
    reevaluation of 2026-02-10 (after Part B ends on the 18th birthday, 2028-05-20)."""
    state(tmp_path, age_through(17) + reevaluation(36, "months"))
    result = run(
        "--rulesets-dir", tmp_path, "check", TRANSITION_16, "--ruleset", "us-zz",
        "--as-of", "2026-07-01", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["eligibility"][0]["outcome"] == "eligible"
    clocks = {c["id"]: c for c in answer["clocks"]}
    assert clocks["reevaluation"]["due"] == "2029-02-10"
    assert clocks["reevaluation"]["citation"] == "Fictional state rule 3"
    assert "after Part B ends (2028-05-20)" in clocks["reevaluation"]["reason"]
    assert clocks["transition_services"]["status"] == "met"


def test_a_longer_or_school_day_initial_evaluation_is_lawful_300_301_c_1(tmp_path):
    """300.301(c)(1): within 60 days "or, if the State establishes a timeframe ..., within
    that timeframe": no federal bound, so 90 calendar days and 45 school days both load."""
    for rid, value in (
        ("us-aa", "{ length = 90 }"),
        ("us-bb", '{ length = 45, unit = "school_days" }'),
    ):
        state(
            tmp_path,
            f"[[parameters.part_b.initial_evaluation.values]]\neffective = 2020-01-01\n"
            f'value = {value}\ncitation = "Fictional state rule 4"\n',
            rid,
        )
        assert load(tmp_path, rid).value("part_b.initial_evaluation", date(2026, 1, 1))


def test_a_copy_of_us_is_held_to_the_shipped_bound_300_102_a_1(tmp_path):
    """A copy of the baseline that drops its own state_bound and sets FAPE through 15 is
    still held to the shipped declaration's bound."""
    folder = tmp_path / "mine" / "us"
    shutil.copytree(builtin_folder() / "us", folder, ignore=shutil.ignore_patterns("tests"))
    part_b = folder / "part_b.toml"
    text = part_b.read_text()
    for old, new in (
        ('floor = "at_least"\nfloor_citation = "34 CFR 300.101(a); 300.102(a)(1)"\n', ""),
        ("state_bound = 17\n", ""),
        (
            'value = 21\ncitation = "34 CFR 300.101(a)"',
            'value = 15\ncitation = "34 CFR 300.101(a)"',
        ),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    part_b.write_text(text)
    result = run("--rulesets-dir", tmp_path / "mine", "rulesets", "validate", "us")
    assert result.exit_code == 2
    assert "found 15 years, outside what 34 CFR 300.101(a); 300.102(a)(1)" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            'floor = "at_most"\nfloor_citation = "34 CFR 1"\nstate_choice = true\n',
            "needs the bound",
        ),
        ("state_choice = true\nstate_bound = 3\n", "applies only with state_choice = true"),
        (
            'floor = "at_most"\nfloor_citation = "34 CFR 1"\nstate_choice = true\n'
            'state_bound = "three"\n',
            'found "three"; expected a number',
        ),
        ('floor = "none"\n', "needs the citation"),
    ],
)
def test_a_declaration_says_how_a_state_choice_is_bounded(tmp_path, extra, message):
    """A state_choice floor without its bound would be declared and never checked."""
    state(
        tmp_path,
        f'[parameters.zz.limit]\nlabel = "A limit"\ntype = "integer"\nunit = "years"\n{extra}',
    )
    with pytest.raises(RulesetError) as info:
        load(tmp_path)
    assert message in " ".join(str(p) for p in info.value.problems)


def test_rulesets_new_says_what_is_checked_of_each_state_choice(tmp_path):
    """The template no longer promises a federal-value check it never made."""
    from eirules.core.rulesets import RulesetRegistry as Registry

    us = Registry(ruleset_folders([])).get("us")
    write_new("us-xx", us, tmp_path)
    text = " ".join(
        line.lstrip("# ")
        for line in (tmp_path / "us-xx" / "parameters.toml").read_text().splitlines()
    )
    assert "a value of less than 17 years is rejected (34 CFR 300.101(a); 300.102(a)(1))" in text
    assert "a value of more than 3 years is rejected (34 CFR 300.303(b)(2))" in text
    evaluation = text.split("--- part_b.initial_evaluation ")[1].split("--- ")[0]
    assert "sets no bound on it: 34 CFR 300.301(c)(1)" in evaluation
    assert "rejected" not in evaluation
    assert "than the federal one is rejected" not in text


AGE = Declaration(
    name="part_b.age_through", label="x", type="integer", unit="years", floor="at_least",
    floor_citation="34 CFR 300.102(a)(1)", state_choice=True, state_bound=(17.0, "years"),
)  # fmt: skip
CYCLE = Declaration(
    name="part_b.reevaluation_for_category", label="x", type="clock", floor="at_most",
    floor_citation="34 CFR 300.303(b)(2)", state_choice=True, state_bound=(3.0, "years"),
)  # fmt: skip


def entry(value) -> ValueEntry:
    return ValueEntry(effective=date(2020, 1, 1), value=value, citation="S", file="f.toml")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=40))
def test_age_through_is_accepted_exactly_from_17_300_102_a_1(age):
    """Any age from 17 up loads (a state may serve past 21); anything under 17 is refused."""
    assert (_bound_problem(AGE.name, AGE, entry(age), None) is None) == (age >= 17)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=96), st.sampled_from(["months", "years"]))
def test_a_cycle_is_accepted_exactly_up_to_3_years_300_303_b_2(length, unit):
    """Months and years are compared alike: 36 months or 3 years load, 37 months do not."""
    months = length * (12 if unit == "years" else 1)
    problem = _bound_problem(CYCLE.name, CYCLE, entry({"length": length, "unit": unit}), None)
    assert (problem is None) == (months <= 36)


def test_a_cycle_in_days_cannot_be_compared_with_3_years_300_303_b_2():
    problem = _bound_problem(CYCLE.name, CYCLE, entry({"length": 900, "unit": "school_days"}), None)
    assert problem is not None and "cannot be compared" in str(problem)
