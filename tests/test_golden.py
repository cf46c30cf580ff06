"""The golden determinations: no change moves a decision, date, reason or byte unnoticed.

tests/golden-determinations.txt holds one digest per (run, case, as-of date) of the
sample benchmarks/golden.py evaluates. A change that means to move determinations
rewrites it (`python benchmarks/golden.py --rewrite`) and says which in CHANGELOG.md.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _golden():
    spec = importlib.util.spec_from_file_location(
        "golden", HERE.parent / "benchmarks" / "golden.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _golden()


def test_golden_determinations_unchanged():
    """Every determination of the sample has the digest committed for it."""
    want, n, seed = golden.read_committed()
    moved = golden.compare(want, golden.digests(n, seed))
    if moved:
        shown = "\n".join(moved[:30])
        more = f"\n... and {len(moved) - 30:,} more" if len(moved) > 30 else ""
        pytest.fail(
            f"{len(moved):,} of {len(want):,} golden determinations moved:\n{shown}{more}\n"
            f"{golden.HOW_TO}",
            pytrace=False,
        )


def test_golden_digest_leaves_out_versions_only():
    """The engine version and the ruleset's content hash move no digest; anything else does."""
    body = {"case": "X", "ruleset_version": "2026.1+aaaa", "engine": "eirules 0.1.0"}
    same = {**body, "ruleset_version": "2026.1+bbbb", "engine": "eirules 9.9.9"}
    assert golden.digest(body) == golden.digest(same)
    assert golden.digest(body) != golden.digest({**body, "ruleset_version": "2027.1+aaaa"})
    assert golden.digest(body) != golden.digest({**body, "case": "Y"})


def test_golden_compare_names_moved_new_and_gone():
    want = {"a 1 2026-06-01": "x", "b 1 2026-06-01": "y", "c 1 2026-06-01": "z"}
    got = {"a 1 2026-06-01": "x", "b 1 2026-06-01": "Y", "d 1 2026-06-01": "w"}
    assert golden.compare(want, got) == [
        "moved:   b 1 2026-06-01",
        "new:     d 1 2026-06-01",
        "gone:    c 1 2026-06-01",
    ]


def test_golden_committed_file_is_compact_and_unique():
    """A few hundred KB at most, one line per key."""
    path = golden.COMMITTED
    assert path.stat().st_size < 400_000
    keys = [t.rpartition(" ")[0] for t in path.read_text().splitlines() if not t.startswith("#")]
    assert len(keys) == len(set(keys)) > 2000
