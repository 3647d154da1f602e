"""Many letters at once: streamed input, parallel workers, atomic bundles, resumable, a manifest.

Each valid row becomes one folder ``letters/<reference>/`` holding the letter in
every format asked for. The folder is
built under a temporary name and renamed into place, so it either exists whole
or not at all: a run killed at any moment and started again skips every folder
that exists and builds the rest. References are a pure function of the person,
the letter and the date, so the same input always gives the same names and bytes.

Every temporary file objector makes starts with ``.objector-`` and ends with
``-<pid>.part`` (the writing process): a later run removes only those, and only
when their writer is gone.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from .errors import GroundsRequired, InputError, ObjectorError
from .letter import Letter, compose, fingerprint_for
from .person import Person
from .rows import Row, csv_line, read_rows
from .workers import Pool, Stopped

# A bundle's identity: the full fingerprint of the letter it holds (hidden file).
FINGERPRINT = ".fingerprint"

__all__ = ["BatchInterrupted", "BatchOptions", "Result", "Row", "Stopped", "Summary", "merge_manifests",
           "print_pdf", "run", "run_batch"]

BATCH_FORMATS = ("pdf", "eml", "text", "html", "ics", "howto", "json")
FILE_NAMES = {"pdf": "letter.pdf", "eml": "letter.eml", "text": "letter.txt", "html": "letter.html",
              "ics": "reminder.ics", "howto": "how-to-send.txt", "json": "letter.json"}
MANIFEST_COLUMNS = ("row", "reference", "name", "email", "country", "state", "regime", "locale",
                    "kinds", "date", "due", "controller", "channels", "files", "sha256")
ERROR_COLUMNS = ("row", "field", "message")
Status = Literal["written", "skipped", "valid", "rejected", "failed"]
# Temporary files and folders: ".objector-<what>-<pid>.part". Nothing else is ever removed.
TEMP_PREFIX = ".objector-"
_TEMP_NAME = re.compile(r"^\.objector-.+-(\d+)\.part$")


@dataclass(frozen=True)
class BatchOptions:
    """What a batch run produces and how."""

    out: Path
    formats: tuple[str, ...] = ("pdf", "eml", "text")
    jobs: int = 1
    on: dt.date | None = None
    dry_run: bool = False
    shard: tuple[int, int] = (1, 1)
    campaign: Any = None  # objector.campaign.Campaign
    attach_pdf: bool = True
    # When this run started, by the output disk's own clock: a bundle newer than
    # this was written by this run ("written"), an older one by an earlier run
    # ("skipped"). Duplicates are not told by time but by reference, in row order.
    started_ns: int = 0
    # None (a tagged PDF) or one of output.pdfa.PDF_VARIANTS.
    pdf_variant: str | None = None
    # "zip": bundles go into one zip per shard (objector.archive), not folders.
    archive: str | None = None
    # Archive mode: reference -> file names an earlier run's zip holds already.
    done: Any = None


@dataclass
class Result:
    """What became of one input row."""

    row: int
    status: Status
    reference: str | None = None
    entry: dict[str, Any] | None = None
    field: str | None = None
    message: str | None = None
    # (errno, strerror, path) of a write that failed: it would fail for every row
    # (a full disk, a read-only folder), so the run stops on it.
    fatal: tuple[int, str, str] | None = None
    # Archive mode: the bundle's files, compressed by the worker, on their way
    # to the batch process's zip (objector.zipstream.Packed).
    packed: tuple[Any, ...] | None = None
    # Why the letter is not in its country's language (a campaign's fallback): said
    # once per country at the end of the run (probe M13). Holds no person data.
    note: str | None = None


class BatchInterrupted(KeyboardInterrupt):
    """The run was stopped by SIGINT or SIGTERM; the reports list what was done."""

    def __init__(self, signum: int, summary: Summary) -> None:
        self.signum = signum
        self.summary = summary
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_status(self) -> int:
        """128 + the signal number, as a shell reports a process stopped by it (130 for Ctrl-C)."""
        return 128 + self.signum


@dataclass
class Summary:
    """Counts for a whole run."""

    rows: int = 0
    written: int = 0
    skipped: int = 0
    valid: int = 0
    rejected: int = 0
    failed: int = 0
    seconds: float = 0.0
    by_regime: dict[str, int] = field(default_factory=dict)
    notes: dict[str, int] = field(default_factory=dict)

    def add(self, r: Result) -> None:
        if r.note:
            self.notes[r.note] = self.notes.get(r.note, 0) + 1
        self.rows += 1
        setattr(self, r.status, getattr(self, r.status) + 1)
        if r.entry:
            regime = str(r.entry["regime"])
            self.by_regime[regime] = self.by_regime.get(regime, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "written": self.written, "skipped": self.skipped, "valid": self.valid,
                "rejected": self.rejected, "failed": self.failed, "seconds": round(self.seconds, 3),
                "by_regime": dict(sorted(self.by_regime.items()))}

    @property
    def exit_status(self) -> int:
        """0 all done; 2 when any row was rejected as bad input; 1 when any failed otherwise."""
        return 2 if self.rejected else 1 if self.failed else 0


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N): this machine's share of a batch split N ways."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise InputError("shard", f"{text!r} is not K/N (e.g. 2/4)") from None
    if not 1 <= k <= n:
        raise InputError("shard", f"{text!r}: K must be between 1 and N")
    return k, n


def parse_formats(text: str) -> tuple[str, ...]:
    """A comma-separated list of batch formats, in a fixed order."""
    wanted = {f.strip() for f in text.split(",") if f.strip()}
    unknown = wanted - set(BATCH_FORMATS)
    if unknown or not wanted:
        raise InputError("format", f"unknown format(s) {', '.join(sorted(unknown)) or '(none)'} "
                         f"(choose from {', '.join(BATCH_FORMATS)})")
    return tuple(f for f in BATCH_FORMATS if f in wanted)


# --- one row ------------------------------------------------------------------------------

_worker_opts: BatchOptions | None = None
_renderer: Any = None
_parent: int | None = None  # in a worker process: the batch's process, which must outlive every write


def _init_worker(opts: BatchOptions, parent: int | None = None) -> None:
    global _worker_opts, _renderer, _parent
    _worker_opts = opts
    _parent = parent
    _renderer = None
    if "pdf" in opts.formats and not opts.dry_run:
        from .output.pdf import PDFRenderer

        _renderer = PDFRenderer(opts.pdf_variant)  # one FontConfiguration per worker: flat memory


def _fallback_note(letter: Letter, opts: BatchOptions) -> str | None:
    """A note when a campaign's locale stands in for a member's country language."""
    c = opts.campaign
    if c is None or c.locale is None or c.spec.locale_policy == "force" or letter.locale != c.locale:
        return None
    p = letter.person
    if c.locale_for(p) != c.locale:
        return None
    place = f"{p.country}-{p.state}" if p.state else p.country
    return (f"letters for {place} are in {c.locale}, the campaign's locale: objector has no complete catalog "
            "for that place's language yet")


def _letter_for(row: Row, opts: BatchOptions) -> Letter:
    f = row.fields
    person = Person.from_mapping(f)
    c = opts.campaign
    kind = (f.get("kind") or (c.kind if c else None) or "auto").strip()
    locale = (f.get("locale") or "").strip() or (c.locale_for(person) if c else None)
    preset = (f.get("reason_preset") or "").strip() or (c.reason_preset if c else None)

    def make() -> Letter:
        return compose(person, kind, on=opts.on, locale=locale, reason=f.get("reason") or None,
                       reason_preset=preset, allow_no_grounds=bool(c and c.allow_no_grounds),
                       extra_paragraphs=c.extra_paragraphs if c else None,
                       templates=c.environment if c else None)

    return c.guarded(make) if c else make()


def entry_for(letter: Letter, row: int, files: dict[str, bytes]) -> dict[str, Any]:
    """The manifest entry of a letter: who, which law, where to send it, the files and their hashes."""
    d = letter.decision
    return {
        "row": row,
        "reference": letter.reference,
        "name": letter.person.name,
        "email": letter.person.email,
        "country": letter.person.country,
        "state": letter.person.state,
        "regime": d.regime.id,
        "locale": letter.locale,
        "kinds": list(letter.kinds),
        "date": letter.date.isoformat(),
        "due": letter.due.isoformat(),
        "controller": d.controller.name,
        "channels": [{"id": cid, "name": ch.name, "url": ch.url} for cid, ch in d.channels],
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def render_files(letter: Letter, formats: tuple[str, ...], renderer: Any = None,
                 attach_pdf: bool = True, campaign: Any = None) -> dict[str, bytes]:
    """Every asked-for format of ``letter`` as file name -> bytes (PDF rendered once)."""
    from .output.files import render

    pdf = None
    if "pdf" in formats:
        html = campaign.render_html(letter) if campaign else None
        pdf = renderer.render(letter, html=html) if renderer is not None else render(letter, "pdf")
    files: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "pdf":
            assert pdf is not None
            files[FILE_NAMES[fmt]] = pdf
        elif fmt == "eml":
            files[FILE_NAMES[fmt]] = render(letter, "eml", pdf if attach_pdf else None)
        elif fmt == "html" and campaign:
            files[FILE_NAMES[fmt]] = campaign.render_html(letter).encode("utf-8")
        else:
            files[FILE_NAMES[fmt]] = render(letter, fmt)
    if campaign:
        pdf_renderer = None
        if "pdf" in formats:
            pdf_renderer = renderer
            if pdf_renderer is None:
                from .output.pdf import PDFRenderer

                pdf_renderer = PDFRenderer()
        files.update(campaign.member_files(letter, pdf_renderer))
    return files


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError inside names ``path`` (what the person asked for), not a temporary name."""
    try:
        yield
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from None


def _orphaned() -> bool:
    """True in a worker whose batch process is gone: it must not write any more."""
    return _parent is not None and os.getppid() != _parent


def _temp_name(what: str) -> str:
    return f"{TEMP_PREFIX}{what}-{os.getpid()}.part"


def _write_bundle(final: Path, files: dict[str, bytes]) -> None:
    """Write the folder under a temporary name and rename it into place (all or nothing)."""
    tmp = final.parent / _temp_name(final.name)
    try:
        with _naming(final):
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir()
        for name, data in files.items():
            with _naming(final / name):
                (tmp / name).write_bytes(data)
        if _orphaned():
            raise SystemExit(0)
        try:
            os.rename(tmp, final)  # atomic: the folder appears whole or not at all
        except OSError as exc:
            if not final.is_dir():
                raise OSError(exc.errno, exc.strerror, str(final)) from None
            # Another worker wrote the same letter just now (a repeated row): the
            # bytes are the same, and the parent tells which row was first.
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _add_file(path: Path, data: bytes) -> None:
    """Add one file to a finished folder atomically, under objector's temporary name."""
    tmp = path.parent / _temp_name(path.name)
    try:
        with _naming(path):
            tmp.write_bytes(data)
            if _orphaned():
                raise SystemExit(0)
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def process_row(row: Row, opts: BatchOptions, renderer: Any = None) -> Result:
    """Validate, compose, render and write one row (or find it done already)."""
    if row.problem is not None:
        return Result(row.number, "rejected", field=row.field, message=row.problem)
    try:
        letter = _letter_for(row, opts)
    except InputError as exc:
        return Result(row.number, "rejected", field=exc.field, message=exc.message)
    except GroundsRequired as exc:
        return Result(row.number, "rejected", field="reason", message=exc.row_message)
    except ObjectorError as exc:
        return Result(row.number, "failed", field="letter", message=str(exc))
    note = _fallback_note(letter, opts)
    if opts.dry_run:
        return Result(row.number, "valid", letter.reference,
                      entry={"regime": letter.decision.regime.id, "reference": letter.reference}, note=note)
    final = opts.out / "letters" / letter.reference
    try:
        return dataclasses.replace(_produce(row, letter, final, opts, renderer), note=note)
    except OSError as exc:
        return Result(row.number, "failed", letter.reference, field="output",
                      fatal=(exc.errno or 0, exc.strerror or str(exc), str(exc.filename or final)))


def _produce(row: Row, letter: Letter, final: Path, opts: BatchOptions, renderer: Any) -> Result:
    if opts.archive:
        from .archive import produce

        return produce(row, letter, opts, renderer)
    fingerprint = fingerprint_for(letter)
    if final.is_dir():
        # A folder under this reference that holds another person's letter (a
        # reference collision, negligible at 100 bits but checked) is never
        # overwritten, read or pointed at: this row fails instead (probe M4).
        stored = final / FINGERPRINT
        if stored.is_file() and stored.read_text(encoding="ascii").strip() != fingerprint:
            return Result(row.number, "failed", letter.reference, field="reference",
                          message="another letter already has this reference; this row was not written")
        # Finished already: the folder only ever appears whole, and its bytes are
        # what this run would write, so it is read, not redone.
        new = bool(opts.started_ns) and final.stat().st_mtime_ns >= opts.started_ns
        _remove_dead_temporaries(final)
        missing = [f for f in opts.formats if not (final / FILE_NAMES[f]).is_file()]
        if missing:
            # Asked for more formats than an earlier run made: add them, each atomically.
            try:
                added = render_files(letter, tuple(missing), renderer, opts.attach_pdf, opts.campaign)
            except ObjectorError as exc:
                return Result(row.number, "failed", letter.reference, field="render", message=str(exc))
            for name, data in added.items():
                if not (final / name).is_file():
                    _add_file(final / name, data)
        files = {p.name: p.read_bytes() for p in sorted(final.iterdir())
                 if p.is_file() and not p.name.startswith(".")}
        status: Status = "written" if missing or new else "skipped"
        return Result(row.number, status, letter.reference, entry_for(letter, row.number, files))
    try:
        files = render_files(letter, opts.formats, renderer, opts.attach_pdf, opts.campaign)
    except ObjectorError as exc:
        return Result(row.number, "failed", letter.reference, field="render", message=str(exc))
    entry = entry_for(letter, row.number, files)
    # The fingerprint travels as a hidden file: not a deliverable, not in the manifest.
    _write_bundle(final, {**files, FINGERPRINT: fingerprint.encode("ascii")})
    return Result(row.number, "written", letter.reference, entry)


def _failed(row: Row, message: str) -> Result:
    return Result(row.number, "failed", field="row", message=message)


def _work(row: Row) -> Result:
    """One row in a worker: whatever goes wrong becomes this row's result, never a lost task."""
    assert _worker_opts is not None
    try:
        return process_row(row, _worker_opts, _renderer)
    except Exception as exc:  # a bug or a library error: the row fails, the batch goes on
        return _failed(row, f"internal error: {type(exc).__name__}")


# --- the run ------------------------------------------------------------------------------

def select_shard(rows: Iterable[Row], shard: tuple[int, int]) -> Iterator[Row]:
    """Every N-th record, starting at the K-th: the same split on every machine."""
    k, n = shard
    for index, row in enumerate(rows):
        if index % n == k - 1:
            yield row


def _check_out(out: Path) -> None:
    if out.is_symlink():
        # Followed, it would write (and clean) wherever the link points, even /etc.
        raise InputError("out", f"{out} is a symbolic link; give the folder it points to")


def run(source: Path | Iterable[Row], opts: BatchOptions,
        on_result: Callable[[Result], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> Generator[Result, None, None]:
    """Process every row of ``source`` (a CSV/JSONL path or rows) and yield results in input order.

    Rows are streamed and handed to ``opts.jobs`` worker processes a window at a
    time, so memory does not grow with the number of rows. A row that repeats an
    earlier row's letter (same reference) is rejected, whether the folder was
    written by this run, an earlier run, or not at all (a dry run). A write that
    fails (a full disk) raises OSError naming the file; ``should_stop`` returning
    True raises Stopped after the results received so far.
    """
    rows = read_rows(source) if isinstance(source, Path) else iter(source)
    rows = select_shard(rows, opts.shard)
    if not opts.dry_run:
        _check_out(opts.out)
        # Archive mode keeps the bundles in letters.zip: no empty letters/ beside it.
        (opts.out if opts.archive else opts.out / "letters").mkdir(parents=True, exist_ok=True)
        clean_temporary(opts.out, reports=False)
        if not opts.started_ns:
            marker = opts.out / _temp_name("started")
            marker.touch()
            opts = dataclasses.replace(opts, started_ns=marker.stat().st_mtime_ns)
            marker.unlink()
    sink = None
    if opts.archive and not opts.dry_run:
        from .archive import ZipSink

        sink = ZipSink(opts.out, opts.shard, _temp_name("archive"))
        opts = dataclasses.replace(opts, done=sink.done())
    try:
        yield from _ordered(rows, opts, should_stop, on_result, sink)
    finally:
        if sink is not None:
            sink.close()  # however the run ended: the zip holds every bundle finished


def _ordered(rows: Iterator[Row], opts: BatchOptions, should_stop: Callable[[], bool] | None,
             on_result: Callable[[Result], None] | None, sink: Any) -> Generator[Result, None, None]:
    first: dict[str, int] = {}
    for result in _results(rows, opts, should_stop or (lambda: False)):
        if result.fatal is not None:
            raise OSError(*result.fatal)
        if result.reference and result.status in ("written", "skipped", "valid"):
            earlier = first.setdefault(result.reference, result.row)
            if earlier != result.row:
                result = Result(result.row, "rejected", result.reference, field="row",
                                message=f"same person and letter as row {earlier}")
            elif sink is not None:
                sink.add(result)
        if on_result is not None:
            on_result(result)
        yield result


def _place(row: Row) -> str:
    """What decides a letter's language and fonts: its locale column, else its country."""
    fields = row.fields
    return (fields.get("locale") or "").strip() or (fields.get("country") or "").strip().upper()


def _results(rows: Iterator[Row], opts: BatchOptions, should_stop: Callable[[], bool]) -> Iterator[Result]:
    if opts.jobs <= 1:
        _init_worker(opts)
        for row in rows:
            if should_stop():
                raise Stopped
            yield _work(row)
        return
    pdf = "pdf" in opts.formats and not opts.dry_run
    # PDF workers slowly grow (WeasyPrint's caches): each is replaced after 500
    # letters, which costs one import (~0.6 s) and keeps memory flat. The parent
    # does not import WeasyPrint, so it stays small.
    # Rows of one place (so one language and script) go to the same PDF worker
    # where they can: each worker loads fewer fonts and reuses its line cache.
    pool: Pool[Row, Result] = Pool(opts.jobs, _work, _failed, _init_worker, (opts, os.getpid()),
                                   chunk=2 if pdf else 16, recycle=500 if pdf else None,
                                   should_stop=should_stop, key=_place if pdf else None)
    yield from pool.map(rows)


def _writer_gone(path: Path) -> bool:
    """Whether ``path`` is objector's temporary file and the process that wrote it has ended."""
    m = _TEMP_NAME.match(path.name)
    if m is None:
        return False
    pid = int(m.group(1))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _remove_dead_temporaries(folder: Path) -> None:
    for tmp in folder.glob(f"{TEMP_PREFIX}*.part"):
        if _writer_gone(tmp):
            _remove(tmp)


def clean_temporary(out: Path, reports: bool = True) -> None:
    """Remove what an ended run left half-built: objector's own temporaries whose writer is gone.

    Only names objector makes (``.objector-…-<pid>.part``) are touched, and only
    when process <pid> has ended: a file of the person's, or one a running
    worker is writing, is left alone.
    """
    if out.is_symlink():
        return
    letters = out / "letters"
    if letters.is_dir() and not letters.is_symlink():
        _remove_dead_temporaries(letters)
    if reports and out.is_dir():
        _remove_dead_temporaries(out)


def manifest_csv_row(e: dict[str, Any]) -> str:
    """One manifest entry as a CSV line (columns as MANIFEST_COLUMNS, cells neutralised)."""
    return csv_line([
        e["row"], e["reference"], e["name"], e["email"], e["country"], e["state"] or "",
        e["regime"], e["locale"], "+".join(e["kinds"]), e["date"], e["due"], e["controller"],
        " ".join(ch["url"] or ch["id"] for ch in e["channels"]),
        " ".join(f"letters/{e['reference']}/{name}" for name in e["files"]),
        " ".join(e["files"].values())])


class Reports:
    """Streams the manifest (JSON and CSV) and the error report, then moves them into place.

    A failed write (a full disk) names the report, not its temporary file, and
    marks the reports broken: they are then removed, never finished half.
    """

    def __init__(self, out: Path, dry_run: bool) -> None:
        self.out = out
        self.dry_run = dry_run
        self.broken = False
        self.parts = {name: out / _temp_name(name) for name in ("manifest.jsonl", "manifest.csv", "errors.csv")}
        # The names an error reports, made once: a Path per write cost the batch
        # process a tenth of its time in a 20,000-letter text batch.
        self._named = {name: out / name.replace(".jsonl", ".json") for name in self.parts}
        self._files: dict[str, IO[str]] = {}
        try:
            with _naming(out):
                out.mkdir(parents=True, exist_ok=True)
            for name, part in self.parts.items():
                with _naming(out / name):
                    self._files[name] = part.open("w", encoding="utf-8", newline="")
            self._write("manifest.csv", csv_line(list(MANIFEST_COLUMNS)))
            self._write("errors.csv", csv_line(list(ERROR_COLUMNS)))
        except BaseException:
            self.abort()
            raise

    def _write(self, name: str, text: str) -> None:
        try:
            with _naming(self._named[name]):
                self._files[name].write(text)
        except BaseException:
            self.broken = True
            raise

    def add(self, r: Result) -> None:
        if r.status in ("rejected", "failed"):
            self._write("errors.csv", csv_line([r.row, r.field, r.message]))
            return
        if self.dry_run or r.entry is None:
            return
        self._write("manifest.jsonl", json.dumps(r.entry, ensure_ascii=False) + "\n")
        self._write("manifest.csv", manifest_csv_row(r.entry))

    def abort(self) -> None:
        """Close and remove the partial reports (a failed run): never raises."""
        for fh in self._files.values():
            with contextlib.suppress(OSError):
                fh.close()  # a full disk fails the flush; the file is closed all the same
        for part in [*self.parts.values(), self.out / _temp_name("manifest.json"), self.out / _temp_name("summary")]:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)

    def finish(self, summary: Summary, options: dict[str, Any], stopped: str | None = None) -> None:
        """Move complete reports into place; on any failure nothing partial is left."""
        try:
            self._finish(summary, options, stopped)
        except BaseException:
            self.abort()
            raise

    def _finish(self, summary: Summary, options: dict[str, Any], stopped: str | None) -> None:
        if self.broken:
            raise OSError("the reports could not be written")
        for name, fh in self._files.items():
            with _naming(self.out / name.replace(".jsonl", ".json")):
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
        o = self.out
        if not self.dry_run:
            # manifest.json: one object, entries streamed from the .jsonl part.
            part = o / _temp_name("manifest.json")
            with _naming(o / "manifest.json"), part.open("w", encoding="utf-8") as dst, \
                    self.parts["manifest.jsonl"].open(encoding="utf-8") as src:
                dst.write('{"objector_manifest": 1, "options": ' + json.dumps(options, ensure_ascii=False)
                          + ', "letters": [\n')
                first = True
                for line in src:
                    dst.write(("" if first else ",\n") + line.rstrip("\n"))
                    first = False
                dst.write("\n]}\n")
                dst.flush()
                os.fsync(dst.fileno())
            os.replace(part, o / "manifest.json")
            os.replace(self.parts["manifest.csv"], o / "manifest.csv")
        for name in ("manifest.jsonl", "manifest.csv"):
            self.parts[name].unlink(missing_ok=True)
        os.replace(self.parts["errors.csv"], o / "errors.csv")
        part = o / _temp_name("summary")
        # No timings in the file: the same input gives byte-identical output. The
        # date lets a rerun on another day make the same letters (recorded_date).
        counts: dict[str, Any] = {k: v for k, v in summary.as_dict().items() if k != "seconds"}
        counts["date"] = options.get("date")
        if stopped:
            counts["stopped"] = stopped
        with _naming(o / "summary.json"):
            part.write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
            os.replace(part, o / "summary.json")


def recorded_date(out: Path) -> dt.date | None:
    """The letter date of an earlier batch into ``out`` (summary.json, else manifest.json), if any.

    A rerun on another day without --date uses it, so it finishes the same
    letters instead of building a second set under new references.
    """
    if not (out / "letters").is_dir() or out.is_symlink():
        return None
    for name, key in (("summary.json", ("date",)), ("manifest.json", ("options", "date"))):
        try:
            value: Any = json.loads((out / name).read_text(encoding="utf-8"))
            for k in key:
                value = value[k]
            return dt.date.fromisoformat(value)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


class Progress:
    """A one-line progress bar with rate and ETA, for terminals only."""

    def __init__(self, stream: IO[str], total: int | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.total, self.clock = stream, total, clock
        self.start = self.last = clock()
        self.last = -1.0
        self.width = 0
        self.first: tuple[float, int] | None = None

    def _eta(self, now: float, done: int, final: bool) -> str:
        if final:
            return "0:00"
        # Measured from the first result on: worker start-up (WeasyPrint's import)
        # is not letter time, and one early result is no rate to extrapolate.
        if self.first is None or self.total is None:
            return "--:--"
        t0, d0 = self.first
        if now - t0 < 1.0 or done - d0 < 2:
            return "--:--"
        eta = int((self.total - done) / ((done - d0) / (now - t0)))
        hours, rest = divmod(eta, 3600)
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"

    def update(self, done: int, final: bool = False) -> None:
        now = self.clock()
        if self.first is None and done:
            self.first = (now, done)
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            text = (f"[{bar:<30}] {done}/{self.total} {frac:4.0%}  {rate:7.1f} letters/s  "
                    f"ETA {self._eta(now, done, final)}")
        else:
            text = f"{done} rows  {rate:7.1f} letters/s"
        # Blank out what a longer earlier line left behind ("ETA 3:488").
        pad = " " * max(self.width - len(text), 0)
        self.width = len(text)
        self.stream.write("\r" + text + pad + ("\n" if final else ""))
        self.stream.flush()


def count_rows(path: Path) -> int:
    """How many records a file holds (for the progress bar's ETA)."""
    return sum(1 for _ in read_rows(path))


class _StopRequest:
    """SIGINT and SIGTERM set a flag that the run looks at between rows: no exception
    lands in the middle of a report line or a worker's bookkeeping."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self) -> bool:
        return self.signum is not None

    def _handle(self, signum: int, frame: Any) -> None:
        self.signum = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals go to the main thread only; a library caller handles them
            return
        old = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in old.items():
                signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def run_batch(source: Path, opts: BatchOptions, progress: IO[str] | None = None) -> Summary:
    """Run a whole batch: bundles, manifest.json/.csv, errors.csv, summary.json under ``opts.out``.

    However the run ends (done, a failed write, SIGINT/SIGTERM), the workers are
    stopped, no temporary file is left, and the reports describe what was done
    (unless the disk cannot hold them: then there are none). A signal raises
    BatchInterrupted; a failure raises its own error after the reports.
    """
    started = time.monotonic()
    _check_out(opts.out)
    # Read the header (and first record) before writing anything: a file that is
    # missing, empty or lacks a required column changes nothing on disk.
    next(iter(read_rows(source)), None)
    total = None
    if progress is not None:
        total = count_rows(source)
        k, n = opts.shard
        total = len(range(k - 1, total, n))
    stop = _StopRequest()
    with stop.installed():
        clean_temporary(opts.out)
        reports = Reports(opts.out, opts.dry_run)
        summary = Summary()
        bar = Progress(progress, total) if progress is not None else None
        failure: BaseException | None = None
        stopped = False
        results = run(source, opts, should_stop=stop)
        try:
            for result in results:
                summary.add(result)
                reports.add(result)
                if bar:
                    bar.update(summary.rows)
        except Stopped:
            stopped = True
        except BaseException as exc:
            failure = exc
        finally:
            results.close()  # stops the workers at once if the loop ended early
        summary.seconds = time.monotonic() - started
        if bar:
            bar.update(summary.rows, final=True)
        options = {
            "input": source.name, "formats": list(opts.formats), "date": opts.on.isoformat() if opts.on else None,
            "shard": f"{opts.shard[0]}/{opts.shard[1]}",
            "campaign": opts.campaign.name if opts.campaign else None,
        }
        try:
            if failure is not None and not isinstance(failure, Exception):
                raise failure  # e.g. a KeyboardInterrupt outside the main thread: no reports
            reason = None
            if stopped:
                reason = "interrupted" if stop.signum == signal.SIGINT else "terminated"
            elif failure is not None:
                reason = "failed"
            reports.finish(summary, options, stopped=reason)
        except BaseException as exc:
            reports.abort()
            raise failure or exc from None
        finally:
            clean_temporary(opts.out)  # what stopped workers left behind
        if failure is not None:
            raise failure
        if stopped:
            assert stop.signum is not None
            raise BatchInterrupted(stop.signum, summary)
        if opts.campaign and not opts.dry_run and opts.shard[1] == 1:
            # A shard sees part of the members: its covering letter would be wrong.
            # 'objector merge --campaign' writes them for the whole set.
            opts.campaign.finish(opts.out)
    return summary


# --- shards -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Merged:
    """What a merge found: letters kept, and rows in the merged errors.csv (repeats among them)."""

    letters: int
    errors: int
    repeats: int


# Every manifest entry has these, with these types (``state`` may be null).
_ENTRY_TYPES: dict[str, type | tuple[type, ...]] = {
    "row": int, "reference": str, "name": str, "email": str, "country": str, "state": (str, type(None)),
    "regime": str, "locale": str, "kinds": list, "date": str, "due": str, "controller": str,
    "channels": list, "files": dict}


def _entry_ok(e: Any) -> bool:
    if not isinstance(e, dict):
        return False
    for key, kind in _ENTRY_TYPES.items():
        if key not in e or not isinstance(e[key], kind) or isinstance(e[key], bool):
            return False
    return (all(isinstance(k, str) for k in e["kinds"])
            and all(isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("url"), str | None)
                    for c in e["channels"])
            and all(isinstance(k, str) and isinstance(v, str) for k, v in e["files"].items())
            and re.fullmatch(r"[A-Za-z0-9-]+", e["reference"]) is not None)


def _read_manifest(folder: Path) -> list[dict[str, Any]]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise InputError("folder", f"{folder} has no manifest.json (did its batch finish?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        data = None
    letters = data.get("letters") if isinstance(data, dict) else None
    if not isinstance(letters, list):
        raise InputError("folder", f"{path} is not an objector manifest")
    for i, e in enumerate(letters, 1):
        if not _entry_ok(e):
            raise InputError("folder", f"{path} is not an objector manifest (letter {i} lacks a field "
                             "or has one of the wrong type)")
    return letters


def _read_errors(folder: Path) -> list[tuple[int, str, str]]:
    path = folder / "errors.csv"
    if not path.is_file():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            lines = list(csv.reader(fh))
        if tuple(lines[0]) != ERROR_COLUMNS:
            raise ValueError
        return [(int(r[0]), r[1], r[2]) for r in lines[1:] if r]
    except (ValueError, IndexError, UnicodeDecodeError, csv.Error):
        raise InputError("folder", f"{path} is not an objector error report") from None


def merge_manifests(folders: list[Path], out: Path, campaign: Any = None) -> Merged:
    """Merge the reports of shard runs into ``out``: manifest.json/.csv and errors.csv, in row order.

    Every folder is read and checked before anything is written. A letter that
    two shards both made (the same person twice, in different shares) is kept
    for its first row and the later row goes to errors.csv, as in an unsharded
    run. With ``campaign``, the covering letters are written for the whole set.
    """
    entries: list[dict[str, Any]] = []
    errors: list[tuple[int, str, str]] = []
    for folder in folders:
        entries.extend(_read_manifest(folder))
        errors.extend(_read_errors(folder))
    entries.sort(key=lambda e: int(e["row"]))
    seen: set[int] = set()
    for e in entries:
        if e["row"] in seen:
            raise InputError("folder", f"row {e['row']} appears in more than one manifest")
        seen.add(e["row"])
    first: dict[str, int] = {}
    kept: list[dict[str, Any]] = []
    repeats = 0
    for e in entries:
        earlier = first.setdefault(e["reference"], e["row"])
        if earlier == e["row"]:
            kept.append(e)
        else:
            errors.append((e["row"], "row", f"same person and letter as row {earlier}"))
            repeats += 1
    errors.sort(key=lambda r: r[0])
    from .output.files import atomic_write

    with _naming(out):
        out.mkdir(parents=True, exist_ok=True)
    body = ",\n".join(json.dumps(e, ensure_ascii=False) for e in kept)
    atomic_write(out / "manifest.json",
                 ('{"objector_manifest": 1, "merged_from": ' + json.dumps([str(f) for f in folders])
                  + ', "letters": [\n' + body + "\n]}\n").encode("utf-8"))
    lines = [csv_line(list(MANIFEST_COLUMNS)), *(manifest_csv_row(e) for e in kept)]
    atomic_write(out / "manifest.csv", "".join(lines).encode("utf-8"))
    error_lines = [csv_line(list(ERROR_COLUMNS)), *(csv_line(list(r)) for r in errors)]
    atomic_write(out / "errors.csv", "".join(error_lines).encode("utf-8"))
    if campaign is not None:
        campaign.finish(out)
    return Merged(len(kept), len(errors), repeats)


def print_pdf(out: Path, duplex: bool = True) -> Path:
    """One print-ready PDF of every letter in the manifest, in row order.

    Each letter keeps its own page numbers (each was laid out on its own); with
    ``duplex`` a blank page follows a letter with an odd page count, so every
    letter starts on a new sheet.
    """
    from pypdf import PdfReader, PdfWriter

    from .output.files import atomic_write

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    writer = PdfWriter()
    for entry in manifest["letters"]:
        if "letter.pdf" not in entry["files"]:
            raise InputError("format", "--print-pdf needs the pdf format")
        reader = PdfReader(out / "letters" / entry["reference"] / "letter.pdf")
        for page in reader.pages:
            writer.add_page(page)
        if duplex and len(reader.pages) % 2:
            last = reader.pages[-1]
            writer.add_blank_page(width=last.mediabox.width, height=last.mediabox.height)
    import io

    buf = io.BytesIO()
    writer.write(buf)
    path = out / "print.pdf"
    atomic_write(path, buf.getvalue())
    return path
