"""`eirules rulesets` commands: list, show, validate, diff, new, test."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from eirules.cli import cli
from eirules.core.rulesets import builtin_folder

BUILTIN = builtin_folder()


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_list_shows_every_shipped_state():
    result = run("rulesets", "list")
    assert result.exit_code == 0
    for rid in ("us", "us-mo", "us-oh", "us-tx", "us-ny", "us-pa", "us-il", "us-fl", "us-in"):
        assert any(line.startswith(rid + " ") for line in result.output.splitlines()), rid
    assert "INVALID" not in result.output


def test_show_resolved_gives_value_citation_file_and_ancestor():
    result = run("rulesets", "show", "us-mo", "--resolved", "--as-of", "2026-02-01")
    assert result.exit_code == 0
    text = result.output
    assert "lineage: us-mo -> us" in text
    assert "value: any of: percent_delay >= 50 in 1 domain" in text
    assert "from: this ruleset, " in text and "us-mo/part_c.toml (effective 2011-10-28)" in text
    # An inherited federal clock, with its file and ancestor.
    assert "citation: 34 CFR 303.310" in text
    assert "from: inherited from us, " in text and "us/part_c.toml" in text


def test_show_json_lists_every_parameter_with_its_origin():
    data = json.loads(
        run(
            "rulesets", "show", "us-tx", "--resolved", "--as-of", "2026-02-01", "--format", "json"
        ).output
    )
    by_name = {p["name"]: p for p in data["parameters"]}
    assert by_name["part_c.prematurity.until_age_months"]["value"] == 18
    assert by_name["part_c.prematurity.until_age_months"]["ruleset"] == "us-tx"
    assert by_name["part_c.prematurity.until_age_months"]["citation"].startswith("26 TAC 350.819")
    assert by_name["part_c.initial_ifsp_meeting"]["ruleset"] == "us"


def test_diff_us_us_mo_shows_missouri_differences_with_citations():
    result = run("rulesets", "diff", "us", "us-mo", "--as-of", "2026-02-01")
    assert result.exit_code == 0
    text = result.output
    assert "us (2026-02-01) -> us-mo (2026-02-01): 10 parameters differ" in text
    assert "us_mo.newborn_condition.birth_weight_at_most" in text  # only us-mo declares it
    assert "part_c.eligibility.delay_criteria" in text
    assert "us-mo (2026-02-01)  any of: percent_delay >= 50 in 1 domain" in text
    assert "citation: Missouri DESE, First Steps Eligibility" in text
    assert "part_b.developmental_delay.age_through" in text


def test_diff_json_for_programs():
    data = json.loads(
        run("rulesets", "diff", "us", "us-ny", "--as-of", "2026-02-01", "--format", "json").output
    )
    [row] = [r for r in data["differences"] if r["name"] == "part_c.eligibility.delay_criteria"]
    assert row["change"] == "set_only_in_b"
    assert [c["at_least"] for c in row["b"]["value"]] == [12, 33, 25, 2.0, 1.5]


def test_validate_shipped_rulesets_exit_0(tmp_path):
    result = run("rulesets", "validate", str(BUILTIN))
    assert result.exit_code == 0, result.output
    assert "valid: us-mo" in result.output


def test_validate_takes_an_installed_ruleset_id_and_validates_its_lineage():
    """`rulesets validate us-mo` (an id, as `rulesets show us-mo` takes) checks us-mo and us."""
    result = run("rulesets", "validate", "us-mo", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["valid"] is True
    assert [r["id"] for r in data["rulesets"]] == ["us-mo", "us"]


def test_validate_an_unknown_id_says_folder_or_id_with_a_suggestion():
    result = CliRunner().invoke(cli, ["rulesets", "validate", "us-mq"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: cannot validate: no such ruleset folder or id",
        '  us-mq: is neither an existing folder nor the id of an installed ruleset; Did you mean "us-mo"? '
        "Otherwise give a ruleset folder, or an id from `eirules rulesets list`",
    ]


def test_validate_bad_ruleset_exit_2_with_json_problems(tmp_path):
    folder = tmp_path / "us-bad"
    folder.mkdir()
    (folder / "ruleset.toml").write_text(
        '[ruleset]\nid = "us-bad"\ntitle = "Bad"\nextends = "us"\nextnds = "us"\n'
    )
    result = run("rulesets", "validate", str(folder), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["valid"] is False
    [problem] = data["rulesets"][0]["problems"]
    assert problem["line"] == 5 and problem["key"] == "ruleset.extnds"
    assert problem["what"] == 'unknown key "extnds"'
    assert problem["fix"] == 'did you mean "extends"?'
    text = run("rulesets", "validate", str(folder))
    assert text.exit_code == 2
    assert f'{folder / "ruleset.toml"}:5: ruleset.extnds: unknown key "extnds"' in text.output


def test_new_writes_a_commented_ruleset_that_validates_and_runs(tmp_path):
    result = run("rulesets", "new", "us-zz", "--extends", "us-mo", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "us-zz" / "parameters.toml").read_text()
    assert "# [[parameters.part_c.initial_ifsp_meeting.values]]" in text
    assert "Federal floor (34 CFR 303.310(a))" in text
    valid = run("rulesets", "validate", str(tmp_path / "us-zz"))
    assert valid.exit_code == 0, valid.output
    again = run("rulesets", "new", "us-zz", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.output


def test_test_command_passes_then_reports_a_changed_expectation(tmp_path):
    """An agency that raises Missouri's threshold sees which expected outcomes change."""
    ok = run("rulesets", "test", "us-mo")
    assert ok.exit_code == 0, ok.output
    assert "us-mo: 3 tests, 9 expectations, 0 changed" in ok.output
    copy = tmp_path / "us-mo"
    shutil.copytree(BUILTIN / "us-mo", copy)
    part_c = copy / "part_c.toml"
    part_c.write_text(part_c.read_text().replace("at_least = 50", "at_least = 60"))
    changed = run("--rulesets-dir", str(tmp_path), "rulesets", "test", "us-mo")
    assert changed.exit_code == 1
    assert (
        "CHANGED  mo-half-expected-level-eligible  2026-01-10  eligibility part_c outcome: "
        "expected eligible, got not_eligible" in changed.output
    )
    assert "3 tests, 9 expectations, 2 changed" in changed.output


def test_unknown_ruleset_is_a_clean_error():
    result = run("rulesets", "show", "us-mx")
    assert result.exit_code == 1
    assert result.output.startswith('Error: no ruleset "us-mx"; did you mean')


def test_misspelt_outcome_status_or_clock_in_a_ruleset_test_is_named_not_reported_as_changed(
    tmp_path, monkeypatch
):
    """An author's typo must read as a typo, not as a rule change."""
    monkeypatch.chdir(tmp_path)
    assert run("rulesets", "new", "us-zz").exit_code == 0
    tests = tmp_path / "us-zz" / "tests"
    case = {
        "schema": "eirules/case@1",
        "id": "T-1",
        "child": {"birth_date": "2024-11-02"},
        "events": [{"type": "referral_received", "date": "2026-01-05"}],
    }
    (tests / "t1.json").write_text(json.dumps(case))
    (tests / "t1.expect.toml").write_text(
        '[[expect]]\nas_of = 2026-02-10\n[expect.eligibility]\npart_c = "eligble"\n'
        '[expect.clocks.initial_ifsp_meeting]\nstatus = "due-soon"\n'
    )
    result = run("rulesets", "validate", "us-zz")
    assert result.exit_code == 2
    assert (
        'expect[0].eligibility.part_c.outcome: found "eligble"; expected one of: eligible, '
        'not_eligible, needs_information; did you mean "eligible"?'
    ) in result.output
    assert 'expect[0].clocks.initial_ifsp_meeting.status: found "due-soon"' in result.output
    assert 'did you mean "due_soon"?' in result.output
    # 303.310(a): referral 2026-01-05 + 45 days = 2026-02-19.
    (tests / "t1.expect.toml").write_text(
        "[[expect]]\nas_of = 2026-02-10\n[expect.clocks.initial_ifsp_meting]\ndue = 2026-02-19\n"
    )
    result = run("rulesets", "test", "us-zz")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "CHANGED  t1  2026-02-10  clock initial_ifsp_meting due: expected 2026-02-19, got absent "
        '(no clock initial_ifsp_meting; did you mean "initial_ifsp_meeting"?)',
        "us-zz: 1 test, 1 expectation, 1 changed",
    ]


def test_validate_rulesets_star_passes_over_a_python_cache_folder(tmp_path):
    """`rulesets validate rulesets/*` in a checkout: rulesets/__pycache__ is not a ruleset."""
    shutil.copytree(BUILTIN / "us-mo", tmp_path / "us-mo")
    (tmp_path / "__pycache__").mkdir()
    result = run("rulesets", "validate", str(tmp_path / "us-mo"), str(tmp_path / "__pycache__"))
    assert result.exit_code == 0, result.output
    assert "__pycache__" not in result.output
    alone = run("rulesets", "validate", str(tmp_path / "__pycache__"))
    assert alone.exit_code == 2 and "is a Python cache folder" in alone.output
