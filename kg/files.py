"""Writing files so that a reader never sees half of one.

Every file mlkg writes goes to a hidden name beside its target
(``.graph.ttl.partial``) and is renamed into place once complete: a killed
process leaves the old file or the new one, never a torn one, and a failed
write removes its partial file. The next write of the same target starts its
partial file afresh.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator


def partial_path(path: str | Path) -> Path:
    """Where the next version of *path* is written before it is renamed into place."""
    path = Path(path)
    return path.with_name(f".{path.name}.partial")


def _open_partial(partial: Path, binary: bool, private: bool) -> IO[Any]:
    if not private:
        return open(partial, "wb") if binary else open(partial, "w", encoding="utf-8", newline="")
    # created with mode 0600, never widened: a left-over file would keep its own mode
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb") if binary else os.fdopen(descriptor, "w", encoding="utf-8", newline="")


class PartialFile:
    """A file being written under its partial name, until :meth:`commit` or :meth:`discard`.

    *private* files (they name servers and graphs pushed to) are readable by
    their owner only.
    """

    def __init__(self, path: str | Path, *, binary: bool = False, private: bool = False):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.partial = partial_path(self.path)
        self.stream = _open_partial(self.partial, binary, private)

    def commit(self) -> None:
        """Close the file and rename it over its target."""
        try:
            self.stream.close()
            os.replace(self.partial, self.path)
        except BaseException:
            self.partial.unlink(missing_ok=True)
            raise

    def discard(self) -> None:
        """Close the file and remove it, leaving the target as it was."""
        self.stream.close()
        self.partial.unlink(missing_ok=True)


@contextmanager
def replacing(path: str | Path, *, binary: bool = False, private: bool = False) -> Iterator[IO[Any]]:
    """A stream whose contents replace *path* when the block ends without an error."""
    file = PartialFile(path, binary=binary, private=private)
    try:
        yield file.stream
    except BaseException:
        file.discard()
        raise
    file.commit()


def write_atomic(path: str | Path, data: str | bytes, *, private: bool = False) -> None:
    """Write *data* (text as UTF-8) to *path* through a partial file renamed into place."""
    with replacing(path, binary=isinstance(data, bytes), private=private) as stream:
        stream.write(data)
