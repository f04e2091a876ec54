# long: backups, thinning, diagnosis, recovery and salvage share one set of file-safety steps.
"""Backups and recovery of ``progress.sqlite`` (the one file we must never lose).

- :func:`auto_backup` runs when the app closes and makes at most one backup a
  day, with SQLite's online backup API (consistent even with WAL). Retention
  (:func:`prune`) keeps the newest backup of each of the last 7 days that have
  one, plus the newest of each of the 4 weeks before those. It never removes the
  file just written or just restored from.
- Safety copies, made before a restore or an import replaces data, live apart in
  ``backups/safety/``; daily/weekly thinning never touches them (the newest
  :data:`KEEP_SAFETY` are kept).
- A file counts as a backup only if :func:`storage.inspect` says it is a readable
  desktop-quiz database (application id, schema version, tables, quick_check).
- :func:`check_and_recover` runs at start-up. When the database is damaged (which
  includes "exists but is not our database", e.g. zero bytes), a replacement is
  built next to it from the newest valid backup plus every answer still readable
  from the damaged file, and verified. Only then is the damaged file copied to
  ``damaged/`` and the replacement renamed into place. If anything fails (a full
  disk) everything stays as it was and :class:`RecoveryError` says what to do.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from desktop_quiz.core.progress.storage import (
    PROGRESS_FILE,
    Answer,
    Health,
    Progress,
    connect,
    inspect,
    parse_time,
)

BACKUP_DIR = "backups"
SAFETY_DIR = "safety"
DAMAGED_DIR = "damaged"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_SAFETY = 10
_STAMP = "%Y%m%d-%H%M%S"
_TMP_SUFFIXES = (".copy.tmp", ".recover.tmp")
_SALVAGE_CHUNK = 256


class RecoveryError(Exception):
    """Recovery could not complete; nothing was changed. The message says what to do."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    answers: int | None  # None when the file is not a valid backup


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def safety_dir(data_dir: Path) -> Path:
    return backup_dir(data_dir) / SAFETY_DIR


def _taken_at(path: Path) -> datetime | None:
    try:
        stamp = path.stem.split("-", 1)[1]
        return datetime.strptime(stamp[:15], _STAMP).replace(tzinfo=timezone.utc)
    except (ValueError, IndexError):
        return None


def _stamped(folder: Path, prefix: str, now: datetime) -> Path:
    stamp = now.astimezone(timezone.utc).strftime(_STAMP)
    target = folder / f"{prefix}-{stamp}.sqlite"
    n = 1
    while target.exists():  # two copies in the same second
        target = folder / f"{prefix}-{stamp}-{n}.sqlite"
        n += 1
    return target


def _listed(folder: Path, prefix: str) -> list[Path]:
    if not folder.is_dir():
        return []
    found = [(t, p.name, p) for p in folder.glob(f"{prefix}-*.sqlite")
             if p.is_file() and (t := _taken_at(p))]
    return [p for *_, p in sorted(found, reverse=True)]


def list_backups(data_dir: Path) -> list[Path]:
    """Daily/weekly backup files, newest first (valid or not: see :func:`describe`)."""
    return _listed(backup_dir(data_dir), "progress")


def list_safety_copies(data_dir: Path) -> list[Path]:
    """Copies made before a restore or import replaced data, newest first."""
    return _listed(safety_dir(data_dir), "safety")


def describe(path: Path) -> BackupInfo:
    taken = _taken_at(path)
    if taken is None:
        try:
            taken = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        except OSError:
            taken = datetime.fromtimestamp(0, timezone.utc)
    health = inspect(path)
    return BackupInfo(path, taken, health.answers if health.ok else None)


def newest_valid_backup(data_dir: Path) -> Path | None:
    """The newest file among backups and safety copies that is a valid database."""
    candidates = sorted(
        ((t, p) for p in (*list_backups(data_dir), *list_safety_copies(data_dir))
         if (t := _taken_at(p))), reverse=True)
    return next((p for _, p in candidates if inspect(p).ok), None)


def backup_now(data_dir: Path, now: datetime | None = None, prune_old: bool = True
               ) -> Path | None:
    """Copy the progress database into the backup folder; None if there is nothing yet.

    Raises ValueError when the live database is not valid: a damaged file must never
    become the newest "backup".
    """
    source = Path(data_dir) / PROGRESS_FILE
    health = inspect(source)
    if health.kind == "missing":
        return None
    if not health.ok:
        raise ValueError(f"{source} is not a valid progress database ({health}); "
                         "nothing was backed up")
    now = now or datetime.now(timezone.utc)
    folder = backup_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = _stamped(folder, "progress", now)
    _sqlite_copy(source, target)
    if prune_old:
        prune(data_dir, now, protect={target})
    return target


def safety_copy(data_dir: Path, now: datetime | None = None) -> Path | None:
    """Keep the current database before something replaces it (restore, import)."""
    source = Path(data_dir) / PROGRESS_FILE
    if not inspect(source).ok:
        return None
    folder = safety_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = _stamped(folder, "safety", now or datetime.now(timezone.utc))
    _sqlite_copy(source, target)
    for old in list_safety_copies(data_dir)[KEEP_SAFETY:]:
        if old != target:
            old.unlink(missing_ok=True)
    return target


def auto_backup(data_dir: Path, now: datetime | None = None) -> Path | None:
    """Back up unless a backup was already made today (UTC). Returns the new file."""
    now = now or datetime.now(timezone.utc)
    newest = list_backups(data_dir)
    if newest:
        taken = _taken_at(newest[0])
        if taken is not None and taken.date() == now.astimezone(timezone.utc).date():
            return None
    try:
        return backup_now(data_dir, now)
    except ValueError:
        return None  # the start-up check deals with a bad database, not the backup


def prune(data_dir: Path, now: datetime | None = None,
          protect: set[Path] | frozenset[Path] = frozenset()) -> list[Path]:
    """Apply retention (7 daily + 4 weekly) to regular backups; returns the files removed.

    Files in ``protect`` (just written, just restored from) and safety copies are
    never removed.
    """
    keep: set[Path] = {Path(p) for p in protect}
    days: list[object] = []
    weeks: list[object] = []
    backups = list_backups(data_dir)  # newest first
    for path in backups:
        taken = _taken_at(path)
        assert taken is not None
        day = taken.date()
        if day in days:
            continue
        if len(days) < KEEP_DAILY:
            days.append(day)
            keep.add(path)
            continue
        days.append(day)
        week = taken.isocalendar()[:2]
        if week not in weeks and len(weeks) < KEEP_WEEKLY:
            weeks.append(week)
            keep.add(path)
    removed = [p for p in backups if p not in keep]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


def restore(data_dir: Path, backup: Path) -> Path | None:
    """Replace the progress database with ``backup``. The caller holds the data lock.

    Raises ValueError if ``backup`` is not a valid desktop-quiz database. The current
    database is first kept as a safety copy (returned), so a restore can be undone.
    """
    backup = Path(backup)
    health = inspect(backup)
    if not health.ok:
        raise ValueError(f"{backup.name} is not a usable backup ({health}); nothing was "
                         "changed")
    data_dir = Path(data_dir)
    current = data_dir / PROGRESS_FILE
    safety = safety_copy(data_dir)
    staged = current.with_name(current.name + ".recover.tmp")
    _sqlite_copy(backup, staged)
    _verify(staged)
    _install(staged, current)
    prune(data_dir, protect={backup})
    return safety


def _verify(path: Path) -> Health:
    health = inspect(path)
    if not health.ok:
        path.unlink(missing_ok=True)
        raise RecoveryError(f"the copy at {path} did not verify ({health})")
    return health


def _install(staged: Path, current: Path) -> None:
    """Atomically put a verified database in place of ``current`` (which is closed)."""
    for suffix in ("-wal", "-shm"):  # a stale WAL must not be applied to the new file
        Path(str(current) + suffix).unlink(missing_ok=True)
    os.replace(staged, current)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Consistent copy with SQLite's backup API, to a temporary file renamed into place."""
    tmp = target.with_name(target.name + ".copy.tmp")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            finally:
                dst.close()
        finally:
            src.close()
        _fsync(tmp)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- diagnosis -------------------------------------------------------------------------
@dataclass(frozen=True)
class Diagnosis:
    """``data check``: what is wrong, and what the learner should do."""

    ok: bool
    message: str
    advice: str = ""


def diagnose(data_dir: Path) -> Diagnosis:
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        return Diagnosis(False, f"{data_dir} is a file, not a data folder",
                         "pass --data-dir a folder (it is created if missing)")
    if not data_dir.exists():
        return Diagnosis(True, f"{data_dir} does not exist yet: nothing to check; the app "
                         "creates it on first start")
    if not os.access(data_dir, os.W_OK | os.X_OK):
        health = inspect(data_dir / PROGRESS_FILE, immutable=True)
        state = "readable" if health.ok else str(health)
        return Diagnosis(False, f"{data_dir} cannot be written (progress database: {state})",
                         "fix the folder's permissions, or copy it somewhere you can write "
                         "and pass --data-dir; do not run data restore here")
    health = inspect(data_dir / PROGRESS_FILE)
    n_backups = len([p for p in list_backups(data_dir) if inspect(p).ok])
    where = f"{n_backups} valid backup(s) in {backup_dir(data_dir)}"
    if health.kind == "missing":
        return Diagnosis(True, f"no progress yet in {data_dir}; {where}")
    if health.ok:
        return Diagnosis(True, f"ok: {data_dir / PROGRESS_FILE} is a valid progress database "
                         f"(passes quick_check) with {health.answers} answers; {where}")
    if health.kind == "newer":
        return Diagnosis(False, f"{data_dir / PROGRESS_FILE} was written by a newer "
                         f"desktop-quiz ({health.detail})", "update the app; do not restore")
    if health.kind == "not-a-file":
        return Diagnosis(False, f"{data_dir / PROGRESS_FILE} is a folder or device, not a "
                         "database file", "move it out of the data folder; the app then "
                         "restores the newest valid backup")
    if health.kind == "unreadable":
        return Diagnosis(False, f"{data_dir / PROGRESS_FILE} cannot be read "
                         f"({health.detail})", "fix the file's permissions")
    advice = ("run 'desktop-quiz data restore' to restore the newest valid backup, or just "
              "start the app: it recovers automatically" if n_backups else
              "start the app: it keeps the damaged file and recovers every readable answer")
    return Diagnosis(False, f"{data_dir / PROGRESS_FILE} is damaged: {health}; {where}",
                     advice)


def check(data_dir: Path) -> str:
    """"ok" when the progress database is valid or not created yet, else what is wrong."""
    health = inspect(Path(data_dir) / PROGRESS_FILE)
    return "ok" if health.kind in ("ok", "missing") else str(health)


# -- recovery --------------------------------------------------------------------------
def clean_leftovers(data_dir: Path) -> list[Path]:
    """Remove temporary files an interrupted copy left, and stray WAL/SHM files of
    backups and damaged copies (never of the live database). Returns what went."""
    data_dir = Path(data_dir)
    gone = []
    folders = [data_dir, backup_dir(data_dir), safety_dir(data_dir), data_dir / DAMAGED_DIR]
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            stray = p.name.endswith(_TMP_SUFFIXES) or p.name == ".write-test"
            side = (folder != data_dir and p.name.endswith(("-wal", "-shm"))
                    and not Path(str(p)[:-4]).exists())
            if (stray or side) and p.is_file():
                p.unlink(missing_ok=True)
                gone.append(p)
    return gone


def check_and_recover(data_dir: Path) -> str | None:
    """Start-up check. None when all is well, else a message for the learner.

    Raises :class:`RecoveryError` when recovery cannot complete; then nothing was
    moved or changed, and the app must not start on this folder.
    """
    data_dir = Path(data_dir)
    current = data_dir / PROGRESS_FILE
    clean_leftovers(data_dir)
    health = inspect(current)
    if health.kind in ("ok", "missing"):
        return None
    if health.kind in ("newer", "unreadable", "not-a-file"):
        raise RecoveryError(f"{current} cannot be used ({health}). Nothing was changed.")
    salvage = read_answers(current)
    good = newest_valid_backup(data_dir)
    staged = current.with_name(current.name + ".recover.tmp")
    try:
        staged.unlink(missing_ok=True)
        if good is not None:
            _sqlite_copy(good, staged)
        if good is not None or salvage.answers:
            merged = _merge(staged, salvage.answers)
            _verify(staged)
        else:
            merged = 0
        aside = _keep_damaged(current)
        if good is not None or salvage.answers:
            _install(staged, current)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(current) + suffix).unlink(missing_ok=True)
    except (OSError, sqlite3.Error, RecoveryError) as exc:
        staged.unlink(missing_ok=True)
        raise RecoveryError(
            f"{current} is damaged ({health}) and could not be repaired: {exc}. Nothing "
            "was moved or changed. Free some disk space (or fix the folder), then start "
            "the app again.") from None
    lost = salvage.lost_text()
    if good is None and not salvage.answers:
        return (f"Your progress database was damaged ({health}) and there is no usable "
                f"backup; no answer could be read from it{lost}, so a new one was started. "
                f"The damaged file was kept at {aside}.")
    if good is None:
        return (f"Your progress database was damaged ({health}) and there is no usable "
                f"backup. {merged} answers were recovered from the damaged file{lost}. The "
                f"damaged file was kept at {aside}.")
    taken = _taken_at(good)
    when = taken.strftime("%Y-%m-%d %H:%M UTC") if taken else good.name
    extra = (f" {merged} later answers were recovered from the damaged file."
             if merged else " No later answers could be recovered from the damaged file.")
    return (f"Your progress database was damaged ({health}). It was restored from the "
            f"backup of {when}.{extra}{lost} The damaged file was kept at {aside}.")


def _merge(staged: Path, answers: list[Answer]) -> int:
    progress = Progress(staged.parent, db_file=staged.name)
    try:
        return progress.import_answers(answers) if answers else 0
    finally:
        progress.close()
        for suffix in ("-wal", "-shm"):
            Path(str(staged) + suffix).unlink(missing_ok=True)


def _keep_damaged(current: Path) -> Path:
    """Copy the damaged file (and its WAL) into ``damaged/``; the original stays."""
    folder = current.parent / DAMAGED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = _stamped(folder, "progress", datetime.now(timezone.utc))
    for suffix in ("", "-wal", "-shm"):
        side = Path(str(current) + suffix)
        if side.exists():
            tmp = Path(str(target) + suffix + ".copy.tmp")
            try:
                shutil.copyfile(side, tmp)
                _fsync(tmp)
                tmp.replace(Path(str(target) + suffix))
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
    return target


# -- salvage ---------------------------------------------------------------------------
@dataclass
class Salvage:
    answers: list[Answer]
    expected: int | None  # how many answers the damaged file says it had, when known

    @property
    def lost(self) -> int | None:
        return None if self.expected is None else max(0, self.expected - len(self.answers))

    def lost_text(self) -> str:
        if self.lost is None:
            return ""
        return (" (every answer in it was readable)" if self.lost == 0
                else f" ({self.lost} answers in it could not be read and are lost)")


_COLUMNS = ("question_id, kind, answered_at, correct, score, rating, duration_ms, mode, "
            "session_id")


def read_answers(damaged: Path) -> Salvage:
    """Every answer row still readable from a damaged database, skipping bad pages.

    Rows are read by rowid in chunks; a chunk that hits a bad page is read row by
    row, so one bad page loses only the rows stored on it.
    """
    try:
        conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error:
        return Salvage([], None)
    rows: dict[int, Answer] = {}
    try:
        has_response = _has_column(conn, "answers", "response")
        cols = _COLUMNS + (", response" if has_response else "")
        top = _max_rowid(conn)
        expected = _count_from_index(conn)
        if top is None:
            return Salvage([], expected)
        start = 0
        while start < top:
            end = start + _SALVAGE_CHUNK
            try:
                chunk = conn.execute(f"SELECT rowid, {cols} FROM answers WHERE rowid > ? AND "
                                     "rowid <= ? ORDER BY rowid", (start, end)).fetchall()
            except sqlite3.DatabaseError:
                chunk = []
                for rowid in range(start + 1, end + 1):
                    try:
                        chunk += conn.execute(f"SELECT rowid, {cols} FROM answers "
                                              "WHERE rowid = ?", (rowid,)).fetchall()
                    except sqlite3.DatabaseError:
                        continue
            for r in chunk:
                answer = _answer(r[1:])
                if answer is not None:
                    rows[r[0]] = answer
            start = end
        return Salvage(list(rows.values()), expected if expected is not None else top)
    except sqlite3.DatabaseError:
        return Salvage(list(rows.values()), None)
    finally:
        conn.close()


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    try:
        return any(r[1] == column for r in conn.execute(f"PRAGMA table_info({table})"))
    except sqlite3.DatabaseError:
        return False


def _max_rowid(conn: sqlite3.Connection) -> int | None:
    """The largest rowid, from the table or, if its pages are bad, from an index."""
    for sql in ("SELECT max(rowid) FROM answers",
                "SELECT max(rowid) FROM answers INDEXED BY answers_time",
                "SELECT max(rowid) FROM answers INDEXED BY answers_unique"):
        try:
            value = conn.execute(sql).fetchone()[0]
            if value is not None:
                return int(value)
        except sqlite3.DatabaseError:
            continue
    return None


def _count_from_index(conn: sqlite3.Connection) -> int | None:
    """How many answers the file held: counted on an index (separate pages)."""
    for index in ("answers_time", "answers_unique"):
        try:
            return int(conn.execute(
                f"SELECT count(*) FROM answers INDEXED BY {index}").fetchone()[0])
        except sqlite3.DatabaseError:
            continue
    return None


def _answer(r: tuple[Any, ...]) -> Answer | None:
    try:
        return Answer(str(r[0]), str(r[1]), parse_time(str(r[2])), bool(r[3]),
                      float(r[4]), int(r[5]), int(r[6]), str(r[7]),
                      str(r[8]), str(r[9]) if len(r) > 9 and r[9] is not None else "")
    except (TypeError, ValueError, OverflowError):
        return None


def salvage_answers(damaged: Path, data_dir: Path) -> int:
    """Merge every answer still readable from a damaged database; returns how many."""
    salvage = read_answers(damaged)
    if not salvage.answers:
        return 0
    progress = Progress(data_dir)
    try:
        return progress.import_answers(salvage.answers)
    finally:
        progress.close()


def ensure_schema(data_dir: Path) -> None:
    """Create or migrate the database (used by ``data check`` on a fresh folder)."""
    connect(Path(data_dir) / PROGRESS_FILE).close()
