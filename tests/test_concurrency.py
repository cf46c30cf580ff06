"""No waiting behind the nightly run: a coordinator's write during `evaluate --all`.

Two real processes on each backend: one evaluates the caseload slowly, chunk by
chunk; the other adds an event meanwhile. The event must be stored while the
evaluation is still running, which the audit log shows by order (its entry
comes before the run's closing entry), not by a clock. Speed is measured in
benchmarks/caseload.py.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import pytest

from eirules.cli.synthetic import generate, records
from eirules.core.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork and process groups")

SLOW_EVALUATION = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from eirules.core.engine import Engine
    from eirules.core.store import Store

    engine = Engine(entry_points=False)
    real = engine.evaluate_stable  # what store.evaluate calls
    calls = [0]

    def evaluate(case, ruleset=None, as_of=None):
        calls[0] += 1
        if calls[0] == 45:  # chunk 1 committed, chunk 2 held, chunk 3 under way
            print("READY", flush=True)
        time.sleep(0.03)
        return real(case, ruleset, as_of)

    engine.evaluate_stable = evaluate
    store = Store.open(sys.argv[1], engine)
    store.jobs = 1
    report = store.evaluate(as_of=date(2026, 3, 2), user="nightly", chunk=20)
    print("DONE", report.evaluated, flush=True)
    """
)


def test_a_coordinators_write_completes_while_the_nightly_evaluation_runs(db_target, engine):
    store, _ = Store.init(db_target, engine)
    store.import_records(records(generate(part_c=80, part_b=40)), user="setup")
    case_id = store.list_cases()[0]["case_id"]
    store.close()

    nightly = subprocess.Popen(
        [sys.executable, "-c", SLOW_EVALUATION, str(db_target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = nightly.stdout.readline()
        assert line.startswith("READY"), line + nightly.stderr.read()
        coordinator = Store.open(db_target, engine)
        coordinator.add_event(
            case_id, "consent_for_evaluation", date(2026, 2, 20), user="coordinator",
            program="part_b", today=date(2026, 3, 2),
        )  # fmt: skip
        still_running = nightly.poll() is None
        coordinator.close()
        out, err = nightly.communicate(timeout=120)
    finally:
        if nightly.poll() is None:
            nightly.kill()
    assert nightly.returncode == 0, err
    assert out.strip() == "DONE 120"  # the edited case was in chunk 1, already committed
    assert still_running, "the write waited for the whole evaluation"
    store = Store.open(db_target, engine)
    actions = [(e["action"], e["user"]) for e in store.audit_log()]
    assert store.verify_audit()[1] == []
    store.close()
    added = actions.index(("event.added", "coordinator"))
    closing = actions.index(("evaluation.run", "nightly"))
    assert added < closing
    # Chunks were committed before and after the coordinator's write.
    assert ("evaluation.batch", "nightly") in actions[:added]
    assert ("evaluation.batch", "nightly") in actions[added:]
