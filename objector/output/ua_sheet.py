"""WeasyPrint's HTML user-agent stylesheet without the footnote and note rules, for pages that use neither."""

from __future__ import annotations

from functools import cache
from typing import Any

# The UA sheet gives every element of every page six pseudo-elements for
# footnotes and notes (::footnote-call, ::footnote-marker, ::note-call, ...), and
# WeasyPrint computes a style for each: about 500 of a letter's 600 computed
# styles. Our letters never float anything to a footnote or a note, so those
# styles are never used; without the rules, a letter's PDF is byte-identical
# (tests/test_layout_cache.py) and its cascade about a sixth shorter.
_UNUSED_PSEUDO = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback")


@cache
def letter_ua_stylesheets() -> list[Any]:
    """WeasyPrint's UA stylesheet minus the rules whose selectors are only unused pseudo-elements."""
    from weasyprint import CSS
    from weasyprint.css.counters import CounterStyle

    # Its @counter-style rules go to a throwaway set: WeasyPrint's own (which the
    # documents use) has them already, and would refuse them again with warnings.
    return [CSS(string=letter_ua_text(), counter_style=CounterStyle())]


@cache
def letter_ua_text() -> str:
    """The trimmed sheet's text: WeasyPrint's, without the lines that are each one rule for
    unused pseudo-elements only. Everything else stays byte for byte (re-serialised
    at-rules such as @counter-style would not parse back the same)."""
    from weasyprint.html import UA

    kept = []
    for line in UA.splitlines(keepends=True):
        head, brace, _rest = line.partition("{")
        selectors = [part.strip() for part in head.split(",")]
        if brace and line.rstrip().endswith("}") and all(selector in _UNUSED_PSEUDO for selector in selectors):
            continue
        kept.append(line)
    return "".join(kept)


def only_our_styles(page: str) -> bool:
    """Whether a page (our stylesheet already taken out) has no styles of its own that
    could ask for footnotes or notes: no style element, attribute or linked sheet."""
    lowered = page.lower()
    return "<style" not in lowered and "style=" not in lowered and "<link" not in lowered


def use_for(document: Any) -> None:
    """Have WeasyPrint ``document`` (an HTML object) cascade with the trimmed sheet."""
    sheets = letter_ua_stylesheets()

    def ua_stylesheets(forms: bool = False) -> list[Any]:
        if forms:  # form controls need WeasyPrint's form sheet too: keep its own list
            return list(type(document)._ua_stylesheets(document, forms))
        return sheets

    document._ua_stylesheets = ua_stylesheets
