"""The batch worker pool: items of one key go to one worker where they can, in input order."""

from __future__ import annotations

import collections
import os
import time

import pytest

from objector.workers import Pool


def _work(item: tuple[str, int]) -> tuple[tuple[str, int], int]:
    time.sleep(0.005)  # long enough that both workers are busy in turn
    return item, os.getpid()


def _failed(item: tuple[str, int], why: str) -> tuple[tuple[str, int], int]:
    return item, -1


def _init() -> None:
    pass


def _share_of_main_worker(key: bool) -> float:
    # "latn" and "arab" hash to different workers (crc32 % 2: 1 and 0).
    items = [("latn" if i % 2 else "arab", i) for i in range(120)]
    pool: Pool[tuple[str, int], tuple[tuple[str, int], int]] = Pool(
        2, _work, _failed, _init, chunk=2, key=(lambda it: it[0]) if key else None)
    out = list(pool.map(items))
    assert [item for item, _ in out] == items  # every item, in input order
    by_key: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for (k, _), pid in out:
        by_key[k][pid] += 1
    return min(c.most_common(1)[0][1] / sum(c.values()) for c in by_key.values())


@pytest.mark.timeout(60)
def test_items_of_one_key_go_to_one_worker_and_come_back_in_order() -> None:
    assert _share_of_main_worker(key=True) >= 0.8
    # Without keys both workers take both kinds, alternately.
    assert _share_of_main_worker(key=False) < 0.8


def _echo(item: bytes) -> tuple[int, int]:
    return len(item), os.getpid()


def _die_on_seven(item: int) -> tuple[int, int]:
    if item == 7:
        os._exit(5)
    return item, os.getpid()


def _failed_any(item: object, why: str) -> tuple[object, str]:
    return item, why


@pytest.mark.timeout(60)
def test_chunks_too_large_to_send_ahead_wait_for_an_idle_worker() -> None:
    # 4 x 20 kB a chunk: more than a busy worker's socket is sure to take.
    items = [bytes([i]) * 20_000 for i in range(40)]
    pool: Pool[bytes, tuple[int, int]] = Pool(2, _echo, _failed_any, _init, chunk=4)  # type: ignore[arg-type]
    assert [n for n, _ in pool.map(items)] == [20_000] * 40


@pytest.mark.timeout(60)
def test_a_worker_that_dies_mid_chunk_fails_only_the_item_it_was_on() -> None:
    pool: Pool[int, tuple[object, object]] = Pool(2, _die_on_seven, _failed_any, _init, chunk=16)
    out = list(pool.map(range(40)))
    assert [item for item, _ in out] == list(range(40))
    failed = [(item, why) for item, why in out if isinstance(why, str)]
    assert failed == [(7, "the worker process stopped (exit status 5); run the batch again to retry")]


@pytest.mark.timeout(60)
def test_workers_are_replaced_after_their_share_of_items() -> None:
    pool: Pool[bytes, tuple[int, int]] = Pool(2, _echo, _failed_any, _init, chunk=2, recycle=6)  # type: ignore[arg-type]
    pids = collections.Counter(pid for _, pid in pool.map([b"x"] * 60))
    assert sum(pids.values()) == 60
    assert max(pids.values()) <= 6 and len(pids) >= 10
