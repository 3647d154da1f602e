"""The decision as readable text for a person, in the interface language."""

from __future__ import annotations

from .citations import localise
from .deadlines import period_words
from .decision import Decision
from .i18n import country_name, translations


def format_decision(d: Decision, locale: str = "en") -> str:
    """What ``objector explain`` prints: the decision, the routes, and why."""
    t = translations(locale, "objector")
    _ = t.gettext
    data = translations(locale, "data").gettext
    c = d.controller
    co_dpo = translations(locale).gettext("c/o Data Protection Officer")
    # The address's last line is the country: named in the reader's language.
    address = (*c.address[:-1], country_name(c.country, locale))
    lines = [_("Regime: %(id)s (%(name)s)") % {"id": d.regime.id, "name": data(d.regime.name)}]
    if not d.covered:
        lines.append(_("Not covered yet: objector knows no law for this place; LinkedIn's own routes still work."))
    lines.append(_("Controller: %(name)s, c/o %(attention)s, %(address)s")
                 % {"name": c.name, "attention": _("Data Protection Officer"), "address": ", ".join(address)})
    if d.training_active and d.claimed_basis == "legitimate-interests":
        lines.append(_("AI training on %(date)s: yes, LinkedIn claims legitimate interests")
                     % {"date": d.on.isoformat()})
    elif d.training_active:
        lines.append(_("AI training on %(date)s: yes, LinkedIn names no legal basis") % {"date": d.on.isoformat()})
    elif d.announced_start is not None:
        lines.append(_("AI training on %(date)s: not yet; LinkedIn has announced it from %(start)s "
                       "(object before then)") % {"date": d.on.isoformat(), "start": d.announced_start.isoformat()})
    else:
        lines.append(_("AI training on %(date)s: no (a letter now objects in advance)") % {"date": d.on.isoformat()})
    lines.append(_("Letters that fit: %(letters)s; recommended: %(recommended)s")
                 % {"letters": ", ".join(d.letters), "recommended": " + ".join(d.recommended)})
    lines.append(_("Demands of the recommended letter:"))
    for did, dem in d.demands():
        cite = localise(dem.citation, locale) if dem.citation else _("no law (a voluntary request)")
        mark = "  " + _("[unconfirmed]") if not dem.confirmed else ""
        lines.append(f"  - {did}: {cite}{mark}")
    # The same periods as the letter, the how-to and the .ics (Decision.dues).
    for i, due in enumerate(d.dues()):
        period = period_words(t, due.unit, due.length)
        values = {"period": period, "due": due.date.isoformat(), "date": due.received.isoformat(),
                  "rule": data(due.rule)}
        if i == 0:
            lines.append(_("Deadline: %(period)s from receipt, due %(due)s if LinkedIn receives the letter "
                           "on %(date)s. %(rule)s") % values)
        else:
            lines.append(_("  For %(demands)s: %(period)s, due %(due)s. %(rule)s")
                         % {**values, "demands": ", ".join(due.demands)})
        if due.rolled_from is not None:
            lines.append(_("  (The period would end on %(end)s, a weekend day or public holiday, so it "
                           "runs to %(due)s.)") % {"end": due.rolled_from.isoformat(), "due": due.date.isoformat()})
        if not due.statutory and due.statutory_demands:
            lines.append(_("  The law sets this period only for: %(demands)s; for the other requests it "
                           "is the date the letter asks for.") % {"demands": ", ".join(due.statutory_demands)})
    if d.authority:
        lines.append(_("Regulator: %(name)s (%(url)s)")
                     % {"name": d.authority.name_in(locale), "url": d.authority.complaint_url or d.authority.url})
    if d.lead_authority:
        lines.append(_("Lead authority for LinkedIn: %(name)s (%(url)s)")
                     % {"name": d.lead_authority.name_in(locale), "url": d.lead_authority.url})
    lines.append(_("Channels, in the order to use them:"))
    for i, (_cid, ch) in enumerate(d.channels, 1):
        where = ch.url or ", ".join((c.name, co_dpo, *address))
        lines.append(f"  {i}. {data(ch.name)}: {where}")
        lines.append(f"     {data(ch.purpose)}")
    lines.append(_("Why:"))
    for i, step in enumerate(d.steps, 1):
        src = f" [{', '.join(step.sources)}]" if step.sources else ""
        lines.append(f"  {i}. {step.render(locale)}{src}")
    if d.regime.notes:
        lines.append(_("Notes:"))
        lines.extend(f"  - {data(n)}" for n in d.regime.notes)
    unconfirmed = d.unconfirmed(d.letters, locale=locale)
    if unconfirmed:
        lines.append(_("Not yet confirmed from a primary source:"))
        lines.extend(f"  - {n}" for n in unconfirmed)
    return "\n".join(lines) + "\n"
