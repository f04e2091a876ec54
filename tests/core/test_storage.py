"""The progress database: migrations, durability, consistency of cards with the log."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_quiz.core.progress.storage import (
    SCHEMA_VERSION,
    Answer,
    Progress,
    StorageError,
    connect,
    migrate,
)
from tests.conftest import FIXTURES, ROOT

FIXTURE_VERSIONS = sorted(FIXTURES.glob("progress-v*.sqlite"))
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_there_is_a_fixture_for_every_released_schema() -> None:
    assert [p.name for p in FIXTURE_VERSIONS] == [
        f"progress-v{v}.sqlite" for v in range(1, SCHEMA_VERSION + 1)]


@pytest.mark.parametrize("fixture", FIXTURE_VERSIONS, ids=lambda p: p.stem)
def test_every_fixture_migrates_with_nothing_lost(fixture: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(fixture, data / "progress.sqlite")
    before = sqlite3.connect(fixture).execute(
        "SELECT question_id, kind, answered_at, correct, score, rating, duration_ms, mode, "
        "session_id FROM answers ORDER BY id").fetchall()
    progress = Progress(data)
    assert progress.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    after = progress.db.execute(
        "SELECT question_id, kind, answered_at, correct, score, rating, duration_ms, mode, "
        "session_id FROM answers ORDER BY id").fetchall()
    assert [tuple(r) for r in after] == before
    assert len(before) == 4
    assert "retired-question" in {a.question_id for a in progress.answers()}  # kept
    # the migrated database is fully usable
    progress.record(Answer("gap-remedy", "mcq", T0, True, 1.0, 3, 1000))
    progress.set_flag("gap-remedy", True)
    assert "gap-remedy" in progress.flagged_ids()


def test_newer_schema_is_refused_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer desktop-quiz"):
        connect(path)
    assert path.read_bytes() == before


def test_a_failing_migration_step_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import desktop_quiz.core.progress.storage as storage

    db = sqlite3.connect(tmp_path / "p.sqlite", isolation_level=None)
    monkeypatch.setattr(storage, "MIGRATIONS", (*storage.MIGRATIONS, "CREATE TABLE answers (x);"))
    monkeypatch.setattr(storage, "SCHEMA_VERSION", len(storage.MIGRATIONS))
    with pytest.raises(sqlite3.OperationalError):
        migrate(db)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_wal_mode(data_dir: Path) -> None:
    progress = Progress(data_dir)
    assert progress.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cards_equal_a_replay_of_the_log(data_dir: Path) -> None:
    live = Progress(data_dir / "live")
    answers = [
        Answer("q1", "mcq", T0, False, 0.0, 1, 1000),
        Answer("q1", "mcq", T0 + timedelta(days=1), True, 1.0, 3, 1000),
        Answer("q2", "recall", T0 + timedelta(hours=1), True, 0.8, 3, 1000),
        Answer("q1", "mcq", T0 + timedelta(days=4), True, 1.0, 4, 1000),
    ]
    for a in answers:
        live.record(a)
    imported = Progress(data_dir / "imported")
    assert imported.import_answers(reversed(answers)) == 4
    assert imported.import_answers(answers) == 0  # idempotent
    cards = "SELECT question_id, card, due, stability, last_review FROM cards ORDER BY 1"
    assert [tuple(r) for r in live.db.execute(cards)] == [
        tuple(r) for r in imported.db.execute(cards)]
    stab = "SELECT question_id, answered_at, stability FROM answers ORDER BY 1, 2"
    assert [tuple(r) for r in live.db.execute(stab)] == [
        tuple(r) for r in imported.db.execute(stab)]


def test_amend_rating_replays_the_card(data_dir: Path) -> None:
    progress = Progress(data_dir)
    answer_id = progress.record(Answer("q1", "recall", T0, True, 0.9, 3, 1000))
    due_good = progress.db.execute("SELECT due FROM cards").fetchone()[0]
    progress.amend_rating(answer_id, 1)
    row = progress.db.execute("SELECT rating, correct FROM answers").fetchone()
    assert tuple(row) == (1, 0)
    assert progress.db.execute("SELECT due FROM cards").fetchone()[0] < due_good


KILL_SCRIPT = """
import sys, time
from pathlib import Path
from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.progress.storage import Progress
from desktop_quiz.core.study.session import Session
bank = Bank(Path(sys.argv[1])); progress = Progress(Path(sys.argv[2]))
ids = bank.all_ids() * 1
session = Session(bank, progress, ids)
n = 0
while True:
    q = session.question
    if q.kind == "mcq":
        session.answer_mcq([0])
    else:
        session.check_recall("some answer text")
    n += 1
    print(f"answered {n} {q.id}", flush=True)
    time.sleep(0.05)
    if not session.next():
        session = Session(bank, Progress(Path(sys.argv[2])), ids)  # keep going until killed
"""


def test_sigkill_mid_drill_keeps_every_answer_shown(fixture_bank: Path, data_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(fixture_bank), str(data_dir)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    shown = [proc.stdout.readline().strip() for _ in range(6)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    stored = sqlite3.connect(data_dir / "progress.sqlite").execute(
        "SELECT question_id FROM answers ORDER BY id").fetchall()
    assert len(stored) >= 6  # it may have stored one more before the kill landed
    assert [r[0] for r in stored[:6]] == [line.split()[2] for line in shown]


def test_non_utc_times_are_accepted(data_dir: Path) -> None:
    progress = Progress(data_dir)
    paris = timezone(timedelta(hours=1))
    progress.record(Answer("q1", "mcq", datetime(2026, 3, 1, 10, 0, tzinfo=paris), True, 1.0, 3,
                           1000))
    assert progress.answers()[0].answered_at == datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_migrating_schema_1_derives_stability_for_old_answers(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "progress-v1.sqlite", data / "progress.sqlite")
    progress = Progress(data)
    rows = progress.db.execute("SELECT stability FROM answers").fetchall()
    assert rows and all(r[0] is not None and r[0] > 0 for r in rows)
