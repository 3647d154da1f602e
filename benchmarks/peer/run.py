"""objector against pdfmake (datenanfragen.de's PDF library) on the same letters, in alternating rounds.

Set-up (not part of the test suite; needs Node.js >= 18 and npm, e.g. Debian's
``apt-get install nodejs npm``):

    cd benchmarks/peer && npm install        # pdfmake 0.3.11, pinned in package.json
    cd ../.. && .venv/bin/python benchmarks/peer/run.py [--letters 200] [--rounds 3]

Both sides get the same mixed letters (the people of bench_batch.py, English):
objector composes them once, and letters.js lays the same words out with
pdfmake in the same geometry (A4 DIN 5008 form B, US Letter where objector uses
it) and the same DejaVu fonts. Each round runs pdfmake in two Node processes
(every second letter each) and ``objector batch --format pdf --jobs 2``, one
after the other, process start included on both sides; pages are counted in the
files afterwards, outside the timing. Prints letters/s, pages/s and the ratio
objector / pdfmake for each round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench_batch import DATE, PLACES, make_people  # noqa: E402


def _plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup)))


def export(people: Path, target: Path) -> None:
    """The letters of ``people`` as JSON lines: every word and position objector prints."""
    from objector.batch import BatchOptions, Row, _letter_for
    from objector.i18n import translations
    from objector.output.html import _sender_lines, body_groups, layout_for
    from objector.rows import read_rows

    opts = BatchOptions(out=target.parent, on=dt.date.fromisoformat(DATE))
    with target.open("w", encoding="utf-8") as fh:
        for row in read_rows(people):
            assert isinstance(row, Row)
            letter = _letter_for(row, opts)
            t = translations(letter.locale)
            sender = _sender_lines(letter)
            fh.write(json.dumps({
                "reference": letter.reference, "layout": layout_for(letter.person.country),
                "lang": letter.locale.replace("_", "-"), "subject": letter.subject, "author": letter.person.name,
                "description": letter.reference, "keywords": ", ".join(letter.citations),
                "return_line": " · ".join(sender[:-1]), "recipient": list(letter.recipient),
                "sender": list(sender), "date_text": letter.date_text,
                "reference_line": t.gettext("Reference: %(ref)s") % {"ref": letter.reference},
                "page_label": t.gettext("Page"),
                "groups": [(kind, [_plain(m) for m in texts]) for kind, texts in body_groups(letter)],
            }, ensure_ascii=False) + "\n")


def pages_in(folder: Path) -> int:
    import pikepdf

    return sum(len(pikepdf.open(p).pages) for p in folder.rglob("*.pdf"))


def run_pdfmake(letters: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    procs = [subprocess.Popen(["node", str(HERE / "letters.js"), str(letters), str(out), str(k), str(jobs)],
                              cwd=HERE, stdout=subprocess.PIPE) for k in range(1, jobs + 1)]
    for p in procs:
        p.communicate()
        if p.returncode:
            raise SystemExit("pdfmake failed (did you run 'npm install' in benchmarks/peer?)")
    return time.perf_counter() - start


def run_objector(people: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "objector", "batch", str(people), "--out", str(out), "--format", "pdf",
                    "--jobs", str(jobs), "--date", DATE], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    if not (HERE / "node_modules" / "pdfmake").is_dir():
        raise SystemExit("run 'npm install' in benchmarks/peer first")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    print(f"{args.letters} letters ({len(PLACES)} places, English), {args.jobs} processes each side, "
          f"Node {node}, pdfmake 0.3.11, {os.cpu_count()} cores, {dt.date.today()}")
    root = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        t = Path(tmp)
        make_people(t / "people.csv", args.letters)
        export(t / "people.csv", t / "letters.jsonl")
        ratios: list[tuple[float, float]] = []
        for r in range(1, args.rounds + 1):
            peer_s = run_pdfmake(t / "letters.jsonl", t / "peer", args.jobs)
            ours_s = run_objector(t / "people.csv", t / "ours", args.jobs)
            peer_pages, ours_pages = pages_in(t / "peer"), pages_in(t / "ours" / "letters")
            peer = (args.letters / peer_s, peer_pages / peer_s)
            ours = (args.letters / ours_s, ours_pages / ours_s)
            ratios.append((ours[0] / peer[0], ours[1] / peer[1]))
            print(f"round {r}: pdfmake {peer[0]:6.1f} letters/s {peer[1]:6.1f} pages/s "
                  f"({peer_pages / args.letters:.2f} pages a letter) | objector {ours[0]:6.1f} letters/s "
                  f"{ours[1]:6.1f} pages/s ({ours_pages / args.letters:.2f} pages a letter) | "
                  f"ratio objector/pdfmake: letters/s {ratios[-1][0]:.2f}, pages/s {ratios[-1][1]:.2f}")
        print("ratio objector/pdfmake over the rounds: letters/s "
              + " ".join(f"{a:.2f}" for a, _ in ratios) + "; pages/s " + " ".join(f"{b:.2f}" for _, b in ratios))


if __name__ == "__main__":
    main()
