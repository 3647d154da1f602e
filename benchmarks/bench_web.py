"""The web server under load on 127.0.0.1: latency per request kind, 503s, memory, PDF rate vs the batch's.

Run: .venv/bin/python benchmarks/bench_web.py [--requests 2000] [--concurrency 32] [--workers 2]

Starts ``objector serve`` on a free loopback port, sends a bounded number of
requests (70% pages and text letters, 30% PDFs) from a pool of client threads,
stops the server, and prints requests/s, p50/p95/p99 per kind, errors and 503s
by status, the server's RSS (main process and PDF workers) before and after, and
the PDF throughput against ``objector batch --format pdf`` measured in the same run.
Targets (2 cores): page and text p95 < 50 ms at 32 concurrent; PDF rate >= 0.8 x
the batch's; no 5xx but 503; RSS growth < 10%.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PEOPLE = [("DE", "BE"), ("FR", ""), ("US", "TX"), ("GB", ""), ("CA", "QC"), ("IT", "")]


def rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and its children (the PDF workers), in KB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
        for child in children:
            pids += [int(g) for g in Path(f"/proc/{child}/task/{child}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def request(port: int, kind: str, i: int) -> tuple[str, int, float]:
    country, state = PEOPLE[i % len(PEOPLE)]
    person = {"name": f"Member {i}", "email": f"m{i}@example.org", "country": country,
              "reason_preset": "creative-work", "date": "2026-11-25"}
    if state:
        person["state"] = state
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        if kind == "page":
            conn.request("GET", "/en/")
        elif kind == "decision-page":
            conn.request("POST", "/en/place", urllib.parse.urlencode({"country": country, "state": state}),
                         {"Content-Type": "application/x-www-form-urlencoded"})
        elif kind == "text":
            conn.request("POST", "/api/v1/letter", json.dumps({**person, "format": "text"}),
                         {"Content-Type": "application/json"})
        else:
            conn.request("POST", "/api/v1/letter", json.dumps({**person, "format": "pdf"}),
                         {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return kind, response.status, time.perf_counter() - started
    except OSError:
        return kind, 0, time.perf_counter() - started
    finally:
        conn.close()


def batch_pdf_rate(count: int, jobs: int) -> float:
    """Letters per second of ``objector batch --format pdf`` on the same machine, now."""
    with tempfile.TemporaryDirectory() as tmp:
        rows = ["name,email,country,state,reason_preset"]
        rows += [f"Member {i},m{i}@example.org,{PEOPLE[i % 6][0]},{PEOPLE[i % 6][1]},creative-work"
                 for i in range(count)]
        source = Path(tmp) / "people.csv"
        source.write_text("\n".join(rows) + "\n", encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "objector", "batch", str(source), "--out", str(Path(tmp) / "out"),
                        "--format", "pdf", "--jobs", str(jobs), "--date", "2026-11-25"],
                       check=True, capture_output=True, timeout=600)
        return count / (time.perf_counter() - started)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="PDF worker processes of the server")
    parser.add_argument("--time-limit", type=float, default=600, help="stop sending after this many seconds")
    args = parser.parse_args()
    kinds = ["page"] * 35 + ["decision-page"] * 10 + ["text"] * 25 + ["pdf"] * 30
    rng = random.Random(7)
    plan = [rng.choice(kinds) for _ in range(args.requests)]

    with subprocess.Popen([sys.executable, "-m", "objector", "serve", "--port", "0", "--workers",
                           str(args.workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            assert proc.stdout is not None
            port = int(proc.stdout.readline().strip().rsplit(":", 1)[1].rstrip("/"))
            # Warm up: every kind once (catalogs compiled, PDF workers' fonts loaded).
            for i, kind in enumerate(["page", "decision-page", "text", "pdf", "pdf", "pdf"]):
                for _ in range(100):
                    if request(port, kind, i)[1] == 200:
                        break
                    time.sleep(0.2)
            rss_before = rss_kb(proc.pid)
            results: list[tuple[str, int, float]] = []
            lock = threading.Lock()
            deadline = time.monotonic() + args.time_limit
            started = time.perf_counter()

            def one(i: int) -> None:
                # A client that honours 503 + Retry-After comes back (sooner here, to keep the run short).
                while time.monotonic() < deadline:
                    r = request(port, plan[i], i)
                    with lock:
                        results.append(r)
                    if r[1] != 503:
                        return
                    time.sleep(0.25)

            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(one, range(len(plan))))
            elapsed = time.perf_counter() - started
            rss_after = rss_kb(proc.pid)
        finally:
            proc.terminate()
            proc.communicate(timeout=60)

    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for kind, status, seconds in results:
        statuses[kind][status] += 1
        if status == 200:
            by_kind[kind].append(seconds)
    print(f"{len(plan)} planned requests ({len(results)} sent with retries after 503), "
          f"{args.concurrency} concurrent, {elapsed:.1f} s: "
          f"{len(results) / elapsed:.1f} requests/s (server PDF workers: {args.workers})")
    print(f"{'kind':<14} {'ok':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for kind in ("page", "decision-page", "text", "pdf"):
        times = by_kind.get(kind, [])
        if times:
            print(f"{kind:<14} {len(times):>5} {percentile(times, .5):>8.1f} {percentile(times, .95):>8.1f} "
                  f"{percentile(times, .99):>8.1f}  {dict(statuses[kind])}")
    errors = sum(n for c in statuses.values() for s, n in c.items() if s not in (200, 503))
    busy = sum(c[503] for c in statuses.values())
    pdf_ok = len(by_kind.get("pdf", []))
    print(f"errors (not 200/503): {errors}; 503 (busy): {busy}")
    print(f"server RSS: {rss_before / 1024:.0f} MB before, {rss_after / 1024:.0f} MB after "
          f"({(rss_after - rss_before) / max(rss_before, 1) * 100:+.1f}%)")
    pdf_rate = pdf_ok / elapsed  # the PDFs dominate the run's length
    batch = batch_pdf_rate(200, args.workers)
    print(f"PDF rate under the mixed load: {pdf_rate:.1f}/s; batch --format pdf --jobs {args.workers}: "
          f"{batch:.1f}/s; ratio {pdf_rate / batch:.2f}")
    if errors:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
