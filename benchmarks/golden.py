"""Golden determinations: prove a change moved no decision, date, reason or byte.

Runs the engine over a fixed sample, one `determination_to_dict` JSON line per
(case, ruleset, as-of date):

* the first N cases of benchmarks/evaluate.py's generator (its default seed) under
  ``us`` as of the benchmark's date, and every 10th of them under each other ruleset;
* every examples/*.json case file under every ruleset at several as-of dates;
* the demo caseload (`eirules demo`'s 240 generated children, whose cases have
  documented delays, referrals from Part C and events tagged with their program,
  which the benchmark generator does not make)
  under ``us`` at two as-of dates, and every 8th of them under each other ruleset.

A case a ruleset refuses is recorded as its error message, so errors are compared too.

The committed form is ``tests/golden-determinations.txt``: one line per determination,
its key (run, case, as-of date) and a digest of its JSON. The engine's version and the
ruleset's content hash are left out of the digest (a release or an edited comment moves
no decision); every other byte counts. ``tests/test_golden.py`` recomputes it in CI.

    python benchmarks/golden.py --verify          # what CI checks: which cases moved
    python benchmarks/golden.py --against main    # the full difference of every moved case
    python benchmarks/golden.py --rewrite         # a change that MEANS to move them
                                                  # (say which in CHANGELOG.md)

Whole JSON lines, for a speed-up measured against a file of your own:

    python benchmarks/golden.py --write --file F  # before changing anything
    python benchmarks/golden.py --check --file F  # after: every differing line, counted
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from evaluate import AS_OF, make_case  # noqa: E402

from eirules.cli.synthetic import DEMO_AS_OF, iter_cases  # noqa: E402
from eirules.core.convert import determination_to_dict, read_json  # noqa: E402
from eirules.core.engine import Engine  # noqa: E402
from eirules.core.errors import EirulesError  # noqa: E402

AS_OF_DATES = ("2025-01-15", "2026-02-01", "2026-06-01", "2026-09-30", "2027-03-01", "2028-12-31")
#: The committed digests and the sample they were computed from.
COMMITTED = ROOT / "tests" / "golden-determinations.txt"
COMMITTED_N = 1000
SEED = 5
#: The demo caseload's as-of dates: the demo's own, and the end of that school year.
DEMO_DATES = (DEMO_AS_OF.isoformat(), "2026-09-30")


def records(n: int, seed: int = SEED) -> Iterator[tuple[str, dict]]:
    """(key, determination as a dict with its run label) for every golden line, in order."""
    # Only what the checkout ships: no installed plugin, no imported district calendar.
    os.environ.pop("EIRULES_CALENDARS_DIR", None)
    engine = Engine(entry_points=False)
    ids = engine.rulesets.ids()

    def run(doc, ruleset, as_of, label, where):
        try:
            det = engine.evaluate(engine.case_from_dict(doc), ruleset, as_of)
            body = determination_to_dict(det)
        except EirulesError as exc:
            body = {"error": str(exc), "problems": [str(p) for p in getattr(exc, "problems", ())]}
        return f"{where} {doc.get('id')} {as_of}", {"run": label, **body}

    rnd = random.Random(seed)
    docs = [make_case(i, rnd) for i in range(n)]
    for doc in docs:
        yield run(doc, "us", AS_OF, "bench/us", "bench/us")
    for ruleset in ids:
        if ruleset != "us":
            for doc in docs[::10]:
                yield run(doc, ruleset, AS_OF, f"bench/{ruleset}", f"bench/{ruleset}")
    for path in sorted((ROOT / "examples").glob("*.json")):
        doc = read_json(path)
        for ruleset in ids:
            for as_of in AS_OF_DATES:
                label = f"{path.name}/{ruleset}"
                yield run(doc, ruleset, as_of, f"{label}/{as_of}", label)
    demo = [doc for doc, _ in iter_cases()]
    for as_of in DEMO_DATES:
        for doc in demo:
            yield run(doc, "us", as_of, f"demo/us/{as_of}", "demo/us")
    for ruleset in ids:
        if ruleset != "us":
            for doc in demo[::8]:
                yield run(doc, ruleset, DEMO_DATES[0], f"demo/{ruleset}", f"demo/{ruleset}")


def line(body: dict) -> str:
    """One whole golden line."""
    return json.dumps(body, sort_keys=True)


def lines(n: int, seed: int = SEED) -> Iterator[str]:
    """Every whole golden line, in a fixed order."""
    for _, body in records(n, seed):
        yield line(body)


def digest(body: dict) -> str:
    """The determination's digest, without the engine version and the ruleset's content hash."""
    stable = dict(body)
    stable.pop("engine", None)
    if isinstance(stable.get("ruleset_version"), str):
        stable["ruleset_version"] = stable["ruleset_version"].split("+", 1)[0]
    return hashlib.sha256(line(stable).encode()).hexdigest()[:16]


def digests(n: int = COMMITTED_N, seed: int = SEED) -> dict[str, str]:
    """Key -> digest for the whole sample."""
    return {key: digest(body) for key, body in records(n, seed)}


def read_committed(path: Path = COMMITTED) -> tuple[dict[str, str], int, int]:
    """The committed digests, and the sample size and seed they say they were computed with."""
    found: dict[str, str] = {}
    n, seed = COMMITTED_N, SEED
    for text in path.read_text(encoding="utf-8").splitlines():
        if text.startswith("# sample:"):
            fields = dict(part.split("=") for part in text.split(":", 1)[1].split())
            n, seed = int(fields["n"]), int(fields["seed"])
        elif text and not text.startswith("#"):
            key, _, value = text.rpartition(" ")
            found[key] = value
    return found, n, seed


def write_committed(path: Path = COMMITTED, n: int = COMMITTED_N, seed: int = SEED) -> int:
    got = digests(n, seed)
    header = (
        "# Golden determinations: key (run, case, as-of date), then a digest of the JSON\n"
        "# determination without the engine version and the ruleset's content hash.\n"
        "# Checked by tests/test_golden.py. A change that means to move determinations\n"
        "# rewrites it with `python benchmarks/golden.py --rewrite` and says which moved\n"
        "# in CHANGELOG.md; `python benchmarks/golden.py --against main` shows them in full.\n"
        f"# sample: n={n} seed={seed}\n"
    )
    path.write_text(header + "".join(f"{k} {v}\n" for k, v in got.items()), encoding="utf-8")
    return len(got)


def compare(want: dict[str, str], got: dict[str, str]) -> list[str]:
    """What moved, one sentence each (empty when identical)."""
    out = [f"moved:   {k}" for k in want if k in got and got[k] != want[k]]
    out += [f"new:     {k}" for k in got if k not in want]
    out += [f"gone:    {k}" for k in want if k not in got]
    return out


HOW_TO = (
    "See every moved determination in full: python benchmarks/golden.py --against main\n"
    "If the change means to move them: python benchmarks/golden.py --rewrite, commit\n"
    "tests/golden-determinations.txt and say in CHANGELOG.md which determinations moved."
)


def _farm(source: Path, into: Path) -> Path:
    """An import folder that maps `eirules.*` onto the top-level folders of a checkout.

    Follows `[tool.setuptools.package-dir]` of that checkout's pyproject.toml with
    symbolic links, so another version's code imports without being installed.
    """
    settings = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = settings["tool"]["setuptools"]["package-dir"]
    for package in sorted(mapping, key=lambda p: p.count(".")):
        target = into.joinpath(*package.split("."))
        folder = (source / mapping[package]).resolve()
        if target.exists() and target.resolve() == folder:
            continue  # already linked through its parent package's folder
        if package.count(".") == 0:
            target.mkdir(parents=True)
            for entry in folder.iterdir():
                (target / entry.name).symlink_to(entry)
        else:
            if target.is_symlink():
                target.unlink()
            target.symlink_to(folder, target_is_directory=True)
    return into


def _numbered(bodies: list[dict]) -> Iterator[tuple[tuple[str, int], dict]]:
    """Each line keyed by its run and its place within the run (errors name no case)."""
    seen: dict[str, int] = {}
    for body in bodies:
        run = str(body.get("run"))
        seen[run] = seen.get(run, 0) + 1
        yield (run, seen[run]), body


def against(ref: str, n: int, seed: int, limit: int) -> int:
    """Print the full difference of every determination that moved since git ref `ref`."""
    with tempfile.TemporaryDirectory(prefix="eirules-golden-") as tmp:
        tree = Path(tmp) / "ref"
        tree.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", ref],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            print(f"git archive {ref} failed: {archive.stderr.decode().strip()}")
            return 2
        archive_path = Path(tmp) / "ref.tar"
        archive_path.write_bytes(archive.stdout)
        with tarfile.open(archive_path) as tar:
            tar.extractall(tree, filter="data")
        farm = _farm(tree, Path(tmp) / "farm")
        old_file = Path(tmp) / "old.jsonl"
        env = {**os.environ, "PYTHONPATH": str(farm)}
        done = subprocess.run(
            [
                sys.executable,
                str(tree / "benchmarks" / "golden.py"),
                "--write",
                "--n",
                str(n),
                "--seed",
                str(seed),
                "--file",
                str(old_file),
            ],
            env=env,
            cwd=tmp,
            check=False,
        )
        if done.returncode != 0:
            return 2
        old = [json.loads(t) for t in old_file.read_text(encoding="utf-8").splitlines()]
    now = [body for _, body in records(n, seed)]
    moved = 0
    old_by_run = dict(_numbered(old))
    for place, body in _numbered(now):
        before = old_by_run.pop(place, None)
        if before is not None and digest(before) == digest(body):
            continue
        moved += 1
        if moved > limit:
            continue
        a = json.dumps(before, indent=1, sort_keys=True).splitlines() if before else []
        b = json.dumps(body, indent=1, sort_keys=True).splitlines()
        name = f"{body.get('run')} {body.get('case')}"
        print("\n".join(difflib.unified_diff(a, b, f"{ref}: {name}", f"now: {name}", lineterm="")))
    for (run, number), body in old_by_run.items():
        moved += 1
        print(f"gone: {run} #{number} {body.get('case')}")
    print(f"{moved:,} of {len(now):,} determinations differ from {ref}")
    return 1 if moved else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--verify", action="store_true", help="compare with the committed digests")
    mode.add_argument("--rewrite", action="store_true", help="rewrite the committed digests")
    mode.add_argument("--against", metavar="REF", help="full difference against a git ref")
    mode.add_argument("--write", action="store_true", help="write whole lines to --file")
    mode.add_argument("--check", action="store_true", help="compare whole lines with --file")
    parser.add_argument("--n", type=int, default=None, help="generated cases (default 1000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed (default {SEED})")
    parser.add_argument("--file", default=None, help="whole-line file (--write, --check)")
    parser.add_argument("--limit", type=int, default=20, help="differences shown (default 20)")
    args = parser.parse_args()
    n = args.n or COMMITTED_N

    if args.verify:
        want, n, seed = read_committed()
        problems = compare(want, digests(n, seed))
        if problems:
            print("\n".join(problems[: args.limit]))
            print(f"{len(problems):,} of {len(want):,} golden determinations moved\n{HOW_TO}")
            return 1
        print(f"{len(want):,} determinations identical to {COMMITTED.relative_to(ROOT)}")
        return 0
    if args.rewrite:
        count = write_committed(n=n, seed=args.seed)
        print(f"wrote {count:,} digests to {COMMITTED.relative_to(ROOT)}")
        return 0
    if args.against:
        return against(args.against, n, args.seed, args.limit)
    if args.file is None:
        parser.error("--write and --check need --file (a file of your own)")
    path = Path(args.file)
    if args.write:
        count = 0
        with path.open("w", encoding="utf-8") as out:
            for text in lines(n, args.seed):
                out.write(text + "\n")
                count += 1
        print(f"wrote {count:,} determinations to {path}")
        return 0
    golden = path.read_text(encoding="utf-8").splitlines()
    now = list(lines(n, args.seed))
    differ = [i for i, (a, b) in enumerate(zip(golden, now, strict=False)) if a != b]
    for i in differ[: args.limit]:
        print(f"line {i + 1} differs:\n  golden: {golden[i]}\n  now:    {now[i]}")
    if len(golden) != len(now):
        print(f"golden file has {len(golden):,} lines, this run {len(now):,}")
        return 1
    if differ:
        print(f"{len(differ):,} of {len(now):,} lines differ from {path}")
        return 1
    print(f"{len(now):,} determinations identical to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
