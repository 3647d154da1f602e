"""What each of objector's PDF rendering shortcuts is worth: one renderer, each shortcut off in turn.

Run: .venv/bin/python benchmarks/bench_shortcuts.py [--letters N] [--rounds R]

One process renders the same mixed English letters (the places of bench_batch.py)
with every shortcut on, and with one of them off, in alternating rounds after a
warm-up, and prints milliseconds per letter and the ratio (off / on: how much
slower the renderer is without that shortcut). "all off" is WeasyPrint as it
comes (a renderer made with OBJECTOR_LAYOUT_CACHE=0). The PDFs are the same
either way (tests/test_layout_cache.py); the compression shortcut changes bytes,
not content.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import DATE, PLACES


def letters(n: int) -> list[Any]:
    from objector import Person, compose

    day = dt.date.fromisoformat(DATE)
    out = []
    for i in range(n):
        country, state = PLACES[i % len(PLACES)]
        person = Person.create(f"Person {i} Example", f"person{i}@example.org", country, state or None)
        out.append(compose(person, on=day, locale="en", reason_preset="old-content"))
    return out


def switches(renderer: Any) -> dict[str, Callable[[], Any]]:
    """Context managers that turn one shortcut off for ``renderer``."""
    import pydyf

    from objector.output import margin_boxes, page_tree, ua_sheet

    config = renderer.font_config

    @contextmanager
    def replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
        saved = getattr(owner, name)
        setattr(owner, name, value)
        try:
            yield
        finally:
            setattr(owner, name, saved)

    return {
        "line and justification cache (layout_cache)": lambda: replaced(config, "_objector_line_cache", None),
        "drawn lines (draw_cache)": lambda: replaced(config, "_objector_draw_cache", None),
        "computed styles (style_cache)": lambda: replaced(config, "_objector_style_cache", None),
        "font subsets (subset_cache)": lambda: replaced(renderer, "subset_cache", None),
        "expat page parsing (page_tree)": lambda: replaced(page_tree, "parse", lambda page: None),
        "UA sheet without note rules (ua_sheet)": lambda: replaced(ua_sheet, "use_for", lambda document: None),
        "zlib level 6 (compression)": lambda: replaced(pydyf, "zlib", zlib),
        "dropped margin boxes left unsized (margin_boxes)":
            lambda: replaced(margin_boxes, "dropped", lambda context, page_type: frozenset()),
    }


def timed(render: Callable[[Any], bytes], batch: list[Any]) -> float:
    start = time.perf_counter()
    for letter in batch:
        render(letter)
    return (time.perf_counter() - start) / len(batch) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    from objector.output.pdf import PDFRenderer

    os.environ["OBJECTOR_LAYOUT_CACHE"] = "0"
    plain = PDFRenderer()
    os.environ["OBJECTOR_LAYOUT_CACHE"] = "1"
    renderer = PDFRenderer()
    batch = letters(args.letters)
    for letter in batch:  # warm-up: fonts, templates, every cache filled as a batch would
        renderer.render(letter)
        renderer.render(letter)
        plain.render(letter)
    print(f"{args.letters} letters ({len(PLACES)} places, English), {args.rounds} rounds, "
          f"ms per letter, one process, {dt.date.today()}")
    rows: list[tuple[str, Callable[[], Any] | None]] = [("all off (WeasyPrint as it comes)", None)]
    rows += list(switches(renderer).items())
    for name, off in rows:
        ratios, ons, offs = [], [], []
        for _ in range(args.rounds):
            on_ms = timed(renderer.render, batch)
            if off is None:
                off_ms = timed(plain.render, batch)
            else:
                with off():
                    off_ms = timed(renderer.render, batch)
            ons.append(on_ms)
            offs.append(off_ms)
            ratios.append(off_ms / on_ms)
        print(f"{name:<42} on {min(ons):6.1f}  off {min(offs):6.1f}  off/on "
              + " ".join(f"{r:.2f}" for r in ratios))


if __name__ == "__main__":
    main()
