"""Scaffold a new ruleset folder extending another (`eirules rulesets new`)."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

from .errors import InputError, Problem
from .ruleset_tools import EXPECT_SUFFIX, TESTS_FOLDER, format_value
from .rulesets import (
    Ruleset,
    iter_resolved,
    what_is_checked,
)

# Placeholders are not valid TOML on purpose: a block uncommented but not filled in
# fails validation at its line instead of loading a made-up value or citation.
_PLACEHOLDER = {
    "integer": "<a whole number>",
    "number": "<a number>",
    "boolean": "<true or false>",
    "string": "<a quoted string>",
    "enum": "<one of the choices, quoted>",
    "strings": "<an array of quoted strings>",
    "date": "<a date, e.g. 2026-07-01>",
    "duration": '<{ length = N, unit = "calendar_days" }>',
    "clock": "<a table of only the clock keys you change, e.g. { length = N }>",
    "criteria": '<[{ measure = "percent_delay", at_least = N, domains = 1 }]>',
}


def _ruleset_table(rid: str, title: str, jurisdiction: str, extends: str) -> str:
    """The [ruleset] table, written by a TOML encoder: any title is quoted correctly."""
    import tomli_w

    return tomli_w.dumps(
        {
            "ruleset": {
                "id": rid,
                "title": title,
                "jurisdiction": jurisdiction,
                "extends": extends,
                "version": f"{date.today().year}.1",
            }
        }
    )


def write_new(rid: str, parent: Ruleset, folder: Path, *, title: str | None = None) -> list[Path]:
    """Write a commented starting ruleset extending `parent`; it validates as written."""
    from .rulesets import ID_PATTERN

    if not isinstance(rid, str) or not ID_PATTERN.fullmatch(rid):
        raise InputError(
            f'"{rid}" is not a ruleset id',
            [
                Problem(
                    "ID", "expected lower-case letters and digits joined by hyphens", 'e.g. "us-mo"'
                )
            ],
        )
    lineage = [r.id for r in parent.lineage]
    if rid in lineage:
        raise InputError(
            f'a new ruleset "{rid}" cannot extend "{parent.id}"',
            [
                Problem(
                    "ID",
                    f'"{rid}" is "{parent.id}" or one of the rulesets it extends '
                    f"({' -> '.join(lineage)}): the new one would extend itself",
                    f'give it an id of its own, e.g. "{parent.id}-local" (--extends {parent.id})',
                )
            ],
        )
    target = Path(folder) / rid
    if target.exists() and any(target.iterdir()):
        raise InputError(
            f"{target} already exists and is not empty",
            [Problem(str(target), "refusing to overwrite a ruleset", "choose another --dir or id")],
        )
    (target / TESTS_FOLDER).mkdir(parents=True, exist_ok=True)
    jurisdiction = rid.upper()
    header = f'''# Ruleset "{rid}", extending "{parent.id}" ({parent.title}).
# Written by `eirules rulesets new`. Read docs/rulesets.md, then:
#   1. set the values your state's rules give in parameters.toml, each with its citation;
#   2. run `eirules rulesets validate {target}`;
#   3. add case files and expectations under tests/ and run `eirules rulesets test {target}`.
# Every value you do not set is inherited from "{parent.id}".

{_ruleset_table(rid, title or rid, jurisdiction, parent.id)}
[calendar]
# Public holidays for business-day clocks come from the `holidays` package.
# The country is inherited; name your subdivision (state) if it has its own holidays:
# holidays_subdivision = "MO"
# A district's school calendar (first and last days, closures) for school-day clocks:
# school_calendar = "school_calendar.toml"
'''
    lines = [
        f'# Parameters of "{rid}". Uncomment a block, fill in the value, the date it takes',
        "# effect and the citation of the rule that sets it. A value without a source stays out.",
        "",
    ]
    today = date.today()
    for decl, param in iter_resolved(parent, today):
        if param is not None and not decl.state_choice and decl.floor in (None, "none"):
            continue
        lines.append(f"# --- {decl.name} ({decl.type}{', ' + decl.unit if decl.unit else ''})")
        lines.append(f"# {decl.label}")
        if param is None:
            lines.append(f'# Not set by "{parent.id}": rules that need it report it as missing.')
        else:
            lines.append(f"# Inherited: {format_value(param.value, decl)} ({param.citation})")
        for said in what_is_checked(decl):
            lines.extend(f"# {part}" for part in textwrap.wrap(said, 86))
        lines.append(f"# [[parameters.{decl.name}.values]]")
        lines.append(f"# effective = {today.isoformat()}")
        lines.append(f"# value = {_PLACEHOLDER.get(decl.type, '...')}")
        lines.append("# citation = <the state rule, manual section or statute, quoted>")
        lines.append('# url = "https://..."')
        lines.append("")
    readme = f'''# Tests for ruleset "{rid}"

Each test is a case file (NAME.json, the same format `eirules check` reads) and
an expectation file NAME{EXPECT_SUFFIX}:

    description = "Why this case matters, with the rule that decides it"
    # case = "other-name.json"   # optional; default NAME.json

    [[expect]]
    as_of = 2026-02-01
    [expect.eligibility]
    part_c = "eligible"
    [expect.clocks.initial_ifsp_meeting]
    due = 2026-02-19
    status = "pending"

Run them with `eirules rulesets test {target}`. Only synthetic, fictional children.
'''
    paths = [
        target / "ruleset.toml",
        target / "parameters.toml",
        target / TESTS_FOLDER / "README.md",
    ]
    paths[0].write_text(header, encoding="utf-8")
    paths[1].write_text("\n".join(lines), encoding="utf-8")
    paths[2].write_text(readme, encoding="utf-8")
    return paths
