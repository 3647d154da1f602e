"""Margin boxes WeasyPrint makes only to throw away are not sized: a tenth of a letter's layout.

For every page WeasyPrint builds all sixteen margin boxes (``@top-left`` ...
``@bottom-right-corner``) and resolves each one's percentages before it looks
whether the box has content. A row (top, bottom, left, right) none of whose
three boxes has content is then dropped whole, and so is a corner without
content: our letters fill two boxes of the bottom row, so thirteen of sixteen
boxes are sized per page for nothing (about 3% of a letter's time). This module
skips ``resolve_percentages`` for exactly those boxes and changes nothing else:
a box without content in a row that has content is still sized, since its
neighbours' widths depend on it. The PDFs are byte-identical
(tests/test_layout_cache.py).
"""

from __future__ import annotations

from typing import Any

from .layout_cache import line_cache_of

_SIDES = {"top": ("left", "center", "right"), "bottom": ("left", "center", "right"),
          "left": ("top", "middle", "bottom"), "right": ("top", "middle", "bottom")}
_CORNERS = ("@top-left-corner", "@top-right-corner", "@bottom-left-corner", "@bottom-right-corner")
# What make_margin_boxes reads as "no content" (layout/page.py).
_EMPTY = ("normal", "inhibit", "none")

_original_make: Any = None
_original_resolve: Any = None
# The at-keywords of the page being made whose boxes are dropped; a stack, since
# nothing stops a margin box's content from laying out another page's boxes.
_dropped: list[frozenset[str]] = []
_NONE = object()
# Boxes left unsized, for benchmarks and tests.
skipped = 0


def install() -> None:
    """Wrap make_margin_boxes where layout/__init__.py calls it and resolve_percentages where
    layout/page.py does (once per process)."""
    global _original_make, _original_resolve
    if _original_make is not None:
        return
    from weasyprint import layout
    from weasyprint.layout import page

    _original_make, _original_resolve = layout.make_margin_boxes, page.resolve_percentages
    layout.make_margin_boxes = _make_margin_boxes
    page.resolve_percentages = _resolve_percentages


def dropped(context: Any, page_type: Any) -> frozenset[str]:
    """The margin boxes of a page of ``page_type`` that WeasyPrint makes and drops unused."""
    def has_content(keyword: str) -> bool:
        style = context.style_for(page_type, keyword)
        return style is not None and style["content"] not in _EMPTY

    out: set[str] = set()
    for prefix, suffixes in _SIDES.items():
        row = [f"@{prefix}-{suffix}" for suffix in suffixes]
        if not any(has_content(k) for k in row):
            out.update(row)
    out.update(k for k in _CORNERS if not has_content(k))
    return frozenset(out)


def _make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
    if line_cache_of(context.font_config) is None:  # shortcuts off for this renderer
        yield from _original_make(context, page, state)
        return
    boxes = _original_make(context, page, state)
    # WeasyPrint makes (and sizes) every margin box before it lays out the first.
    _dropped.append(dropped(context, page.page_type))
    try:
        first = next(boxes, _NONE)
    finally:
        _dropped.pop()
    if first is _NONE:
        return
    yield first
    yield from boxes


def _resolve_percentages(box: Any, containing_block: Any, *args: Any, **kwargs: Any) -> Any:
    global skipped
    if _dropped and getattr(box, "at_keyword", None) in _dropped[-1] and not box.is_generated:
        skipped += 1
        return None
    return _original_resolve(box, containing_block, *args, **kwargs)
