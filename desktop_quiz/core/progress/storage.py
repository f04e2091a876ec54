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
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path

from desktop_quiz.core.progress.scheduling import Scheduling

PROGRESS_FILE = "progress.sqlite"
MODES = ("drill", "mock", "review")

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
    return dt.astimezone(timezone.utc)


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
    return conn, migrate(conn)


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


class Progress:
    """The progress store. Thread-safe enough for one writer thread (the GUI's)."""

    def __init__(self, data_dir: Path, scheduling: Scheduling | None = None):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / PROGRESS_FILE
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
        """Store one answer and update its card, in one committed transaction."""
        if answer.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
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
