"""Automatic backups, retention, and recovery of a damaged progress database."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop_quiz.core.progress import backup
from desktop_quiz.core.progress.storage import Answer, Progress
from tests.conftest import run_cli

T0 = datetime(2026, 5, 4, 18, 0, tzinfo=timezone.utc)  # a Monday


def answers(data_dir: Path) -> int:
    return int(sqlite3.connect(data_dir / "progress.sqlite").execute(
        "SELECT count(*) FROM answers").fetchone()[0])


def record(data_dir: Path, n: int, start: datetime = T0) -> None:
    progress = Progress(data_dir)
    for i in range(n):
        progress.record(Answer(f"q{i % 3}", "mcq", start + timedelta(minutes=i), True, 1.0, 3,
                               1000))
    progress.close()


def test_auto_backup_at_most_daily(data_dir: Path) -> None:
    assert backup.auto_backup(data_dir, T0) is None  # nothing to back up yet
    record(data_dir, 3)
    first = backup.auto_backup(data_dir, T0)
    assert first is not None and first.is_file()
    assert backup.auto_backup(data_dir, T0 + timedelta(hours=3)) is None
    second = backup.auto_backup(data_dir, T0 + timedelta(days=1))
    assert second is not None
    assert backup.list_backups(data_dir) == [second, first]
    assert backup.describe(first).answers == 3


def test_backup_is_consistent_while_the_app_holds_the_database(data_dir: Path) -> None:
    progress = Progress(data_dir)
    progress.record(Answer("q1", "mcq", T0, True, 1.0, 3, 1000))  # still in the WAL
    made = backup.backup_now(data_dir, T0)
    assert made is not None and backup.describe(made).answers == 1
    progress.close()


def test_retention_keeps_7_daily_and_4_weekly(data_dir: Path) -> None:
    record(data_dir, 1)
    for day in range(60):
        backup.backup_now(data_dir, T0 - timedelta(days=day))
    # Each backup_now keeps the file it just wrote (here the oldest); thin once more.
    backup.prune(data_dir, T0)
    kept = backup.list_backups(data_dir)
    dates = [backup.describe(p).taken_at.date() for p in kept]
    assert len(kept) == 11
    assert dates[:7] == [(T0 - timedelta(days=d)).date() for d in range(7)]
    weeks = [d.isocalendar()[:2] for d in dates[7:]]
    assert len(set(weeks)) == 4  # one per older week
    assert all(d < dates[6] for d in dates[7:])


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for offset in range(100, len(data), 97):  # scribble over pages, keep the header
        data[offset] = 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_database_is_restored_from_backup(data_dir: Path) -> None:
    record(data_dir, 4)
    backup.backup_now(data_dir, T0)
    record(data_dir, 2, start=T0 + timedelta(days=1))
    db = data_dir / "progress.sqlite"
    sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    corrupt(db)
    assert backup.check(data_dir) != "ok"
    message = backup.check_and_recover(data_dir)
    assert message is not None
    assert "restored from the backup of 2026-05-04 18:00 UTC" in message
    assert backup.check(data_dir) == "ok"
    assert answers(data_dir) >= 4  # the backup, plus whatever was salvageable
    damaged = list((data_dir / "damaged").glob("progress-*.sqlite"))
    assert len(damaged) == 1 and str(damaged[0]) in message
    assert backup.check_and_recover(data_dir) is None  # healthy now


def test_a_file_that_is_not_a_database_is_recovered(data_dir: Path) -> None:
    record(data_dir, 2)
    backup.backup_now(data_dir, T0)
    (data_dir / "progress.sqlite").write_bytes(b"\x00garbage" * 500)
    for side in ("progress.sqlite-wal", "progress.sqlite-shm"):
        (data_dir / side).unlink(missing_ok=True)
    message = backup.check_and_recover(data_dir)
    assert message is not None and "restored" in message
    assert answers(data_dir) == 2


def test_no_backup_starts_fresh_and_keeps_the_damaged_file(data_dir: Path) -> None:
    (data_dir / "progress.sqlite").write_bytes(b"\x00garbage" * 500)
    message = backup.check_and_recover(data_dir)
    assert message is not None and "no usable backup" in message
    assert not (data_dir / "progress.sqlite").exists()
    assert len(list((data_dir / "damaged").iterdir())) == 1


def test_salvage_merges_answers_newer_than_the_backup(data_dir: Path, tmp_path: Path) -> None:
    record(data_dir, 2)
    backup.backup_now(data_dir, T0)
    record(data_dir, 3, start=T0 + timedelta(days=2))  # 5 answers, 3 newer than the backup
    copy = tmp_path / "copy.sqlite"
    src = sqlite3.connect(data_dir / "progress.sqlite")
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    for name in ("progress.sqlite", "progress.sqlite-wal", "progress.sqlite-shm"):
        (data_dir / name).unlink(missing_ok=True)
    backup.restore(data_dir, backup.list_backups(data_dir)[0])
    assert answers(data_dir) == 2
    assert backup.salvage_answers(copy, data_dir) == 3
    assert answers(data_dir) == 5


def test_data_cli_check_backup_restore(data_dir: Path) -> None:
    env = {"DESKTOP_QUIZ_DATA_DIR": str(data_dir)}
    assert run_cli("data", "backup", env=env).returncode == 1  # nothing yet
    record(data_dir, 3)
    made = run_cli("data", "backup", env=env)
    assert made.returncode == 0 and "backed up to" in made.stdout
    record(data_dir, 2, start=T0 + timedelta(days=3))
    assert answers(data_dir) == 5
    check = run_cli("data", "check", env=env)
    assert check.returncode == 0 and "passes quick_check" in check.stdout
    restored = run_cli("data", "restore", env=env)
    assert restored.returncode == 0, restored.stderr
    assert "(3 answers)" in restored.stdout
    assert answers(data_dir) == 3
    (data_dir / "progress.sqlite").write_bytes(b"\x00garbage" * 500)
    bad = run_cli("data", "check", env=env)
    assert bad.returncode == 1 and "damaged" in bad.stderr and "Traceback" not in bad.stderr
