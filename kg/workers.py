"""A bounded window of worker processes, shared by the build and validation.

`Pool.imap` reads its whole input ahead of the workers; here at most
``jobs * window`` items are in flight, so a lazy input (documents from a
million-line file, slices read from the store) stays lazy and memory stays
flat.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from typing import Callable, Iterable, Iterator, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def windowed_map(
    func: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    window: int = 4,
) -> Iterator[Result]:
    """``func(item)`` for each item, in input order; in this process when ``jobs <= 1``."""
    if jobs <= 1:
        if initializer:
            initializer(*initargs)
        for item in items:
            yield func(item)
        return
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")
    with context.Pool(jobs, initializer=initializer, initargs=initargs) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(func, (item,)))
            if len(pending) >= jobs * window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
