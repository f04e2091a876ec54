"""One writer per data folder: the app and every command that writes progress.

The lock is an OS file lock (``flock`` on Linux/macOS, ``msvcrt.locking`` on
Windows) on ``desktop-quiz.lock`` in the data folder. The OS drops it when its
holder exits, however it exits, so a killed app never leaves a stale lock. The
file also records who holds it, for the message shown to whoever is refused.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType

LOCK_FILE = "desktop-quiz.lock"


class LockedError(Exception):
    """Another process holds the data folder; the message says who and what to do."""

    def __init__(self, data_dir: Path, holder: dict[str, object]):
        self.data_dir = data_dir
        self.holder = holder
        what = str(holder.get("what") or "desktop-quiz")
        pid = holder.get("pid")
        who = f"{what} (process {pid})" if pid else what
        super().__init__(
            f"the data folder {data_dir} is in use by {who}; close it first, "
            "then try again (nothing was changed)")


class DataLock:
    """Exclusive lock on a data folder; use as a context manager or acquire/release."""

    def __init__(self, data_dir: Path, what: str = "desktop-quiz"):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_FILE
        self.what = what
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> DataLock:
        """Take the lock at once or raise :class:`LockedError` (never waits)."""
        if self._fd is not None:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockedError(self.data_dir, holder) from None
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "what": self.what}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, info, 0) if hasattr(os, "pwrite") else os.write(fd, info)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> DataLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def holder_of(data_dir: Path) -> dict[str, object] | None:
    """Who holds the lock now, or None when it is free (probes without keeping it)."""
    try:
        with DataLock(data_dir, "probe"):
            return None
    except LockedError as exc:
        return exc.holder


def _read_holder(fd: int) -> dict[str, object]:
    try:
        raw = os.pread(fd, 4096, 0) if hasattr(os, "pread") else b""
        data = json.loads(raw.decode() or "{}")
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
