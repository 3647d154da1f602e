"""The "how to send it" sheet: channels in order, the form text, the address, the due date."""

from __future__ import annotations

from babel.numbers import format_decimal

from ..citations import localise
from ..deadlines import due, received_by_post
from ..i18n import formatting_locale, long_date, translations
from ..letter import Letter, request_numbers, squash
from ..templating import environment


def render_howto(letter: Letter) -> str:
    """Plain-text instructions for sending ``letter`` through LinkedIn's routes."""
    d = letter.decision
    fmt_locale = formatting_locale(letter.locale, letter.person.country)
    data = translations(letter.locale, "data").gettext  # prose from the data files
    channels = [
        {"id": cid, "kind": ch.kind, "name": data(ch.name), "url": ch.url, "purpose": data(ch.purpose),
         "text_budget": format_decimal(ch.text_budget or 0, locale=fmt_locale)}
        for cid, ch in d.channels
    ]
    authority = d.authority
    # A state law that makes LinkedIn honour a universal opt-out signal from a date:
    # the sheet tells the member to turn on Global Privacy Control (review m-19).
    signal = d.regime.opt_out_signal
    gpc = ({"cite": localise(signal.citation, letter.locale) if signal.citation else None}
           if signal is not None and signal.start <= letter.date else None)
    main, groups = letter.dues[0], letter.dues[1:]
    country = letter.person.country

    def items(ids: tuple[str, ...]) -> str:
        # Numbered as the letter numbers them (ranges included), so both say the same.
        return request_numbers(tuple(letter.demand_ids), ids, letter.locale, country)

    # A posted letter reaches LinkedIn days later, and its time runs from then:
    # the later date, so a reminder or complaint is never sent too early.
    post = next((ch for _, ch in d.channels if ch.kind == "post" and ch.delivery_days), None)
    post_received = received_by_post(letter.date, post, d.controller.country) if post else None
    post_due = (due(d.regime, post_received, main.group, letter.demand_ids).date
                if post is not None and post_received is not None else None)
    text = environment(letter.locale).get_template("letter/howto.txt.jinja").render(
        reference=letter.reference,
        due=letter.due_text,
        deadline_statutory=main.statutory,
        deadline_cite=localise(main.citation, letter.locale) if main.citation else None,
        deadline_items=(items(main.statutory_demands)
                        if main.statutory_demands and not main.statutory else None),
        deadline_items_count=len(main.statutory_demands),
        post_days=post.delivery_days if post else None,
        post_due=long_date(post_due, letter.locale, country) if post_due else None,
        due_groups=[{"numbers": items(g.demands), "count": len(g.demands),
                     "due": long_date(g.date, letter.locale, country),
                     "cite": localise(g.citation, letter.locale) if g.citation else ""} for g in groups],
        covered=d.covered,
        channels=channels,
        form_text=letter.form_text,
        form_length=format_decimal(len(letter.form_text), locale=fmt_locale),
        postal=letter.recipient,
        authority=authority.name_in(letter.locale) if authority else None,
        authority_url=(authority.complaint_url or authority.url) if authority else None,
        unconfirmed=d.unconfirmed(letter.kinds, locale=letter.locale),
        howto_notes=[data(n) for n in d.regime.howto_notes],
        gpc=gpc,
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
            blocks.append(squash(line))
    return "\n\n".join(blocks) + "\n"
