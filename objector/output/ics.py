"""A calendar reminder (.ics) for the day LinkedIn's answer is due."""

from __future__ import annotations

import datetime as dt

from ..i18n import translations
from ..letter import Letter


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets, never splitting a UTF-8 character."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode()) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)


def render_ics(letter: Letter) -> bytes:
    """An all-day event on each due date of the letter, with what to do if LinkedIn has not answered."""
    t = translations(letter.locale)
    d = letter.decision
    summary = t.gettext("LinkedIn's answer is due (letter %(ref)s)") % {"ref": letter.reference}
    if d.authority is not None:
        url = d.authority.complaint_url or d.authority.url
        description = t.gettext(
            "If LinkedIn has not answered your letter %(ref)s in full, you can complain to "
            "%(authority)s: %(url)s") % {"ref": letter.reference, "authority": d.authority.name_in(letter.locale),
                                         "url": url}
    else:
        description = t.gettext("If LinkedIn has not answered your letter %(ref)s, send a reminder.") % {
            "ref": letter.reference}
    stamp = dt.datetime.combine(letter.date, dt.time(12)).strftime("%Y%m%dT%H%M%SZ")
    # One event per period (the CCPA's 15 business days for opt-outs as well as
    # its 45 days): each is a date on which LinkedIn may be in breach, and the
    # earlier one alone would hide the later answer still owed. The main event
    # keeps the letter's UID, so a calendar that imported it before updates it.
    events: list[str] = []
    for i, due in enumerate(letter.dues):
        uid = letter.reference if i == 0 else f"{letter.reference}-{due.group}"
        events += [
            "BEGIN:VEVENT",
            f"UID:{uid}@objector.invalid",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{due.date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due.date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(summary)}",
            f"DESCRIPTION:{_escape(description)}",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_escape(summary)}",
            "TRIGGER:PT9H",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//objector//letters//EN",
        "CALSCALE:GREGORIAN",
        *events,
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
