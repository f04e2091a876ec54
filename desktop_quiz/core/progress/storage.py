# long: the schema, its migrations, validation and the one-transaction writes belong together.
"""The learner's progress database, ``progress.sqlite`` in the data folder.

- Every answer is committed in its own transaction (WAL, ``synchronous=NORMAL``:
  durable when the process is killed; only an OS crash or power loss can drop the
  last commit) *before* the app shows its feedback.
- ``answers`` is the append-only review log, keyed by question id so history
  survives bank updates. ``cards`` caches each question's FSRS state; it is
  always derivable by replaying that question's answers (see :meth:`replay`),
  which is how imports and rating changes stay exactly consistent.
- The schema is versioned with ``PRAGMA user_version`` and upgraded by the
  forward-only steps in :data:`MIGRATIONS`. ``tests/fixtures/`` keeps a database
  of every released version.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from desktop_quiz.core.progress.scheduling import Scheduling

PROGRESS_FILE = "progress.sqlite"
# Answers that could not be committed (the database was locked or failing): kept
# here, flushed to disk, and stored on the next successful write or start.
PENDING_FILE = "pending-answers.jsonl"
MODES = ("drill", "mock", "review")
# ``PRAGMA application_id`` of every progress database ("DQZ1"): tells ours from any
# other SQLite file. Files from before it was set have 0 and are recognised by schema.
APPLICATION_ID = 0x44515A31
# Tables a readable progress database must have, with columns every version has.
REQUIRED_COLUMNS = {
    "answers": {"question_id", "kind", "answered_at", "correct", "score", "rating",
                "duration_ms", "mode", "session_id"},
    "cards": {"question_id", "card", "due"},
}

# Forward-only migrations: MIGRATIONS[i] upgrades user_version i to i + 1.
MIGRATIONS: tuple[str, ...] = (
    # 0 → 1: the first release
    """
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        correct INTEGER NOT NULL,
        score REAL NOT NULL,
        rating INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        mode TEXT NOT NULL,
        session_id TEXT NOT NULL
    );
    CREATE UNIQUE INDEX answers_unique ON answers(question_id, answered_at);
    CREATE INDEX answers_time ON answers(answered_at);
    CREATE TABLE cards (
        question_id TEXT PRIMARY KEY,
        card TEXT NOT NULL,
        due TEXT NOT NULL,
        stability REAL,
        last_review TEXT
    );
    """,
    # 1 → 2: flags, sessions, the learner's own text, FSRS stability after each
    # answer (mastery over time reads it without replaying the log).
    """
    ALTER TABLE answers ADD COLUMN response TEXT NOT NULL DEFAULT '';
    ALTER TABLE answers ADD COLUMN stability REAL;
    CREATE TABLE flags (question_id TEXT PRIMARY KEY, flagged_at TEXT NOT NULL);
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        spec TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX cards_due ON cards(due);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StorageError(Exception):
    """The progress database cannot be used; the message says why."""


class AnswerNotSaved(StorageError):
    """An answer could not be committed; it was kept in the pending file for a retry."""


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def day_start(d: date, tz: tzinfo | None = None) -> datetime:
    """The instant (UTC) the local day ``d`` begins (``tz=None``: system time); DST-correct."""
    if tz is None:
        local = datetime.combine(d, time()).astimezone()  # naive → system local time
    else:
        local = datetime.combine(d, time(), tzinfo=tz)
    return local.astimezone(timezone.utc)


def end_of_today(now: datetime | None = None, tz: tzinfo | None = None) -> datetime:
    """When the learner's day ends: "due today" means due before this instant (as Anki)."""
    now = now or utcnow()
    return day_start(now.astimezone(tz).date() + timedelta(days=1), tz)


def iso(dt: datetime) -> str:
    """ISO-8601 in UTC with an explicit offset, to the millisecond (sorts as text)."""
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def parse_time(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"time {text!r} has no timezone")
    try:
        return dt.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+05:00 falls before year 1 in UTC
        raise ValueError(f"time {text!r} is out of range") from None


@dataclass(frozen=True)
class Answer:
    """One answer as stored (and as exported to CSV)."""

    question_id: str
    kind: str
    answered_at: datetime
    correct: bool
    score: float
    rating: int
    duration_ms: int
    mode: str = "drill"
    session_id: str = ""
    response: str = ""


def answer_to_json(a: Answer) -> dict[str, object]:
    return {"question_id": a.question_id, "kind": a.kind, "answered_at": iso(a.answered_at),
            "correct": a.correct, "score": a.score, "rating": a.rating,
            "duration_ms": a.duration_ms, "mode": a.mode, "session_id": a.session_id,
            "response": a.response}


def answer_from_json(d: dict[str, Any]) -> Answer:
    return Answer(str(d["question_id"]), str(d["kind"]), parse_time(str(d["answered_at"])),
                  bool(d["correct"]), float(d["score"]), int(d["rating"]),
                  int(d["duration_ms"]), str(d["mode"]), str(d["session_id"]),
                  str(d.get("response", "")))


def migrate(conn: sqlite3.Connection) -> int:
    """Upgrade ``conn`` to :data:`SCHEMA_VERSION`; returns the version it started at."""
    start = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if start > SCHEMA_VERSION:
        raise StorageError(
            f"progress.sqlite is from a newer desktop-quiz (schema {start}, this version "
            f"knows {SCHEMA_VERSION}). Update the app; your data was not touched."
        )
    for version in range(start, SCHEMA_VERSION):
        # Each step is atomic, user_version included: a failure leaves the old version.
        try:
            conn.executescript("BEGIN;" + MIGRATIONS[version]
                               + f"; PRAGMA user_version = {version + 1}; COMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return start


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) and migrate a progress database."""
    return _open(path)[0]


def _open(path: Path) -> tuple[sqlite3.Connection, int]:
    """Open and migrate; also returns the schema version the file had."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:  # refuse before changing anything, even the journal mode
        conn.close()
        raise StorageError(
            f"progress.sqlite is from a newer desktop-quiz (schema {version}, this version "
            f"knows {SCHEMA_VERSION}). Update the app; your data was not touched.")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    started = migrate(conn)
    if int(conn.execute("PRAGMA application_id").fetchone()[0]) != APPLICATION_ID:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return conn, started


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` result: "ok", or what is wrong (never raises)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    text = "; ".join(str(r[0]) for r in rows)
    return "ok" if text == "ok" else text


@dataclass(frozen=True)
class Health:
    """What a file is, as a progress database. ``kind`` is one of:

    ``missing``, ``ok``, ``not-a-file`` (a folder or device), ``unreadable`` (no
    permission), ``empty`` (zero bytes), ``not-sqlite``, ``foreign`` (SQLite, but
    not a desktop-quiz database), ``newer`` (a later schema), ``damaged``.
    """

    kind: str
    detail: str = ""
    answers: int | None = None

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    def __str__(self) -> str:
        return self.kind + (f" ({self.detail})" if self.detail else "")


def inspect(path: Path, immutable: bool = False) -> Health:
    """Is ``path`` a readable progress database of ours? Never raises, never writes.

    ``immutable`` reads a database on a read-only medium, where SQLite could not
    create the WAL index it otherwise needs even to read.
    """
    path = Path(path)
    try:
        if not path.exists():
            return Health("missing")
        if not path.is_file():
            return Health("not-a-file", "it is a folder or a device, not a file")
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as exc:
        return Health("unreadable", exc.strerror or str(exc))
    if size == 0:
        return Health("empty", "the file has zero bytes")
    if not head.startswith(b"SQLite format 3\0"):
        return Health("not-sqlite", "the file is not an SQLite database")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro{'&immutable=1' if immutable else ''}",
                               uri=True)
    except sqlite3.Error as exc:
        return Health("unreadable", str(exc))
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if app_id not in (0, APPLICATION_ID):
            return Health("foreign", f"application id {app_id:#x} is another program's")
        if version > SCHEMA_VERSION:
            return Health("newer", f"schema {version}; this version knows {SCHEMA_VERSION}")
        for table, needed in REQUIRED_COLUMNS.items():
            cols = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            if not needed <= cols:
                return Health("foreign", f"no '{table}' table of ours")
        if version < 1:
            return Health("foreign", "no desktop-quiz schema version")
        checked = "; ".join(str(r[0]) for r in conn.execute("PRAGMA quick_check"))
        if checked != "ok":
            return Health("damaged", checked[:300])
        n = int(conn.execute("SELECT count(*) FROM answers").fetchone()[0])
        conn.execute("SELECT count(*) FROM cards").fetchone()
        return Health("ok", answers=n)
    except sqlite3.DatabaseError as exc:
        return Health("damaged", str(exc))
    finally:
        conn.close()


class Progress:
    """The progress store. Thread-safe enough for one writer thread (the GUI's)."""

    def __init__(self, data_dir: Path, scheduling: Scheduling | None = None,
                 db_file: str = PROGRESS_FILE):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / db_file
        self.scheduling = scheduling or Scheduling()
        try:
            self.db, started_at = _open(self.path)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path}: {exc}") from None
        self.db.row_factory = sqlite3.Row
        if 0 < started_at < 2:
            self.replay_all()  # schema 1 stored no per-answer stability: derive it once

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- sessions ---------------------------------------------------------------
    def start_session(self, mode: str, spec: dict[str, object] | None = None) -> str:
        sid = uuid.uuid4().hex[:12]
        with self.transaction() as db:
            db.execute("INSERT INTO sessions (id, mode, started_at, spec) VALUES (?, ?, ?, ?)",
                       (sid, mode, iso(utcnow()), json.dumps(spec or {}, sort_keys=True)))
        return sid

    def finish_session(self, sid: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE sessions SET finished_at = ? WHERE id = ?", (iso(utcnow()), sid))

    # -- answers ------------------------------------------------------------------
    def record(self, answer: Answer) -> int:
        """Store one answer and update its card, in one committed transaction.

        If the database refuses the write (locked for longer than the busy timeout,
        a disk error), the answer is appended to :data:`PENDING_FILE` and
        :class:`AnswerNotSaved` is raised: it is stored by a later :meth:`record` or
        the next start, never dropped.
        """
        if answer.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        try:
            rowid = self._record(answer)
        except sqlite3.Error as exc:
            self._keep_pending(answer)
            raise AnswerNotSaved(
                f"your answer could not be saved yet ({exc}); it was kept and will be "
                "saved as soon as the database accepts writes") from None
        if self.pending_path.exists():
            self.retry_pending()
        return rowid

    @property
    def pending_path(self) -> Path:
        return self.data_dir / PENDING_FILE

    def _keep_pending(self, answer: Answer) -> None:
        line = json.dumps({**answer_to_json(answer)}, sort_keys=True) + "\n"
        with self.pending_path.open("a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def pending(self) -> list[Answer]:
        """Answers kept in the pending file (unreadable lines are left in the file)."""
        try:
            text = self.pending_path.read_text(encoding="utf-8")
        except OSError:
            return []
        out = []
        for line in text.splitlines():
            try:
                out.append(answer_from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def retry_pending(self) -> int:
        """Store the pending answers (idempotent); returns how many were new."""
        rows = self.pending()
        if not rows:
            return 0
        try:
            added = self.import_answers(rows)
        except sqlite3.Error:
            return 0
        self.pending_path.unlink(missing_ok=True)
        return added

    def amend_pending(self, question_id: str, answered_at: datetime, rating: int) -> None:
        """Change the rating of an answer that is still pending."""
        rows = self.pending()
        lines = []
        for a in rows:
            if a.question_id == question_id and a.answered_at == answered_at:
                a = replace(a, rating=rating,
                            correct=rating > 1 if a.kind == "recall" else a.correct)
            lines.append(json.dumps(answer_to_json(a), sort_keys=True))
        tmp = self.pending_path.with_suffix(".tmp")
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        os.replace(tmp, self.pending_path)

    def _record(self, answer: Answer) -> int:
        with self.transaction() as db:
            card = self._card_row(answer.question_id)
            last = card["last_review"] if card else None
            if last is not None and iso(answer.answered_at) <= last:
                # Out of order (an import): rebuild this card from the whole log.
                rowid = self._insert(db, answer, None)
                self._replay(db, answer.question_id)
                return rowid
            state = self.scheduling.review(
                self.scheduling.card_from_json(card["card"]) if card else None,
                answer.rating, answer.answered_at, answer.duration_ms)
            rowid = self._insert(db, answer, state.stability)
            self._store_card(db, answer.question_id, state)
            return rowid

    def amend_rating(self, answer_id: int, rating: int) -> None:
        """Change the rating of a recorded answer (the learner overrode the suggestion)."""
        with self.transaction() as db:
            row = db.execute("SELECT question_id, kind FROM answers WHERE id = ?",
                             (answer_id,)).fetchone()
            if row is None:
                raise KeyError(answer_id)
            correct = int(rating > 1) if row["kind"] == "recall" else None
            if correct is None:
                db.execute("UPDATE answers SET rating = ? WHERE id = ?", (rating, answer_id))
            else:
                db.execute("UPDATE answers SET rating = ?, correct = ? WHERE id = ?",
                           (rating, correct, answer_id))
            self._replay(db, row["question_id"])

    def import_answers(self, answers: Iterable[Answer]) -> int:
        """Add answers in one transaction, skipping ones already stored; replays cards."""
        added = 0
        touched: set[str] = set()
        with self.transaction() as db:
            for a in answers:
                cur = db.execute(
                    "INSERT OR IGNORE INTO answers (question_id, kind, answered_at, correct, "
                    "score, rating, duration_ms, mode, session_id, response) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.question_id, a.kind, iso(a.answered_at), int(a.correct), a.score,
                     a.rating, a.duration_ms, a.mode, a.session_id, a.response))
                if cur.rowcount:
                    added += 1
                    touched.add(a.question_id)
            for qid in sorted(touched):
                self._replay(db, qid)
        return added

    def replay_all(self) -> None:
        """Recompute every card from the log (after a settings change, a check…)."""
        with self.transaction() as db:
            db.execute("DELETE FROM cards")
            for (qid,) in db.execute("SELECT DISTINCT question_id FROM answers").fetchall():
                self._replay(db, qid)

    def _insert(self, db: sqlite3.Connection, a: Answer, stability: float | None) -> int:
        cur = db.execute(
            "INSERT INTO answers (question_id, kind, answered_at, correct, score, rating, "
            "duration_ms, mode, session_id, response, stability) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.question_id, a.kind, iso(a.answered_at), int(a.correct), a.score, a.rating,
             a.duration_ms, a.mode, a.session_id, a.response, stability))
        return int(cur.lastrowid or 0)

    def _replay(self, db: sqlite3.Connection, qid: str) -> None:
        card = None
        for row in db.execute("SELECT id, answered_at, rating, duration_ms FROM answers "
                              "WHERE question_id = ? ORDER BY answered_at, id", (qid,)).fetchall():
            card = self.scheduling.review(card, row["rating"], parse_time(row["answered_at"]),
                                          row["duration_ms"])
            db.execute("UPDATE answers SET stability = ? WHERE id = ?",
                       (card.stability, row["id"]))
        if card is None:
            db.execute("DELETE FROM cards WHERE question_id = ?", (qid,))
        else:
            self._store_card(db, qid, card)

    def _store_card(self, db: sqlite3.Connection, qid: str, card: object) -> None:
        s = self.scheduling
        db.execute(
            "INSERT OR REPLACE INTO cards (question_id, card, due, stability, last_review) "
            "VALUES (?, ?, ?, ?, ?)",
            (qid, s.card_to_json(card), iso(s.due(card)), s.stability(card),
             iso(s.last_review(card))))

    def _card_row(self, qid: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "SELECT * FROM cards WHERE question_id = ?", (qid,)).fetchone()
        return row

    # -- queries --------------------------------------------------------------------
    def answers(self) -> list[Answer]:
        return [
            Answer(r["question_id"], r["kind"], parse_time(r["answered_at"]), bool(r["correct"]),
                   r["score"], r["rating"], r["duration_ms"], r["mode"], r["session_id"],
                   r["response"])
            for r in self.db.execute("SELECT * FROM answers ORDER BY answered_at, id")
        ]

    def answer_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM answers").fetchone()[0])

    def seen_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT question_id FROM cards")}

    def seen_counts(self, bank_ids_by_topic: dict[str, set[str]]) -> dict[str, int]:
        seen = self.seen_ids()
        return {t: len(ids & seen) for t, ids in bank_ids_by_topic.items()}

    def due_ids(self, by: datetime | None = None) -> list[str]:
        """Questions due by ``by`` (default: the end of the learner's day), most overdue first."""
        return [r[0] for r in self.db.execute(
            "SELECT question_id FROM cards WHERE due < ? ORDER BY due, question_id",
            (iso(by or end_of_today()),))]

    def due_order(self) -> list[str]:
        """Every answered question, soonest due first."""
        return [r[0] for r in self.db.execute(
            "SELECT question_id FROM cards ORDER BY due, question_id")]

    def retrievability(self, now: datetime | None = None) -> dict[str, float]:
        """FSRS probability of recall now, per seen question."""
        now = now or utcnow()
        return {
            r["question_id"]: self.scheduling.retrievability_of(
                r["stability"], parse_time(r["last_review"]), now)
            for r in self.db.execute("SELECT question_id, stability, last_review FROM cards")
        }

    def last_results(self) -> dict[str, bool]:
        """Whether the most recent answer to each question was correct."""
        return {r[0]: bool(r[1]) for r in self.db.execute(
            "SELECT question_id, correct FROM answers a WHERE answered_at = "
            "(SELECT max(answered_at) FROM answers b WHERE b.question_id = a.question_id)")}

    # -- flags ----------------------------------------------------------------------
    def set_flag(self, qid: str, flagged: bool) -> None:
        with self.transaction() as db:
            if flagged:
                db.execute("INSERT OR IGNORE INTO flags VALUES (?, ?)", (qid, iso(utcnow())))
            else:
                db.execute("DELETE FROM flags WHERE question_id = ?", (qid,))

    def flagged_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT question_id FROM flags")}
