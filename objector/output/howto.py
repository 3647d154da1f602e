"""The "how to send it" sheet: channels in order, the form text, the address, the due date."""

from __future__ import annotations

from babel.numbers import format_decimal

from ..citations import localise
from ..i18n import formatting_locale, translations
from ..letter import Letter
from ..templating import environment


def render_howto(letter: Letter) -> str:
    """Plain-text instructions for sending ``letter`` through LinkedIn's routes."""
    d = letter.decision
    fmt_locale = formatting_locale(letter.locale, letter.person.country)
    data = translations(letter.locale, "data").gettext  # prose from the data files
    channels = [
        {"id": cid, "kind": ch.kind, "name": data(ch.name), "url": ch.url,
         "text_budget": format_decimal(ch.text_budget or 0, locale=fmt_locale)}
        for cid, ch in d.channels
    ]
    authority = d.authority
    text = environment(letter.locale).get_template("letter/howto.txt.jinja").render(
        reference=letter.reference,
        due=letter.due_text,
        deadline_statutory=d.regime.deadline.statutory,
        deadline_cite=localise(d.regime.deadline.citation, letter.locale) if d.regime.deadline.citation else None,
        covered=d.covered,
        channels=channels,
        form_text=letter.form_text,
        form_length=format_decimal(len(letter.form_text), locale=fmt_locale),
        postal=letter.recipient,
        authority=authority.name if authority else None,
        authority_url=(authority.complaint_url or authority.url) if authority else None,
        unconfirmed=d.unconfirmed(letter.kinds, locale=letter.locale),
    )
    # Every non-empty line is a paragraph (``trans trimmed`` puts each on one
    # line); indented lines (the postal address) stay with the line before.
    blocks: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("    ") and blocks:
            blocks[-1] += "\n" + line.rstrip()
        else:
            blocks.append(" ".join(line.split()))
    return "\n\n".join(blocks) + "\n"
