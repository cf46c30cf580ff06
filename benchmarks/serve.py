"""Benchmark: `eirules serve` requests per second for POST /v1/check versus the library.

Starts a real `eirules serve` on a free local port, then for the same case file
measures

1. in-process: JSON text -> case -> evaluate -> determination JSON, in a loop
   (what a Python program embedding eirules pays per case), and
2. over HTTP: POST /v1/check with keep-alive connections from client threads,

and prints both rates and their ratio. Targets (issue 16): HTTP within 2x of the
in-process rate and at least 100 requests/s on the 2-core CI machine. The client
shares the machine with the server, so the HTTP figure is a lower bound. Figures
only: no assertions (tests never time anything).

    python benchmarks/serve.py
    python benchmarks/serve.py --seconds 10 --clients 4 --case examples/pc-transition.json
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

from eirules.core.convert import determination_to_dict, parse_json
from eirules.core.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 2, 1)


def in_process(text: str, seconds: float) -> float:
    engine = Engine()
    done, end = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < end:
        case = engine.case_from_dict(parse_json(text, source="body"), source="body")
        json.dumps(determination_to_dict(engine.evaluate(case, None, AS_OF)))
        done += 1
    return done / (time.perf_counter() - start)


def over_http(url: str, body: bytes, seconds: float, clients: int) -> float:
    host, port = url.removeprefix("http://").split(":")
    counts = [0] * clients
    stop = threading.Event()

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Content-Type": "application/json"}
        while not stop.is_set():
            conn.request("POST", f"/v1/check?as_of={AS_OF}", body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status}")
            counts[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="Seconds per measurement.")
    parser.add_argument("--clients", type=int, default=2, help="HTTP client threads.")
    parser.add_argument("--case", default="examples/mo-0001.json", help="Case file to check.")
    args = parser.parse_args()
    text = (ROOT / args.case).read_text(encoding="utf-8")
    script = Path(sys.executable).parent / "eirules"
    server = subprocess.Popen(
        [str(script), "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        banner = server.stderr.readline()
        url = banner.split("listening on ")[1].split()[0]
        over_http(url, text.encode(), 1.0, 1)  # warm up: rulesets loaded, code paths hot
        library = in_process(text, args.seconds)
        http_rate = over_http(url, text.encode(), args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait()
    print(f"case file: {args.case} ({len(text)} bytes), as of {AS_OF}")
    print(f"in-process (parse, evaluate, JSON):  {library:8.0f} cases/s")
    print(f"HTTP POST /v1/check, {args.clients} client(s): {http_rate:8.0f} requests/s")
    print(f"ratio in-process / HTTP: {library / http_rate:.2f}x (target: at most 2x)")
    verdict = "meets" if http_rate >= 100 else "misses"
    print(f"HTTP rate {verdict} the 100 requests/s target")


if __name__ == "__main__":
    main()
