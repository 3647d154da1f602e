"""The letter as an HTML page (the PDF's source): escaped, self-contained, tagged."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import cache

from babel import Locale
from jinja2 import Environment
from markupsafe import Markup, escape

from .. import __version__
from ..bidi import LRI, PDI, first_strong, for_locale, is_rtl, strip_controls
from ..citations import localise
from ..i18n import translations
from ..letter import Letter
from ..resources import templates_dir
from ..templating import environment

# CLDR supplemental data (paperSize US-Letter): the territories that use US Letter.
LETTER_PAPER_COUNTRIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())

# Address-window fitting. WeasyPrint cannot shrink text to fit a box, so the page
# picks one of the size steps of letter.css (.fit-0 … .fit-3) from an estimate of
# the lines the return line and recipient wrap to. The widths are deliberately
# wide (0.6 em a character, capitals included) so the estimate errs on the small
# side; tests/test_pdf_layout.py checks the real positions with pdftotext -bbox.
#   window: (width pt, height pt, space the return line's rule and gap take)
_WINDOWS = {"a4": (85 / 25.4 * 72, 45 / 25.4 * 72, 4.5), "us-letter": (4 * 72, 1.1 * 72, 4.5)}
#   (return-line font pt, its line height, recipient font pt, its line height)
_FIT_STEPS = ((7.0, 8.0, 10.5, 13.6), (6.5, 7.4, 9.5, 11.6), (6.0, 6.9, 8.5, 10.0), (6.0, 6.9, 8.0, 9.0))
_CHAR_EM = 0.6

# Citations and references wrap as one unit only when short; a longer one could
# not fit a line, so it only loses hyphenation.
_NOWRAP_MAX = 45
# About what a body line holds (165 mm of 10.5 pt serif).
_ADDR_NOWRAP_MAX = 70


@cache
def stylesheet() -> str:
    """Our letter stylesheet (an asset of ours, never person data)."""
    return (templates_dir() / "letter" / "letter.css").read_text(encoding="utf-8")


def layout_for(country: str) -> str:
    """``us-letter`` where US Letter paper is used, else ``a4`` (DIN 5008 window)."""
    return "us-letter" if country in LETTER_PAPER_COUNTRIES else "a4"


def _lines(text: str, font: float, width: float) -> int:
    return max(1, math.ceil(len(text) * font * _CHAR_EM / width))


def window_fit(layout: str, return_line: str, recipient: Iterable[str]) -> int:
    """The largest size step (0 = normal) at which the window's text fits, by estimate."""
    width, height, rule = _WINDOWS[layout]
    lines = list(recipient)
    for step, (r_font, r_lead, font, lead) in enumerate(_FIT_STEPS):
        needed = (_lines(return_line, r_font, width) * r_lead + rule
                  + sum(_lines(line, font, width) for line in lines) * lead)
        if needed <= height:
            return step
    return len(_FIT_STEPS) - 1


def _sender_lines(letter: Letter) -> tuple[str, ...]:
    """The sender block: international post gets the sender's country under the
    address, so a reply from abroad can reach them."""
    return letter.sender_block()


def _citations(letter: Letter) -> set[str]:
    """Every citation the letter can print, as the letter language writes it."""
    raw = set(letter.citations)
    raw.update(a.citation for a in letter.decision.regime.arguments.values() if a.citation)
    return {localise(c, letter.locale) for c in raw if c}


class _Marker:
    """Wraps the known unbreakable strings of a letter (e-mail address, profile
    URL, reference, citations) in spans, escaping everything else."""

    def __init__(self, letter: Letter) -> None:
        person = letter.person
        self.kinds: dict[str, str] = {c: "cite" for c in _citations(letter)}
        self.kinds[letter.reference] = "ref"
        self.kinds[" ".join(person.email.split())] = "addr"
        if person.profile_url:
            self.kinds[" ".join(person.profile_url.split())] = "addr"
        # In a right-to-left letter a citation with Latin words in it is printed
        # with those words isolated (bidi.py); it is the same citation.
        for key, kind in list(self.kinds.items()):
            self.kinds.setdefault(for_locale(key, letter.locale), kind)
        # Longest first, so a citation containing another one is matched whole.
        keys = sorted((k for k in self.kinds if k), key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, keys)))

    def span(self, value: str) -> Markup:
        kind = self.kinds.get(value, "cite")
        if len(value) > (_NOWRAP_MAX if kind == "cite" else _ADDR_NOWRAP_MAX):
            kind += " long"
        return Markup('<span class="{}">{}</span>').format(kind, value)

    def __call__(self, text: str) -> Markup:
        out: list[Markup] = []
        pos = 0
        for m in self.pattern.finditer(text):
            out.append(escape(text[pos:m.start()]))
            out.append(self.span(m.group()))
            pos = m.end()
        out.append(escape(text[pos:]))
        return ltr_spans(Markup("").join(out))


def ltr_spans(html: Markup) -> Markup:
    """Left-to-right isolates (bidi.py) as ``<span class="ltr">`` elements.

    WeasyPrint places the inline boxes of a right-to-left line from the right,
    one box at a time, so a Latin run made of several boxes (a citation span, a
    semicolon, another citation) would come out in reverse; an element with
    ``direction: ltr`` keeps its boxes in order. The isolates are balanced by
    construction and person data carries none (they are stripped on input).
    """
    if LRI not in html:
        return html
    return Markup(str(html).replace(LRI, '<span class="ltr">').replace(PDI, "</span>"))


def _breakable_address(email: str, rtl: bool = False) -> Markup:
    """An e-mail address for the narrow information block: whole if it fits,
    else broken after its "@", never inside a part. In a right-to-left letter the
    address is one left-to-right isolate, so its parts keep their order."""
    local, at, domain = email.rpartition("@")
    if not at:
        shown = Markup('<span class="addr">{}</span>').format(email)
    else:
        shown = Markup('<span class="addr"><span>{}@</span><wbr><span>{}</span></span>').format(local, domain)
    return Markup('<span class="ltr">{}</span>').format(shown) if rtl else shown


def _is_person_value(text: str, values: Iterable[str]) -> bool:
    return any(v and text.startswith(v) for v in values)


def body_groups(letter: Letter) -> list[tuple[str, list[Markup]]]:
    """The body as (kind, blocks) groups: ``p``, ``ol``, ``ul`` and a final
    ``signature`` (closing, name) when the letter ends with the person's name.

    A block starting "1. " or "- " is a list item only when the template wrote
    the marker: a person's own value (a name such as "- Anna") stays a paragraph.
    """
    person = letter.person
    values = [" ".join(v.split()) for v in (person.name, person.email, person.profile_url or "",
                                             letter.grounds or "")]
    mark = _Marker(letter)
    groups: list[tuple[str, list[Markup]]] = []
    texts = [t for t in letter.body.strip().split("\n\n") if t]
    signature: list[Markup] = []
    if len(texts) >= 2 and texts[-1] == values[0]:
        signature = [mark(texts[-2]), mark(texts[-1])]
        texts = texts[:-2]
    for text in texts:
        kind, content = "p", text
        if not _is_person_value(text, values):
            if m := re.match(r"^\d+\.\s+(.*)$", text, re.S):
                kind, content = "ol", m.group(1)
            elif text.startswith("- "):
                kind, content = "ul", text[2:]
        if groups and groups[-1][0] == kind:
            groups[-1][1].append(mark(content))
        else:
            groups.append((kind, [mark(content)]))
    if signature:
        groups.append(("signature", signature))
    return groups


def render_html(letter: Letter, footer: str | None = None, env: Environment | None = None) -> str:
    """The complete HTML page of ``letter``; every person-supplied value is escaped.

    ``footer`` is an extra line for the running footer (a campaign's organisation);
    ``env`` another template environment (a campaign's templates).
    """
    env = env or environment(letter.locale)
    t = translations(letter.locale)
    locale = Locale.parse(letter.locale)
    mark = _Marker(letter)
    reference_line = mark(for_locale(t.gettext("Reference: %(ref)s") % {"ref": letter.reference}, letter.locale))
    sender = _sender_lines(letter)
    layout = layout_for(letter.person.country)
    # The return line names the sender's country on international post too.
    return_line = " · ".join(sender[:-1])
    return env.get_template("letter/page.html.jinja").render(
        lang=letter.locale.replace("_", "-"),
        direction=locale.text_direction,
        line_direction=lambda line: first_strong(line) or locale.text_direction,
        recipient_direction=first_strong(letter.recipient[0]) or locale.text_direction,
        subject=strip_controls(letter.subject),  # the PDF title: no direction controls
        subject_html=mark(letter.subject),
        author=letter.person.name,
        description=t.gettext("Letter to %(controller)s, reference %(ref)s")
        % {"controller": letter.decision.controller.name, "ref": letter.reference},
        keywords=", ".join(letter.citations),
        version=__version__,
        date_iso=letter.date.isoformat(),
        css=Markup(stylesheet()),
        layout=layout,
        fit=window_fit(layout, return_line, letter.recipient),
        return_line=return_line,
        recipient=letter.recipient,
        sender=[_breakable_address(line, is_rtl(letter.locale)) if line == sender[-1]
                else mark(for_locale(line, letter.locale)) for line in sender],
        date_text=ltr_spans(escape(for_locale(letter.date_text, letter.locale))),
        reference_line=reference_line,
        groups=body_groups(letter),
        footer=footer,
    )
