"""Many letters at once: streamed input, parallel workers, atomic bundles, resumable, a manifest.

Each valid row becomes one folder ``letters/<reference>/`` holding the letter in
every format asked for. The folder is
built under a temporary name and renamed into place, so it either exists whole
or not at all: a run killed at any moment and started again skips every folder
that exists and builds the rest. References are a pure function of the person,
the letter and the date, so the same input always gives the same names and bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from .errors import GroundsRequired, InputError, ObjectorError
from .letter import Letter, compose
from .person import Person
from .rows import Row, csv_line, read_rows

BATCH_FORMATS = ("pdf", "eml", "text", "html", "ics", "howto", "json")
FILE_NAMES = {"pdf": "letter.pdf", "eml": "letter.eml", "text": "letter.txt", "html": "letter.html",
              "ics": "reminder.ics", "howto": "how-to-send.txt", "json": "letter.json"}
MANIFEST_COLUMNS = ("row", "reference", "name", "email", "country", "state", "regime", "locale",
                    "kinds", "date", "due", "controller", "channels", "files", "sha256")
ERROR_COLUMNS = ("row", "field", "message")
Status = Literal["written", "skipped", "valid", "rejected", "failed"]


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
    # this was written by this run, so finding it again means a duplicate row.
    started_ns: int = 0


class _Duplicate(Exception):
    """The bundle was written by this run already: the row repeats an earlier one."""


@dataclass
class Result:
    """What became of one input row."""

    row: int
    status: Status
    reference: str | None = None
    entry: dict[str, Any] | None = None
    field: str | None = None
    message: str | None = None


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

    def add(self, r: Result) -> None:
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


def _init_worker(opts: BatchOptions) -> None:
    global _worker_opts, _renderer
    _worker_opts = opts
    _renderer = None
    if "pdf" in opts.formats and not opts.dry_run:
        from .output.pdf import PDFRenderer

        _renderer = PDFRenderer()  # one FontConfiguration per worker: flat memory


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


def _write_bundle(final: Path, files: dict[str, bytes]) -> None:
    tmp = final.parent / f".tmp-{final.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    try:
        os.rename(tmp, final)  # atomic: the folder appears whole or not at all
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not final.is_dir():
            raise
        raise _Duplicate from None  # another worker wrote the same letter just now


def process_row(row: Row, opts: BatchOptions, renderer: Any = None) -> Result:
    """Validate, compose, render and write one row (or find it done already)."""
    if row.problem:
        return Result(row.number, "rejected", field="row", message=row.problem)
    try:
        letter = _letter_for(row, opts)
    except InputError as exc:
        return Result(row.number, "rejected", field=exc.field, message=exc.message)
    except GroundsRequired as exc:
        return Result(row.number, "rejected", field="reason", message=str(exc))
    except ObjectorError as exc:
        return Result(row.number, "failed", field="letter", message=str(exc))
    if opts.dry_run:
        return Result(row.number, "valid", letter.reference,
                      entry={"regime": letter.decision.regime.id, "reference": letter.reference})
    final = opts.out / "letters" / letter.reference
    duplicate = Result(row.number, "rejected", letter.reference, field="row",
                       message="same person and letter as an earlier row of this file")
    if final.is_dir() and opts.started_ns and final.stat().st_mtime_ns >= opts.started_ns:
        return duplicate
    if final.is_dir():
        # Finished by an earlier run: the folder only ever appears whole, and its
        # bytes are what this run would write, so it is read, not redone.
        missing = [f for f in opts.formats if not (final / FILE_NAMES[f]).is_file()]
        if missing:
            # Asked for more formats than an earlier run made: add them, each atomically.
            from .output.files import atomic_write

            try:
                for name, data in render_files(letter, tuple(missing), renderer, opts.attach_pdf,
                                               opts.campaign).items():
                    if not (final / name).is_file():
                        atomic_write(final / name, data)
            except ObjectorError as exc:
                return Result(row.number, "failed", letter.reference, field="render", message=str(exc))
        files = {p.name: p.read_bytes() for p in sorted(final.iterdir()) if p.is_file()}
        status: Status = "written" if missing else "skipped"
        return Result(row.number, status, letter.reference, entry_for(letter, row.number, files))
    try:
        files = render_files(letter, opts.formats, renderer, opts.attach_pdf, opts.campaign)
        entry = entry_for(letter, row.number, files)
        _write_bundle(final, files)
    except _Duplicate:
        return duplicate
    except ObjectorError as exc:
        return Result(row.number, "failed", letter.reference, field="render", message=str(exc))
    return Result(row.number, "written", letter.reference, entry)


def _work(row: Row) -> Result:
    assert _worker_opts is not None
    return process_row(row, _worker_opts, _renderer)


# --- the run ------------------------------------------------------------------------------

def select_shard(rows: Iterable[Row], shard: tuple[int, int]) -> Iterator[Row]:
    """Every N-th record, starting at the K-th: the same split on every machine."""
    k, n = shard
    for index, row in enumerate(rows):
        if index % n == k - 1:
            yield row


def run(source: Path | Iterable[Row], opts: BatchOptions,
        on_result: Callable[[Result], None] | None = None) -> Iterator[Result]:
    """Process every row of ``source`` (a CSV/JSONL path or rows) and yield results in input order.

    Rows are streamed and handed to ``opts.jobs`` worker processes a window at a
    time, so memory does not grow with the number of rows.
    """
    rows = read_rows(source) if isinstance(source, Path) else iter(source)
    rows = select_shard(rows, opts.shard)
    if not opts.dry_run:
        (opts.out / "letters").mkdir(parents=True, exist_ok=True)
        clean_temporary(opts.out, reports=False)
        if not opts.started_ns:
            marker = opts.out / ".run-started.part"
            marker.touch()
            opts = dataclasses.replace(opts, started_ns=marker.stat().st_mtime_ns)
            marker.unlink()
    if opts.jobs <= 1:
        _init_worker(opts)
        for row in rows:
            yield process_row(row, opts, _renderer)
        return
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    # One ordered stream of work with back-pressure: the pool's feeder thread may
    # run at most ``window`` rows ahead of the results read here, so memory stays
    # flat however long the input, and workers never wait at a window's end.
    chunk = 16
    window = max(opts.jobs * 8 * chunk, 4 * chunk)
    slots = threading.BoundedSemaphore(window)

    def feed() -> Iterator[Row]:
        for row in rows:
            slots.acquire()
            yield row

    # PDF workers slowly grow (WeasyPrint's caches): each is replaced after about
    # a thousand letters, which costs one import (~0.6 s) and keeps memory flat.
    # The parent does not import WeasyPrint, so it stays small.
    recycle = 32 if "pdf" in opts.formats and not opts.dry_run else None
    with ctx.Pool(opts.jobs, initializer=_init_worker, initargs=(opts,), maxtasksperchild=recycle) as pool:
        for result in pool.imap(_work, feed(), chunksize=chunk):
            slots.release()
            yield result


def clean_temporary(out: Path, reports: bool = True) -> None:
    """Remove half-built bundles (and, with ``reports``, half-written reports) of an interrupted run."""
    letters = out / "letters"
    if letters.is_dir():
        for tmp in letters.glob(".tmp-*"):
            shutil.rmtree(tmp, ignore_errors=True)
    if reports and out.is_dir():
        for tmp in out.glob(".*.part"):
            tmp.unlink(missing_ok=True)


def manifest_csv_row(e: dict[str, Any]) -> str:
    """One manifest entry as a CSV line (columns as MANIFEST_COLUMNS, cells neutralised)."""
    return csv_line([
        e["row"], e["reference"], e["name"], e["email"], e["country"], e["state"] or "",
        e["regime"], e["locale"], "+".join(e["kinds"]), e["date"], e["due"], e["controller"],
        " ".join(ch["url"] or ch["id"] for ch in e["channels"]),
        " ".join(f"letters/{e['reference']}/{name}" for name in e["files"]),
        " ".join(e["files"].values())])


class Reports:
    """Streams the manifest (JSON and CSV) and the error report, then moves them into place."""

    def __init__(self, out: Path, dry_run: bool) -> None:
        self.out = out
        self.dry_run = dry_run
        out.mkdir(parents=True, exist_ok=True)
        self._manifest_jsonl = (out / ".manifest.jsonl.part").open("w", encoding="utf-8")
        self._manifest_csv = (out / ".manifest.csv.part").open("w", encoding="utf-8", newline="")
        self._errors = (out / ".errors.csv.part").open("w", encoding="utf-8", newline="")
        self._manifest_csv.write(csv_line(list(MANIFEST_COLUMNS)))
        self._errors.write(csv_line(list(ERROR_COLUMNS)))

    def add(self, r: Result) -> None:
        if r.status in ("rejected", "failed"):
            self._errors.write(csv_line([r.row, r.field, r.message]))
            return
        if self.dry_run or r.entry is None:
            return
        self._manifest_jsonl.write(json.dumps(r.entry, ensure_ascii=False) + "\n")
        self._manifest_csv.write(manifest_csv_row(r.entry))

    def abort(self) -> None:
        """Close and remove the partial reports (an interrupted or failed run)."""
        for fh in (self._manifest_jsonl, self._manifest_csv, self._errors):
            fh.close()
        for name in (".manifest.jsonl.part", ".manifest.csv.part", ".errors.csv.part"):
            (self.out / name).unlink(missing_ok=True)

    def finish(self, summary: Summary, options: dict[str, Any]) -> None:
        for fh in (self._manifest_jsonl, self._manifest_csv, self._errors):
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        o = self.out
        if not self.dry_run:
            # manifest.json: one object, entries streamed from the .jsonl part.
            part = o / ".manifest.json.part"
            with part.open("w", encoding="utf-8") as dst, (o / ".manifest.jsonl.part").open(encoding="utf-8") as src:
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
            os.replace(o / ".manifest.csv.part", o / "manifest.csv")
        for name in (".manifest.jsonl.part", ".manifest.csv.part"):
            (o / name).unlink(missing_ok=True)
        os.replace(o / ".errors.csv.part", o / "errors.csv")
        part = o / ".summary.json.part"
        # No timings in the file: the same input gives byte-identical output.
        counts = {k: v for k, v in summary.as_dict().items() if k != "seconds"}
        part.write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
        os.replace(part, o / "summary.json")


class Progress:
    """A one-line progress bar with rate and ETA, for terminals only."""

    def __init__(self, stream: IO[str], total: int | None) -> None:
        self.stream, self.total, self.start, self.last = stream, total, time.monotonic(), 0.0

    def update(self, done: int, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        if self.total:
            frac = min(done / self.total, 1.0)
            eta = (self.total - done) / rate if rate > 0 else 0
            bar = "#" * int(frac * 30)
            text = (f"\r[{bar:<30}] {done}/{self.total} {frac:4.0%}  {rate:7.1f} letters/s  "
                    f"ETA {int(eta // 60)}:{int(eta % 60):02d}")
        else:
            text = f"\r{done} rows  {rate:7.1f} letters/s"
        self.stream.write(text + ("\n" if final else ""))
        self.stream.flush()


def count_rows(path: Path) -> int:
    """How many records a file holds (for the progress bar's ETA)."""
    return sum(1 for _ in read_rows(path))


def run_batch(source: Path, opts: BatchOptions, progress: IO[str] | None = None) -> Summary:
    """Run a whole batch: bundles, manifest.json/.csv, errors.csv, summary.json under ``opts.out``."""
    started = time.monotonic()
    # Read the header (and first record) before writing anything: a file that is
    # missing, empty or lacks a required column changes nothing on disk.
    next(iter(read_rows(source)), None)
    total = None
    if progress is not None:
        total = count_rows(source)
        k, n = opts.shard
        total = len(range(k - 1, total, n))
    clean_temporary(opts.out)
    reports = Reports(opts.out, opts.dry_run)
    summary = Summary()
    bar = Progress(progress, total) if progress is not None else None
    try:
        for result in run(source, opts):
            summary.add(result)
            reports.add(result)
            if bar:
                bar.update(summary.rows)
    except BaseException:
        reports.abort()
        raise
    summary.seconds = time.monotonic() - started
    if bar:
        bar.update(summary.rows, final=True)
    reports.finish(summary, {
        "input": source.name, "formats": list(opts.formats), "date": opts.on.isoformat() if opts.on else None,
        "shard": f"{opts.shard[0]}/{opts.shard[1]}",
        "campaign": opts.campaign.name if opts.campaign else None,
    })
    if opts.campaign and not opts.dry_run:
        opts.campaign.finish(opts.out)
    return summary


def merge_manifests(folders: list[Path], out: Path) -> int:
    """Merge the manifests of shard runs into ``out``/manifest.json and .csv, ordered by row."""
    entries: list[dict[str, Any]] = []
    for folder in folders:
        path = folder / "manifest.json"
        if not path.is_file():
            raise InputError("folder", f"{folder} has no manifest.json (did its batch finish?)")
        try:
            entries.extend(json.loads(path.read_text(encoding="utf-8"))["letters"])
        except (ValueError, KeyError, TypeError):
            raise InputError("folder", f"{path} is not an objector manifest") from None
    entries.sort(key=lambda e: int(e["row"]))
    seen: set[int] = set()
    for e in entries:
        if e["row"] in seen:
            raise InputError("folder", f"row {e['row']} appears in more than one manifest")
        seen.add(e["row"])
    out.mkdir(parents=True, exist_ok=True)
    from .output.files import atomic_write

    body = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
    atomic_write(out / "manifest.json",
                 ('{"objector_manifest": 1, "merged_from": ' + json.dumps([str(f) for f in folders])
                  + ', "letters": [\n' + body + "\n]}\n").encode("utf-8"))
    lines = [csv_line(list(MANIFEST_COLUMNS)), *(manifest_csv_row(e) for e in entries)]
    atomic_write(out / "manifest.csv", "".join(lines).encode("utf-8"))
    return len(entries)


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
