"""The ``objector case`` subcommands: sent, answered, status, escalate (one case or a campaign folder)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import IO, Any

from .case import CHANNELS, NotReady, Status, answers, load_case, record_sent, status
from .decision import parse_date
from .errors import InputError, ObjectorError
from .i18n import translations, ui_locale

REPORT = "case-report.json"


def add_parser(sub: Any) -> None:
    """Add ``case`` and its subcommands beside the other commands."""
    ca = sub.add_parser("case", help="after sending: record what happened, see what is due, escalate",
                        description="Track a letter after it is sent. DIR is the folder that "
                                    "'objector letter --format all -o DIR' wrote (or a batch's --out folder "
                                    "for status and escalate).")
    ca.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    cs = ca.add_subparsers(dest="case_command", metavar="ACTION", required=True)

    se = cs.add_parser("sent", help="record how and when the letter went out")
    se.add_argument("dir", metavar="DIR")
    se.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="the day it was sent")
    se.add_argument("--channel", required=True, choices=CHANNELS)
    se.add_argument("--received", metavar="YYYY-MM-DD",
                    help="the day LinkedIn received it (post: estimated from the usual delivery time if not given)")
    se.add_argument("--ticket", metavar="TEXT", help="the ticket or case number LinkedIn gave")

    an = cs.add_parser("answered", help="record LinkedIn's answer and write the follow-up")
    an.add_argument("dir", metavar="DIR")
    an.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="the day the answer arrived")
    an.add_argument("--answer", required=True, metavar="KIND", choices=tuple(answers().kinds),
                    help="one of: " + ", ".join(answers().kinds))
    an.add_argument("--text-file", metavar="FILE", help="LinkedIn's answer as a file, kept in the case")
    an.add_argument("--reasons", metavar="TEXT", help="the reasons LinkedIn gave, in its words")
    an.add_argument("--met", metavar="ID,...", help="for --answer partial: the requests LinkedIn met "
                    "(ids from letter.json 'demands')")
    an.add_argument("--locale", help="language of the follow-up (default: the letter's)")

    st = cs.add_parser("status", help="where the case stands and what to do next")
    st.add_argument("dir", metavar="DIR")
    st.add_argument("--on", metavar="YYYY-MM-DD", help="the day to look from (default: today)")
    st.add_argument("--json", action="store_true", help="print JSON")

    es = cs.add_parser("escalate", help="write the next step the law gives, when it is due")
    es.add_argument("dir", metavar="DIR")
    es.add_argument("--on", metavar="YYYY-MM-DD", help="the day of the new letter (default: today)")
    es.add_argument("--locale", help="language of the letter (default: the letter's)")
    es.add_argument("--format", default="text", choices=("text", "pdf"),
                    help="pdf: also the evidence bundle (the letter first, then the letter sent, the answers "
                         "and the index) as one PDF")
    es.add_argument("--represented-by", metavar="ORG",
                    help="the not-for-profit body the member mandated (GDPR Art. 80(1))")
    for p in (se, an, st, es):
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _err(err: IO[str], message: str) -> None:
    err.write(f"objector: {message}\n")


def _on(args: argparse.Namespace) -> dt.date:
    return parse_date(args.on, "on") if args.on else dt.date.today()


def _campaign(folder: Path) -> list[Path] | None:
    """The case folders of a batch output folder (None when ``folder`` is one case)."""
    if (folder / "letter.json").is_file():
        return None
    letters = folder / "letters"
    if not letters.is_dir():
        raise InputError("DIR", f"{folder} holds no letter.json and no letters/ folder of a batch")
    return sorted(p for p in letters.iterdir() if p.is_dir() and (p / "letter.json").is_file())


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    folder = Path(args.dir)
    action = args.case_command
    if action == "sent":
        on = parse_date(args.on, "on")
        received = parse_date(args.received, "received") if args.received else None
        case = record_sent(load_case(folder), on, args.channel, received, args.ticket)
        sent = case.events[-1]
        note = " (estimated from the usual delivery time by post)" if sent["received_estimated"] else ""
        _err(err, f"recorded: sent {sent['on']} by {sent['channel']}, received {sent['received']}{note}")
        st = status(case, on)
        _err(err, f"the answer is due by {st.due.isoformat()}")
        return 0
    if action == "answered":
        from .followup import answered

        met = tuple(m.strip() for m in args.met.split(",") if m.strip()) if args.met else ()
        case, doc = answered(folder, parse_date(args.on, "on"), args.answer, args.locale, args.reasons,
                             Path(args.text_file) if args.text_file else None, met)
        if doc is not None:
            _err(err, f"wrote {folder / doc.name}: send it to LinkedIn")
        else:
            _err(err, "recorded; no follow-up needed")
        _print_status(status(case, parse_date(args.on, "on")), out, err, as_json=False)
        return 0
    on = _on(args)
    cases = _campaign(folder)
    if action == "status":
        if cases is None:
            _print_status(status(load_case(folder), on), out, err, args.json)
        else:
            _campaign_status(cases, on, out, args.json)
        return 0
    if action == "escalate":
        if cases is None:
            return _escalate_one(folder, on, args, err)
        return _campaign_escalate(folder, cases, on, args, out, err)
    raise AssertionError(action)  # pragma: no cover


def _escalate_one(folder: Path, on: dt.date, args: argparse.Namespace, err: IO[str]) -> int:
    from .followup import escalate

    try:
        _case, doc, changed = escalate(folder, on, args.locale, args.format == "pdf", args.represented_by)
    except NotReady as exc:
        _err(err, f"not written: {exc}")
        return 1
    for name in changed:
        _err(err, f"warning: {name} changed after it was recorded; the evidence index shows both hashes")
    _err(err, f"wrote {folder / doc.name} and the evidence index {folder / 'evidence.txt'}")
    return 0


def _print_status(st: Status, out: IO[str], err: IO[str], as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(st.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    _ = translations(ui_locale(), "objector").gettext
    out.write(_("Letter %(ref)s (%(regime)s): sent %(sent)s, received %(received)s, answer due %(due)s.")
              % {"ref": st.reference, "regime": st.regime, "sent": st.sent.isoformat(),
                 "received": st.received.isoformat(), "due": st.due.isoformat()} + "\n")
    if st.overdue:
        out.write(_("Overdue: LinkedIn has not answered in time.") + "\n")
    if st.extension is not None:
        out.write(_("Extension: %(why)s.") % {"why": st.extension.why} + "\n")
    if st.step == "wait":
        out.write(_("Next: wait until %(date)s.") % {"date": st.next_on.isoformat()} + "\n")
    elif st.step == "done":
        out.write(_("Nothing left to do.") + "\n")
    else:
        out.write(_("Next: %(step)s, from %(date)s: run 'objector case escalate'.")
                  % {"step": st.step, "date": st.next_on.isoformat()} + "\n")
    for note in st.notes:
        out.write(f"  {note}\n")


def _campaign_status(cases: list[Path], on: dt.date, out: IO[str], as_json: bool) -> None:
    summary: dict[str, Any] = {"cases": len(cases), "not_sent": 0, "due": 0, "overdue": 0,
                               "next": Counter(), "answered": Counter(), "invalid": 0}
    for folder in cases:
        try:
            st = status(load_case(folder), on)
        except InputError:
            summary["not_sent" if (folder / "letter.json").is_file() and not (folder / "case.json").exists()
                    else "invalid"] += 1
            continue
        summary["due"] += st.step == "wait"
        summary["overdue"] += st.overdue
        summary["next"][st.step] += 1
        for kind in st.answers:
            summary["answered"][kind] += 1
    summary["next"], summary["answered"] = dict(summary["next"]), dict(summary["answered"])
    if as_json:
        out.write(json.dumps(summary, indent=2) + "\n")
        return
    out.write(f"{summary['cases']} cases: {summary['not_sent']} not recorded as sent, {summary['due']} waiting, "
              f"{summary['overdue']} overdue, {summary['invalid']} unreadable\n")
    for step, n in sorted(summary["next"].items()):
        out.write(f"  next {step}: {n}\n")
    for kind, n in sorted(summary["answered"].items()):
        out.write(f"  answered {kind}: {n}\n")


def _campaign_escalate(out_dir: Path, cases: list[Path], on: dt.date, args: argparse.Namespace,
                       out: IO[str], err: IO[str]) -> int:
    """The next step for every case that is ready; a rerun skips what is written
    (each case records its step in its own case.json before the next is touched)."""
    from .followup import escalate
    from .output.files import atomic_write

    report: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    for folder in cases:
        entry: dict[str, Any] = {"case": folder.name}
        try:
            case = load_case(folder)
            if not case.events:
                entry["result"] = "not-sent"
            else:
                before = status(case, on)
                if before.step in ("wait", "done"):
                    entry.update(result=before.step, on=before.next_on.isoformat())
                else:
                    _, doc, changed = escalate(folder, on, args.locale, args.format == "pdf", args.represented_by)
                    entry.update(result="written", step=before.step, document=doc.name, changed=changed)
        except (NotReady, ObjectorError) as exc:
            entry.update(result="error", error=str(exc))
        counts[entry["result"]] += 1
        report.append(entry)
    atomic_write(out_dir / REPORT, (json.dumps({"on": on.isoformat(), "cases": report}, indent=2) + "\n")
                 .encode("utf-8"))
    out.write(json.dumps(dict(counts)) + "\n")
    _err(err, f"wrote {out_dir / REPORT}")
    return 1 if counts["error"] else 0
