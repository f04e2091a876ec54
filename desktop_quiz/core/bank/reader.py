"""Read-only access to a built question bank.

The bank is opened with ``mode=ro``; nothing in the app ever writes to it. All
Markdown and math were rendered at build time, so showing a question is a few
indexed row look-ups.
"""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_quiz.core import paths
from desktop_quiz.core.model import Choice, Exercise, KeyPoint, Question, TestCase, Topic


class BankError(Exception):
    """The bank is missing, unreadable or not a bank; the message says what to do."""


@dataclass(frozen=True)
class Filter:
    """Which questions a drill or a browse list draws from. Empty means "any"."""

    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    difficulties: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()  # a question matches when it has any of these
    text: str = ""  # full-text search (FTS5, stemmed, prefix match)
    ids: tuple[str, ...] | None = None  # restrict to these ids (flagged, missed…)


class Bank:
    """A built bank opened read-only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise BankError(f"The question bank {self.path} is missing. Reinstall the app "
                            "or run 'desktop-quiz bank build' in a source checkout.")
        try:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            # A read-only file the OS already caches: SQLite's own page cache (2 MB by
            # default) would only duplicate it in the app's memory.
            self._db.execute("PRAGMA cache_size = -256")
            self.meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise BankError(f"The question bank {self.path} is unreadable ({exc}). "
                            "Reinstall the app or rebuild the bank.") from None
        self._topics: list[Topic] | None = None

    def close(self) -> None:
        self._db.close()

    # -- topics and tags ---------------------------------------------------
    def topics(self) -> list[Topic]:
        """Topics in taxonomy order."""
        if self._topics is None:
            self._topics = [
                Topic(r["slug"], r["title"], r["grp"], r["description"], r["v1"], r["goal"])
                for r in self._db.execute("SELECT * FROM topics ORDER BY position")
            ]
        return self._topics

    def topic(self, slug: str) -> Topic | None:
        return next((t for t in self.topics() if t.slug == slug), None)

    def groups(self) -> list[tuple[str, list[Topic]]]:
        """Topics grouped as in the taxonomy, groups in first-appearance order."""
        out: dict[str, list[Topic]] = {}
        for t in self.topics():
            out.setdefault(t.group, []).append(t)
        return list(out.items())

    def tags(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self._db.execute(
            "SELECT tag, count(*) FROM question_tags GROUP BY tag ORDER BY tag")]

    def counts_by_topic(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT topic, count(*) FROM questions GROUP BY topic"))

    # -- questions -----------------------------------------------------------
    def question(self, qid: str) -> Question:
        row = self._db.execute("SELECT * FROM questions WHERE id = ?", (qid,)).fetchone()
        if row is None:
            raise KeyError(qid)
        choices = tuple(
            Choice(c["text"], bool(c["correct"]), c["explanation"], c["text_html"],
                   c["explanation_html"])
            for c in self._db.execute(
                "SELECT * FROM choices WHERE question_id = ? ORDER BY position", (qid,))
        )
        points = tuple(
            KeyPoint(k["text"], tuple(json.loads(k["alternatives"])),
                     tuple(json.loads(k["reject"])),
                     k["text_html"])
            for k in self._db.execute(
                "SELECT * FROM key_points WHERE question_id = ? ORDER BY position", (qid,))
        )
        return Question(
            exercise=self.exercise(qid) if row["kind"] == "code" else None,
            id=row["id"], topic=row["topic"], kind=row["kind"], difficulty=row["difficulty"],
            tags=tuple(json.loads(row["tags"])), prompt=row["prompt"], answer=row["answer"],
            choices=choices, key_points=points, hint=row["hint"], references=row["refs"],
            prompt_html=row["prompt_html"], answer_html=row["answer_html"],
            hint_html=row["hint_html"], references_html=row["references_html"],
            source_path=row["source_path"],
        )

    def exercise(self, qid: str) -> Exercise | None:
        """The runnable parts of a coding exercise (None for other kinds or old banks)."""
        try:
            r = self._db.execute("SELECT * FROM exercises WHERE question_id = ?",
                                 (qid,)).fetchone()
        except sqlite3.OperationalError:  # a bank built before exercises existed
            return None
        if r is None:
            return None
        return Exercise(
            starter=r["starter"], tests=r["tests"], solution=r["solution"],
            test_cases=tuple(TestCase(n, d) for n, d in json.loads(r["test_cases"])),
            hints=tuple(json.loads(r["hints"])), hints_html=tuple(json.loads(r["hints_html"])))

    def has(self, qid: str) -> bool:
        row = self._db.execute("SELECT 1 FROM questions WHERE id = ?", (qid,)).fetchone()
        return row is not None

    def all_ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM questions ORDER BY position")]

    def summaries(self, ids: Iterable[str] | None = None) -> list[sqlite3.Row]:
        """Light rows (id, topic, kind, difficulty, prompt) for lists."""
        sql = "SELECT id, topic, kind, difficulty, prompt, tags FROM questions"
        if ids is None:
            return list(self._db.execute(sql + " ORDER BY position"))
        wanted = list(ids)
        rows = {r["id"]: r for r in self._db.execute(
            sql + " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),))}
        return [rows[i] for i in wanted if i in rows]

    def query(self, f: Filter = Filter()) -> list[str]:
        """Ids matching ``f``, in bank order (or by search rank when searching)."""
        sql, params = self._where(f)
        order = "ORDER BY fts.rank" if f.text.strip() else "ORDER BY q.position"
        return [r[0] for r in self._db.execute(f"SELECT q.id FROM {sql} {order}", params)]

    def count(self, f: Filter = Filter()) -> int:
        sql, params = self._where(f)
        return int(self._db.execute(f"SELECT count(*) FROM {sql}", params).fetchone()[0])

    def _where(self, f: Filter) -> tuple[str, list[object]]:
        clauses: list[str] = []
        params: list[object] = []
        source = "questions q"
        match = fts_query(f.text)
        if match:
            source = ("questions q JOIN questions_fts fts ON fts.rowid = q.rowid "
                      "AND questions_fts MATCH ?")
            params.append(match)

        def any_of(column: str, values: Sequence[object]) -> None:
            if values:
                clauses.append(f"{column} IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(list(values)))

        any_of("q.topic", f.topics)
        any_of("q.kind", f.kinds)
        any_of("q.difficulty", f.difficulties)
        if f.tags:
            clauses.append("q.id IN (SELECT question_id FROM question_tags WHERE tag IN "
                           "(SELECT value FROM json_each(?)))")
            params.append(json.dumps(list(f.tags)))
        if f.ids is not None:
            any_of("q.id", f.ids or ("\0",))
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        return source + where, params

    # -- rendered math -------------------------------------------------------
    def math_svg(self, key: str) -> str | None:
        row = self._db.execute("SELECT svg FROM math WHERE hash = ?", (key,)).fetchone()
        return zlib.decompress(row[0]).decode() if row else None

    def longest_ids(self, n: int) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT id FROM questions ORDER BY length(answer_html) DESC LIMIT ?", (n,))]


_WORD_RE = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User text → a safe FTS5 query.

    Every word must match, as a prefix of an indexed word, either as typed
    ("regulariz" → "regularization") or by its stem ("regularizing" → "regular").
    """
    from desktop_quiz.core.text import stem

    parts = []
    for word in _WORD_RE.findall(text.lower()):
        stemmed = stem(word)
        if len(word) <= 2:  # "k", "l1": a prefix would match half the bank
            parts.append(f'"{word}"')
        elif word.startswith(stemmed):
            parts.append(f'"{stemmed}"*')
        else:
            parts.append(f'("{word}"* OR "{stemmed}"*)')
    return " ".join(parts)


def open_default_bank(progress: Callable[[str], None] | None = None) -> Bank:
    """Open the bank the app should use, rebuilding it first in a source checkout.

    ``DESKTOP_QUIZ_BANK`` overrides the location. From a source checkout, the
    bank is rebuilt when ``questions/`` changed (content hash); the no-change
    check reads every file once and takes well under 0.2 s.
    """
    import os

    env = os.environ.get(paths.BANK_ENV)
    if env:
        return Bank(Path(env))
    target = paths.packaged_bank()
    source = paths.checkout_questions()
    if source is not None:
        from desktop_quiz.core.bank.build import build_bank, is_stale

        if is_stale(source, target):
            if progress:
                progress("Building the question bank from questions/ …")
            build_bank(source, target)
    return Bank(target)
