"""The letters after the letter: follow-ups to LinkedIn's answers, reminders, appeals and complaints."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from babel import Locale

from .case import (
    Case,
    Status,
    answers,
    load_case,
    paragraph_citations,
    route_for,
    sha256,
    status,
)
from .citations import localise
from .errors import DataError, LocaleError
from .i18n import SOURCE_LOCALE, country_name, long_date, normalise_locale
from .letter import postal_recipient, squash
from .resources import locales_dir, templates_dir
from .schema import Authority
from .templating import environment

INDEX_JSON = "evidence.json"
INDEX_TEXT = "evidence.txt"


@cache
def case_messages() -> tuple[tuple[str, str | None], ...]:
    """Every (msgid, context) of the case templates, for the completeness check."""
    from babel.messages.extract import extract_from_file

    out: list[tuple[str, str | None]] = []
    for path in sorted((templates_dir() / "case").glob("*.jinja")):
        for _line, message, _comments, context in extract_from_file(
                "jinja2.ext:babel_extract", str(path), keywords={"_": None, "gettext": None},
                options={"trimmed": "true", "silent": "false"}):
            if isinstance(message, str):
                out.append((message, context))
            elif isinstance(message, tuple):
                out.append((str(message[0]), context))
    return tuple(dict.fromkeys(out))


def untranslated(locale: str) -> list[str]:
    """The case texts ``locale``'s letters catalog does not translate yet."""
    if locale == SOURCE_LOCALE:
        return []
    from .catalogs import parsed

    po = locales_dir() / locale / "LC_MESSAGES" / "letters.po"
    if not po.is_file():
        return [m for m, _ in case_messages()]
    cat = parsed(po, locale)
    missing = []
    for msgid, ctx in case_messages():
        msg = cat.get(msgid, context=ctx)
        strings = [msg.string] if msg is not None and isinstance(msg.string, str) else list(msg.string or ()) \
            if msg is not None else []
        if msg is None or msg.fuzzy or not strings or not all(strings):
            missing.append(msgid)
    return missing


def document_locale(case: Case, requested: str | None) -> str:
    """The language of the case's documents: ``requested``, else the letter's; a
    language whose catalog lacks the case texts is refused (no mixed letters)."""
    loc = normalise_locale(requested) if requested else case.locale
    if loc != SOURCE_LOCALE and not (locales_dir() / loc / "LC_MESSAGES").is_dir():
        raise LocaleError("locale", f"no catalog for {loc!r}")
    missing = untranslated(loc)
    if missing:
        raise LocaleError("locale", f"the after-sending texts are not translated into {loc} yet "
                          f"({len(missing)} missing); write them in English with --locale en")
    return loc


def _fail(what: str) -> NoReturn:
    raise DataError(f"templates/case/paragraphs.txt.jinja has no paragraph {what!r}")


def _tidy(text: str) -> str:
    lines = (squash(line) for line in text.splitlines())
    return "\n\n".join(line for line in lines if line) + "\n"


@dataclass(frozen=True)
class Document:
    """A finished follow-up or escalation, and where it goes."""

    name: str
    text: str
    recipient: tuple[str, ...]


class _Ctx:
    """Values shared by every document of a case, in the document's language."""

    def __init__(self, case: Case, st: Status, loc: str, on: dt.date) -> None:
        self.case, self.status, self.loc, self.on = case, st, loc, on
        decision = case.decision
        self.decision = decision
        self.regime = decision.regime
        self.country = decision.country
        self.name, self.email = case.sender()

    def date(self, day: dt.date) -> str:
        return long_date(day, self.loc, self.country)

    def cite(self, text: str | None) -> str:
        return localise(text, self.loc) if text else ""

    def cites(self, texts: tuple[str, ...]) -> str:
        return "; ".join(self.cite(t) for t in texts)

    def open_items(self, open_ids: tuple[str, ...]) -> str:
        """The unmet requests by their number in the letter, with their provision."""
        items = []
        for did in open_ids:
            number = self.case.demands.index(did) + 1
            demand = self.regime.demands.get(did)
            items.append(f"{number} ({self.cite(demand.citation)})" if demand and demand.citation else str(number))
        return ", ".join(items)

    def events(self) -> list[dict[str, Any]]:
        out = []
        for e in self.status.events:
            day = dt.date.fromisoformat(e["on"])
            item: dict[str, Any] = {"type": e["type"], "date": self.date(day)}
            if e["type"] == "sent":
                env = environment(self.loc)
                module = env.get_template("case/paragraphs.txt.jinja").make_module({})
                item["channel"] = str(module.__dict__["channel_name"](e["channel"])).strip()
                out.append(item)
                # Receipt is a fact of its own (it starts the clock), on its own line.
                item = {"type": "received", "date": self.date(dt.date.fromisoformat(e["received"])),
                        "estimated": e.get("received_estimated", False)}
            elif e["type"] == "answered":
                item["answer"] = e["answer"]
            else:
                item["step"] = e["step"]
            out.append(item)
        return out

    def base(self) -> dict[str, Any]:
        st = self.status
        return {
            "family": self.regime.family, "ref": self.case.reference, "name": self.name, "email": self.email,
            "letter_date": self.date(self.case.letter_date), "due": self.date(st.due),
            "deadline_cite": self.cite(self.regime.deadline.citation_on(self.case.letter_date)),
            "controller": self.decision.controller.name,
            # The address's last line is the country: named in the letter's language.
            "controller_address": ", ".join((*self.decision.controller.address[:-1],
                                             country_name(self.decision.controller.country, self.loc))),
            "fail": _fail,
            "events": self.events(),
        }


def _authority_for(case: Case) -> tuple[Authority | None, Authority | None, Authority | None]:
    """(the regulator the complaint goes to, the lead authority, a second GDPR authority)."""
    d = case.decision
    esc = d.regime.escalation
    second = d.data.authorities.get(esc.gdpr_authority) if esc.gdpr_authority else None
    return d.authority, d.lead_authority, second


def _header(ctx: _Ctx, recipient: tuple[str, ...], subject: str) -> str:
    from .i18n import translations

    t = translations(ctx.loc)
    lines = [ctx.name, ctx.email, "", *recipient, "", ctx.date(ctx.on),
             t.gettext("Reference: %(ref)s") % {"ref": ctx.case.reference}, "", subject]
    return "\n".join(lines) + "\n"


def _controller_lines(ctx: _Ctx) -> tuple[str, ...]:
    # The same block as the letter's: the country in the letter's language.
    return postal_recipient(ctx.decision.controller, ctx.case.decision.country, ctx.loc)


def followup(case: Case, kind: str, on: dt.date, reasons: str | None, loc: str) -> Document | None:
    """The follow-up to an answer of ``kind`` received on ``on`` (None when the
    answer needs none: LinkedIn complied, or announced a valid extension)."""
    st = status(case, on)
    spec = answers().kinds[kind]
    if kind == "complied":
        return None
    ctx = _Ctx(case, st, loc, on)
    c = ctx.base()
    paragraphs = []
    for para in spec.paragraphs:
        pid = para.id
        if kind == "extension":
            assert st.extension is not None
            if st.extension.valid:
                return None
            pid = f"extension-{st.extension.reason}"
            c.update(ext_date=ctx.date(on), ext_first=ctx.date(st.extension.first_end))
        paragraphs.append({"id": pid, "cites": ctx.cites(paragraph_citations(ctx.regime, para))})
    authority = case.decision.authority
    c.update(answer_date=ctx.date(on), reasons=reasons, paragraphs=paragraphs,
             open_items=ctx.open_items(st.open), fresh=ctx.date(max(st.due, on + dt.timedelta(days=14))),
             authority=authority.name_in(loc) if authority and case.regime.id != "none" else None,
             language=_language_name(case.locale, loc))
    body = _tidy(environment(loc).get_template("case/followup.txt.jinja").render(c=c))
    subject = _subject(ctx)
    text = _header(ctx, _controller_lines(ctx), subject) + "\n" + body
    return Document(f"followup-{on.isoformat()}-{kind}.txt", text, _controller_lines(ctx))


def _language_name(letter_locale: str, loc: str) -> str:
    shown = Locale.parse("en" if loc == SOURCE_LOCALE else loc)
    return str(Locale.parse(letter_locale).get_display_name(shown) or letter_locale)


def _subject(ctx: _Ctx) -> str:
    template = environment(ctx.loc).get_template("case/subject.txt.jinja")
    return squash(template.render(subject=str(ctx.case.record.get("subject", ""))))


def escalation(case: Case, on: dt.date, loc: str, represented: str | None = None) -> tuple[Document, Status]:
    """The next step's document on ``on``; NotReady when the law does not allow it yet."""
    st = ready(case, on)
    step = st.step
    ctx = _Ctx(case, st, loc, on)
    c = ctx.base()
    regime = ctx.regime
    route = route_for(regime)
    authority, lead, second = _authority_for(case)
    ext = st.extension
    c.update(step=step, overdue=st.overdue or (not any(answers().kinds[a].decides for a in st.answers)),
             open_items=ctx.open_items(st.open), index_name=INDEX_TEXT, report=regime.escalation.report,
             bad_extension=ext is not None and not ext.valid,
             ext_date=ctx.date(_extension_date(st)) if ext is not None else "",
             extension_cite=ctx.cite(regime.arguments["extension"].citation)
             if "extension" in regime.arguments else ctx.cite(regime.deadline.citation_on(case.letter_date)),
             lead=None, second=None, represented=represented, court_cite="", form_url=None)
    if step == "remind":
        fresh = on + dt.timedelta(days=14)
        recipient = _controller_lines(ctx)
    elif step == "appeal":
        fresh = on + dt.timedelta(days=regime.deadline.appeal_days or route.appeal_days or 60)
        appeal = regime.demands.get("appeal")
        c.update(step_cite=ctx.cite(appeal.citation if appeal else None), appeal_days_cite="")
        recipient = _controller_lines(ctx)
    elif step == "complain-to-controller":
        fresh = on + dt.timedelta(days=route.wait or 30)
        c.update(step_cite=ctx.cite(route.citation))
        recipient = _controller_lines(ctx)
    else:
        fresh = on
        if authority is None:
            raise DataError(f"regime {regime.id}: no regulator to complain to")
        c.update(step_cite=ctx.cite(regime.escalation.citation),
                 lead=lead.name_in(loc) if lead is not None else None,
                 lead_cite=ctx.cite("GDPR Art. 56(1)") if lead is not None else "",
                 second=second.name_in(loc) if second is not None else None,
                 second_cite=ctx.cite(regime.escalation.gdpr_citation),
                 court_cite="; ".join(ctx.cite(x) for x in (regime.escalation.court_citation,
                                                            regime.escalation.gdpr_court_citation) if x),
                 representation_cite=ctx.cite(regime.arguments["representation"].citation)
                 if "representation" in regime.arguments else "",
                 form_url=authority.complaint_url)
        recipient = (authority.name_in(loc), *authority.address)
    c["fresh"] = ctx.date(fresh)
    body = _tidy(environment(loc).get_template("case/escalation.txt.jinja").render(c=c))
    text = _header(ctx, recipient, _subject(ctx)) + "\n" + body
    short = authority.short.replace(" ", "-").replace("/", "-") if step == "complain" and authority else ""
    name = f"{step}-{on.isoformat()}{'-' + short if short else ''}.txt"
    return Document(name, text, recipient), st


def ready(case: Case, on: dt.date) -> Status:
    """The status on ``on`` if a next step may be written then; else NotReady with the date."""
    from .case import NotReady

    st = status(case, on)
    if st.step == "done":
        raise NotReady(f"nothing left to escalate: the case is done (since {st.next_on.isoformat()})")
    if st.step == "wait":
        raise NotReady(f"not yet: LinkedIn's time runs until {(st.next_on - dt.timedelta(days=1)).isoformat()}; "
                       f"the next step is possible from {st.next_on.isoformat()}")
    return st


def _extension_date(st: Status) -> dt.date:
    e = next(e for e in st.events if e["type"] == "answered" and e["answer"] == "extension")
    return dt.date.fromisoformat(e["on"])


# --- the evidence index ----------------------------------------------------------------------

PROVES = {
    "sent": "that the letter was sent, when and by which channel, and when LinkedIn received it",
    "answered": "what LinkedIn answered and when, and the follow-up sent in reply",
    "escalated": "that the next step the law gives was taken, and when",
}


def evidence_index(case: Case, on: dt.date) -> tuple[dict[str, Any], list[str]]:
    """The evidence index: every file of the case with its SHA-256, size and date,
    the timeline and what each event proves; and the files that changed after they
    were recorded (reported with both hashes, never silently re-hashed)."""
    recorded: dict[str, dict[str, Any]] = {}
    for e in case.events:
        for f in (*e.get("letter_files", ()), *e.get("files", ())):
            recorded.setdefault(f["name"], {**f, "recorded_on": e["on"]})
    files = []
    changed = []
    for path in sorted(p for p in case.folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if path.name in (INDEX_JSON, INDEX_TEXT):
            continue
        now = sha256(path)
        entry: dict[str, Any] = {
            "name": path.name, "sha256": now, "size": path.stat().st_size,
            "modified": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat(),
        }
        rec = recorded.get(path.name)
        if rec is not None:
            entry["recorded_sha256"] = rec["sha256"]
            entry["recorded_on"] = rec["recorded_on"]
            if rec["sha256"] != now and path.name != "case.json":
                entry["changed_after_recording"] = True
                changed.append(path.name)
        files.append(entry)
    for name in recorded:
        if not (case.folder / name).is_file():
            changed.append(name)
            files.append({"name": name, "missing": True, "recorded_sha256": recorded[name]["sha256"]})
    timeline = [{"on": e["on"], "type": e["type"], "proves": PROVES[e["type"]],
                 **{k: e[k] for k in ("channel", "received", "received_estimated", "ticket", "answer", "step",
                                      "followup", "document", "text_file") if k in e}}
                for e in case.events]
    st = status(case, on)
    index = {"reference": case.reference, "regime": case.regime.id, "on": on.isoformat(),
             "due": st.due.isoformat(), "files": files, "timeline": timeline}
    return index, changed


def evidence_text(index: dict[str, Any]) -> str:
    """The index as a plain list (file, size, SHA-256; then the timeline)."""
    lines = [f"Evidence index {index['reference']} ({index['regime']}), {index['on']}", "", "Files:"]
    for f in index["files"]:
        if f.get("missing"):
            lines.append(f"  {f['name']}  MISSING (recorded SHA-256 {f['recorded_sha256']})")
            continue
        flag = (f"  CHANGED after it was recorded on {f['recorded_on']} (recorded SHA-256 {f['recorded_sha256']})"
                if f.get("changed_after_recording") else "")
        lines.append(f"  {f['name']}  {f['size']} bytes  {f['modified']}  SHA-256 {f['sha256']}{flag}")
    lines += ["", "Timeline:"]
    for e in index["timeline"]:
        what = e.get("answer") or e.get("step") or e.get("channel", "")
        lines.append(f"  {e['on']}  {e['type']} {what}: proves {e['proves']}")
    lines.append(f"  {index['due']}  the period for LinkedIn's answer ended")
    return "\n".join(lines) + "\n"


def write_index(case: Case, on: dt.date) -> tuple[dict[str, bytes], list[str]]:
    index, changed = evidence_index(case, on)
    data = {INDEX_JSON: (json.dumps(index, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
            INDEX_TEXT: evidence_text(index).encode("utf-8")}
    return data, changed


def escalate(folder: Path, on: dt.date, locale: str | None, pdf: bool = False,
             represented: str | None = None) -> tuple[Case, Document, list[str]]:
    """Write the next step into the case with the evidence index; returns the
    updated case, the document and the files changed since they were recorded."""
    from .case import append_event

    case = load_case(folder)
    ready(case, on)
    loc = document_locale(case, locale)
    doc, st = escalation(case, on, loc, represented)
    files: dict[str, bytes] = {doc.name: doc.text.encode("utf-8")}
    index_files, changed = write_index(case, on)
    files.update(index_files)
    if pdf:
        from .evidence import bundle_pdf

        files[doc.name.removesuffix(".txt") + ".pdf"] = bundle_pdf(case, doc, index_files[INDEX_TEXT].decode())
    event = {"type": "escalated", "on": on.isoformat(), "step": st.step, "document": doc.name}
    authority = case.decision.authority
    if st.step == "complain" and authority is not None:
        event["to"] = authority.short
    case = append_event(case, event, files)
    return case, doc, changed


def answered(folder: Path, on: dt.date, kind: str, locale: str | None, reasons: str | None,
             text_file: Path | None, met: tuple[str, ...]) -> tuple[Case, Document | None]:
    """Record LinkedIn's answer and write the follow-up it calls for."""
    from .case import check_answer, record_answer
    from .errors import InputError

    case = load_case(folder)
    check_answer(case, on, kind, met)
    loc = document_locale(case, locale)
    text = None
    if text_file is not None:
        try:
            raw = text_file.read_bytes()
        except OSError as exc:
            raise InputError("text-file", f"cannot read {text_file}: {exc.strerror or exc}") from None
        text = (f"answer-{on.isoformat()}-{kind}{text_file.suffix or '.txt'}", raw)
    # The follow-up is written against the case as it will be, answer included.
    from .case import Case as _Case

    pending = {"type": "answered", "on": on.isoformat(), "answer": kind, **({"reasons": reasons} if reasons else {}),
               **({"met": list(met)} if met else {})}
    preview = _Case(case.folder, case.record, (*case.events, pending))
    doc = followup(preview, kind, on, reasons, loc)
    files = {doc.name: doc.text.encode("utf-8")} if doc else {}
    case = record_answer(case, on, kind, reasons, text, met, files, doc.name if doc else None)
    return case, doc
