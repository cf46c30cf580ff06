"""Shared vocabulary of the MTSS rules: the Recommendation type and small helpers."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from ..models import Series, as_tuple
from ..params import Params

INSUFFICIENT = "insufficient_data"
READING_SKILLS = (
    "reading",
    "phonemic_awareness",
    "phonics",
    "decoding",
    "fluency",
    "vocabulary",
    "comprehension",
    "early_literacy",
)
MATH_SKILLS = ("math", "math_facts", "computation", "number_sense", "problem_solving")
#: Oral-reading measures the Fuchs et al. growth norms apply to.
ORF_MEASURES = ("orf", "wcpm", "wrc", "cbm_reading", "oral_reading_fluency")


@attrs.frozen(kw_only=True)
class Recommendation:
    """One rule's recommendation for the team."""

    rule: str
    decision: str
    reasons: tuple[str, ...] = attrs.field(converter=as_tuple)
    evidence: dict[str, Any] = attrs.field(factory=dict, hash=False)
    parameters: dict[str, Any] = attrs.field(factory=dict, hash=False)
    citation: str = ""
    sufficient: bool = True
    subject: str | None = None

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def _insufficient(rule, reasons, p: Params, names, evidence=None, subject=None, citation=None):
    return Recommendation(
        rule=rule,
        decision=INSUFFICIENT,
        reasons=reasons,
        evidence=evidence or {},
        parameters=p.used(*names),
        citation=citation or p.cite(*names),
        sufficient=False,
        subject=subject,
    )


def _weeks(a: date, b: date) -> float:
    return (b - a).days / 7.0


def _fmt(x: float | None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def _as_of(series: Series, as_of: date) -> Series:
    """The series as it stood on a date: later points and phase changes did not exist yet."""
    if (series.points and series.points[-1].date > as_of) or (
        series.phases and series.phases[-1].date > as_of
    ):
        series = attrs.evolve(
            series,
            points=tuple(pt for pt in series.points if pt.date <= as_of),
            phases=tuple(ph for ph in series.phases if ph.date <= as_of),
        )
    return series
