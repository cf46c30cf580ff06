"""Benchmark: `eirules serve` requests per second for POST /v1/check versus the library.

Starts a real `eirules serve` on a free local port, then for the same case file
measures, in alternating rounds so both see the same machine load,

1. in-process: JSON text -> case -> evaluate -> determination JSON, in a loop
   (what a Python program embedding eirules pays per case), and
2. over HTTP: POST /v1/check on keep-alive connections from client threads that
   send prepared request bytes and read each response by its Content-Length (a
   lean client, so the figure is the server's, not http.client's),

and prints both rates, their ratio, and the same ratio in CPU time: the server
process's CPU time per request against the loop's per case, which a busy shared
machine changes least. Targets (issue 16): HTTP within 2x of the in-process rate
and at least 100 requests/s on the 2-core CI machine. With `--baseline PYTHON`
(the interpreter of another checkout's virtualenv, e.g. main's), that checkout's
`eirules serve` is measured in the same rounds, for before/after figures from
one run. Figures only: no assertions (tests never time anything).

    python benchmarks/serve.py
    python benchmarks/serve.py --seconds 10 --clients 4 --case examples/pc-transition.json
    python benchmarks/serve.py --baseline /tmp/main/.venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from eirules.core.convert import determination_to_dict, parse_json
from eirules.core.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import client_rounds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 2, 1)


def in_process(engine: Engine, text: str, seconds: float) -> tuple[float, float]:
    """(cases per second, CPU seconds per case) of the library loop."""
    done, cpu = 0, time.process_time()
    start = time.perf_counter()
    end = start + seconds
    while time.perf_counter() < end:
        # What the server does per request: the same reader, checks and JSON writer.
        data = parse_json(text, source="request body")
        case = engine.case_from_dict(data, source="request body", today=date.today())
        det = determination_to_dict(engine.evaluate(case, None, AS_OF))
        json.dumps(det, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        done += 1
    return done / (time.perf_counter() - start), (time.process_time() - cpu) / done


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bytearray]:
    """One HTTP/1.1 response from a keep-alive socket: (status, leftover bytes)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        buffer += chunk
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")
    )
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("the server closed the connection")
        body += chunk
    return status, body[length:]


def over_http(port: int, pid: int, body: bytes, seconds: float, clients: int):
    """(requests per second, server CPU seconds per request) on keep-alive connections."""
    request = (
        f"POST /v1/check?as_of={AS_OF} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    def client(i: int, stop) -> int:
        done = 0
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = bytearray()
            while not stop.is_set():
                sock.sendall(request)
                status, buffer = _read_response(sock, buffer)
                if status != 200:
                    raise SystemExit(f"HTTP {status}")
                done += 1
        return done

    return client_rounds(clients, client, seconds, pid)


def over_http_client(port: int, pid: int, body: bytes, seconds: float, clients: int):
    """As over_http, with http.client (what this benchmark used before: its own parsing
    of each response costs the client more CPU than the server spends, on 2 cores)."""
    import http.client

    def client(i: int, stop) -> int:
        done = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Content-Type": "application/json"}
        while not stop.is_set():
            conn.request("POST", f"/v1/check?as_of={AS_OF}", body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"HTTP {response.status}")
            done += 1
        conn.close()
        return done

    return client_rounds(clients, client, seconds, pid)


def start_server(python: str, cwd: Path) -> tuple[subprocess.Popen, int]:
    server = subprocess.Popen(
        [python, "-c", "from eirules.cli import main; main()", "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    assert server.stderr is not None
    banner = server.stderr.readline()
    if "listening on " not in banner:
        server.kill()
        raise SystemExit(f"eirules serve did not start: {banner}")
    url = banner.split("listening on ")[1].split()[0]
    return server, int(url.rsplit(":", 1)[1].strip("/"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="Seconds per measurement.")
    parser.add_argument("--rounds", type=int, default=3, help="Alternating rounds.")
    parser.add_argument("--clients", type=int, default=2, help="HTTP client threads.")
    parser.add_argument("--case", default="examples/mo-0001.json", help="Case file to check.")
    parser.add_argument(
        "--baseline", help="Python of another checkout's venv: its server is measured too."
    )
    args = parser.parse_args()
    text = (ROOT / args.case).read_text(encoding="utf-8")
    servers = {"this checkout": start_server(sys.executable, ROOT)}
    if args.baseline:
        servers["baseline"] = start_server(args.baseline, ROOT)
    engine = Engine()
    share = args.seconds / args.rounds
    library: list[tuple[float, float]] = []
    http: dict[str, list[tuple[float, float]]] = {name: [] for name in servers}
    http["this checkout, http.client"] = []
    try:
        for _, port in servers.values():  # warm up: rulesets loaded, code paths hot
            over_http(port, servers_pid(servers, port), text.encode(), 1.0, 1)
        in_process(engine, text, 1.0)
        for _ in range(args.rounds):
            library.append(in_process(engine, text, share))
            for name, (server, port) in servers.items():
                http[name].append(over_http(port, server.pid, text.encode(), share, args.clients))
            server, port = servers["this checkout"]
            http["this checkout, http.client"].append(
                over_http_client(port, server.pid, text.encode(), share, args.clients)
            )
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait()
    rate = statistics.median(r for r, _ in library)
    cpu = statistics.median(c for _, c in library)
    print(f"case file: {args.case} ({len(text)} bytes), as of {AS_OF}, {args.rounds} rounds")
    print(
        f"in-process (parse, evaluate, JSON):    {rate:8.0f} cases/s    {cpu * 1000:6.2f} ms CPU/case"
    )
    for name, values in http.items():
        h_rate = statistics.median(r for r, _ in values)
        h_cpu = statistics.median(c for _, c in values)
        print(
            f"HTTP /v1/check ({name}, {args.clients} clients): {h_rate:6.0f} requests/s "
            f"{h_cpu * 1000:6.2f} ms server CPU/request"
        )
        print(
            f"  ratio in-process / HTTP: {rate / h_rate:.2f}x wall, {h_cpu / cpu:.2f}x CPU "
            f"(target: at most 2x); {'meets' if h_rate >= 100 else 'misses'} 100 requests/s"
        )


def servers_pid(servers, port: int) -> int:
    return next(server.pid for server, p in servers.values() if p == port)


if __name__ == "__main__":
    main()
