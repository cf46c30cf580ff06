"""Which stored determinations cannot change if the case is evaluated again (issue 15).

A case's latest evaluation is current for an as-of date E when

* it was made from the case file the case holds now (nothing changed or failed since),
* by this engine, with the installed version of its ruleset (version and content
  digest), and the district calendars as they are now (`cases.evaluated_with`
  keeps all of that: `determinations.evaluated_with`), and
* E is the date it was made as of, or lies in its stability interval
  [`stable_from`, `stable_until`): the as-of dates over which the same inputs
  certainly give the same determination apart from its top-level as_of
  (core/stability.py; `stable_until` NULL: no end known).

Evaluating such a case again as of E gives the same determination, so `evaluate
--all` skips it (`--force` does not) and moves its `evaluated_as_of` to E in
set-wide SQL (`move_current`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import EirulesError

#: Case statuses that say the latest determination is not the case's (changed, failed, none).
STALE_STATUSES = ("not_evaluated", "changed_since_evaluation", "evaluation_failed")
#: Cases whose `evaluated_as_of` one statement of `move_current` moves.
MOVE_PART = 2000


def calendars_changed_at(folder: Path | None) -> str:
    """The UTC time (ISO, as determinations' created_at) the calendars folder last changed."""
    if folder is None or not folder.is_dir():
        return ""
    stamps = [folder.stat().st_mtime]
    stamps.extend(p.stat().st_mtime for p in folder.iterdir() if p.is_file())
    return datetime.fromtimestamp(max(stamps), UTC).replace(microsecond=0).isoformat()


def answering(engine, made_by: list[str | None]) -> list[str]:
    """Those of the `cases.evaluated_with` values ("ENGINE|RULESET|VERSION[|CALENDARS]")
    that this engine, its installed rulesets and today's district calendars would give."""
    calendars = calendars_changed_at(engine.calendars.folder)
    versions: dict[str, str | None] = {}
    out = []
    for with_ in made_by:
        made, _, rest = (with_ or "").partition("|")
        ruleset_id, _, rest = rest.partition("|")
        version, _, counted_on = rest.partition("|")
        if made != engine.version or counted_on != calendars:
            continue
        if ruleset_id not in versions:
            try:
                versions[ruleset_id] = engine.rulesets.get(ruleset_id).full_version
            except EirulesError:
                versions[ruleset_id] = None  # no longer installed: evaluated (and failing)
        if versions[ruleset_id] == version:
            out.append(with_ or "")
    return out


def holds_sql(as_of: date, cases: str = "c") -> tuple[str, list[str]]:
    """A condition on the cases table (alias `cases`) true when the case's evaluation
    answers for `as_of` by its date: made as of it, or `as_of` inside its interval."""
    day = as_of.isoformat()
    return (
        f"({cases}.evaluated_as_of = ? OR ({cases}.stable_from <= ? "
        f"AND ({cases}.stable_until IS NULL OR ? < {cases}.stable_until)))",
        [day, day, day],
    )


def current_ids(conn, engine, as_of: date, case_ids: list[str] | None = None) -> set[str]:
    """The cases (of `case_ids`, or all) whose latest determination is current for `as_of`."""
    made_by = answering(
        engine, [r[0] for r in conn.execute("SELECT DISTINCT evaluated_with FROM cases")]
    )
    if not made_by:
        return set()
    marks = ",".join("?" * len(STALE_STATUSES))
    holds, holds_args = holds_sql(as_of)
    calendars = calendars_changed_at(engine.calendars.folder)
    sql = (
        "SELECT c.id FROM cases c JOIN determinations d ON d.id = c.last_determination_id "
        f"WHERE c.status NOT IN ({marks}) AND d.inputs_hash = c.document_hash "
        f"AND c.evaluated_with IN ({','.join('?' * len(made_by))}) "
        # ... and the determination the case row stands for is that evaluation's.
        "AND c.evaluated_with = d.engine || '|' || d.ruleset || '|' || d.ruleset_version || ? "
        f"AND {holds}"
    )
    args = [*STALE_STATUSES, *made_by, f"|{calendars}" if calendars else "", *holds_args]
    wanted = set(case_ids) if case_ids is not None else None
    return {case_id for (case_id,) in conn.stream(sql, args) if wanted is None or case_id in wanted}


def move_current(conn, ids: list[str], as_of: date, write: Callable) -> int:
    """Set `evaluated_as_of` to `as_of` for the current cases `ids` (`current_ids`) that
    were evaluated as of another date: one statement per MOVE_PART cases, each in its own
    `write()` transaction (a coordinator's write waits for one part at most). A case
    changed by another writer since it was found keeps its stale status and is left."""
    day = as_of.isoformat()
    marks = ",".join("?" * len(STALE_STATUSES))
    moved = 0
    ordered = sorted(ids)
    for i in range(0, len(ordered), MOVE_PART):
        with write():
            for j in range(i, min(i + MOVE_PART, len(ordered)), 500):
                part = ordered[j : min(j + 500, i + MOVE_PART)]
                cur = conn.execute(
                    f"UPDATE cases SET evaluated_as_of = ? WHERE status NOT IN ({marks}) "
                    f"AND coalesce(evaluated_as_of, '') <> ? AND id IN ({','.join('?' * len(part))})",
                    [day, *STALE_STATUSES, day, *part],
                )
                moved += max(cur.rowcount, 0)
    return moved
