"""The ``objector`` command line: a thin layer of argument parsing over the library."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from . import __version__
from .data import dataset
from .decision import decide, parse_date
from .errors import GroundsRequired, InputError, ObjectorError
from .explain import format_decision
from .i18n import locale_display_name, translations, ui_locale
from .letter import KINDS_AND_AUTO, Letter, compose
from .output.pdfa import PDF_VARIANTS
from .person import Person

FORMAT_CHOICES = ("text", "eml", "pdf", "html", "ics", "howto", "json", "all")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"objector: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="objector", description=(
        "Write a letter that stops LinkedIn from using your data to train AI, under the law "
        "where you live, and show how to send it."))
    p.add_argument("--version", action="version", version=f"objector {__version__}")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ex = sub.add_parser("explain", help="show which law applies and why, step by step",
                        description="Show the decision for a place and date: regime, controller, "
                                    "whether LinkedIn trains on your data, letters, deadline, channels.")
    ex.add_argument("--country", required=True, help="ISO country code, e.g. DE, GB, US")
    ex.add_argument("--state", help="state or province (required for US, e.g. CA; QC for Quebec)")
    ex.add_argument("--on", metavar="YYYY-MM-DD", help="the date to decide for (default: today)")
    ex.add_argument("--json", action="store_true", help="print one JSON object")
    ex.add_argument("--locale", help="language of the explanation (default: from LANG, else en)")
    ex.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    le = sub.add_parser("letter", help="write the letter (text, e-mail, PDF, ...)",
                        description="Write a letter for one person. Example: objector letter "
                                    "--name 'Anna Muster' --email anna@example.org --country DE "
                                    "--reason-preset creative-work --format all -o anna/")
    le.add_argument("--name", required=True, help="your full name")
    le.add_argument("--email", required=True, help="the e-mail address of your LinkedIn account")
    le.add_argument("--country", required=True, help="ISO country code where you live, e.g. FR")
    le.add_argument("--state", help="state or province (required for US)")
    le.add_argument("--address", action="append", metavar="LINE",
                    help="a line of your postal address (repeat for each line)")
    le.add_argument("--profile-url", help="your LinkedIn profile URL (optional)")
    le.add_argument("--kind", default="auto", choices=KINDS_AND_AUTO,
                    help="letter kind (default: auto, what the law where you live recommends)")
    le.add_argument("--reason", metavar="TEXT",
                    help="grounds relating to your particular situation (GDPR Art. 21(1))")
    le.add_argument("--reason-preset", metavar="NAME", help="an example reason (see 'objector reasons')")
    le.add_argument("--no-grounds", action="store_true",
                    help="write an Art. 21(1) objection without personal grounds")
    le.add_argument("--date", metavar="YYYY-MM-DD", help="the letter date (default: today)")
    le.add_argument("--locale", help="letter language, e.g. de, fr_CA (default: your country's language)")
    le.add_argument("--allow-incomplete", action="store_true",
                    help="preview a partly translated --locale: missing entries stay English (not for sending)")
    le.add_argument("--format", default="text", choices=FORMAT_CHOICES,
                    help="output format; 'all' writes a folder with every format (default: text)")
    le.add_argument("-o", "--output", default="-", metavar="PATH",
                    help="file or folder to write ('-' is standard output, the default; with --format all, "
                         "a folder named after the letter's reference)")
    le.add_argument("--attach-pdf", action="store_true", help="attach the PDF to the .eml")
    le.add_argument("--pdf-variant", choices=PDF_VARIANTS, metavar="VARIANT",
                    help="archival PDF: pdf/a-3u (carries the .eml and JSON record inside) or pdf/ua-1")
    le.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    re_ = sub.add_parser("reasons", help="list the example reasons for an objection",
                         description="List the example 'particular situation' reasons.")
    re_.add_argument("--json", action="store_true", help="print JSON")
    re_.add_argument("--locale", help="language of the reasons (default: from LANG, else en)")

    ba = sub.add_parser("batch", help="write letters for many people from a CSV or JSONL file",
                        description="Write one letter bundle per valid row of a CSV or JSONL file, with a "
                                    "manifest and an error report. Rerun the same command after an "
                                    "interruption to complete the set.")
    ba.add_argument("input", help="CSV (columns name, email, country, ...) or JSONL file")
    ba.add_argument("--out", required=True, metavar="DIR", help="folder for the bundles and reports")
    ba.add_argument("--campaign", metavar="FILE", help="campaign file (TOML)")
    ba.add_argument("--format", default="pdf,eml,text", metavar="LIST",
                    help="comma-separated formats: pdf,eml,text,html,ics,howto,json (default: pdf,eml,text)")
    ba.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: the number of CPU cores)")
    ba.add_argument("--date", metavar="YYYY-MM-DD", help="the letters' date (default: today)")
    ba.add_argument("--dry-run", action="store_true", help="validate every row and report, write no letters")
    ba.add_argument("--shard", default="1/1", metavar="K/N", help="process only share K of N (e.g. 2/4)")
    ba.add_argument("--print-pdf", action="store_true",
                    help="also write print.pdf: every letter, each starting on a new sheet")
    ba.add_argument("--no-attach-pdf", action="store_true", help="do not attach the PDF to each .eml")
    ba.add_argument("--pdf-variant", choices=PDF_VARIANTS, metavar="VARIANT",
                    help="archival PDFs: pdf/a-3u (each carries its .eml and JSON record) or pdf/ua-1")
    ba.add_argument("--archive", choices=("zip",),
                    help="write the bundles into one zip (letters.zip) instead of one folder each: "
                         "much faster on slow disks, still resumable")
    ba.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    me = sub.add_parser("merge", help="merge the manifests of sharded batch runs",
                        description="Merge manifest.json of several batch output folders (one per shard) "
                                    "into one manifest.json and manifest.csv, ordered by row.")
    me.add_argument("folders", nargs="+", metavar="DIR", help="the batch output folders")
    me.add_argument("--out", required=True, metavar="DIR", help="folder for the merged manifest")
    me.add_argument("--campaign", metavar="FILE",
                    help="the shards' campaign file: write its covering letters for the whole set")
    me.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    lo = sub.add_parser("locales", help="list letter languages, or manage their catalogs",
                        description="Without an action: list locales with completeness and status. "
                                    "extract: regenerate the .pot templates from the sources; "
                                    "init LOCALE: start catalogs for a new language; "
                                    "update [LOCALE]: merge new messages into catalogs; "
                                    "check [LOCALE]: report problems (exit 1 if any).")
    lo.add_argument("action", nargs="?", default="list", choices=("list", "extract", "init", "update", "check"))
    lo.add_argument("locale", nargs="?", help="the locale, e.g. de, pt_BR, zh_Hant_HK")
    lo.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    re_.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    se = sub.add_parser("serve", help="the letter on a web page (local by default)",
                        description="Serve the letter page and the JSON API. It keeps nothing about anyone. "
                                    "Local by default; to host it, bind another --host behind a reverse proxy "
                                    "and name the host with --allowed-host.")
    se.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    se.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    se.add_argument("--open", action="store_true", help="open the page in your web browser")
    se.add_argument("--campaign", metavar="FILE", help="campaign file (TOML), as 'objector batch' takes")
    se.add_argument("--workers", type=int, metavar="N", help="PDF worker processes (default: the CPU cores)")
    se.add_argument("--root-path", default="", metavar="/PREFIX", help="the path prefix behind a reverse proxy")
    se.add_argument("--allowed-host", action="append", metavar="NAME",
                    help="a host name the page is reached by (required with a --host other than loopback)")
    se.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    from .case_cli import add_parser as add_case_parser

    add_case_parser(sub)
    return p


def _err(stream: IO[str], message: str) -> None:
    stream.write(f"objector: {message}\n")


def cmd_explain(args: argparse.Namespace, out: IO[str]) -> int:
    on = parse_date(args.on, "on") if args.on else None
    locale = ui_locale(args.locale)
    decision = decide(args.country, args.state, on)
    if args.json:
        out.write(json.dumps(decision.to_json(locale), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_decision(decision, locale))
    return 0


def cmd_batch(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    import os

    from .batch import BatchInterrupted, BatchOptions, parse_formats, parse_shard, print_pdf, recorded_date, run_batch
    from .campaign import load_campaign

    formats = parse_formats(args.format)
    if args.print_pdf and "pdf" not in formats and not args.dry_run:
        raise InputError("format", "--print-pdf needs the pdf format (e.g. --format pdf,eml,text)")
    if args.print_pdf and args.archive:
        raise InputError("archive", "--print-pdf reads the letter folders; leave out --archive for it")
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if not 1 <= jobs <= 64:
        raise InputError("jobs", "must be between 1 and 64")
    if args.date:
        on = parse_date(args.date, "date")
    else:
        # A rerun on another day finishes the same letters rather than starting a
        # second set under new references: the earlier run's date is kept.
        on = recorded_date(Path(args.out)) or dt.date.today()
        if on != dt.date.today():
            _err(err, f"note: using {on.isoformat()}, the date of the earlier batch in {args.out} "
                      "(give --date to change it)")
    campaign = load_campaign(Path(args.campaign)) if args.campaign else None
    source = Path(args.input)
    opts = BatchOptions(out=Path(args.out), formats=formats, jobs=jobs, on=on, dry_run=args.dry_run,
                        shard=parse_shard(args.shard), campaign=campaign, attach_pdf=not args.no_attach_pdf,
                        pdf_variant=args.pdf_variant, archive=args.archive)
    if campaign is not None:
        from .person import Person

        sample = Person.create("Sample Member", "member@example.org", "DE")
        campaign.check_templates(lambda: campaign.render_html(
            compose(sample, campaign.kind, on=on, locale=campaign.spec.locale, allow_no_grounds=True,
                    extra_paragraphs=campaign.extra_paragraphs, templates=campaign.environment)))
    try:
        summary = run_batch(source, opts, progress=err if err.isatty() else None)
    except BatchInterrupted as stop:
        out.write(json.dumps(stop.summary.as_dict()) + "\n")
        how = "interrupted" if stop.signum == signal.SIGINT else f"stopped by {signal.Signals(stop.signum).name}"
        _err(err, f"{how} after {stop.summary.rows} row(s); the reports in {opts.out} list them; "
                  "run the same command again to finish")
        return stop.exit_status
    except KeyboardInterrupt:  # before the first row: nothing was written
        err.write("\n")
        _err(err, "interrupted; nothing written")
        return 130
    if opts.campaign is not None and opts.shard[1] > 1 and not opts.dry_run \
            and campaign is not None and campaign.spec.representation.article_80:
        _err(err, "note: a shard writes no covering letters; 'objector merge ... --campaign FILE' writes them "
                  "for all shards")
    if args.print_pdf and not args.dry_run:
        _err(err, f"wrote {print_pdf(opts.out)}")
    out.write(json.dumps(summary.as_dict()) + "\n")
    for note, count in sorted(summary.notes.items()):
        _err(err, f"note: {note} ({count} letter(s))")
    if summary.rejected or summary.failed:
        _err(err, f"{summary.rejected} row(s) rejected, {summary.failed} failed: see {opts.out / 'errors.csv'}")
    return summary.exit_status


def cmd_serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    # Imported here: the server's libraries must not slow down the other commands.
    from .web.server import config_from, serve

    config = config_from(args.host, args.port, args.workers, args.root_path, args.allowed_host, args.campaign)
    return serve(config, out, err, open_browser=args.open)


def cmd_merge(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from .batch import merge_manifests
    from .campaign import load_campaign

    campaign = load_campaign(Path(args.campaign)) if args.campaign else None
    merged = merge_manifests([Path(f) for f in args.folders], Path(args.out), campaign)
    _err(err, f"merged {merged.letters} letters into {Path(args.out) / 'manifest.json'} and manifest.csv; "
              f"errors.csv lists {merged.errors} row(s)"
              + (f", {merged.repeats} of them repeating an earlier row" if merged.repeats else ""))
    # As one run over the whole file would: 2 when rows were rejected (probe QA note).
    return 2 if merged.errors else 0


def cmd_locales(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from . import catalogs

    if args.action == "extract":
        for path in catalogs.write_templates():
            _err(err, f"wrote {path}")
        return 0
    if args.action == "init":
        if not args.locale:
            raise InputError("locale", "'objector locales init' needs a locale, e.g. 'objector locales init de'")
        for path in catalogs.init(args.locale):
            _err(err, f"wrote {path}")
        return 0
    targets = [_existing_locale(catalogs, args.locale)] if args.locale else catalogs.catalog_locales()
    if args.action == "update":
        for loc in targets:
            for path in catalogs.update(loc):
                _err(err, f"updated {path}")
        return 0
    if args.action == "check":
        # Every domain, campaign included: a translator fixes what is listed, with its line.
        statuses = [catalogs.check(loc, catalogs.ALL_DOMAINS) for loc in targets]
        base = Path.cwd()
        bad = 0
        for st in statuses:
            for issue in st.issues:
                out.write(f"{issue.describe(base)}\n")
            if not st.complete:
                bad += 1
                out.write(f"{st.locale}: incomplete ({st.translated}/{st.total} translated, {st.fuzzy} fuzzy, "
                          f"{len(st.problems)} problems)\n")
        return 1 if bad else 0
    statuses = [catalogs.check(loc) for loc in targets]
    out.write(f"{'locale':<12} {'translated':>11} {'status':<10} name\n")
    out.write(f"{'en':<12} {'source':>11} {'complete':<10} English (the source text)\n")
    for st in statuses:
        state = "complete" if st.complete else "incomplete"
        out.write(f"{st.locale:<12} {st.percent:>10.1f}% {state:<10} {locale_display_name(st.locale)}\n")
    return 0


def _existing_locale(catalogs: Any, code: str) -> str:
    """``code`` in its one spelling, or the folder that spells it differently (``pt_br``)."""
    norm = catalogs.validate_locale_code(code)
    same = catalogs.existing_spelling(norm)
    if same is None:
        raise InputError("locale", f"no catalogs for {code!r}; start them with 'objector locales init {norm}'")
    return str(same)


def _ask_grounds(stdin: IO[str], stderr: IO[str]) -> tuple[str | None, str | None] | None:
    """Ask on a terminal for grounds: a preset by number, or the person's own words.

    The prompt and the reason titles are in the interface language; a choice that
    is not on the list is asked again. None at the end of input (nothing chosen).
    """
    ui = translations(ui_locale(), "objector")
    _ = ui.gettext
    reasons = list(dataset().reasons.items())
    stderr.write(_("An objection under Art. 21(1) needs grounds relating to your particular situation.") + "\n"
                 + _("Choose an example to start from, or write your own:") + "\n")
    for i, (name, r) in enumerate(reasons, 1):
        stderr.write(f"  {i}. {ui.pgettext('reason-title', r.title)} ({name})\n")
    # Not inside the f-string: the extractor only sees a plain _() call (probe m10).
    own = _("Write my own")
    stderr.write(f"  0. {own}\n")
    while True:
        choice = _ask(stdin, stderr, _("Your choice: "))
        if choice is None:
            return None
        if choice.isdigit() and 1 <= int(choice) <= len(reasons):
            extra = _ask(stdin, stderr, _("Add a sentence about your own situation (Enter to skip): "))
            return extra or None, reasons[int(choice) - 1][0]
        if choice in ("0", ""):
            text = _ask(stdin, stderr, _("Your grounds, in one paragraph: "))
            return text or None, None
        stderr.write(_("Please answer with a number from 0 to %(last)d.") % {"last": len(reasons)} + "\n")


def _ask(stdin: IO[str], stderr: IO[str], prompt: str) -> str | None:
    """One answer, stripped; None at the end of input."""
    stderr.write(prompt)
    stderr.flush()
    line = stdin.readline()
    return line.strip() if line else None


def _write(path: str, data: bytes, out: IO[str]) -> None:
    if path == "-":
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            out.flush()
            buffer.write(data)
            buffer.flush()
        else:
            out.write(data.decode("utf-8", errors="replace"))
        return
    from .output.files import atomic_write
    atomic_write(Path(path), data)


def cmd_letter(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[str],
               interactive: bool) -> int:
    if args.format == "pdf" and args.output == "-" and out.isatty():
        # A PDF is binary: on a terminal it is noise (and can upset the terminal).
        raise InputError("output", "a PDF cannot be shown on the terminal; write it to a file with "
                         "-o FILE, e.g. -o letter.pdf")
    _check_arguments(args)
    on = parse_date(args.date, "date") if args.date else dt.date.today()
    person = Person.create(args.name, args.email, args.country, args.state, args.address, args.profile_url)

    def make(reason: str | None, preset: str | None) -> Letter:
        return compose(person, args.kind, on=on, locale=args.locale, reason=reason,
                       reason_preset=preset, allow_no_grounds=args.no_grounds,
                       allow_incomplete=args.allow_incomplete)

    needed: GroundsRequired | None = None
    try:
        letter = make(args.reason, args.reason_preset)
    except GroundsRequired as exc:
        if not interactive:
            raise
        needed = exc
    if needed is not None:
        # Asked outside the except block: an interrupt is then not reported as
        # happening "during handling" of the missing grounds.
        try:
            answer = _ask_grounds(stdin, err)
        except KeyboardInterrupt:
            err.write("\n")
            _err(err, "interrupted; no letter written")
            return 130
        if answer is None:
            raise needed
        letter = make(*answer)
    _notes(letter, err)
    if person.country == "CA" and person.state is None:
        _err(err, "note: if you live in Quebec, give --state QC: Quebec has its own privacy law, "
                  "which this letter would then cite")
    from .output.files import EXTENSIONS, render, write_bundle
    if args.format == "all":
        folder = Path(args.output if args.output != "-" else letter.reference)
        for path in write_bundle(letter, folder, pdf_variant=args.pdf_variant):
            _err(err, f"wrote {path}")
        return 0
    pdf = None
    if args.format == "eml" and args.attach_pdf:
        pdf = render(letter, "pdf", pdf_variant=args.pdf_variant)
    data = render(letter, args.format, pdf, pdf_variant=args.pdf_variant)
    target = args.output
    if target != "-" and Path(target).is_dir():
        target = str(Path(target) / f"letter.{EXTENSIONS[args.format]}")
    _write(target, data, out)
    if target != "-":
        _err(err, f"wrote {target}")
    return 0


# Options whose values are text that goes into a letter or names a choice; paths
# (-o) may be any bytes the file system allows.
_TEXT_OPTIONS = ("name", "email", "country", "state", "address", "profile_url", "reason", "reason_preset",
                 "locale", "date")


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse an option whose bytes were not UTF-8 (Python keeps them as lone surrogates)."""
    for option in _TEXT_OPTIONS:
        value = getattr(args, option, None)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and any("\ud800" <= ch <= "\udfff" for ch in text):
                raise InputError(option, "is not valid UTF-8 text (check the terminal's encoding)")


def _notes(letter: Letter, err: IO[str]) -> None:
    if not letter.decision.covered:
        _err(err, "note: objector does not cover the law where you live yet; the letter cites no law")
    for note in letter.notes:
        _err(err, f"note: {note}")
    unconfirmed = letter.decision.unconfirmed(letter.kinds, channels=False)
    if unconfirmed:
        _err(err, f"note: {len(unconfirmed)} fact(s) in this letter are not yet confirmed from a primary "
                  "source; 'objector explain' and the how-to sheet list them")


def cmd_reasons(args: argparse.Namespace, out: IO[str]) -> int:
    reasons = dataset().reasons
    locale = ui_locale(args.locale)
    title = translations(locale, "objector").pgettext
    text = translations(locale).pgettext
    shown = {k: {"title": title("reason-title", r.title), "text": text("reason", r.text)} for k, r in reasons.items()}
    if args.json:
        out.write(json.dumps(shown, ensure_ascii=False, indent=2) + "\n")
        return 0
    for name, r in shown.items():
        out.write(f"{name}: {r['title']}\n    {r['text']}\n\n")
    return 0


def main(argv: Sequence[str] | None = None, *, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None, stdin: IO[str] | None = None,
         interactive: bool | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    inp = stdin or sys.stdin
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(out)
        return 0
    if interactive is None:
        interactive = inp.isatty() and err.isatty()
    try:
        if args.command == "explain":
            return cmd_explain(args, out)
        if args.command == "letter":
            return cmd_letter(args, out, err, inp, interactive)
        if args.command == "reasons":
            return cmd_reasons(args, out)
        if args.command == "locales":
            return cmd_locales(args, out, err)
        if args.command == "batch":
            return cmd_batch(args, out, err)
        if args.command == "merge":
            return cmd_merge(args, out, err)
        if args.command == "serve":
            return cmd_serve(args, out, err)
        if args.command == "case":
            from .case_cli import run as cmd_case

            return cmd_case(args, out, err)
        raise AssertionError(args.command)  # pragma: no cover
    except ObjectorError as exc:
        if args.debug:
            traceback.print_exc(file=err)
        _err(err, f"error: {exc}")
        return exc.exit_status
    except OSError as exc:  # an output path that cannot be written: not a bug of ours
        if args.debug:
            traceback.print_exc(file=err)
        where = f": {exc.filename}" if exc.filename else ""
        _err(err, f"error: output: cannot write{where} ({exc.strerror or exc})")
        return 1
    except Exception as exc:  # one line for people, a traceback on request
        if args.debug:
            traceback.print_exc(file=err)
        _err(err, f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
        return 1


def main_entry() -> NoReturn:
    """Console-script entry point."""
    sys.exit(main())
