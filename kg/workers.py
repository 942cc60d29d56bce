"""A bounded window of supervised worker processes, shared by the build and validation.

`Pool.imap` reads its whole input ahead of the workers; here at most
``jobs * window`` items are in flight, so a lazy input (documents from a
million-line file, slices read from the store) stays lazy and memory stays
flat.

The workers are our own processes, not a `multiprocessing.Pool`: a Pool
worker killed by a signal (the kernel's out-of-memory killer sends SIGKILL)
takes its task with it, and the caller waits for that result forever; a Pool
whose initializer fails restarts workers forever. Here each worker holds one
item at a time, so when a worker dies we know which item it held: a fresh
worker gets that item once more (the death may have been the machine's
doing, not the item's), and if that one dies too the item's result is what
the caller's ``on_death`` makes of it, or :class:`WorkerDied` is raised.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import signal
import traceback
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import Callable, Iterable, Iterator, TypeVar

from .errors import KgError

Item = TypeVar("Item")
Result = TypeVar("Result")

#: How often an idle worker checks that the process that started it still runs.
PARENT_CHECK_SECONDS = 1.0

# messages from a worker
_DONE, _RAISED, _INIT_FAILED = "done", "raised", "init-failed"


class WorkerDied(KgError, RuntimeError):
    """A worker process died (killed, out of memory, crashed) and its work could not be redone."""


class _RemoteTraceback(Exception):
    """Carries a worker's traceback as the cause of the exception re-raised here."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def describe_exit(exitcode: int | None) -> str:
    """How a worker process ended, for people: "killed by signal 9 (SIGKILL), perhaps out of memory"."""
    if exitcode is None:
        return "stopped answering"
    if exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "unknown signal"
        hint = ", perhaps out of memory" if number == getattr(signal, "SIGKILL", 9) else ""
        return f"killed by signal {number} ({name}){hint}"
    return f"exited with status {exitcode}"


def _portable(err: BaseException) -> tuple[BaseException, str]:
    """The exception and its traceback text, as something that survives pickling."""
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:  # noqa: BLE001 - an exception that cannot travel is described instead
        err = RuntimeError(f"{type(err).__name__}: {err}")
    return err, text


# -- worker side --------------------------------------------------------------------

#: The parent's ends of the pipes to workers started so far. A forked worker
#: inherits them and closes its copies, so that a dead parent's pipes break.
_parent_ends: list[Connection] = []


def _serve(conn: Connection, func, initializer, initargs, parent: int) -> None:
    for end in _parent_ends:
        end.close()
    # Ctrl-C goes to the whole process group: the parent handles it and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if initializer:
            initializer(*initargs)
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send((_INIT_FAILED, None, _portable(err)))
        return
    while True:
        while not conn.poll(PARENT_CHECK_SECONDS):
            if os.getppid() != parent:
                return  # the parent is gone (killed): nobody wants our results
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, item = task
        try:
            message = (_DONE, index, func(item))
        except BaseException as err:  # noqa: BLE001 - re-raised in the parent
            message = (_RAISED, index, _portable(err))
        try:
            try:
                conn.send(message)
            except (pickle.PicklingError, TypeError, AttributeError) as err:
                conn.send((_RAISED, index, _portable(err)))
        except OSError:
            return  # the parent is gone (its end of the pipe is closed)


# -- parent side --------------------------------------------------------------------


class _Worker:
    def __init__(self, context, func, initializer, initargs):
        self.conn, child_end = context.Pipe()
        _parent_ends.append(self.conn)  # before the fork: the worker closes its copy of our end too
        self.process = context.Process(
            target=_serve, args=(child_end, func, initializer, initargs, os.getpid()), daemon=True
        )
        # A forked worker must never destroy what it inherits: the garbage
        # collector closing an inherited store there waits forever on a lock
        # that one of the parent's RocksDB threads held at the fork (seen in
        # a build's validation). Frozen objects are never collected, and the
        # child keeps them frozen.
        gc.freeze()
        try:
            self.process.start()
        except BaseException:
            _parent_ends.remove(self.conn)
            self.conn.close()
            raise
        finally:
            gc.unfreeze()
            child_end.close()  # ours only: the worker's death then shows as a broken pipe too
        self.task: int | None = None  # the index of the item it holds

    def stop(self, wait_seconds: float) -> None:
        """Ask the worker to finish (or, with no time to wait, kill it) and reap it."""
        if wait_seconds > 0:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(wait_seconds)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.close()

    def close(self) -> None:
        if self.conn in _parent_ends:
            _parent_ends.remove(self.conn)
        self.conn.close()
        self.process.close()


def windowed_map(
    func: Callable[[Item], Result],
    items: Iterable[Item],
    *,
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple = (),
    window: int = 4,
    retries: int = 1,
    on_death: Callable[[Item, str], Result] | None = None,
) -> Iterator[Result]:
    """``func(item)`` for each item, in input order; in this process when ``jobs <= 1``.

    An item whose worker dies is given to a fresh worker up to *retries*
    more times; after that its result is ``on_death(item, reason)`` (reason:
    "killed by signal 9 (SIGKILL), perhaps out of memory"), or without
    *on_death* :class:`WorkerDied` is raised. An exception raised by *func*
    or *initializer* in a worker is raised here.
    """
    if jobs <= 1:
        if initializer:
            initializer(*initargs)
        for item in items:
            yield func(item)
        return
    context = multiprocessing.get_context("spawn" if os.name == "nt" else "fork")

    def start() -> _Worker:
        return _Worker(context, func, initializer, initargs)

    source = iter(items)
    held: dict[int, Item] = {}  # items read and not yet answered, by input position
    waiting: deque[int] = deque()  # positions of items no worker holds yet
    results: dict[int, Result] = {}  # answers that arrived before their turn
    attempts: dict[int, int] = {}
    read = answered = 0  # positions: next item to read, next result to yield
    exhausted = False
    starts_without_work = 0  # workers that died holding nothing since the last answer: dying as they start?
    workers: list[_Worker] = []
    finished = False

    def receive(worker: _Worker) -> bool:
        """Handle one message from *worker*; False if its pipe is broken (it died)."""
        nonlocal starts_without_work
        try:
            kind, index, payload = worker.conn.recv()
        except (EOFError, OSError):
            return False
        if kind == _DONE:
            starts_without_work = 0  # work gets done: workers that die idle are not dying as they start
            worker.task = None
            del held[index]
            attempts.pop(index, None)
            results[index] = payload
            return True
        err, text = payload
        if kind == _INIT_FAILED:
            raise RuntimeError(f"a worker process could not start: {type(err).__name__}: {err}") from _RemoteTraceback(
                text
            )
        raise err from _RemoteTraceback(text)

    def buried(worker: _Worker) -> None:
        """A worker died: redo or give up the item it held, and start another."""
        nonlocal starts_without_work
        while worker.conn.poll():  # what it sent before it died still counts
            if not receive(worker):
                break
        worker.process.join()
        reason = describe_exit(worker.process.exitcode)
        workers.remove(worker)
        index = worker.task
        worker.close()
        if index is None:
            starts_without_work += 1
            if starts_without_work > 2 * jobs:
                raise WorkerDied(f"worker processes keep dying as they start (the last one {reason})")
        else:
            attempts[index] = attempts.get(index, 0) + 1
            if attempts[index] <= retries:
                waiting.appendleft(index)  # first in line: the caller waits for it
            elif on_death is not None:
                results[index] = on_death(held.pop(index), reason)
                attempts.pop(index)
            else:
                raise WorkerDied(
                    f"worker processes died {attempts[index]} times on the same piece of work (the last one {reason})"
                )
        workers.append(start())

    try:
        workers.extend(start() for _ in range(jobs))
        while True:
            while not exhausted and read - answered < jobs * window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                held[read] = item
                waiting.append(read)
                read += 1
            for worker in workers:
                if worker.task is None and waiting:
                    index = waiting.popleft()
                    worker.task = index
                    try:
                        worker.conn.send((index, held[index]))
                    except OSError:
                        pass  # it died: its sentinel says so below, and the item is redone
            if answered in results:
                # the workers are busy before we hand over, so they work while the caller does
                result = results.pop(answered)
                answered += 1
                yield result
                continue
            if exhausted and answered == read:
                break
            conns = {worker.conn: worker for worker in workers if worker.task is not None}
            sentinels = {worker.process.sentinel: worker for worker in workers}
            for ready in wait([*conns, *sentinels]):
                if ready in conns:
                    worker = conns[ready]
                    if worker in workers and not receive(worker):
                        buried(worker)
                else:
                    worker = sentinels[ready]
                    if worker in workers:
                        buried(worker)
        finished = True
    finally:
        # On an error, or a caller that stopped early, nobody wants the work in flight.
        for worker in workers:
            worker.stop(5.0 if finished else 0)
