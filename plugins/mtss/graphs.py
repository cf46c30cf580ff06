"""Progress graphs (scores, baseline, aimline, goal, trend, phase changes) and report charts.

Uses matplotlib's object API with the Agg canvas (no display, no global pyplot
state), so graphs can be drawn in a loop or a server.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from eirules.core.errors import EirulesError, Problem
from eirules.core.private_files import make_private_folder, write_private
from eirules.core.text import page_text

from .measures import MEASURE_NAMES, measure_name  # noqa: F401  (re-exported)
from .rules import SeriesReport


class GraphsNotInstalled(EirulesError):
    """Graphs were asked for, but the optional graphing extra is not installed."""


try:
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
except ImportError as exc:  # the `graphs` extra is optional: say how to get it
    raise GraphsNotInstalled(
        f"graphs need matplotlib, which is not installed ({exc})",
        [
            Problem(
                "",
                "install the graphs extra",
                "pip install 'eirules[graphs]' (or skip graphs, e.g. `eirules progress --no-graph`)",
            )
        ],
    ) from None

# matplotlib plots datetime.date values through its units registry (and picks a
# date axis for them), but its type stubs accept only numbers and arrays: the
# calls below that pass dates carry a targeted `type: ignore[arg-type]`.


def _figure(width=7.5, height=4.2) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def benchmark_steps(report: SeriesReport, rec, p) -> list[tuple[date, date, float, str]]:
    """(from, to, benchmark, season) for each screening window the graph spans, from the
    ruleset's seasonal table (rules.benchmarks); empty when the measure has none."""
    from .rules.benchmarks import benchmark_for

    s = report.series
    if not s.points:
        return []
    end = report.aimline.goal_date if report.aimline else s.points[-1].date
    windows = [(x.date, x.window) for x in rec.screenings if x.date <= s.points[-1].date]
    out = []
    for i, (d, w) in enumerate(windows):
        b = benchmark_for(s, rec.student.grade, w, p)
        if b.param is None or b.value is None:
            continue
        stop = windows[i + 1][0] if i + 1 < len(windows) else end
        if stop > s.points[0].date:
            out.append((max(d, s.points[0].date), stop, b.value, w))
    return out


def progress_figure(
    report: SeriesReport, title: str, benchmarks: list | None = None, parent: bool = False
) -> Figure:
    """The graph teams look at in meetings, for one series.

    `benchmarks`: seasonal benchmark steps (`benchmark_steps`) drawn as a shaded band
    edge per season; `parent`: the plain version for families (scores, the goal line and
    the goal, in everyday words; no trend statistics or rule names).
    """
    s = report.series
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    if parent:
        return _parent_figure(fig, ax, report, title)
    if s.points:
        ax.plot(
            [pt.date for pt in s.points],  # type: ignore[arg-type]  # stubs reject dates
            [pt.score for pt in s.points],
            marker="o",
            color="#1f4e79",
            label="scores",
            linewidth=1.2,
        )
    line = report.aimline
    if line is not None:
        ax.plot(
            [line.start, line.goal_date],  # type: ignore[arg-type]  # stubs reject dates
            [line.baseline, line.goal],
            linestyle="--",
            color="#2e7d32",
            label=f"aimline ({line.slope:.2f}/wk)",
        )
        ax.scatter(
            [line.start],  # type: ignore[arg-type]  # stubs reject dates
            [line.baseline],
            marker="s",
            color="#6d4c41",
            zorder=3,
            label="baseline",
        )
        ax.scatter(
            [line.goal_date],  # type: ignore[arg-type]  # stubs reject dates
            [line.goal],
            marker="*",
            s=160,
            color="#c62828",
            zorder=3,
            label="goal",
        )
    r5 = report.r5
    if r5 is not None and r5.sufficient:
        origin = date.fromisoformat(r5.evidence["trend_origin"])
        b, a = r5.evidence["trend_slope"], r5.evidence["trend_intercept"]
        end = line.goal_date if line is not None else s.points[-1].date
        xs = [origin, end]
        ys = [a, a + b * (end - origin).days / 7.0]
        ax.plot(
            xs,  # type: ignore[arg-type]  # stubs reject dates
            ys,
            color="#ef6c00",
            linewidth=1.5,
            label=f"trend ({r5.evidence['method']}, {b:.2f}/wk)",
        )
    for i, ph in enumerate(s.phases):
        ax.axvline(
            ph.date,  # type: ignore[arg-type]  # stubs reject dates
            color="#616161",
            linestyle=":",
            linewidth=1.3,
            label="phase change" if i == 0 else None,
        )
        # Label at the bottom, on a white box, so it never hides the aimline or the scores.
        ax.annotate(
            ph.label,
            (ph.date, 0.02),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="bottom",
            ha="right",
            fontsize=7,
            color="#424242",
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7},
        )
    if benchmarks:
        for i, (a, b, v, w) in enumerate(benchmarks):
            ax.hlines(
                v,
                a,  # type: ignore[arg-type]  # stubs reject dates
                b,  # type: ignore[arg-type]
                color="#7b1fa2",
                linewidth=1.4,
                label="seasonal benchmark" if i == 0 else None,
            )
            # Below the line, boxed: above it the label would meet the goal star when the
            # goal is the season's benchmark (a capped goal, R3).
            ax.annotate(
                f"{w} {v:g}",
                (a, v),  # type: ignore[arg-type]
                textcoords="offset points",
                xytext=(2, -3),
                va="top",
                fontsize=7,
                color="#7b1fa2",
            )
    elif s.benchmark is not None:
        ax.axhline(s.benchmark, color="#9e9e9e", linewidth=0.8, label=f"benchmark {s.benchmark:g}")
    if line is not None:
        ax.annotate(
            f"goal {line.goal:g}\nby {line.goal_date}",
            (line.goal_date, line.goal),  # type: ignore[arg-type]
            textcoords="offset points",
            xytext=(-6, -28),
            ha="right",
            fontsize=7,
            color="#c62828",
        )
    ax.set_title(page_text(f"{title}\n{report.decision.decision.replace('_', ' ')}"), fontsize=10)
    better = "higher is better" if s.direction == 1 else "lower is better"
    name = measure_name(s.measure)
    unit = name[name.index("(") + 1 : -1] if name.endswith(")") and "(" in name else "score"
    ax.set_ylabel(f"{unit} ({better})")
    ax.set_xlabel("Date")
    # Scores rise toward a goal at the top right (or fall toward one at the bottom right),
    # so the corner opposite the goal's start stays free for the legend.
    ax.legend(fontsize=7, loc="upper left" if s.direction == 1 else "upper right")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    # Fixed margins: tight_layout costs as much as drawing the graph.
    fig.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.2)
    return fig


def _parent_figure(fig, ax, report: SeriesReport, title: str) -> Figure:
    s = report.series
    if s.points:
        ax.plot(
            [pt.date for pt in s.points],  # type: ignore[arg-type]
            [pt.score for pt in s.points],
            marker="o",
            color="#1f4e79",
            label="your child's scores",
        )
    line = report.aimline
    if line is not None:
        ax.plot(
            [line.start, line.goal_date],  # type: ignore[arg-type]
            [line.baseline, line.goal],
            linestyle="--",
            color="#2e7d32",
            label="the path to the goal",
        )
        ax.scatter(
            [line.goal_date],  # type: ignore[arg-type]
            [line.goal],
            marker="*",
            s=160,
            color="#c62828",
            zorder=3,
            label=f"goal: {line.goal:g} by {line.goal_date:%B %d, %Y}",
        )
    ax.set_title(page_text(title), fontsize=11)
    ax.set_ylabel(measure_name(s.measure))
    ax.legend(fontsize=8, loc="upper left" if s.direction == 1 else "upper right")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.2)
    return fig


def parent_summary(report: SeriesReport) -> str:
    """One plain sentence for families: above, on or below the path to the goal."""
    s, line = report.series, report.aimline
    if line is None or not s.points:
        return "We are still collecting the first scores."
    last = s.points[-1]
    gap = s.direction * (last.score - line.at(last.date))
    where = "ahead of" if gap > 0 else "behind" if gap < 0 else "on"
    return (
        f"The last score was {last.score:g} on {last.date:%B %d}. The goal is {line.goal:g} by "
        f"{line.goal_date:%B %d, %Y}; the scores are {where} the path to it."
    )


def write_progress_graph(
    report: SeriesReport,
    stem: str | Path,
    title: str,
    formats=("svg", "png"),
    benchmarks: list | None = None,
    parent: bool = False,
) -> list[Path]:
    """Write the graph as stem.svg and stem.png, owner-only (they name the student)."""
    fig = progress_figure(report, title, benchmarks, parent)
    stem = Path(stem)
    make_private_folder(stem.parent)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        # No date in the SVG metadata keeps files identical for the same data; text stays
        # text (smaller files, readable by screen readers).
        with rc_context({"svg.fonttype": "none"}):
            if fmt == "svg":
                data = svg_text(fig).encode("utf-8")
            else:
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt)
                data = buf.getvalue()
        write_private(path, data)
        paths.append(path)
    return paths


def bar_chart_svg(
    labels: list[str], values: list[float | None], title: str, ylabel: str, ref: float | None = None
) -> str:
    """A small bar chart as inline SVG text (for the program report page)."""
    fig = _figure(7.5, 3.2)
    ax = fig.add_subplot(1, 1, 1)
    # A group without data gets no bar (a 0 bar would read as "nobody responded").
    shown = [v if v is not None else 0 for v in values]
    ax.bar(
        range(len(labels)),
        shown,
        color=["#1f4e79" if v is not None else "none" for v in values],
    )
    for i, v in enumerate(values):
        if v is None:
            ax.text(i, 0, "no data", ha="center", va="bottom", fontsize=8, color="#555")
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels([page_text(str(x)) for x in labels], rotation=30, ha="right", fontsize=7)
    if ref is not None:
        ax.axhline(ref, color="#c62828", linestyle="--", linewidth=1)
    # Data text drawn as it will read on the page (a control character from a stored old
    # caseload as its escape, never a glyph the font lacks); the SVG is cleaned again below.
    ax.set_title(page_text(title), fontsize=10)
    ax.set_ylabel(page_text(ylabel))
    fig.tight_layout()
    return inline_svg(fig)


def svg_text(fig) -> str:
    """A figure as an SVG document with no control or bidi character in it (`page_text`:
    a student's name or a program's label from the data is text in the drawing), and no
    date, so the same data gives the same file. Every SVG drawn here goes through it."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return page_text(buf.getvalue())


def inline_svg(fig) -> str:
    """`svg_text` from its `<svg` element on: for an HTML page."""
    text = svg_text(fig)
    return text[text.find("<svg") :]


__all__ = [
    "bar_chart_svg",
    "inline_svg",
    "benchmark_steps",
    "measure_name",
    "parent_summary",
    "progress_figure",
    "svg_text",
    "write_progress_graph",
]
