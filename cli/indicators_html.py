"""The printable HTML indicator report: one page with figures, bar charts and late cases.

Self-contained (inline CSS and SVG, no scripts, no fonts or images to fetch) so
it prints and mails as one file. Every value from the caseload goes through
`html_text` (core/text.py: markup escaped, no control or bidi character). Each figure links to its drill-down: the late children listed
under it, grouped by the reason for the delay, so a monitor can recount it.
"""

from __future__ import annotations

from collections import defaultdict

from eirules import __version__
from eirules.core.text import html_text

from .output import plural

BAR_W, BAR_GAP, CHART_H = 24, 8, 60


_e = html_text


def _chart(title: str, bars: list[tuple[str, dict, bool]], target: float) -> str:
    """An SVG bar chart of percent timely per bar, with the target as a dashed line.

    Each bar is (label, its tally as the published summary gives it, whether the label is
    ours: a unit with no name recorded). A suppressed percent draws no bar: its height
    would give the counts away; its label says "(<N)" as the tables do."""
    if not bars:
        return ""
    width = 40 + len(bars) * (BAR_W + BAR_GAP)
    top = 14
    parts = [
        f'<svg class="chart" role="img" aria-label="{_e(title)}" width="{width}" '
        f'height="{CHART_H + top + 34}" viewBox="0 0 {width} {CHART_H + top + 34}">',
        '<text x="0" y="10" class="axis">100%</text>',
        f'<text x="0" y="{top + CHART_H}" class="axis">0%</text>',
        f'<line x1="34" x2="{width}" y1="{top + CHART_H}" y2="{top + CHART_H}" class="base"/>',
    ]
    for i, (label, t, ours) in enumerate(bars):
        x = 40 + i * (BAR_W + BAR_GAP)
        name = f'<text x="{x + BAR_W / 2}" y="{top + CHART_H + 12}" class="lbl{" ours" if ours else ""}" text-anchor="middle">{_e(label)}</text>'
        if not t["denominator"]:  # a month with no units: its place, labelled, and no bar
            parts.append(
                name
                + f'<text x="{x + BAR_W / 2}" y="{top + CHART_H + 24}" class="lbl none" text-anchor="middle">'
                f"<title>{_e(label)}: no units</title>-</text>"
            )
            continue
        counts = f"{t['numerator']}/{t['denominator']}"
        pct = t["percent"]
        if isinstance(pct, float | int):
            h = CHART_H * pct / 100.0
            cls = "bar ok" if pct >= target else "bar low"
            parts.append(
                f'<rect x="{x}" y="{top + CHART_H - h:.1f}" width="{BAR_W}" height="{h:.1f}" class="{cls}">'
                f"<title>{_e(label)}: {_e(counts)}</title></rect>"
            )
        parts.append(name)
        parts.append(
            f'<text x="{x + BAR_W / 2}" y="{top + CHART_H + 24}" class="lbl" text-anchor="middle">'
            f"<title>{_e(label)}: {_e(counts)}</title>{_e(pct if isinstance(pct, str) else counts)}</text>"
        )
    y = top + CHART_H * (1 - target / 100.0)
    parts.append(f'<line x1="34" x2="{width}" y1="{y}" y2="{y}" class="target"/>')
    parts.append("</svg>")
    return "".join(parts)


#: The longest period whose every month gets a place in a by-month chart (two years).
ALL_MONTHS_UP_TO = 24


def chart_months(period, counted: dict[str, object]) -> list[str]:
    """The months ("2025-07") a by-month chart shows: every month of the period, those with
    no units too (an empty month is a fact a monitor reads, not a gap to close up), or
    for a period longer than `ALL_MONTHS_UP_TO` months, every month from the first to
    the last with units."""
    first, last = (period.start.year, period.start.month), (period.end.year, period.end.month)
    if (last[0] - first[0]) * 12 + last[1] - first[1] >= ALL_MONTHS_UP_TO and counted:
        low, high = min(counted), max(counted)
        first, last = (int(low[:4]), int(low[5:])), (int(high[:4]), int(high[5:]))
    months = []
    year, month = first
    while (year, month) <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return sorted(set(months) | set(counted))


def _days(days: dict) -> str:
    """The figure's days-late range: " (4 to 258 days)", " (1 day)", or nothing (none late,
    or fewer than the suppression threshold)."""
    low, high = days["min"], days["max"]
    if not isinstance(low, int):
        return ""
    return f" ({low} to {high} days)" if low != high else f" ({plural(low, 'day')})"


def render_html(report) -> str:
    from eirules.plugins.indicators.report import percent_text, stale_note, summary

    published = summary(report, suppress=True)
    below = report.suppress_below
    period = report.period
    span = (
        f"{report.evaluated_from}"
        if report.evaluated_from == report.evaluated_to
        else f"{report.evaluated_from} to {report.evaluated_to}"
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>SPP/APR compliance indicators {_e(period.label)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Compliance indicators, {_e(period.label)}</h1>",
        f'<p class="meta">Reporting period {_e(period.start)} to {_e(period.end)}; '
        f"{report.cases} cases, counted from the determinations evaluated as of {_e(span)}. "
        f"Target 100% for every compliance indicator. eirules {_e(__version__)}.</p>",
    ]
    if note := stale_note(report):
        out.append(f'<p class="meta"><strong>{_e(note)}</strong></p>')
    if below:
        out.append(
            f'<p class="meta">Counts under {below} are shown as "&lt;{below}" in the summary '
            "and the charts (the state's small-number rule); the lists of children are for the "
            "program's own use and are not suppressed: do not publish them.</p>"
        )
    out.append('<table class="summary"><thead><tr><th>Indicator</th><th>What is counted</th>'
               "<th>Timely</th><th>Counted</th><th>Percent</th><th>Late</th></tr></thead><tbody>")  # fmt: skip
    pairs = list(zip(report.indicators, published["indicators"], strict=True))
    for result, r in pairs:
        pct = r["percent"]
        cls = "ok" if pct == 100.0 else ("none" if not isinstance(pct, float) else "low")
        out.append(
            f'<tr><td><a href="#{result.code}">{result.code}</a></td><td>{_e(result.title)}</td>'
            f"<td>{_e(r['numerator'])}</td><td>{_e(r['denominator'])}</td>"
            f'<td class="{cls}">{_e(percent_text(pct))}</td><td>{_e(r["late"])}</td></tr>'
        )
    out.append("</tbody></table>")
    for result, r in pairs:
        out.append(f'<section id="{result.code}"><h2>{result.code} {_e(result.title)}</h2>')
        out.append(f'<p class="cite">{_e(result.citation)}</p>')
        out.append(
            f'<p class="figure"><b>{_e(percent_text(r["percent"]))}</b>: {_e(r["numerator"])} of '
            f"{_e(r['denominator'])} timely; {_e(r['late'])} late{_days(r['days_late'])}</p>"
        )
        notes = [
            f"counted as timely ({_e(reason.replace('_', ' '))}): {_e(n)}"
            for reason, n in sorted(r["counted_as_timely"].items())
        ] + [f"{_e(reason)}: {_e(n)}" for reason, n in sorted(r["excluded"].items())]
        if result.code == "B12" and result.categories:
            c = r["categories"]
            notes.append(
                _e(f"a={c['a']}, b={c['b']}, c={c['c']}, d={c['d']}, e={c['e']}, f={c['f']}: "
                   "percent = c / (a - b - d - e - f)")
            )  # fmt: skip
        if notes:
            out.append('<ul class="notes">' + "".join(f"<li>{n}</li>" for n in notes) + "</ul>")
        if report.by and r["by_unit"]:
            bars = [(u["unit"] or f"no {report.by}", u, u["unit"] is None) for u in r["by_unit"]]
            out.append(_chart(f"{result.code} by {report.by}", bars, result.target))
        elif r["by_month"]:
            empty = {"numerator": 0, "denominator": 0, "percent": None}
            bars = [
                (m[2:], r["by_month"].get(m, empty), False)
                for m in chart_months(period, r["by_month"])
            ]
            out.append(_chart(f"{result.code} by month", bars, result.target))
        if result.late:
            groups = defaultdict(list)
            for item in result.late:
                groups[item.group].append(item)
            out.append(f"<h3>Late ({len(result.late)}), by reason</h3>")
            for reason, items in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
                out.append(f"<h4>{_e(reason)} ({len(items)})</h4>")
                out.append(
                    '<table class="late"><thead><tr><th>Case</th><th>Child</th><th>Clock</th>'
                    "<th>Start</th><th>Due</th><th>Done</th><th>Status</th><th>Days late</th>"
                    "<th>Caseworker</th></tr></thead><tbody>"
                )
                for item in sorted(items, key=lambda i: (i.due or i.on, i.case_id)):
                    out.append(
                        f"<tr><td>{_e(item.case_id)}</td><td>{_e(item.child)}</td>"
                        f"<td>{_clock(item)}</td><td>{_e(item.start)}</td>"
                        f"<td>{_e(item.due)}</td><td>{_e(item.done or '-')}</td>"
                        f"<td>{_e(item.status)}</td><td>{_e(item.days_late)}</td>"
                        f"<td>{_e(item.units.get('caseworker') or '')}</td></tr>"
                    )
                out.append("</tbody></table>")
        elif result.denominator == 0:
            out.append('<p class="meta">No units in this period.</p>')
        if result.unmeasured:
            out.append(
                f"<h3>Not measurable, not counted ({len(result.unmeasured)})</h3>"
                '<table class="late"><thead><tr><th>Case</th><th>Child</th><th>Clock</th>'
                "<th>Start</th><th>Done</th><th>Status</th><th>Why</th><th>Caseworker</th>"
                "</tr></thead><tbody>"
            )
            for item in sorted(result.unmeasured, key=lambda i: (i.on, i.case_id)):
                out.append(
                    f"<tr><td>{_e(item.case_id)}</td><td>{_e(item.child)}</td>"
                    f"<td>{_clock(item)}</td><td>{_e(item.start)}</td>"
                    f"<td>{_e(item.done or '-')}</td><td>{_e(item.status)}</td>"
                    f'<td class="why">{_e(item.reason or item.category)}</td>'
                    f"<td>{_e(item.units.get('caseworker') or '')}</td></tr>"
                )
            out.append("</tbody></table>")
        out.append("</section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def _clock(item) -> str:
    subject = ": " + _e(item.subject) if item.subject else ""
    episode = " (episode " + _e(item.episode) + ")" if item.episode else ""
    return f"{_e(item.label or item.clock)}{subject}{episode}"


CSS = """
@page { size: letter; margin: 12mm; }
body { font: 10pt/1.35 system-ui, sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 10pt 0 2pt; border-bottom: 1px solid #999; }
h3 { font-size: 10pt; margin: 6pt 0 2pt; }
h4 { font-size: 9pt; margin: 4pt 0 2pt; font-weight: 600; }
.meta, .cite { color: #444; font-size: 8.5pt; margin: 2pt 0; }
.figure { margin: 2pt 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; }
th, td { border: 1px solid #bbb; padding: 1pt 4pt; text-align: left; }
table.late td { white-space: nowrap; } table.late { font-size: 8pt; }
th { background: #eee; }
td.ok { color: #15602b; font-weight: 600; }
td.low { color: #a40000; font-weight: 600; }
ul.notes { margin: 2pt 0; padding-left: 14pt; font-size: 8.5pt; }
svg.chart { display: block; margin: 4pt 0; }
svg .bar.ok { fill: #3b7d4f; } svg .bar.low { fill: #c0504d; }
svg .target { stroke: #222; stroke-dasharray: 4 3; stroke-width: 1; }
svg .base { stroke: #888; } svg .axis, svg .lbl { font-size: 8px; fill: #333; }
svg .lbl.none { fill: #888; } svg .lbl.ours { font-style: italic; }
table.late td.why { white-space: normal; }
section { break-inside: auto; }
a { color: inherit; }
"""
