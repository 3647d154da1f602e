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
