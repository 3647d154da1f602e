"""The letter as an HTML page (the PDF's source): escaped, self-contained, tagged."""

from __future__ import annotations

from functools import cache
from itertools import groupby

from babel import Locale
from jinja2 import Environment
from markupsafe import Markup

from .. import __version__
from ..i18n import translations
from ..letter import Letter
from ..resources import templates_dir
from ..templating import environment

# CLDR supplemental data (paperSize US-Letter): the territories that use US Letter.
LETTER_PAPER_COUNTRIES = frozenset("BZ CA CL CO CR GT MX NI PA PH PR SV US VE".split())


@cache
def stylesheet() -> str:
    """Our letter stylesheet (an asset of ours, never person data)."""
    return (templates_dir() / "letter" / "letter.css").read_text(encoding="utf-8")


def layout_for(country: str) -> str:
    """``us-letter`` where US Letter paper is used, else ``a4`` (DIN 5008 window)."""
    return "us-letter" if country in LETTER_PAPER_COUNTRIES else "a4"


def render_html(letter: Letter, footer: str | None = None, env: Environment | None = None) -> str:
    """The complete HTML page of ``letter``; every person-supplied value is escaped.

    ``footer`` is an extra line for the running footer (a campaign's organisation);
    ``env`` another template environment (a campaign's templates).
    """
    env = env or environment(letter.locale)
    t = translations(letter.locale)
    groups = [(kind, [b.text for b in blocks]) for kind, blocks in groupby(letter.blocks(), key=lambda b: b.kind)]
    locale = Locale.parse(letter.locale)
    reference_line = t.gettext("Reference: %(ref)s") % {"ref": letter.reference}
    return env.get_template("letter/page.html.jinja").render(
        lang=letter.locale.replace("_", "-"),
        direction=locale.text_direction,
        subject=letter.subject,
        author=letter.person.name,
        description=t.gettext("Letter to %(controller)s, reference %(ref)s")
        % {"controller": letter.decision.controller.name, "ref": letter.reference},
        keywords=", ".join(letter.citations),
        version=__version__,
        date_iso=letter.date.isoformat(),
        css=Markup(stylesheet()),
        layout=layout_for(letter.person.country),
        return_line=" · ".join((letter.person.name, *letter.person.address)),
        recipient=letter.recipient,
        sender=letter.sender,
        date_text=letter.date_text,
        reference_line=reference_line,
        groups=groups,
        footer=footer,
    )
