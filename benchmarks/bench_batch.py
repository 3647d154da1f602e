"""Batch throughput and memory, with WeasyPrint's own floor measured in the same run.

Run: .venv/bin/python benchmarks/bench_batch.py [--full]

Prints:
- the PDF floor: the same letters' HTML rendered by WeasyPrint in a bare loop with
  one shared FontConfiguration (one process), and the batch's PDF rate with
  --jobs = cores, and their ratio to jobs x floor (target >= 0.9);
- text and .eml batch rates (target >= 3,000 letters/s on 2 cores), and --archive zip
  against folders on the disk, in alternating rounds;
- peak memory of the whole process tree: text batches of 1,000 and 100,000 rows
  (flat), and a PDF batch with 2 jobs (target <= 250 MB for 10,000 letters).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PLACES = [("DE", ""), ("FR", ""), ("US", "CA"), ("GB", ""), ("US", "TX"), ("CA", "QC"), ("IE", ""),
          ("US", "NY"), ("BR", ""), ("HK", ""), ("NL", ""), ("CH", "")]
DATE = "2026-11-25"


# Letters in each country's own language and script (--mixed): Latin, Greek,
# Cyrillic, Arabic and Hebrew right to left, CJK, Hangul and Thai, so the fonts
# and shaping caches of every script are exercised in one batch.
MIXED_PLACES = [*PLACES, ("JP", ""), ("KR", ""), ("SA", ""), ("IL", ""), ("TH", ""), ("VN", ""), ("UA", ""),
                ("TR", ""), ("GR", ""), ("BG", ""), ("MX", ""), ("ID", ""), ("PL", "")]


def make_people(path: Path, n: int, mixed: bool = False) -> None:
    places = MIXED_PLACES if mixed else PLACES
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "email", "country", "state", "reason_preset", "locale"])
        for i in range(n):
            country, state = places[i % len(places)]
            # Mixed letters are in the country's language (an empty locale).
            w.writerow([f"Person {i} Example", f"person{i}@example.org", country, state, "old-content",
                        "" if mixed else "en"])


def tree_rss_mb(pgid: int) -> tuple[float, float]:
    """Memory of every process in a process group, in MB: the sum of resident sizes
    (counts pages shared between processes once per process) and the sum of
    proportional sizes (PSS: shared pages split between their users)."""
    total = pss = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5: pgrp
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for line in Path(f"/proc/{entry}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1024, pss / 1024


def run_batch(people: Path, out: Path, formats: str, jobs: int, *extra: str) -> tuple[float, str]:
    """Seconds and peak process-tree memory ("RSS x MB, PSS y MB") of one ``objector batch`` run."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "objector", "batch", str(people), "--out", str(out), "--format", formats,
           "--jobs", str(jobs), "--date", DATE, *extra]
    peak = peak_pss = 0.0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not stop.is_set():
            rss, pss = tree_rss_mb(proc.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch failed ({proc.returncode}): {err.decode()[-500:]}")
    return seconds, f"RSS {peak:.0f} MB, PSS {peak_pss:.0f} MB"


def pdf_floor(n: int) -> float:
    """WeasyPrint alone: the same letters' HTML in a bare loop, one shared FontConfiguration,
    and the same options objector uses (tagged PDF), so the ratio measures objector's cost."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from objector import Person, compose
    from objector.output.html import render_html

    htmls = []
    for i in range(n):
        country, state = PLACES[i % len(PLACES)]
        person = Person.create(f"Person {i} Example", f"person{i}@example.org", country, state or None)
        htmls.append(render_html(compose(person, on=dt.date(2026, 11, 25), locale="en",
                                         reason_preset="old-content")))
    fc = FontConfiguration()
    for html in htmls[:3]:  # warm-up: fonts, hyphenation dictionaries
        HTML(string=html).write_pdf(font_config=fc, pdf_tags=True)
    start = time.perf_counter()
    for html in htmls:
        HTML(string=html).write_pdf(font_config=fc, pdf_tags=True)
    return n / (time.perf_counter() - start)


def pdf_batch_steady(people: Path, out: Path, jobs: int) -> float:
    """The batch's PDF rate once running (library call; start-up and warm-up excluded)."""
    from objector.batch import BatchOptions, run

    shutil.rmtree(out, ignore_errors=True)
    opts = BatchOptions(out=out, formats=("pdf",), jobs=jobs, on=dt.date(2026, 11, 25))
    start, count = 0.0, 0
    for i, result in enumerate(run(people, opts)):
        assert result.status == "written"
        if i == 2 * jobs:  # every worker has rendered its first letter
            start, count = time.perf_counter(), 0
        count += 1
    return (count - 1) / (time.perf_counter() - start)


def fs_floor(root: Path, n: int) -> float:
    """The disk alone: n bundles (folder, one 5 KB file, rename) in a bare loop."""
    base = Path(tempfile.mkdtemp(dir=root))
    data = b"x" * 5000
    start = time.perf_counter()
    for i in range(n):
        tmp = base / f".tmp-{i}"
        tmp.mkdir()
        (tmp / "letter.txt").write_bytes(data)
        os.rename(tmp, base / f"OBJ-{i}")
    seconds = time.perf_counter() - start
    shutil.rmtree(base)
    return n / seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="the issue's sizes (takes about 15 minutes)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--pdfmem-letters", type=int, default=None, help="letters for the PDF memory part")
    ap.add_argument("--disk", default=tempfile.gettempdir(), help="a folder on the disk to measure")
    ap.add_argument("--mixed", action="store_true",
                    help="the PDF memory part with letters in every script (each country's language)")
    ap.add_argument("--part", action="append", choices=("pdf", "text", "archive", "flat", "pdfmem"),
                    help="run only these parts (default: all)")
    args = ap.parse_args()
    jobs = args.jobs
    pdf_n = 400 if args.full else 120
    text_n = 20000 if args.full else 6000
    flat_small, flat_large = (1000, 100000) if args.full else (1000, 20000)
    pdf_mem_n = args.pdfmem_letters or (10000 if args.full else 300)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"jobs={jobs}")

    # Output goes to memory (tmpfs) so the figures measure objector, not this
    # machine's disk; the disk is measured separately, with its own floor.
    mem_root = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=mem_root) as tmp:
        t = Path(tmp)
        print(f"output folder: {'tmpfs (/dev/shm)' if mem_root else tmp}")
        parts = set(args.part or ("pdf", "text", "archive", "flat", "pdfmem"))
        if "pdf" in parts:
            pdf_part(t, pdf_n, jobs)
        if "text" in parts:
            text_part(t, text_n, jobs, args.disk)
        if "archive" in parts:
            archive_part(t, text_n, jobs, args.disk)
        if "flat" in parts:
            flat_part(t, flat_small, flat_large, jobs)
        if "pdfmem" in parts:
            pdfmem_part(t, pdf_mem_n, jobs, args.mixed)


def pdf_part(t: Path, pdf_n: int, jobs: int) -> None:
    floor = pdf_floor(min(pdf_n, 120))
    print(f"PDF floor (WeasyPrint bare loop, 1 process)     {floor:8.1f} letters/s")
    make_people(t / "pdf.csv", pdf_n)
    steady = pdf_batch_steady(t / "pdf.csv", t / "out-pdf-lib", jobs)
    print(f"PDF batch, {pdf_n} letters, --jobs {jobs}, running   {steady:8.1f} letters/s  "
          f"ratio to jobs x floor: {steady / (jobs * floor):.2f}")
    seconds, peak = run_batch(t / "pdf.csv", t / "out-pdf", "pdf", jobs)
    print(f"PDF batch, {pdf_n} letters, --jobs {jobs}, whole CLI run {pdf_n / seconds:6.1f} letters/s  "
          f"(start-up included)  peak {peak}")


def text_part(t: Path, text_n: int, jobs: int, disk_root: str) -> None:
    make_people(t / "text.csv", text_n)
    for fmt in ("text", "eml"):
        seconds, peak = run_batch(t / "text.csv", t / f"out-{fmt}", fmt, jobs)
        print(f"{fmt:<5} batch, {text_n} letters, --jobs {jobs}          {text_n / seconds:8.0f} letters/s  "
              f"peak {peak} (includes start-up)")
    disk = Path(tempfile.mkdtemp(dir=disk_root))
    try:
        floor_disk = fs_floor(disk, text_n)
        seconds, _ = run_batch(t / "text.csv", disk / "out", "text", jobs)
        print(f"text  batch on disk ({disk_root}): {text_n / seconds:8.0f} letters/s; the disk alone "
              f"(folder + file + rename, 1 process): {floor_disk:.0f}/s")
    finally:
        shutil.rmtree(disk, ignore_errors=True)


def archive_part(t: Path, text_n: int, jobs: int, disk_root: str, rounds: int = 3) -> None:
    """--archive zip against folders, both on the disk, in alternating rounds (ratios, not times)."""
    make_people(t / "archive.csv", text_n)
    disk = Path(tempfile.mkdtemp(dir=disk_root))
    try:
        for fmt in ("text", "eml"):
            rates: dict[str, list[float]] = {"folders": [], "zip": [], "folders on tmpfs": []}
            for _ in range(rounds):
                for mode, out, extra in (("folders", disk / "out", ()), ("zip", disk / "out", ("--archive", "zip")),
                                         ("folders on tmpfs", t / "out-archive", ())):
                    seconds, _ = run_batch(t / "archive.csv", out, fmt, jobs, *extra)
                    rates[mode].append(text_n / seconds)
            ratios = [z / f for z, f in zip(rates["zip"], rates["folders"], strict=True)]
            print(f"{fmt:<5} batch, {text_n} letters on disk ({disk_root}), {rounds} alternating rounds, "
                  "start-up included:")
            for mode, values in rates.items():
                print(f"  {mode:<18} {' '.join(f'{v:6.0f}' for v in values)} letters/s")
            print(f"  zip / folders      {' '.join(f'{r:6.2f}' for r in ratios)}")
    finally:
        shutil.rmtree(disk, ignore_errors=True)


def flat_part(t: Path, flat_small: int, flat_large: int, jobs: int) -> None:
    for n in (flat_small, flat_large):
        make_people(t / f"flat{n}.csv", n)
        seconds, peak = run_batch(t / f"flat{n}.csv", t / "out-flat", "text", jobs)
        print(f"text batch, {n:>6} rows: peak memory of the process tree {peak} "
              f"({n / seconds:.0f} letters/s)")


def pdfmem_part(t: Path, pdf_mem_n: int, jobs: int, mixed: bool = False) -> None:
    make_people(t / "pdfmem.csv", pdf_mem_n, mixed)
    seconds, peak = run_batch(t / "pdfmem.csv", t / "out-pdfmem", "pdf", jobs)
    what = "letters in every script" if mixed else "letters"
    print(f"PDF batch, {pdf_mem_n} {what}, --jobs {jobs}: peak memory {peak} "
          f"({pdf_mem_n / seconds:.1f} letters/s)")


if __name__ == "__main__":
    main()
