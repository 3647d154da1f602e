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
    from weasyprint.html import UA_COUNTER_STYLE

    return [CSS(string=letter_ua_text(), counter_style=UA_COUNTER_STYLE)]


@cache
def letter_ua_text() -> str:
    """The trimmed sheet's text."""
    import tinycss2
    from weasyprint.html import UA

    kept = []
    for rule in tinycss2.parse_stylesheet(UA, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            selectors = [part.strip() for part in tinycss2.serialize(rule.prelude).split(",")]
            if all(selector in _UNUSED_PSEUDO for selector in selectors):
                continue
        kept.append(rule.serialize())
    return "\n".join(kept)



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
