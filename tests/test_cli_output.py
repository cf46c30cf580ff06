"""Issue 10: one format vocabulary and one width for every command's output.

Every command that has --format offers `table` (the people format, the default),
never `text` as a visible choice (the old name still works, hidden). Every read or
listing command, run on the demo caseload and the MTSS example school with
$COLUMNS=80, prints no line wider than 80 and cuts no word: every word of the
complete (piped, unwrapped) output is still there.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.cli.output import fit_lines
from eirules.cli.output_options import FORMATS, FormatChoice
from eirules.cli.output_tables import column_widths, plain_table

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"


def _commands(group: click.Group, ctx: click.Context, prefix=()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, ctx, (*prefix, name))
        else:
            yield (*prefix, name), command


def _format_options():
    ctx = click.Context(cli)
    for path, command in _commands(cli, ctx):
        for param in command.params:
            if "--format" in getattr(param, "opts", ()):
                yield path, command, param


# One format vocabulary ------------------------------------------------------------------


def test_every_format_option_offers_table_first_and_never_text():
    """Issue 10: one name for the people format everywhere (`table`), from one factory."""
    found = list(_format_options())
    assert len(found) >= 25  # every listing and report command
    for path, _command, param in found:
        name = " ".join(path)
        assert isinstance(param.type, FormatChoice), f"{name}: --format not from format_option"
        assert param.type.choices[0] == "table" and param.default == "table", name
        assert "text" not in param.type.choices, f"eirules {name} still offers --format text"
        assert set(param.type.choices) <= set(FORMATS), name
        helptext = CliRunner().invoke(cli, [*path, "--help"]).output
        assert "text|" not in helptext and "|text" not in helptext, name


def test_listings_offer_csv():
    """Issue 10: every command that lists (cases, audit log, rulesets, ...) takes csv too."""
    choices = {" ".join(path): param.type.choices for path, _, param in _format_options()}
    for name in (
        "due", "overdue", "cases list", "caseworkers list", "audit log", "audit access",
        "rulesets list", "rulesets show", "rulesets diff", "plugins", "mtss screening",
        "groups suggest", "staff list", "calendars list",
    ):  # fmt: skip
        assert "csv" in choices[name], name


@pytest.mark.parametrize(
    "args",
    [
        ["rulesets", "list"],
        ["plugins"],
        ["check", str(EXAMPLES / "mo-0001.json"), "--as-of", "2026-02-01"],
        ["mtss", "screening", "--window", "fall", "--as-of", "2025-09-15"],
    ],
)
def test_format_text_still_means_table(args):
    """Scripts written for `--format text` keep working: it is a hidden name for `table`."""
    runner = CliRunner()
    table = runner.invoke(cli, [*args, "--format", "table"])
    text = runner.invoke(cli, [*args, "--format", "text"])
    assert text.exit_code == table.exit_code == 0, text.output
    assert text.output == table.output


def test_an_unknown_format_is_a_usage_error_listing_the_visible_choices():
    result = CliRunner().invoke(cli, ["rulesets", "list", "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'table', 'json', 'csv'" in result.output


# The one layout --------------------------------------------------------------------------


def test_a_table_that_fits_is_left_as_it_is():
    assert column_widths(["a", "bb"], [["xxx", "y"]], 80) == ([], {0: 3, 1: 2})
    assert plain_table(["a", "bb"], [["xxx", "y"]], width=None) == ["a    bb", "xxx  y"]


def test_a_column_wraps_at_spaces_and_kept_columns_are_never_wrapped():
    rows = [["2026-02-19", "Initial IFSP meeting for the family and the team"]]
    lines = plain_table(["Due", "What"], rows, width=40, keep=(0,))
    assert max(len(line) for line in lines) <= 40
    assert all(line.startswith(("Due ", "2026-02-19  ", "            ")) for line in lines)
    assert " ".join(" ".join(lines).split()).endswith("for the family and the team")


def test_one_very_long_name_is_shortened_in_its_cell_not_left_out_of_every_row():
    """QA2: a 3,990-character name (names may hold 4,000) left the Child and Caseworker
    columns out of every row of `overdue` and `cases list`, even at 200 columns."""
    headers = ["Case", "Status", "Child", "Caseworker"]
    rows = [["HL", "overdue", "L" * 3990, ""], ["SYN-1", "overdue", "Ayla Thistlewick", "Odile"]]
    lines = plain_table(headers, rows, width=80, keep=(0, 1), drop=(3, 2))
    assert lines[0].split() == headers
    assert all(len(line) <= 80 for line in lines) and "left out" not in "\n".join(lines)
    shortened = lines[1].split()[2]
    assert shortened.endswith("\u2026") and set(shortened[:-1]) == {"L"}
    assert "Ayla Thistlewick" in lines[2] and "Odile" in lines[2]  # the others whole
    # Piped with no width: every character, as csv and json have it.
    assert "L" * 3990 in plain_table(headers, rows, width=None)[1]
    # Names that fit are never shortened: a table that fits is left as it is.
    assert plain_table(headers, rows[1:], width=80, keep=(0, 1), drop=(3, 2))[1].split() == [
        "SYN-1",
        "overdue",
        "Ayla",
        "Thistlewick",
        "Odile",
    ]


def test_no_table_fits_then_rows_are_blocks_with_every_word():
    headers = [f"Column number {i}" for i in range(12)]
    rows = [[f"value-{i}-{j}" for i in range(12)] for j in range(2)]
    assert column_widths(headers, rows, 60)[1] is None
    lines = plain_table(headers, rows, width=60)
    assert max(len(line) for line in lines) <= 60
    text = " ".join(lines)
    assert all(f"value-{i}-{j}" in text for i in range(12) for j in range(2))


def test_fit_lines_breaks_no_date_and_keeps_every_character():
    line = "Next due: Initial IFSP meeting by 2026-02-19, 18 days left (part_c)  [34 CFR 303.310]"
    fitted = fit_lines(line, 40)
    assert max(len(x) for x in fitted.split("\n")) <= 40
    assert fitted.split() == line.split()


# Every command at 80 columns -------------------------------------------------------------


@pytest.fixture(scope="module")
def caseload(tmp_path_factory):
    """The demo caseload as files, imported into a fresh caseload (evaluated on import)."""
    folder = tmp_path_factory.mktemp("caseload")
    db = folder / "caseload.db"
    runner = CliRunner()
    env = {"EIRULES_DB": str(db), "COLUMNS": None}
    for args in (["db", "init"], ["cases", "import", str(EXAMPLES / "caseload")]):
        result = runner.invoke(cli, args, env=env)
        assert result.exit_code == 0, result.output
    return db


AS_OF = ["--as-of", "2026-03-02"]
PLANS = EXAMPLES / "plans"
#: Every read or listing command, on the demo caseload or the MTSS example school.
COMMANDS = [
    ["due", *AS_OF],
    ["due", "--within", "30", *AS_OF],
    ["overdue", *AS_OF],
    ["overdue", "--caseworker", "Rhea Tallowby", *AS_OF],
    ["cases", "list", *AS_OF],
    ["cases", "list", "--status", "overdue", *AS_OF],
    ["cases", "show", "SYN-C-0026"],
    ["cases", "show", "SYN-B-0001", "--determination", "1"],
    ["caseworkers", "list"],
    ["audit", "log", "--last", "15"],
    ["audit", "access", "--case", "SYN-C-0026"],
    ["audit", "verify"],
    ["rulesets", "list"],
    ["rulesets", "show", "us-mo", "--as-of", "2026-02-01"],
    ["rulesets", "show", "us", "--resolved", "--as-of", "2026-02-01"],
    ["rulesets", "diff", "us", "us-mo", "--as-of", "2026-02-01"],
    ["rulesets", "test", "us-mo", "-v"],
    ["rulesets", "validate", str(ROOT / "rulesets" / "us-mo")],
    ["plugins"],
    ["check", str(EXAMPLES / "mo-0001.json"), "--as-of", "2026-02-01"],
    ["check", str(EXAMPLES / "pc-referrals.json"), "--as-of", "2026-02-01"],
    ["check", str(EXAMPLES / "pb-transition-16.json"), "--as-of", "2026-02-01"],
    ["indicators", "--year", "2025-26"],
    ["indicators", "--year", "2025-26", "--check"],
    ["calendars", "list"],
    ["staff", "list"],
    ["plans", "show", str(PLANS / "pc-ifsp-outcomes.json"), *AS_OF],
    ["meetings", "check", str(PLANS / "pb-iep-goals.json"), *AS_OF],
    ["contacts", "list", str(PLANS / "pc-ifsp-outcomes.json")],
    ["groups", "suggest", "--window", "fall", "--as-of", "2025-09-15"],
    ["mtss", "screening", "--window", "fall", "--as-of", "2025-09-15"],
    ["programs", "report", "--as-of", "2026-06-05"],
    ["progress", "ELM-005", "--as-of", "2026-06-05", "--no-graph"],
    ["progress", "ELM-018", "--as-of", "2026-03-06", "--no-graph"],
    [
        "calendars",
        "import",
        str(EXAMPLES / "calendars" / "fictional-unified-2025-26.csv"),
        "--district",
        "fictional-unified",
        "--dry-run",
    ],  # fmt: skip
    ["demo", *AS_OF],
]


def _words(text: str) -> Counter:
    # A block's "Header: value" and a table's "Header" are the same word.
    return Counter(w.rstrip(":") for w in text.split())


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(Path(x).name for x in a))
def test_every_listing_fits_80_columns_and_cuts_no_word(caseload, tmp_path, args):
    """Issue 10: readable on an 80-column terminal; piped output stays complete."""
    env = {"EIRULES_DB": str(caseload), "EIRULES_CALENDARS_DIR": str(tmp_path / "cal")}
    runner = CliRunner()
    whole = runner.invoke(cli, args, env={**env, "COLUMNS": None})
    narrow = runner.invoke(cli, args, env={**env, "COLUMNS": "80"})
    assert narrow.exit_code == whole.exit_code and whole.exit_code in (0, 1), whole.output
    assert "Error" not in whole.output, whole.output
    wide = [line for line in narrow.output.splitlines() if len(line) > 80]
    assert not wide, f"{len(wide)} lines wider than 80, e.g. {wide[0]!r}"
    assert "\u2026" not in narrow.output
    if "left out to fit 80 columns" in narrow.output:
        return  # the note names the columns; csv has them (test below)
    missing = _words(whole.output) - _words(narrow.output)
    assert not missing, f"words cut or lost at 80 columns: {sorted(missing)[:10]}"


@pytest.mark.parametrize(
    "args",
    [c for c in COMMANDS if c[0] in ("due", "overdue") or c[:2] == ["cases", "list"]],
    ids=lambda a: " ".join(a),
)
def test_csv_keeps_every_column_whole_at_80_columns(caseload, args):
    """What a narrow table leaves out, --format csv and json still hold in full."""
    env = {"EIRULES_DB": str(caseload), "COLUMNS": "80"}
    runner = CliRunner()
    rows = json.loads(runner.invoke(cli, [*args, "--format", "json"], env=env).output)
    table = list(
        csv.DictReader(io.StringIO(runner.invoke(cli, [*args, "--format", "csv"], env=env).output))
    )
    assert len(table) == len(rows) > 0
    for row, record in zip(table, rows, strict=True):
        assert set(row) == set(record)
        for key, value in record.items():
            if isinstance(value, str):
                assert row[key].lstrip("'") == value


def _offers_csv(args) -> bool:
    ctx = click.Context(cli)
    command = cli
    for name in args:
        if not isinstance(command, click.Group):
            break
        command = command.get_command(ctx, name)
    return any(
        "--format" in getattr(p, "opts", ()) and "csv" in p.type.choices for p in command.params
    )


@pytest.mark.parametrize(
    "args", [c for c in COMMANDS if _offers_csv(c)], ids=lambda a: " ".join(Path(x).name for x in a)
)
def test_every_csv_is_one_header_and_rows_of_its_width(caseload, tmp_path, args):
    env = {"EIRULES_DB": str(caseload), "EIRULES_CALENDARS_DIR": str(tmp_path / "cal")}
    result = CliRunner().invoke(cli, [*args, "--format", "csv"], env=env)
    assert result.exit_code in (0, 1), result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    assert table and all(table[0]), result.stdout[:300]
    assert {len(row) for row in table} == {len(table[0])}


# Invariants (hypothesis) ----------------------------------------------------------------

_word = st.text(alphabet="abcdefghij-0123456789", min_size=1, max_size=14)
_cell = st.lists(_word, min_size=0, max_size=6).map(" ".join)


@settings(deadline=None)
@given(
    words=st.lists(_word, min_size=1, max_size=40),
    indent=st.integers(0, 10),
    width=st.integers(40, 120),
)
def test_fit_lines_keeps_every_word_and_fits(words, indent, width):
    line = " " * indent + " ".join(words)
    fitted = fit_lines(line, width).split("\n")
    assert all(len(x) <= width for x in fitted)
    assert " ".join(fitted).split() == line.split()  # no word of 14 characters is broken


@settings(deadline=None)
@given(
    data=st.integers(1, 8).flatmap(
        lambda n: st.tuples(
            st.lists(_word, min_size=n, max_size=n),
            st.lists(st.lists(_cell, min_size=n, max_size=n), min_size=1, max_size=6),
        )
    ),
    width=st.integers(40, 120),
)
def test_plain_table_fits_and_loses_no_word(data, width):
    """A table at any width: no line wider, every word of every cell still shown whole."""
    headers, rows = data
    lines = plain_table(headers, rows, width=width, keep=(0,))
    assert all(len(x) <= width for x in lines)
    shown = Counter(w.rstrip(":") for x in lines for w in x.split())
    # A block shows a header beside each value, so a column empty in every row has none.
    used = [h for i, h in enumerate(headers) if any(r[i] for r in rows)]
    wanted = Counter(w for c in [*used, *(c for r in rows for c in r)] for w in c.split())
    assert not wanted - shown


@pytest.mark.parametrize("width", [80, 120])
def test_the_terminal_table_uses_the_same_layout(width):
    """On a terminal (rich) too: fits the console, blocks when no table fits, words whole."""
    from rich.console import Console

    from eirules.cli.output_tables import print_table

    headers = ["Program", "Group", "Students", "Eligible", "Responded", "Rate",
               "Median ROI - aimline", "Effect size", "Fidelity", "Min/responder"]  # fmt: skip
    rows = [["Intensive Reading", "G-INT-1", "3", "3", "2", "67%", "0.01",
             "1.15 (uncertain, n=3)", "97%", "10245"]]  # fmt: skip
    buffer = io.StringIO()
    console = Console(width=width, file=buffer, force_terminal=True, color_system=None)
    print_table(headers, rows, keep=(2, 3, 4), console=console)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    text = buffer.getvalue()
    for word in {w for c in rows[0] for w in c.split()}:
        assert word in text
    blocks = text.startswith("Program: Intensive Reading")
    assert blocks == (width == 80)  # 10 columns fit 120 as a table, not 80


@pytest.mark.parametrize(
    "count, word, said",
    [
        (2, "audit entry", "2 audit entries"),
        (1, "audit entry", "1 audit entry"),
        (0, "day", "0 days"),
        (3, "key", "3 keys"),
        (2, "case file version", "2 case file versions"),
    ],
)
def test_plural_of_a_noun_ending_in_a_consonant_and_y_is_ies(count, word, said):
    """`cases destroy` said "content of 2 audit entrys erased"."""
    from eirules.cli.output import plural

    assert plural(count, word) == said


# What a person reads at 80 columns and through a pipe (QA finding) ----------------------


def _lines(caseload, args, columns):
    env = {"EIRULES_DB": str(caseload), "COLUMNS": columns}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_at_80_columns_due_keeps_child_and_caseworker_and_wraps_the_days_text(caseload):
    """The QA finding: at 80 columns `due` left the Child and Caseworker columns out
    because one row's "151 late, excused" held the Days column 17 wide. The kept column
    now wraps at its space before any column is left out; only the citation goes."""
    lines = _lines(caseload, ["due", "--as-of", "2026-06-02"], "80")
    assert (
        lines[0]
        == "Due         Days              Case        What          Child        Caseworker"
    )
    at = lines.index("2026-01-02  151 late,         SYN-B-0012  Initial       Sorrel       Bram")
    assert lines[at + 1] == (
        "            excused                       evaluation    Pellingham   Kettleworth"
    )
    # The summary wraps too: the four age-of-majority notices the baseline cannot date
    # (300.320(c), no part_b.age_of_majority) are owed, listed as cannot compute.
    assert lines[-4:] == [
        "(Citation left out to fit 80 columns; a wider terminal, or --format csv, shows",
        "  every column)",
        "896 items as of 2026-06-02; 206 overdue; 11 late (excused); 150 referrals; 4",
        "  cannot compute",
    ]
    assert max(len(line) for line in lines) <= 80


def test_piped_due_is_one_line_a_row_and_one_long_value_does_not_pad_every_row(caseload):
    """Piped with no $COLUMNS, every row stays one whole line (grep and tail see whole rows),
    but the 85-character referral label no longer pads the What column of every row:
    a column is padded to its widest value up to 40 characters (PIPED_PAD)."""
    lines = _lines(caseload, ["due", "--as-of", "2026-06-02"], None)
    assert lines[0] == (
        "Due         Days               Case        What                                 "
        "Child               Caseworker        Citation"
    )
    assert (
        "2026-01-02  151 late, excused  SYN-B-0012  Initial evaluation                   "
        "Sorrel Pellingham   Bram Kettleworth  34 CFR 300.301(c)(1)(i)"
    ) in lines
    # The one longer value pushes the rest of its own line on, whole.
    assert (
        "-           now                SYN-C-0003  Referral to the SEA and the LEA where the "
        "toddler resides (by the Part C lead agency)  Ayla Thistlewick    Odile Farrowind   "
        "34 CFR 303.209(b)(1)(ii)"
    ) in lines
    rows = json.loads(
        CliRunner()
        .invoke(
            cli,
            ["due", "--as-of", "2026-06-02", "--format", "json"],
            env={"EIRULES_DB": str(caseload)},
        )
        .stdout
    )
    assert len(lines) == len(rows) + 2  # the header, a line a row, the summary


def test_kept_columns_wrap_at_spaces_before_a_column_is_left_out():
    headers = ["Due", "Days", "Case", "What", "Child", "Caseworker", "Citation"]
    rows = [
        ["2026-01-02", "151 late, excused", "SYN-B-0012", "Initial evaluation",
         "Sorrel Pellingham", "Bram Kettleworth", "34 CFR 300.301(c)(1)(i)"],
        ["2025-12-27", "157 overdue", "SYN-B-0132", "Reevaluation",
         "Jorrie Greythistle", "Rhea Tallowby", "34 CFR 300.303"],
    ]  # fmt: skip
    keep, drop = (0, 1, 2), (6, 5, 4)

    def layout(width):
        return column_widths(headers, rows, width, keep=keep, drop=drop)

    # Without the citation the narrowest columns (the longest words: 10, 17 "151 late,
    # excused" whole, 10, 12 "Reevaluation", 11 "Greythistle", 11 "Kettleworth") and five
    # gaps of 2 take 81. At 80 Days wraps (16) rather than lose the caseworker; down to 71
    # it wraps at every space (7, "excused"); at 70 the caseworker is left out.
    assert layout(81) == ([6], {0: 10, 1: 17, 2: 10, 3: 12, 4: 11, 5: 11})
    assert layout(80) == ([6], {0: 10, 1: 16, 2: 10, 3: 12, 4: 11, 5: 11})
    assert layout(71) == ([6], {0: 10, 1: 7, 2: 10, 3: 12, 4: 11, 5: 11})
    assert layout(70) == ([6, 5], {0: 10, 1: 17, 2: 10, 3: 13, 4: 12})
    assert plain_table(headers, rows, width=80, keep=keep, drop=drop)[:5] == [
        "Due         Days              Case        What          Child        Caseworker",
        "2026-01-02  151 late,         SYN-B-0012  Initial       Sorrel       Bram",
        "            excused                       evaluation    Pellingham   Kettleworth",
        "2025-12-27  157 overdue       SYN-B-0132  Reevaluation  Jorrie       Rhea",
        "                                                        Greythistle  Tallowby",
    ]
    # Piped: nothing left out or wrapped; each column padded to its widest value up to 40,
    # a longer one pushing the rest of its line on.
    rows[1][3] = "Referral to the SEA and the LEA where the toddler resides"
    assert plain_table(headers, rows, width=None, keep=keep, drop=drop) == [
        "Due         Days               Case        What                Child               "
        "Caseworker        Citation",
        "2026-01-02  151 late, excused  SYN-B-0012  Initial evaluation  Sorrel Pellingham   "
        "Bram Kettleworth  34 CFR 300.301(c)(1)(i)",
        "2025-12-27  157 overdue        SYN-B-0132  Referral to the SEA and the LEA where the "
        "toddler resides  Jorrie Greythistle  Rhea Tallowby     34 CFR 300.303",
    ]
