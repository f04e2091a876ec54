"""Backups and recovery of ``progress.sqlite`` (the one file we must never lose).

- :func:`auto_backup` runs when the app closes and makes at most one backup a
  day, with SQLite's online backup API (consistent even with WAL). Retention
  keeps the newest backup of each of the last 7 days that have one, plus the
  newest of each of the 4 weeks before those.
- :func:`check_and_recover` runs at start-up: ``PRAGMA quick_check``; when the
  database is damaged it is moved aside (never deleted), the newest backup that
  passes the check is restored, every answer that can still be read from the
  damaged file is merged back, and a message for the learner is returned.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop_quiz.core.progress.storage import PROGRESS_FILE, Progress, connect, quick_check

BACKUP_DIR = "backups"
DAMAGED_DIR = "damaged"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    answers: int | None  # None when the file cannot be read


def backup_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BACKUP_DIR


def _taken_at(path: Path) -> datetime | None:
    try:
        stamp = path.stem.removeprefix("progress-")
        return datetime.strptime(stamp[:15], _STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def list_backups(data_dir: Path) -> list[Path]:
    """Backup files, newest first."""
    folder = backup_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [(t, p) for p in folder.glob("progress-*.sqlite") if (t := _taken_at(p))]
    return [p for _, p in sorted(found, reverse=True)]


def describe(path: Path) -> BackupInfo:
    taken = _taken_at(path) or datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            n: int | None = int(conn.execute("SELECT count(*) FROM answers").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        n = None
    return BackupInfo(path, taken, n)


def backup_now(data_dir: Path, now: datetime | None = None, prune_old: bool = True
               ) -> Path | None:
    """Copy the progress database into the backup folder; None if there is nothing yet."""
    source = Path(data_dir) / PROGRESS_FILE
    if not source.is_file():
        return None
    now = now or datetime.now(timezone.utc)
    folder = backup_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"progress-{now.astimezone(timezone.utc).strftime(_STAMP)}.sqlite"
    n = 1
    while target.exists():  # two backups in the same second
        target = folder / f"progress-{now.strftime(_STAMP)}-{n}.sqlite"
        n += 1
    _sqlite_copy(source, target)
    if prune_old:
        prune(data_dir, now)
    return target


def auto_backup(data_dir: Path, now: datetime | None = None) -> Path | None:
    """Back up unless a backup was already made today (UTC). Returns the new file."""
    now = now or datetime.now(timezone.utc)
    newest = list_backups(data_dir)
    if newest:
        taken = _taken_at(newest[0])
        if taken is not None and taken.date() == now.astimezone(timezone.utc).date():
            return None
    return backup_now(data_dir, now)


def prune(data_dir: Path, now: datetime | None = None) -> list[Path]:
    """Apply retention (7 daily + 4 weekly); returns the files removed."""
    keep: set[Path] = set()
    days: list[object] = []
    weeks: list[object] = []
    for path in list_backups(data_dir):  # newest first
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
    removed = [p for p in list_backups(data_dir) if p not in keep]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


def restore(data_dir: Path, backup: Path) -> Path | None:
    """Replace the progress database with ``backup``. The app must have it closed.

    The current database is first backed up itself, so a restore can be undone.
    Returns that safety copy. Raises ValueError if the backup is damaged.
    """
    status = quick_check(backup)
    if status != "ok":
        raise ValueError(f"{backup.name} is damaged ({status}); choose another backup")
    data_dir = Path(data_dir)
    current = data_dir / PROGRESS_FILE
    safety = None
    if current.is_file() and quick_check(current) == "ok":
        # No pruning yet: it could delete the very backup being restored.
        safety = backup_now(data_dir, datetime.now(timezone.utc) + timedelta(seconds=1),
                            prune_old=False)
    _copy_database(backup, current)
    prune(data_dir)
    return safety


def _copy_database(source: Path, target: Path) -> None:
    """Replace the live database ``target`` (closed) with a copy of ``source``."""
    for suffix in ("-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    _sqlite_copy(source, target)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Consistent copy with SQLite's backup API, to a temporary file renamed into place."""
    tmp = target.with_suffix(".copy.tmp")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    tmp.replace(target)


def check(data_dir: Path) -> str:
    """``quick_check`` of the progress database ("ok" when fine or not created yet)."""
    path = Path(data_dir) / PROGRESS_FILE
    return quick_check(path) if path.is_file() else "ok"


def check_and_recover(data_dir: Path) -> str | None:
    """Start-up check. Returns None when all is well, else a message for the learner."""
    data_dir = Path(data_dir)
    current = data_dir / PROGRESS_FILE
    if not current.is_file():
        return None
    status = quick_check(current)
    if status == "ok":
        return None
    aside = _move_aside(current)
    good = next((b for b in list_backups(data_dir) if quick_check(b) == "ok"), None)
    if good is None:
        return (f"Your progress database was damaged ({status}) and there is no usable "
                f"backup, so a new one was started. The damaged file was kept at {aside}.")
    _copy_database(good, current)
    salvaged = salvage_answers(aside, data_dir)
    taken = _taken_at(good)
    when = taken.strftime("%Y-%m-%d %H:%M UTC") if taken else good.name
    extra = (f" {salvaged} later answers were recovered from the damaged file."
             if salvaged else "")
    return (f"Your progress database was damaged ({status}). It was restored from the "
            f"backup of {when}.{extra} The damaged file was kept at {aside}.")


def _move_aside(current: Path) -> Path:
    folder = current.parent / DAMAGED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime(_STAMP)
    target = folder / f"progress-{stamp}.sqlite"
    shutil.move(str(current), target)
    for suffix in ("-wal", "-shm"):
        side = Path(str(current) + suffix)
        if side.exists():
            shutil.move(str(side), str(target) + suffix)
    return target


def salvage_answers(damaged: Path, data_dir: Path) -> int:
    """Merge every answer still readable from a damaged database; returns how many."""
    from desktop_quiz.core.progress.storage import Answer, parse_time

    rows: list[Answer] = []
    try:
        conn = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        try:
            for r in conn.execute(
                "SELECT question_id, kind, answered_at, correct, score, rating, duration_ms, "
                "mode, session_id FROM answers ORDER BY rowid"
            ):
                try:
                    rows.append(Answer(r[0], r[1], parse_time(r[2]), bool(r[3]), float(r[4]),
                                       int(r[5]), int(r[6]), r[7], r[8]))
                except (TypeError, ValueError):
                    continue
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        pass  # keep what was read before the damage
    if not rows:
        return 0
    progress = Progress(data_dir)
    try:
        return progress.import_answers(rows)
    finally:
        progress.close()


def ensure_schema(data_dir: Path) -> None:
    """Create or migrate the database (used by ``data check`` on a fresh folder)."""
    connect(Path(data_dir) / PROGRESS_FILE).close()
