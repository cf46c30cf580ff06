"""Write the bundled synthetic caseload to examples/caseload/ (one case file each + assignments.csv).

The caseload is the one `eirules demo` builds: `eirules.cli.synthetic.generate`
with its default seed and anchor date, so the files and the demo never drift
apart (tests/test_demo.py checks). Every child is fictional.

    python scripts/make_demo_caseload.py            # writes examples/caseload/
    python scripts/make_demo_caseload.py --check    # exit 1 if the files are out of date
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from eirules.cli.synthetic import DEMO_AS_OF, DEMO_SEED, generate

ROOT = Path(__file__).resolve().parent.parent


def render(seed: int = DEMO_SEED) -> dict[str, str]:
    """File name -> text of every file in examples/caseload/."""
    pairs = generate(seed=seed, as_of=DEMO_AS_OF)
    files = {f"{doc['id']}.json": json.dumps(doc, indent=2) + "\n" for doc, _ in pairs}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["case_id", "caseworker"])
    writer.writerows([doc["id"], worker] for doc, worker in pairs)
    files["assignments.csv"] = buffer.getvalue()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "caseload")
    parser.add_argument("--check", action="store_true", help="Only check the files are up to date.")
    args = parser.parse_args(argv)
    files = render()
    if args.check:
        stale = [
            n
            for n, t in files.items()
            if not (args.out / n).exists() or (args.out / n).read_text() != t
        ]
        for name in stale:
            print(f"out of date: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.out / name).write_text(text, encoding="utf-8")
    print(
        f"Wrote {len(files)} files to {args.out} (as of {DEMO_AS_OF.isoformat()}, seed {DEMO_SEED})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
