"""Measure letter rendering: text, .eml and PDF rates, WeasyPrint's own floor, CLI cold starts.

Run: .venv/bin/python benchmarks/bench_letters.py [--pdf-letters N] [--text-letters N]
Figures are printed; ratios are measured side by side in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

from objector import Person, compose, render
from objector.output.html import render_html
from objector.output.pdf import PDFRenderer

DAY = dt.date(2026, 11, 25)
PLACES = [("DE", "BE"), ("FR", None), ("GB", None), ("CH", None), ("US", "CA"), ("US", "TX"),
          ("CA", "QC"), ("HK", None), ("BR", None), ("IE", None)]


def people(n: int) -> list[Person]:
    out = []
    for i in range(n):
        country, state = PLACES[i % len(PLACES)]
        out.append(Person.create(f"Person {i} Example", f"person{i}@example.org", country, state,
                                 [f"{i} Sample Street", "Sample Town"]))
    return out


def rate(label: str, n: int, seconds: float) -> float:
    r = n / seconds
    print(f"{label:<48} {r:10.1f} letters/s  ({seconds * 1000 / n:7.2f} ms each, n={n})")
    return r


def cold(cmd: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--text-letters", type=int, default=2000)
    ap.add_argument("--pdf-letters", type=int, default=60)
    args = ap.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    ps = people(args.text_letters)
    letters = [compose(p, on=DAY, reason_preset="old-content") for p in ps[:20]]  # warm caches
    t0 = time.perf_counter()
    letters = [compose(p, on=DAY, reason_preset="old-content") for p in ps]
    rate("compose (decide + render words)", len(ps), time.perf_counter() - t0)
    t0 = time.perf_counter()
    for letter in letters:
        render(letter, "text")
    rate("text output of a composed letter", len(letters), time.perf_counter() - t0)
    t0 = time.perf_counter()
    for p in ps:
        render(compose(p, on=DAY, reason_preset="old-content"), "text")
    text_rate = rate("text letter end to end (compose + text)", len(ps), time.perf_counter() - t0)
    t0 = time.perf_counter()
    for p in ps:
        render(compose(p, on=DAY, reason_preset="old-content"), "eml")
    rate(".eml letter end to end (no PDF)", len(ps), time.perf_counter() - t0)

    n = args.pdf_letters
    pdf_letters = letters[:n]
    renderer = PDFRenderer()
    htmls = [render_html(letter) for letter in pdf_letters]
    renderer.render(pdf_letters[0])  # warm-up: fonts, hyphenation dictionaries
    t0 = time.perf_counter()
    for letter in pdf_letters:
        renderer.render(letter)
    ours = rate("PDF letter (objector, shared renderer)", n, time.perf_counter() - t0)

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    fc = FontConfiguration()
    HTML(string=htmls[0]).write_pdf(font_config=fc)
    t0 = time.perf_counter()
    for html in htmls:
        HTML(string=html).write_pdf(font_config=fc)
    floor = rate("WeasyPrint floor (same HTML, bare loop)", n, time.perf_counter() - t0)
    print(f"{'ratio objector / floor':<48} {ours / floor:10.2f}")
    print(f"{'peak RSS of this process':<48} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:10.1f} MB")

    from weasyprint.text.ffi import harfbuzz_subset  # type: ignore[attr-defined]
    print(f"hb-subset available: {harfbuzz_subset is not None}")

    exe = [sys.executable, "-m", "objector", "letter", "--name", "Cold Start", "--email", "c@example.org",
           "--country", "US", "--state", "CA", "--date", "2026-11-25", "-o", os.devnull]
    t_text = cold([*exe, "--format", "text"])
    t_pdf = cold([*exe, "--format", "pdf"])
    print(f"{'CLI cold start, one text letter':<48} {t_text * 1000:10.0f} ms")
    print(f"{'CLI cold start, one PDF letter':<48} {t_pdf * 1000:10.0f} ms")
    print(f"text letters per second end to end: {text_rate:.0f}")


if __name__ == "__main__":
    main()
