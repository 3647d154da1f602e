"""Where a PDF worker's time goes: cProfile over a batch worker's loop, split into phases.

Run: .venv/bin/python benchmarks/profile_pdf.py [--letters N] [--window W] [--top K]

Each function's own time (built-ins such as Pango and HarfBuzz calls are charged
to the Python function that called them) is put in one phase by the module it
lives in, so the phases add up to the whole profiled time. The letters are the
same mixed set bench_batch.py uses (12 places, English). Run it once with
OBJECTOR_LAYOUT_CACHE=0 (WeasyPrint as it comes) and once without, for the split
before and after objector's rendering shortcuts.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import DATE, PLACES

# First match wins: (phase, substrings of the module's path or the function's name).
# objector's rendering shortcuts count in the phase they shorten.
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("font subsetting", ("weasyprint/pdf/fonts.py", "fontTools/", "hb_subset", "objector/output/subset_cache")),
    ("PDF serialisation", ("weasyprint/pdf/", "pydyf/", "zlib", "pikepdf/", "weasyprint/document.py",
                           "weasyprint/anchors.py", "weasyprint/images.py", "objector/output/compression")),
    ("drawing", ("weasyprint/draw/", "weasyprint/stacking.py", "weasyprint/matrix.py", "objector/output/draw_cache")),
    ("HTML parsing", ("tinyhtml5/", "weasyprint/html.py", "xml/etree", "ElementTree", "objector/output/page_tree",
                      "pyexpat")),
    ("style cascade", ("weasyprint/css/", "cssselect2/", "tinycss2/", "webencodings/", "objector/output/style_cache",
                       "objector/output/ua_sheet")),
    ("box building", ("weasyprint/formatting_structure/",)),
    ("layout", ("weasyprint/layout/", "weasyprint/text/", "pyphen", "cffi", "objector/output/layout_cache",
                "objector/output/bounded")),
    ("our composing", ("objector/", "jinja2/", "babel/", "markupsafe/", "pydantic")),
]


def phase_of(filename: str, name: str) -> str:
    path = filename.replace("\\", "/")
    for phase, marks in PHASES:
        if any(m in path or m in name for m in marks):
            return phase
    return "other (weasyprint glue, stdlib)"


def split(stats: pstats.Stats) -> dict[str, float]:
    """Own time per phase; a built-in's own time goes to its callers, in the share each caused."""
    raw: Any = stats.stats  # type: ignore[attr-defined]
    phases: dict[str, float] = defaultdict(float)

    def charge(func: tuple[str, int, str], seconds: float, depth: int = 0) -> None:
        filename, _, name = func
        if filename != "~" or depth > 8:
            phases[phase_of(filename, name)] += seconds
            return
        callers = raw[func][4]
        total = sum(c[2] for c in callers.values()) or 1.0
        if not callers:
            phases[phase_of(filename, name)] += seconds
            return
        for caller, timing in callers.items():
            charge(caller, seconds * timing[2] / total, depth + 1)

    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        # A built-in whose name tells the phase better than its caller does.
        if func[0] == "~" and any(m in func[2] for m in ("zlib", "hb_subset")):
            phases[phase_of("", func[2])] += tt
            continue
        charge(func, tt)
    return dict(phases)



def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=60)
    ap.add_argument("--top", type=int, default=0, help="also print the K functions with most own time")
    ap.add_argument("--variant", default=None, help="a --pdf-variant to profile (default: plain tagged PDF)")
    args = ap.parse_args()

    from objector.batch import BatchOptions, Row, _init_worker, _work

    rows = []
    for i in range(args.letters + 3):
        country, state = PLACES[i % len(PLACES)]
        rows.append(Row(i + 2, {"name": f"Person {i} Example", "email": f"person{i}@example.org",
                                "country": country, "state": state or "", "reason_preset": "old-content",
                                "locale": "en"}))
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        extra = {"pdf_variant": args.variant} if args.variant else {}
        opts = BatchOptions(out=Path(tmp), formats=("pdf",), on=dt.date.fromisoformat(DATE), **extra)
        (Path(tmp) / "letters").mkdir()
        _init_worker(opts)
        for row in rows[:3]:  # warm-up: fonts, hyphenation dictionary, stylesheets
            _work(row)
        profiler = cProfile.Profile()
        profiler.enable()
        for row in rows[3:]:
            result = _work(row)
            assert result.status == "written", result
        profiler.disable()
        # A window renderer keeps its last letters until flushed: that is worker time too.
        from objector import batch

        flush = getattr(batch, "_flush_worker", None)
        if flush is not None:
            profiler.enable()
            flush()
            profiler.disable()
    stats = pstats.Stats(profiler)
    phases = split(stats)
    total = sum(phases.values())
    print(f"{args.letters} letters, {total:.2f} s profiled ({total / args.letters * 1000:.0f} ms a letter "
          "under cProfile, which slows Python code more than C calls)")
    for phase, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"  {phase:<34} {seconds / total:6.1%}  {seconds / args.letters * 1000:6.1f} ms/letter")
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
