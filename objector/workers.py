"""Worker processes for a batch: ordered results in a bounded window, driven from the main thread alone."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, TypeVar

from .errors import ObjectorError

T = TypeVar("T")
R = TypeVar("R")

# How long an idle worker gets to exit when told to, before it is killed.
_GRACE = 2.0
# How often the main thread looks at the stop request while it waits for results.
_TICK = 0.1
# A busy worker is sent its next chunk ahead, so it never waits for the parent
# between chunks; only a chunk this small, which the socket's buffer surely
# holds, or the parent could block on a worker that is blocked on the parent.
_AHEAD_BYTES = 32_768


class WorkersFailing(ObjectorError):
    """Worker processes keep dying: the run stops rather than churn through the input."""


class Stopped(Exception):
    """``should_stop`` asked the pool to stop; every result received before was yielded."""


def _die_with_parent(parent: int) -> None:
    """Exit when the parent dies, so an orphan can never write into the next run's folder."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)


def _worker_main(conn: Connection, init: Callable[..., None], initargs: tuple[Any, ...],
                 func: Callable[[Any], Any], parent: int, current: Any) -> None:
    # Ctrl-C on a terminal (and SIGTERM from a supervisor or `timeout`) can reach
    # the whole process group: only the parent acts on it, and kills the workers,
    # so a worker never dies half-way through a row that would be reported failed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent(parent)
    init(*initargs)
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        replies: list[tuple[int, bool, Any]] = []
        for seq, item in chunk:
            if os.getppid() != parent:
                os._exit(0)
            # Shared memory, not a message: if this item kills the process, the
            # parent still knows which one it was (and blames only that one).
            current.value = seq
            try:
                replies.append((seq, True, func(item)))
            except Exception as exc:  # any error becomes plain text, which always pickles
                replies.append((seq, False, f"{type(exc).__name__}"))
        current.value = -1
        # One message per chunk: a text batch's rows take a fraction of a
        # millisecond, and a message each cost both sides a fifth of their time.
        try:
            conn.send(replies)
        except (EOFError, OSError):
            return
        except Exception:  # a result itself would not pickle: that one becomes an error
            conn.send([_sendable(reply) for reply in replies])


def _sendable(reply: tuple[int, bool, Any]) -> tuple[int, bool, Any]:
    try:
        ForkingPickler.dumps(reply)
    except Exception as exc:
        return (reply[0], False, f"unsendable result ({type(exc).__name__})")
    return reply


@dataclass
class _Worker(Generic[T]):
    process: Any  # multiprocessing.Process of the chosen context
    conn: Connection
    current: Any  # a shared integer: the sequence number of the item it is on, or -1
    pending: deque[tuple[int, T]] = field(default_factory=deque)
    done: int = 0
    chunks: int = 0  # chunks sent and not answered yet (at most two)
    held: bytes | None = None  # a chunk too large to send ahead, sent when the worker is idle


class Pool(Generic[T, R]):
    """``jobs`` processes that apply ``func`` to items; results come back in input order.

    Everything is driven from the calling thread: no helper threads, no locks, so
    nothing can deadlock. A worker gets a chunk only when it is idle, so the
    parent never blocks writing to a busy worker. At most ``window`` items are in
    flight or waiting to be yielded, so memory does not grow with the input. An
    exception in ``func`` and a worker that dies both become results (through
    ``on_error``), never a lost item.
    """

    def __init__(self, jobs: int, func: Callable[[T], R], on_error: Callable[[T, str], R],
                 init: Callable[..., None], initargs: tuple[Any, ...] = (), chunk: int = 16,
                 window: int | None = None, recycle: int | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 key: Callable[[T], str] | None = None) -> None:
        self.jobs, self.func, self.on_error = jobs, func, on_error
        self.init, self.initargs = init, initargs
        self.chunk = chunk
        self.window = window or max(jobs * chunk * 4, 64)
        self.recycle = recycle
        self.should_stop = should_stop or (lambda: False)
        # Items with the same key go to the same worker where they can (a worker
        # that would idle takes another's): a PDF worker then meets few scripts,
        # so fewer fonts and line caches, and more cache hits.
        self.key = key
        # fork where it exists: a worker starts in milliseconds with objector loaded.
        self.ctx: Any = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self.workers: list[_Worker[T]] = []
        self.crashes = 0

    def _start(self) -> _Worker[T]:
        parent_end, child_end = self.ctx.Pipe()
        current = self.ctx.RawValue("q", -1)
        proc = self.ctx.Process(target=_worker_main, daemon=True,
                                args=(child_end, self.init, self.initargs, self.func, os.getpid(), current))
        proc.start()
        child_end.close()
        return _Worker(proc, parent_end, current)

    def _lane(self, item: T) -> int:
        """The worker an item's key belongs to (a stable hash: the same in every run)."""
        assert self.key is not None
        return zlib.crc32(self.key(item).encode("utf-8", "replace")) % self.jobs

    def _retire(self, w: _Worker[T], kill: bool) -> None:
        with contextlib.suppress(OSError, ValueError):
            if kill:
                # Nothing in a worker needs a tidy exit: a half-built folder has a
                # temporary name that the parent removes once the worker is gone.
                w.process.kill()
            else:
                w.conn.send(None)
        w.process.join(_GRACE)
        if w.process.is_alive():
            w.process.kill()
            w.process.join()
        w.conn.close()

    def map(self, items: Iterable[T]) -> Iterator[R]:
        """Yield ``func(item)`` for every item, in order; raises Stopped when asked to stop."""
        source = enumerate(items)
        retry: deque[tuple[int, T]] = deque()  # sent to a worker that died before doing them
        exhausted = False
        next_out = 0  # the sequence number to yield next
        next_in = 0  # the sequence number the next item read gets
        ready: dict[int, R] = {}
        # Items read ahead for each worker, by key (see ``key``).
        waiting: list[deque[tuple[int, T]]] = [deque() for _ in range(self.jobs)]
        clean = False
        try:
            self.workers = [self._start() for _ in range(self.jobs)]
            while True:
                while next_out in ready:
                    yield ready.pop(next_out)
                    next_out += 1
                if self.should_stop():
                    for seq in sorted(ready):  # finished already: report them too
                        yield ready.pop(seq)
                    raise Stopped
                for i, w in enumerate(self.workers):
                    if w.held is not None:
                        if not w.chunks:
                            self._send(w, w.held)
                            w.held = None
                        continue
                    if w.chunks >= 2:
                        continue
                    if exhausted and not retry and not any(waiting):
                        continue
                    if self.recycle and w.done + len(w.pending) >= self.recycle:
                        if w.pending:
                            continue  # it finishes what it has, then it is replaced
                        # Replaced while idle: its memory (caches) goes with it.
                        self._retire(w, kill=False)
                        w = self.workers[i] = self._start()
                    chunk: list[tuple[int, T]] = []
                    while retry and len(chunk) < self.chunk:
                        chunk.append(retry.popleft())
                    if self.key is None:
                        while not exhausted and len(chunk) < self.chunk and next_in < next_out + self.window:
                            try:
                                chunk.append(next(source))
                            except StopIteration:
                                exhausted = True
                                break
                            next_in += 1
                    else:
                        own = waiting[i]
                        # Read ahead (within the window) until this worker has a chunk.
                        while not exhausted and len(own) < self.chunk and next_in < next_out + self.window:
                            try:
                                seq, item = next(source)
                            except StopIteration:
                                exhausted = True
                                break
                            next_in += 1
                            waiting[self._lane(item)].append((seq, item))
                        # Nothing of its own: an idle worker takes the oldest waiting
                        # items of another (a busy one waits for its own).
                        donor = own if own or w.chunks else min((q for q in waiting if q), key=lambda q: q[0][0],
                                                                default=own)
                        while donor and len(chunk) < self.chunk:
                            chunk.append(donor.popleft())
                    if chunk:
                        w.pending.extend(chunk)
                        data = bytes(ForkingPickler.dumps(chunk))
                        if w.chunks and len(data) > _AHEAD_BYTES:
                            w.held = data
                        else:
                            self._send(w, data)
                busy = [w for w in self.workers if w.pending]
                if exhausted and not busy and not retry and not any(waiting):
                    break
                if not busy:
                    continue  # the window is full of finished results: yield them first
                waits: list[Any] = [w.conn for w in busy] + [w.process.sentinel for w in busy]
                fired = set(wait(waits, timeout=_TICK))
                for i, w in enumerate(self.workers):
                    if w.conn in fired:
                        self._receive(w, ready)
                    if w.process.sentinel in fired and w.pending:
                        self._receive(w, ready)  # what it sent before it died
                        retry.extend(self._lost(w, ready))
                        self.workers[i] = self._start()
            clean = True
        finally:
            for w in self.workers:
                self._retire(w, kill=not clean)
            self.workers = []

    def _send(self, w: _Worker[T], data: bytes) -> None:
        w.chunks += 1
        # If it died, the send fails and its sentinel reports it.
        with contextlib.suppress(OSError, ValueError):
            w.conn.send_bytes(data)

    def _receive(self, w: _Worker[T], ready: dict[int, R]) -> None:
        while w.pending:
            try:
                if not w.conn.poll():
                    return
                replies = w.conn.recv()
            except (EOFError, OSError):
                return
            w.chunks -= 1
            for seq, ok, value in replies:  # a chunk's results, in its order
                _, item = w.pending.popleft()
                w.done += 1
                ready[seq] = value if ok else self.on_error(item, f"internal error: {value}")

    def _lost(self, w: _Worker[T], ready: dict[int, R]) -> list[tuple[int, T]]:
        """A worker died: the item it was on fails (it may be what killed it); the rest go to another."""
        w.process.join()
        code = w.process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        # The item it was on; the chunk's items it had finished were not sent
        # yet and go to another worker with the rest.
        on = w.current.value
        at = next((i for i, (seq, _) in enumerate(w.pending) if seq == on), 0)
        seq, item = w.pending[at]
        del w.pending[at]
        ready[seq] = self.on_error(item, f"the worker process stopped ({how}); run the batch again to retry")
        rest = list(w.pending)
        w.pending.clear()
        w.conn.close()
        self.crashes += 1
        if self.crashes > 2 * self.jobs + 2:
            raise WorkersFailing(f"worker processes keep stopping (last: {how})")
        return rest
