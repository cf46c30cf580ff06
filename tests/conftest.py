"""Shared fixtures and hypothesis profiles."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Text output wraps to the terminal's width ($COLUMNS): the suite checks the piped width,
# whatever terminal runs it (tests that mean a width set it themselves).
os.environ.pop("COLUMNS", None)

CHECKOUT = Path(__file__).resolve().parent.parent


def imported_from_elsewhere() -> list[str]:
    """The eirules packages that would be imported from outside this checkout (a stale copy)."""
    import importlib.util

    wrong = []
    for name, folder in (
        ("eirules", "api"),
        ("eirules.core", "core"),
        ("eirules.plugins", "plugins"),
        ("eirules.rulesets", "rulesets"),
        ("eirules.cli", "cli"),
    ):
        spec = importlib.util.find_spec(name)
        origin = Path(spec.origin).resolve() if spec and spec.origin else None
        if origin != CHECKOUT / folder / "__init__.py":
            wrong.append(f"{name} from {origin}")
    return wrong


def pytest_sessionstart(session):
    """Refuse to test an installed copy: the suite must test the code checked out here."""
    wrong = imported_from_elsewhere()
    if wrong:
        pytest.exit(
            f"eirules is not imported from this checkout ({CHECKOUT}): {'; '.join(wrong)}. "
            'Install it editable: pip install -e ".[dev,graphs]"',
            returncode=3,
        )


settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Hermetic: a plugin installed beside eirules (entry-point group "eirules") is never
# loaded by the project's own tests, in-process or in the processes they start.
# A test that means to load installed plugins uses the `installed_plugins` fixture.
os.environ["EIRULES_DISABLE_PLUGIN_AUTOLOAD"] = "1"


@pytest.fixture
def installed_plugins(monkeypatch):
    """Let this test load installed plugins (the entry-point group `eirules`)."""
    monkeypatch.delenv("EIRULES_DISABLE_PLUGIN_AUTOLOAD")


@pytest.fixture(scope="session")
def engine():
    """An engine with the built-in plugins only: installed plugins cannot leak in."""
    from eirules.core.engine import Engine

    return Engine(entry_points=False)


@pytest.fixture(scope="module")
def xs_engine(tmp_path_factory):
    """An engine that also finds the fictional test rulesets xs and xt (tests/helpers.py)."""
    from helpers import write_test_rulesets

    from eirules.core.engine import Engine

    root = write_test_rulesets(tmp_path_factory.mktemp("rulesets"))
    return Engine(entry_points=False, ruleset_dirs=[root])


@pytest.fixture
def make_case(engine):
    """Build a case from keyword parts of a case file."""

    def build(
        *, birth_date="2024-11-02", events=(), evaluations=(), conditions=(), ruleset="us", **extra
    ):
        data = {
            "id": extra.pop("id", "TEST-1"),
            "ruleset": ruleset,
            "child": {"birth_date": str(birth_date), **extra.pop("child", {})},
            "events": [
                {"type": t, "date": str(d), **(more[0] if more else {})} for t, d, *more in events
            ],
            "evaluations": list(evaluations),
            "conditions": list(conditions),
            **extra,
        }
        return engine.case_from_dict(data)

    return build


D = date


#: A PostgreSQL server for the store tests (scripts/pg-cluster start DIR prints one).
POSTGRES_ENV = "EIRULES_TEST_POSTGRES"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path):
    """A new, empty caseload database on each backend: an SQLite file, a PostgreSQL schema.

    PostgreSQL runs when $EIRULES_TEST_POSTGRES names a server (CI starts one and
    fails rather than skips without it); each test gets a schema of its own,
    dropped afterwards.
    """
    if request.param == "sqlite":
        yield tmp_path / "caseload.db"
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the store tests on PostgreSQL: set ${POSTGRES_ENV}")
        pytest.skip(f"no PostgreSQL server (set ${POSTGRES_ENV}; see scripts/pg-cluster)")
    import uuid

    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
