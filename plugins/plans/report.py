"""Pages a family reads: the progress report and the meeting notice, in English or Spanish.

Every word comes from the catalogues (`i18n.py`); every value from the case is
escaped by Jinja2's autoescaping after `page_text` (no control or bidi character), so
a name or a note can never become markup nor carry a control; the graph's text goes
through `html_text`.
The small graph is inline SVG drawn here (no plotting library needed): the
measurements, the line from the baseline to the target, and the target itself.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from eirules.core.models import Case
from eirules.core.text import html_text, page_text

from .i18n import long_date, number, short_date, t
from .meetings import notice_said
from .models import Contact, Goal, Meeting, ProgressReport, worded
from .progress import GoalProgress

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_page_value,
    )
    return env


def _page_value(value):
    """Every value a template writes, before autoescaping: its text with no control or bidi
    character (`page_text`, as `html_text` does for the pages built in code)."""
    from markupsafe import Markup

    if isinstance(value, Markup):
        return Markup(page_text(str(value)))  # page_text adds no markup character
    return page_text(value) if isinstance(value, str) else value


def progress_sentence(gp: GoalProgress, lang: str) -> str:
    """One plain sentence for where a goal stands, from its numbers."""
    g = gp.goal
    unit = worded(g, "unit", lang, g.measure.unit)
    values = {
        "target": number(g.target, lang),
        "unit": unit,
        "target_date": long_date(g.target_date, lang),
    }
    if gp.status in ("met", "not_met"):  # progress.py judged it: the latest point says which
        assert gp.latest is not None
        return t(
            lang,
            f"status.{gp.status}.sentence",
            latest=number(gp.latest.value, lang),
            date=long_date(gp.latest.date, lang),
            **values,
        )
    if gp.status == "not_enough_data":
        return t(
            lang,
            "status.not_enough_data.sentence",
            used=gp.points_used,
            needed=gp.points_needed if gp.points_needed is not None else "?",
        )
    if gp.status == "trend_unclear":
        return t(lang, "status.trend_unclear.sentence", used=gp.points_used, **values)
    if gp.status == "data_stopped":
        if gp.latest is None:
            return t(lang, "status.data_stopped.none.sentence", **values)
        return t(
            lang, "status.data_stopped.sentence", date=long_date(gp.latest.date, lang), **values
        )
    sentence = t(
        lang,
        f"status.{gp.status}.sentence",
        slope=number(gp.slope_per_week or 0.0, lang, digits=2),
        projected=number(gp.projected or 0.0, lang),
        **values,
    )
    if gp.low_confidence:
        sentence += " " + t(lang, "status.low_confidence")
    return sentence


def svg_graph(gp: GoalProgress, lang: str, width: int = 420, height: int = 170) -> str:
    """Measurements, the baseline-to-target line and the target, as an escaped SVG string."""
    g = gp.goal
    pad_l, pad_r, pad_t, pad_b = 44, 14, 12, 30
    x0, x1 = g.baseline_date.toordinal(), g.target_date.toordinal()
    last = max([p.date.toordinal() for p in gp.points] + [x1])
    values = [g.baseline, g.target, *(p.value for p in gp.points)]
    lo, hi = min(values), max(values)
    if hi == lo:
        hi = lo + 1
    span_y = hi - lo
    lo, hi = lo - 0.08 * span_y, hi + 0.08 * span_y

    def px(day: int) -> float:
        return pad_l + (day - x0) / max(last - x0, 1) * (width - pad_l - pad_r)

    def py(v: float) -> float:
        return pad_t + (hi - v) / (hi - lo) * (height - pad_t - pad_b)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{html_text(t(lang, "graph.label", goal=g.statement))}">',
        f'<rect x="{pad_l}" y="{pad_t}" width="{width - pad_l - pad_r}" '
        f'height="{height - pad_t - pad_b}" fill="#fafafa" stroke="#bbb"/>',
        f'<line x1="{px(x0):.1f}" y1="{py(g.baseline):.1f}" x2="{px(x1):.1f}" '
        f'y2="{py(g.target):.1f}" stroke="#2a7" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<circle cx="{px(x1):.1f}" cy="{py(g.target):.1f}" r="6" fill="none" '
        f'stroke="#2a7" stroke-width="2"/>',
    ]
    pts = " ".join(f"{px(p.date.toordinal()):.1f},{py(p.value):.1f}" for p in gp.points)
    if pts:
        parts.append(f'<polyline points="{pts}" fill="none" stroke="#236" stroke-width="2"/>')
    for p in gp.points:
        parts.append(
            f'<circle cx="{px(p.date.toordinal()):.1f}" cy="{py(p.value):.1f}" r="3.5" fill="#236"/>'
        )
    for v in (g.baseline, g.target):
        parts.append(
            f'<text x="{pad_l - 6}" y="{py(v) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{html_text(number(v, lang))}</text>"
        )
    for d, anchor in ((g.baseline_date, "start"), (g.target_date, "end")):
        parts.append(
            f'<text x="{px(d.toordinal()):.1f}" y="{height - 10}" font-size="11" '
            f'text-anchor="{anchor}">{html_text(short_date(d, lang))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _next_step(gp: GoalProgress, lang: str) -> str:
    return t(lang, f"next.{gp.status}")


def _note_line(n, lang: str) -> dict:
    return {
        "date": long_date(n.date, lang),
        "kind": t(lang, f"note.{n.kind}"),
        "by": n.by,
        "text": n.text,
    }


def render_progress_report(
    case: Case,
    progress: list[GoalProgress],
    contacts: tuple[Contact, ...],
    period: ProgressReport | None,
    as_of: date,
    lang: str,
    since: date | None = None,
) -> str:
    """The family's progress report as one HTML page."""
    child = case.child.name or case.id
    goals = []
    for gp in progress:
        g: Goal = gp.goal
        unit = worded(g, "unit", lang, g.measure.unit)
        recent = [n for n in gp.notes if since is None or n.date > since][-3:]
        goals.append(
            {
                "statement": worded(g, "statement", lang, g.statement),
                "area": t(lang, f"area.{g.area}"),
                "measure": worded(g, "what", lang, g.measure.what),
                "unit": unit,
                "from_to": t(
                    lang,
                    "goal.from_to",
                    baseline=number(g.baseline, lang),
                    baseline_date=long_date(g.baseline_date, lang),
                    target=number(g.target, lang),
                    target_date=long_date(g.target_date, lang),
                    unit=unit,
                ),
                "latest": None
                if gp.latest is None
                else t(
                    lang,
                    "goal.latest",
                    value=number(gp.latest.value, lang),
                    unit=unit,
                    date=long_date(gp.latest.date, lang),
                ),
                "status": gp.status,
                "status_label": t(lang, f"status.{gp.status}"),
                "sentence": progress_sentence(gp, lang),
                "graph": svg_graph(gp, lang),
                "notes": [_note_line(n, lang) for n in recent],
                "next": _next_step(gp, lang),
            }
        )
    recent_contacts = [c for c in contacts if c.date <= as_of and (since is None or c.date > since)]
    return (
        _env()
        .get_template("progress_report.html")
        .render(
            lang=lang,
            t=lambda key, **kw: t(lang, key, **kw),
            child=child,
            case_id=case.id,
            plan=t(lang, f"plan.{progress[0].goal.plan}") if progress else "",
            period=period.period if period else None,
            as_of=long_date(as_of, lang),
            goals=goals,
            contacts=[
                {
                    "date": long_date(c.date, lang),
                    "method": t(lang, f"contact.{c.method}"),
                    "topic": c.topic,
                    "outcome": c.outcome or "",
                }
                for c in recent_contacts[-5:]
            ],
        )
    )


def render_notice(case: Case, meeting: Meeting, lang: str, agency: str | None = None) -> str:
    """The written notice of a meeting to the family as one HTML page: what it gives
    is `notice_said`'s, the rest "to be agreed" or "the team will tell you"."""
    child = case.child.name or case.id
    said = notice_said(meeting, lang)
    people = [
        {"name": p.name, "role": t(lang, f"role.{p.role}")} for p in said["participants"] or ()
    ]
    return (
        _env()
        .get_template("meeting_notice.html")
        .render(
            lang=lang,
            t=lambda key, **kw: t(lang, key, **kw),
            child=child,
            case_id=case.id,
            kind=t(lang, f"meeting.{meeting.kind}"),
            plan=meeting.plan,
            purpose=said["purpose"],
            date=long_date(meeting.date, lang),
            time=said["time"] or t(lang, "notice.time_to_agree"),
            location=said["location"] or t(lang, "notice.place_to_agree"),
            people=people,
            interpreter=meeting.interpreter,
            language=meeting.language,
            agency=agency,
            sent=long_date(meeting.notice.sent, lang) if meeting.notice else None,
        )
    )
