"""Memory of one process writing letters in many languages: composing alone, then PDFs.

Run: .venv/bin/python benchmarks/bench_languages.py [--pdf]

Prints the resident memory (MB) after one letter in each of 17 places, each in its
own language and script, and after two more rounds over the same places: what a
batch worker holds per language (catalogs, templates and, with --pdf, fonts and
shaping caches). Figures are for one process; a batch has one per job.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os

from objector import Person, compose

PLACES = ["DE", "FR", "GB", "US", "JP", "KR", "SA", "IL", "TH", "VN", "UA", "TR", "GR", "BG", "MX", "ID", "PL"]


def rss_mb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) // 1024 for line in fh if line.startswith("VmRSS"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf", action="store_true", help="render PDFs too (one shared renderer)")
    args = ap.parse_args()
    if args.pdf:
        from objector.output.pdf import PDFRenderer

        renderer = PDFRenderer()
    else:
        from objector.output.html import render_html
    print(f"start: {rss_mb()} MB")
    for round_ in range(3):
        for country in PLACES:
            person = Person.create("Person Example", "p@example.org", country, "CA" if country == "US" else None)
            letter = compose(person, on=dt.date(2026, 12, 4), allow_no_grounds=True)
            if args.pdf:
                renderer.render(letter)
            else:
                render_html(letter)
            if round_ == 0:
                print(f"  {country} ({letter.locale}): {rss_mb()} MB")
        print(f"after round {round_ + 1} over {len(PLACES)} places: {rss_mb()} MB")


if __name__ == "__main__":
    main()
