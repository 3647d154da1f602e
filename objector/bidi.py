"""Right-to-left letters: Latin runs isolated inside Arabic or Hebrew text, direction controls kept out of input.

A citation such as "GDPR Art. 21(1)", a reference, an e-mail address or a
company name inside an Arabic sentence is a left-to-right run. Left to the
Unicode bidirectional algorithm alone, its closing bracket takes the direction
of the sentence around it and lands on the wrong side ("(1)21 .GDPR Art"), in
the PDF as in a mail client. objector therefore wraps every such run in a
left-to-right isolate (U+2066 ... U+2069), in the plain text and the e-mail as
in the PDF, so each shows whole and in order whatever surrounds it.

Direction controls typed or pasted into a person's data (U+202E, the
right-to-left override, for instance) are stripped, not refused: Hebrew and
Arabic text copied from web forms often carries invisible marks, and objector
decides directions itself.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
# Every Unicode character whose only job is to steer the bidirectional algorithm:
# marks (LRM, RLM, ALM), embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and
# isolates (LRI, RLI, FSI, PDI).
CONTROLS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_OPEN, _CLOSE = "([{", ")]}"


def strip_controls(text: str) -> str:
    """``text`` without direction controls (they would reorder what follows them)."""
    if text.isascii() or not any(ch in CONTROLS for ch in text):  # every control is outside ASCII
        return text
    return "".join(ch for ch in text if ch not in CONTROLS)


@cache
def is_rtl(locale: str) -> bool:
    """Whether letters in ``locale`` run right to left (Arabic, Hebrew, ...)."""
    try:
        return Locale.parse(locale).text_direction == "rtl"
    except (ValueError, TypeError):
        return False


def _class(ch: str) -> str:
    return unicodedata.bidirectional(ch)


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds any right-to-left letter."""
    return any(_class(ch) in ("R", "AL") for ch in text)


def first_strong(text: str) -> str | None:
    """``"ltr"`` or ``"rtl"`` for the first strong letter of ``text`` (isolates skipped), else None."""
    depth = 0
    for ch in text:
        if ch in (LRI, RLI, FSI):
            depth += 1
        elif ch == PDI and depth:
            depth -= 1
        elif not depth:
            cls = _class(ch)
            if cls == "L":
                return "ltr"
            if cls in ("R", "AL"):
                return "rtl"
    return None


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """The left-to-right runs of ``text`` as (start, end) offsets.

    A run starts at a Latin (strong left-to-right) letter and goes on through
    digits, spaces and punctuation up to the last letter or digit before the next
    right-to-left letter, line break or unmatched closing bracket; a closing
    bracket that matches one inside the run belongs to it ("Art. 21(1)").
    Runs already isolated are left alone.
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in (LRI, RLI, FSI):
            depth = 1
            i += 1
            while i < n and depth:
                depth += {LRI: 1, RLI: 1, FSI: 1, PDI: -1}.get(text[i], 0)
                i += 1
            continue
        if _class(ch) != "L":
            i += 1
            continue
        j, end, depth = i, i + 1, 0
        while j < n:
            c = text[j]
            cls = _class(c)
            if cls in ("R", "AL") or c in "\n" or c in (LRI, RLI, FSI, PDI):
                break
            if c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                if not depth:
                    break
                depth -= 1
                if not depth:
                    end = j + 1
            elif cls in ("L", "EN", "AN") and not depth:
                end = j + 1
            j += 1
        spans.append((i, end))
        i = end
    return spans


def isolate(text: str) -> str:
    """``text`` with each left-to-right run of a right-to-left paragraph in an isolate.

    Paragraphs (lines) without any right-to-left letter stay as they are: an
    address line in Latin letters needs no isolating.
    """
    if not has_rtl(text):
        return text
    lines = []
    for line in text.split("\n"):
        if not has_rtl(line):
            lines.append(line)
            continue
        out, pos = [], 0
        for start, end in ltr_spans(line):
            out += [line[pos:start], LRI, line[start:end], PDI]
            pos = end
        out.append(line[pos:])
        lines.append("".join(out))
    return "\n".join(lines)


def for_locale(text: str, locale: str) -> str:
    """``text`` as a letter in ``locale`` prints it: isolated runs where the locale is right to left."""
    return isolate(text) if is_rtl(locale) else text
