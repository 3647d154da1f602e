"""The case after the letter: case.json's events, the deadline as it stands, and the next step."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from . import deadlines
from .data import dataset
from .decision import Decision, decide, parse_date
from .errors import DataError, InputError, ObjectorError
from .resources import data_dir
from .schema import Confidence, Family, Frozen, Regime, Term

CASE_FILE = "case.json"
LETTER_FILE = "letter.json"
CHANNELS = ("form", "email", "post")
Step = Literal["wait", "remind", "appeal", "complain-to-controller", "complain", "done"]
ACTIONS: tuple[Step, ...] = ("remind", "appeal", "complain-to-controller", "complain")


class NotReady(ObjectorError):
    """An escalation asked for before the law allows it (exit status 1, with the date)."""


# --- the data: answer kinds and routes ------------------------------------------------------


class AnswerSource(Frozen):
    title: str
    confidence: Confidence
    url: str | None = None


class Paragraph(Frozen):
    """One rebuttal paragraph of a follow-up and the citations it rests on."""

    id: str
    cite: tuple[str, ...] = ()
    bare: bool = False


class AnswerKind(Frozen):
    """One of LinkedIn's typical answers (answers.toml)."""

    title: str
    families: tuple[Family, ...] = Field(min_length=1)
    decides: bool
    met: tuple[str, ...] = ()
    sources: tuple[str, ...] = Field(min_length=1)
    paragraphs: tuple[Paragraph, ...] = ()


class Answers(Frozen):
    sources: dict[str, AnswerSource]
    kinds: dict[str, AnswerKind]


class Route(Frozen):
    """A regime's escalation route (escalation.toml)."""

    steps: tuple[Literal["remind", "appeal", "complain-to-controller", "complain"], ...] = Field(min_length=1)
    wait: int | None = Field(default=None, ge=1)
    appeal_days: int | None = Field(default=None, ge=1)
    window_months: int | None = Field(default=None, ge=1)
    citation: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)


class Routes(Frozen):
    remind_days: int = Field(ge=1)
    routes: dict[str, Route]


def _load(name: str, model: type[Answers] | type[Routes]) -> Any:
    path = data_dir() / name
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{name}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise DataError(f"{name}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc


@cache
def answers() -> Answers:
    """The answer kinds, with every source key checked."""
    a: Answers = _load("answers.toml", Answers)
    known = set(a.sources) | set(dataset().sources)
    for kid, kind in a.kinds.items():
        for key in kind.sources:
            if key not in known:
                raise DataError(f"answers.toml: kind {kid}: unknown source key {key!r}")
    return a


@cache
def routes() -> Routes:
    """The escalation routes, with every source key checked."""
    r: Routes = _load("escalation.toml", Routes)
    for rid, route in r.routes.items():
        for key in route.sources:
            if key not in dataset().sources:
                raise DataError(f"escalation.toml: route {rid}: unknown source key {key!r}")
    return r


def route_for(regime: Regime) -> Route:
    """The route of ``regime`` (by id, else by family); a US state whose law gives no
    appeal goes straight from a reminder to the regulator."""
    table = routes().routes
    route = table.get(regime.id) or table.get("none" if regime.id == "none" else regime.family)
    if route is None:
        raise DataError(f"escalation.toml: no route for regime {regime.id} (family {regime.family})")
    if "appeal" in route.steps and "appeal" not in regime.demands:
        steps = tuple("remind" if s == "appeal" else s for s in route.steps)
        route = route.model_copy(update={"steps": steps})
    return route


def cite(regime: Regime, ref: str) -> str | None:
    """A paragraph citation resolved against ``regime`` (None when it has none)."""
    kind, _, key = ref.partition(":")
    if kind == "demand" and key:
        d = regime.demands.get(key)
        return d.citation if d is not None else None
    if kind == "argument" and key:
        d = regime.arguments.get(key)
        return d.citation if d is not None else None
    if ref == "deadline":
        return regime.deadline.citation
    if ref == "escalation":
        return regime.escalation.citation
    if "{gdpr}" in ref:
        # Only a GDPR-family letter cites the GDPR's procedural articles.
        if regime.family != "gdpr":
            return None
        return ref.replace("{gdpr}", "UK GDPR" if regime.id == "uk-gdpr" else "GDPR")
    return ref


def paragraph_citations(regime: Regime, paragraph: Paragraph) -> tuple[str, ...]:
    """The citations of ``paragraph`` that ``regime`` has, in order, each once."""
    out = [c for c in (cite(regime, ref) for ref in paragraph.cite) if c]
    return tuple(dict.fromkeys(out))


# --- the case folder -------------------------------------------------------------------------


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class Case:
    """A case folder: the letter's record, the sender, and the events so far."""

    folder: Path
    record: dict[str, Any]
    events: tuple[dict[str, Any], ...]

    @property
    def reference(self) -> str:
        return str(self.record["reference"])

    @property
    def letter_date(self) -> dt.date:
        return dt.date.fromisoformat(self.record["date"])

    @property
    def locale(self) -> str:
        return str(self.record["locale"])

    @property
    def decision(self) -> Decision:
        d = self.record["decision"]
        return decide(d["country"], d.get("state"), self.letter_date)

    @property
    def regime(self) -> Regime:
        return self.decision.regime

    @property
    def demands(self) -> tuple[str, ...]:
        return tuple(self.record["demands"])

    def sender(self) -> tuple[str, str]:
        """The member's name and e-mail address, from the letter's own files."""
        eml = self.folder / "letter.eml"
        if eml.is_file():
            from email import message_from_binary_file, policy
            from email.headerregistry import Address

            with eml.open("rb") as fh:
                msg = message_from_binary_file(fh, policy=policy.default)
            addresses = getattr(msg["From"], "addresses", ()) if msg["From"] else ()
            if addresses and isinstance(addresses[0], Address):
                return addresses[0].display_name, addresses[0].addr_spec
        txt = self.folder / "letter.txt"
        if txt.is_file():
            lines = txt.read_text(encoding="utf-8").splitlines()
            if len(lines) >= 2 and "@" in lines[1]:
                return lines[0].strip(), lines[1].strip()
        raise InputError("letter.eml", f"{self.folder}: neither letter.eml nor letter.txt names the sender")


def _invalid(name: str, folder: Path, why: str) -> InputError:
    return InputError(name, f"{folder / name}: {why}")


def load_case(folder: Path) -> Case:
    """Read a case folder (what ``objector letter --format all -o DIR`` wrote)."""
    if not folder.is_dir():
        raise InputError("DIR", f"{folder} is not a folder")
    path = folder / LETTER_FILE
    if not path.is_file():
        raise _invalid(LETTER_FILE, folder, "missing; a case folder is what 'objector letter --format all "
                       "-o DIR' writes")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        missing = [k for k in ("reference", "date", "locale", "demands", "decision") if k not in record]
        if missing or "country" not in record["decision"]:
            raise KeyError(", ".join(missing) or "decision.country")
        dt.date.fromisoformat(record["date"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid(LETTER_FILE, folder, f"not a letter record ({exc})") from None
    events: list[dict[str, Any]] = []
    case_path = folder / CASE_FILE
    if case_path.exists():
        try:
            raw = json.loads(case_path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict) or raw.get("reference") != record["reference"]:
                raise ValueError("it belongs to another letter")
            events = list(raw["events"])
            for e in events:
                if not isinstance(e, dict) or e.get("type") not in ("sent", "answered", "escalated"):
                    raise ValueError("an event has no known type")
                parse_date(str(e.get("on")), "on")
        except (ValueError, KeyError, TypeError, InputError) as exc:
            raise _invalid(CASE_FILE, folder, f"not a case record ({exc})") from None
    return Case(folder, record, tuple(events))


def append_event(case: Case, event: dict[str, Any], files: dict[str, bytes] | None = None) -> Case:
    """Write ``files`` into the case, then case.json with ``event`` appended.

    Each file is written whole (temp name + rename) before case.json names it, so
    an interruption leaves at worst an unrecorded file, never a record of a missing
    one. Files are recorded with their SHA-256 so a later change shows.
    """
    from .output.files import atomic_write

    recorded = []
    for name, data in (files or {}).items():
        atomic_write(case.folder / name, data)
        recorded.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    if recorded:
        event = {**event, "files": recorded}
    events = (*case.events, event)
    body = {"reference": case.reference, "events": list(events)}
    atomic_write(case.folder / CASE_FILE, (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return Case(case.folder, case.record, events)


def _d(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value))


# --- recording -------------------------------------------------------------------------------


def record_sent(case: Case, on: dt.date, channel: str, received: dt.date | None = None,
                ticket: str | None = None) -> Case:
    """Record how and when the letter went out; for post without ``received``, the
    usual delivery time of the data's postal route estimates receipt."""
    if any(e["type"] == "sent" for e in case.events):
        raise InputError("case.json", "the letter is already recorded as sent; case.json only grows")
    if channel not in CHANNELS:
        raise InputError("channel", f"{channel!r} is not one of {', '.join(CHANNELS)}")
    if on < case.letter_date:
        raise InputError("on", f"{on.isoformat()} is before the letter's date {case.letter_date.isoformat()}")
    estimated = False
    if received is None:
        if channel == "post":
            received = _post_receipt(case, on)
            estimated = True
        else:
            # A form or an e-mail reaches LinkedIn the day it is sent.
            received = on
    if received < on:
        raise InputError("received", f"{received.isoformat()} is before the day it was sent ({on.isoformat()})")
    event: dict[str, Any] = {"type": "sent", "on": on.isoformat(), "channel": channel,
                             "received": received.isoformat(), "received_estimated": estimated}
    if ticket:
        event["ticket"] = ticket
    # The letter's own files are the first evidence: their hashes now, so a later
    # change to any of them shows in the evidence index.
    letter_files = [{"name": p.name, "sha256": sha256(p), "size": p.stat().st_size}
                    for p in sorted(case.folder.glob("letter.*")) if p.is_file()]
    event["letter_files"] = letter_files
    return append_event(case, event)


def _post_receipt(case: Case, on: dt.date) -> dt.date:
    decision = case.decision
    li = decision.data.linkedin
    for cid in decision.regime.channels:
        channel = li.channels[cid]
        got = deadlines.received_by_post(on, channel, decision.controller.country)
        if got is not None:
            return got
    # No postal route with a delivery time in the data: a week is the cautious guess.
    return deadlines.add_working_days(on, 5, None)


def record_answer(case: Case, on: dt.date, kind: str, reasons: str | None = None,
                  text: tuple[str, bytes] | None = None, met: tuple[str, ...] = (),
                  files: dict[str, bytes] | None = None, followup: str | None = None) -> Case:
    """Record LinkedIn's answer (and the follow-up written for it)."""
    event: dict[str, Any] = {"type": "answered", "on": on.isoformat(), "answer": kind}
    if reasons:
        event["reasons"] = reasons
    if met:
        event["met"] = list(met)
    if followup:
        event["followup"] = followup
    all_files = dict(files or {})
    if text is not None:
        event["text_file"] = text[0]
        all_files = {text[0]: text[1], **all_files}
    return append_event(case, event, all_files)


def check_answer(case: Case, on: dt.date, kind: str, met: tuple[str, ...]) -> AnswerKind:
    """The answer kind, refused when it is unknown, does not fit, or comes too early."""
    kinds = answers().kinds
    if kind not in kinds:
        raise InputError("answer", f"unknown answer {kind!r} (one of {', '.join(kinds)})")
    spec = kinds[kind]
    if case.regime.family not in spec.families:
        raise InputError("answer", f"{kind!r} does not apply to {case.regime.id}")
    sent = _sent(case)
    if sent is None:
        raise InputError("case.json", "record first how the letter was sent ('objector case sent')")
    if on < _d(sent["on"]):
        raise InputError("on", f"{on.isoformat()} is before the letter was sent ({sent['on']})")
    bad = [m for m in met if m not in case.demands]
    if bad:
        raise InputError("met", f"{', '.join(bad)} is not a request of this letter "
                         f"(its requests: {', '.join(case.demands)})")
    if met and kind != "partial":
        raise InputError("met", "only a partial answer names the requests it met")
    if kind == "partial" and not met:
        raise InputError("met", "a partial answer needs --met with the requests LinkedIn did meet")
    return spec


def _sent(case: Case) -> dict[str, Any] | None:
    return next((e for e in case.events if e["type"] == "sent"), None)


# --- where the case stands -------------------------------------------------------------------


@dataclass(frozen=True)
class Extension:
    valid: bool
    due: dt.date
    why: str
    first_end: dt.date
    reason: Literal["valid", "late", "no-reasons", "none"]

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "due": self.due.isoformat(), "why": self.why}


def check_extension(regime: Regime, received: dt.date, announced: dt.date, reasons: str | None) -> Extension:
    """Whether an announced extension holds (GDPR Art. 12(3)): only if the law gives
    one, it was announced within the first period, and it gave reasons. ``due`` is
    the date the extension would give (kept as the deadline only when valid)."""
    term = regime.deadline
    roll = deadlines.roll_of(regime)
    first_end, _ = deadlines.end_of_period(received, term, roll)
    if term.extension is None:
        return Extension(False, first_end, f"{regime.short_law} gives no extension for this letter; "
                         f"the deadline stays {first_end.isoformat()}", first_end, "none")
    unit, length = deadlines.unit_of(term)
    longer: Term = term.model_copy(update={
        {"months": "months", "days": "days", "business-days": "business_days"}[unit]: length + term.extension})
    ext_due, _ = deadlines.end_of_period(received, longer, roll)
    if announced > first_end:
        return Extension(False, ext_due, f"announced on {announced.isoformat()}, after the first period ended "
                         f"on {first_end.isoformat()} ({term.citation or regime.short_law})", first_end, "late")
    if not (reasons and reasons.strip()):
        return Extension(False, ext_due, f"announced on {announced.isoformat()} without reasons "
                         f"({term.citation or regime.short_law})", first_end, "no-reasons")
    return Extension(True, ext_due, f"announced on {announced.isoformat()}, within the first period "
                     f"(by {first_end.isoformat()}), with reasons", first_end, "valid")


@dataclass(frozen=True)
class Status:
    """Where a case stands on a date, and what to do next."""

    reference: str
    regime: str
    sent: dt.date
    received: dt.date
    received_estimated: bool
    due: dt.date
    overdue: bool
    extension: Extension | None
    step: Step
    next_on: dt.date
    events: tuple[dict[str, Any], ...]
    met: tuple[str, ...]
    open: tuple[str, ...]
    answers: tuple[str, ...]
    # The date a fresh deadline ends (reminder, appeal, s. 164A), for the next letter.
    fresh_due: dt.date | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys of ``objector case status --json``."""
        return {
            "reference": self.reference,
            "regime": self.regime,
            "sent": self.sent.isoformat(),
            "received": self.received.isoformat(),
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "extension": self.extension.to_json() if self.extension else None,
            "next": {"step": self.step, "on": self.next_on.isoformat()},
            "events": list(self.events),
        }


def _fresh_deadline(step: str, on: dt.date, due: dt.date, route: Route, regime: Regime) -> dt.date:
    """The day the controller's time after ``step`` (taken on ``on``) ends."""
    if step == "remind":
        return max(due, on + dt.timedelta(days=routes().remind_days))
    if step == "appeal":
        days = regime.deadline.appeal_days or route.appeal_days or 60
        return on + dt.timedelta(days=days)
    if step == "complain-to-controller":
        return on + dt.timedelta(days=route.wait or 30)
    return on


def status(case: Case, on: dt.date) -> Status:
    """Where ``case`` stands on ``on``: only events dated up to ``on`` count."""
    sent = _sent(case)
    if sent is None:
        raise InputError("case.json", f"{case.folder}: the letter is not recorded as sent yet; run "
                         "'objector case sent DIR --on DATE --channel form|email|post'")
    events = tuple(e for e in case.events if _d(e["on"]) <= on)
    regime = case.regime
    route = route_for(regime)
    received = _d(sent["received"])
    term = regime.deadline
    roll = deadlines.roll_of(regime)
    due = deadlines.due(regime, received, deadlines.MAIN, case.demands).date
    notes: list[str] = []
    extension: Extension | None = None
    met: set[str] = set()
    kinds = answers().kinds
    done_on: dt.date | None = None
    answered: list[tuple[int, dict[str, Any]]] = []
    for i, e in enumerate(events):
        if e["type"] != "answered":
            continue
        answered.append((i, e))
        kind = e["answer"]
        if kind == "extension" and extension is None:
            extension = check_extension(regime, received, _d(e["on"]), e.get("reasons"))
            if extension.valid:
                due = extension.due
        elif kind == "id-request" and route_for(regime).citation == "DPA 2018 s. 164A" and e.get("reasons"):
            # UK GDPR Art. 12A: a justified identity request (LinkedIn gave its
            # doubts) stops the clock until the member answers it, which the
            # follow-up written that day does; the month then runs from it.
            restarted = deadlines.end_of_period(_d(e["on"]), term, roll)[0]
            if restarted > due:
                due = restarted
                notes.append(f"UK GDPR Art. 12A: the period runs again from {e['on']}")
        spec = kinds.get(kind)
        met.update(case.demands if spec is not None and "*" in spec.met else
                   [m for m in (*(spec.met if spec else ()), *e.get("met", ())) if m in case.demands])
        if kind == "complied" and done_on is None:
            done_on = _d(e["on"])
    # The steps taken: escalations, and a follow-up counts as the reminder where
    # the route starts with one.
    taken: list[tuple[int, str, dt.date]] = []
    for i, e in enumerate(events):
        if e["type"] == "escalated":
            taken.append((i, e["step"], _d(e["on"])))
        elif (e["type"] == "answered" and e.get("followup") and route.steps[0] == "remind"
              and not any(s == "remind" for _, s, _ in taken)):
            taken.append((i, "remind", _d(e["on"])))
    deciding = [(i, _d(e["on"])) for i, e in answered if kinds[e["answer"]].decides and e["answer"] != "complied"]
    overdue = on > due and not deciding and done_on is None
    fresh = None
    if done_on is not None:
        step: Step = "done"
        next_on = done_on
    elif len(taken) >= len(route.steps):
        # Nothing left to write; until LinkedIn's time after the last step has run
        # out, the person still waits for its answer.
        _, last, last_on = taken[-1]
        fresh = _fresh_deadline(last, last_on, due, route, regime)
        step, next_on = ("wait", fresh + dt.timedelta(days=1)) if on <= fresh and last != "complain" \
            else ("done", last_on if last == "complain" else fresh + dt.timedelta(days=1))
    else:
        if not taken:
            gate = due + dt.timedelta(days=1)
            after = -1
        else:
            after, prev, prev_on = taken[-1]
            fresh = _fresh_deadline(prev, prev_on, due, route, regime)
            gate = fresh + dt.timedelta(days=1)
        later = [d for i, d in deciding if i > after]
        if later:
            gate = min(gate, max(later[0], taken[-1][2] if taken else later[0]))
        action = route.steps[len(taken)]
        step = action if on >= gate else "wait"
        next_on = gate
    if route.window_months and taken and step == "complain":
        contact = max(_d(e["on"]) for e in events)
        notes.append(f"complain within {route.window_months} months of the last contact with LinkedIn, by "
                     f"{deadlines.add_months(contact, route.window_months).isoformat()}")
    if sent.get("received_estimated"):
        notes.append(f"receipt on {received.isoformat()} is an estimate (usual delivery time by post)")
    return Status(
        reference=case.reference, regime=regime.id, sent=_d(sent["on"]), received=received,
        received_estimated=bool(sent.get("received_estimated")), due=due, overdue=overdue,
        extension=extension, step=step, next_on=next_on, events=events,
        met=tuple(d for d in case.demands if d in met),
        open=tuple(d for d in case.demands if d not in met),
        answers=tuple(e["answer"] for _, e in answered), fresh_due=fresh, notes=tuple(notes))
