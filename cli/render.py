"""Plain-text rendering of determinations for case managers."""

from __future__ import annotations

import textwrap

from eirules.core.decisions import Clock, Determination, Referral, days_left
from eirules.core.models import Case

from .output import plural, text_width

_STATUS_WORDS = {
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "pending": "pending",
    "met": "met",
    "met_late": "met late",
    "late_excused": "late, excused",
    "not_applicable": "not applicable",
    "needs_information": "cannot compute",
}


def _wrap(text: str, indent: int, hanging: int | None = None) -> list[str]:
    """Wrap to text_width(); continuation lines indent by `hanging` (default: `indent`)."""
    return textwrap.wrap(
        text,
        text_width(),
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent if hanging is None else hanging),
        break_on_hyphens=False,
    ) or [" " * indent]


def _words(value: str) -> str:
    return value.replace("_", " ")


def _clock_name(clock: Clock) -> str:
    name = clock.label or _words(clock.id)
    return f"{name} [{clock.subject}]" if clock.subject else name


def _clock_when(clock: Clock, det: Determination) -> str:
    """Due date, window and days left or overdue, in words."""
    parts = []
    if clock.opens is not None and clock.due is not None:
        parts.append(f"between {clock.opens.isoformat()} and {clock.due.isoformat()}")
    elif clock.due is not None:
        parts.append(f"by {clock.due.isoformat()}")
    unknown = clock.status == "needs_information"
    if clock.met_on is not None:  # done; "met" only when its due date says it was in time
        parts.append(f"{'done' if unknown else 'met'} {clock.met_on.isoformat()}")
    elif not unknown and (days := clock.days_left(det.as_of)) is not None and clock.is_outstanding:
        if clock.opens is not None and det.as_of < clock.opens:
            parts.append(f"opens in {plural((clock.opens - det.as_of).days, 'day')}")
        if clock.closed_on is not None:
            pass  # closed unmet: its days are said with the closing day, below
        elif days < 0:
            parts.append(f"{plural(-days, 'day')} overdue")
        elif days == 0:
            parts.append("due today")
        else:
            parts.append(f"{plural(days, 'day')} left")
    if unknown:
        missing = "; ".join(clock.missing)
        if clock.due is not None:  # the date is known, not what meets it (e.g. 300.101(b)(2))
            parts.append(f"cannot tell whether it is met on time; missing: {missing}")
        elif clock.met_on is None:
            parts.append(f"cannot compute the due date; missing: {missing}")
    elif clock.due is None and clock.met_on is None and clock.is_open:
        parts.append("as soon as possible")  # e.g. 303.209(b)(1)(ii): no fixed number of days
    if clock.closed_on is not None and clock.is_outstanding:
        # Late and closed unmet: listed by `due` and `overdue` until met or excused (issue 10).
        # Its lateness stopped that day (decisions.days_left): closed_on - due, every day after.
        closed = f"closed unmet on {clock.closed_on.isoformat()}"
        days = clock.days_left(det.as_of)
        if days is not None and days < 0 and clock.met_on is None:
            closed += f", {plural(-days, 'day')} after it was due"
        parts.append(closed)
    return ", ".join(parts)


def _days_phrase(by, det: Determination) -> str:
    """`by 2026-02-19, 18 days left` / `3 days overdue` / `due today` for a dated obligation."""
    days = days_left(by, det.as_of)
    assert days is not None  # a dated obligation
    if days < 0:
        left = f"{plural(-days, 'day')} overdue"
    elif days == 0:
        left = "due today"
    else:
        left = f"{plural(days, 'day')} left"
    return f"by {by.isoformat()}, {left}"


def _referral_when(r: Referral, det: Determination) -> str:
    """What `check` says of a referral's date: "by DATE, N days left" for one to make, "by
    DATE" for one done with; for one closed unmade and still listed (`not_made`), also the
    day it closed and its lateness, which stopped that day (`Referral.days_left`)."""
    if not r.by:
        when = ""
    elif r.status == "to_make":
        when = f" {_days_phrase(r.by, det)}"
    else:
        when = f" by {r.by.isoformat()}"
    if r.closed_on is not None and r.is_outstanding:
        when += f", closed on {r.closed_on.isoformat()}"
        days = r.days_left(det.as_of)
        if days is not None and days < 0:
            when += f", {plural(-days, 'day')} after it was due"
    return when


def _clock_lines(c: Clock, det: Determination, indent: int = 2) -> list[str]:
    when = _clock_when(c, det)
    lines = _wrap(
        f"{_STATUS_WORDS[c.status]:<14} {_clock_name(c)} ({c.program})"
        + (f": {when}" if when else "")
        + f"  [{c.citation}]",
        indent,
        indent + 15,
    )
    if c.reason:
        lines.extend(_wrap(c.reason, indent + 15))
    return lines


def _history_lines(det: Determination) -> list[str]:
    """The clocks of a program's earlier episodes (a first referral found not eligible,
    then a second): the record and the indicators count them, so `check` shows them too,
    under the episode they belong to (they were in the JSON `history` only)."""
    if not det.history:
        return []
    lines = ["", "Earlier episodes"]
    episodes = {e.id: e for e in det.episodes}
    for episode_id in dict.fromkeys(c.episode for c in det.history):
        e = episodes.get(episode_id) if episode_id else None
        if e is not None:
            began = (
                f" from {e.start.isoformat()} ({_words(e.started_by or 'start')})"
                if e.start
                else ""
            )
            ended = f" to {e.end.isoformat()} ({_words(e.ended_by or 'end')})" if e.end else ""
            lines.extend(_wrap(f"{e.id}{began}{ended}", 2, 4))
        else:
            lines.append(f"  {episode_id or 'earlier'}")
        for c in det.history:
            if c.episode == episode_id:
                lines.extend(_clock_lines(c, det, indent=4))
    return lines


def render_determination(det: Determination, case: Case | None = None) -> str:
    """A readable summary: what is decided, why, what is due next, with dates and citations."""
    version = f" {det.ruleset_version}" if det.ruleset_version else ""
    lines = [
        f"Case {det.case}  (ruleset {det.ruleset}{version}, as of {det.as_of.isoformat()}, "
        f"{det.engine})"
    ]
    if case is not None:
        lines.append(
            f"Child born {case.child.birth_date.isoformat()}"
            + (
                f", {case.child.gestational_age_weeks} weeks' gestation"
                if case.child.gestational_age_weeks
                else ""
            )
        )

    asap = [c for c in det.clocks if c.due is None and c.status == "due_soon"]
    if asap:
        # No fixed date but owed now (e.g. 303.209(b)(1)(ii)): say so before any dated clock.
        lines.append("")
        for c in asap:
            lines.extend(
                _wrap(f"Now: {_clock_name(c)} as soon as possible ({c.program})  [{c.citation}]", 0)
            )
    open_clocks = [c for c in det.clocks if c.is_open and c.due is not None]
    # A referral still to make with a date is owed like a clock (issue 10): the earliest
    # of the two is what is due next.
    owed_refs = [r for r in det.referrals if r.by is not None and r.status == "to_make"]
    next_ref = min(owed_refs, key=lambda r: r.by, default=None)
    if next_ref is not None and (not open_clocks or next_ref.by < open_clocks[0].due):
        lines.append("")
        lines.extend(
            _wrap(
                f"Next due: referral {next_ref.referrer} -> {next_ref.to} "
                f"{_days_phrase(next_ref.by, det)} ({next_ref.program})  [{next_ref.citation}]",
                0,
            )
        )
    elif open_clocks:
        # Clocks arrive sorted by due date: the first open one is what is due next.
        nxt = open_clocks[0]
        lines.append("")
        lines.extend(
            _wrap(
                f"Next due: {_clock_name(nxt)} {_clock_when(nxt, det)} ({nxt.program})  "
                f"[{nxt.citation}]",
                0,
            )
        )

    lines.append("")
    lines.append("Eligibility")
    if not det.eligibility:
        lines.append("  (no program decided eligibility for this case)")
    for e in det.eligibility:
        basis = f" on the basis of {', '.join(_words(b) for b in e.basis)}" if e.basis else ""
        lines.extend(_wrap(f"{e.program}: {_words(e.outcome)}{basis}  [{e.citation}]", 2, 6))
        if e.reason:
            lines.extend(_wrap(e.reason, 4))
        for item in e.missing:
            lines.extend(_wrap(f"missing: {item}", 4))

    lines.append("")
    lines.append("Clocks")
    if not det.clocks:
        lines.append("  (none)")
    for c in det.clocks:
        lines.extend(_clock_lines(c, det))

    lines.extend(_history_lines(det))

    if det.referrals:
        lines.append("")
        lines.append("Referrals")
        for r in det.referrals:
            by = _referral_when(r, det)
            lines.extend(
                _wrap(f"{r.referrer} -> {r.to}{by} ({_words(r.status)})  [{r.citation}]", 2, 6)
            )
            lines.extend(_wrap(r.reason, 4))

    if det.findings:
        lines.append("")
        lines.append("Findings")
        for f in det.findings:
            cited = f"  [{f.citation}]" if f.citation else ""
            lines.extend(_wrap(f"{f.rule}: {_words(f.outcome)}{cited}", 2, 6))
            lines.extend(_wrap(f.reason, 4))
    return "\n".join(lines)
