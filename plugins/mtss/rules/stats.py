"""Line fits for progress data: OLS with the slope's standard error, Tukey's three-group line."""

from __future__ import annotations

import math
import statistics
from datetime import date

import attrs


@attrs.frozen
class Fit:
    """A fitted line: slope per week, intercept at the origin, and the slope's standard error.

    `se` is None when it cannot be estimated (fewer than three points, or the Tukey line).
    """

    slope: float
    intercept: float
    se: float | None
    n: int

    def interval(self, confidence: float) -> tuple[float, float] | None:
        """Two-sided confidence interval for the slope (Student's t with n - 2 df)."""
        if self.se is None or self.n < 3:
            return None
        t = t_quantile(0.5 + confidence / 2, self.n - 2)
        return self.slope - t * self.se, self.slope + t * self.se


def ols(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) by ordinary least squares."""
    f = ols_fit(xs, ys)
    return f.slope, f.intercept


def ols_fit(xs: list[float], ys: list[float]) -> Fit:
    """OLS line and the standard error of its slope: sqrt(SSE / (n - 2) / Sxx) [Christ 2006]."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return Fit(0.0, my, None, n)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = my - slope * mx
    se = None
    if n >= 3:
        sse = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
        se = math.sqrt(sse / (n - 2) / sxx)
    return Fit(slope, intercept, se, n)


def tukey(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(slope, intercept) by Tukey's three-group method: medians of the outer thirds."""
    n = len(xs)
    third, extra = divmod(n, 3)
    # One extra point goes to the middle group; two extras go to the outer groups.
    outer = third + (1 if extra == 2 else 0)
    first = list(zip(xs[:outer], ys[:outer], strict=True))
    last = list(zip(xs[n - outer :], ys[n - outer :], strict=True))
    x1, y1 = statistics.median(x for x, _ in first), statistics.median(y for _, y in first)
    x3, y3 = statistics.median(x for x, _ in last), statistics.median(y for _, y in last)
    if x3 == x1:
        return 0.0, y1
    slope = (y3 - y1) / (x3 - x1)
    # Drawn through the first group's median point, as the training materials join the
    # two outer median points.
    return slope, y1 - slope * x1


def weeks(a: date, b: date) -> float:
    return (b - a).days / 7.0


def fit_points(points, origin: date, method: str) -> Fit:
    """Fit scores against weeks since `origin`; the standard error always comes from OLS."""
    xs = [weeks(origin, pt.date) for pt in points]
    ys = [float(pt.score) for pt in points]
    f = ols_fit(xs, ys)
    if method == "tukey":
        b, a = tukey(xs, ys)
        return Fit(b, a, f.se, f.n)
    return f


def fit(points, origin: date, method: str) -> tuple[float, float]:
    f = fit_points(points, origin, method)
    return f.slope, f.intercept


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile by the Cornish-Fisher expansion about the normal quantile.

    Within 0.01 of the tables for df >= 3 at the usual levels (df 4, 0.975: 2.77 vs 2.776);
    for df 1 and 2 the exact closed forms are used.
    """
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        a = 4 * p * (1 - p)
        return (2 * p - 1) * math.sqrt(2 / a)
    z = statistics.NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
