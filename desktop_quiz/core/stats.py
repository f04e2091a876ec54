"""Mastery per topic: how likely the learner is to answer a question of a topic *now*.

The model
---------
For a topic, mastery is the probability that the learner answers a question
drawn at random from the topic's questions *currently in the bank* correctly
now (questions removed from the bank keep their history but do not count)::

    mastery = (sum of R over seen questions + n_unseen * p_unseen) / n_total

- **Seen questions** contribute their FSRS retrievability now,
  ``R = (1 + factor * t / S) ** decay``: the stability ``S`` FSRS computed at the
  question's latest answer (stored with each answer, equal to the card's) and
  ``t`` the days since that answer. FSRS already turns the whole review history
  of a question into this one number, so a lapse lowers it and spacing raises it.
  (Right after a miss R is high, since the answer was just shown, and it falls
  within a day or two because the stability is low: drilling a weak topic does
  not hide its weakness for long.)
- **Unseen questions** get ``p_unseen``, the learner's first-attempt accuracy in
  the topic, shrunk: a Beta prior whose mean is the learner's first-attempt
  accuracy over all topics (itself shrunk toward 0.5 with weight
  :data:`GLOBAL_SHRINK`) and whose strength is :data:`PRIOR_STRENGTH`
  pseudo-answers, updated with the topic's first attempts. First attempts are the
  honest measure of what the learner knows about questions they have not drilled;
  the prior keeps two lucky first answers from claiming 100 %.

Uncertainty
-----------
Each estimate carries a 90 % interval. Its variance adds the two parts:
the Beta posterior variance of ``p_unseen`` (it counts ``n_unseen`` times, since
all unseen questions share it) and, per seen question, ``R(1-R)/(k + n)`` with
``n`` the answers to that question, so a retrievability backed by one answer is
less certain than one backed by ten. The variance is turned into an effective
sample size and a Wilson interval, which stays inside [0, 1]. Answering more
questions of a topic narrows its interval; drilling the same three questions
over and over narrows it much less, because the rest of the topic stays unknown.

Ranking ("weakest topics")
--------------------------
Topics are ranked by the *upper* end of the interval, lowest first: a topic is
called weak only when even the optimistic reading of the evidence is low, so a
topic with two unlucky answers does not outrank one that is known to be weak.
Topics without a single answer come last (nothing says they are weak; they are
not started), and ties go by the estimate, then by slug.

Over time
---------
:func:`mastery_over_time` evaluates the same estimate at the end of each local
day from the answers up to then (today: up to now, so its last point equals
:func:`topic_mastery`). It never replays FSRS: each answer row already holds the
stability after it. Per-day sufficient statistics go to a disposable cache in
``progress.sqlite`` (tables ``stats_cache_*``). A past day changes only when an
answer at or before its end is inserted, changed or deleted (an import, a rating
change); triggers on ``answers`` then drop every cached day from that answer's
time on, so the cache can never disagree with the log. Dropping the cache tables
loses nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import sqlite3
import time as _time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from desktop_quiz.core.storage import (
    SCHEMA_VERSION,
    Progress,
    day_start,
    end_of_today,
    iso,
    utcnow,
)

if TYPE_CHECKING:
    from desktop_quiz.core.bank import Bank
    from desktop_quiz.core.context import AppContext

PRIOR_STRENGTH = 4.0  # pseudo-answers behind a topic's prior for unseen questions
GLOBAL_SHRINK = 4.0  # pseudo-answers at 50 % behind the learner's overall accuracy
PER_QUESTION_PRIOR = 4.0  # the ``k`` in R(1-R)/(k + n)
Z = 1.6449  # two-sided 90 % interval
MODEL_VERSION = 1  # bump when the model changes: drops cached days

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS_PER_DAY = 86_400_000.0
# Times are compared as whole milliseconds since 1970 (SQLite keeps julianday in ms).
_MS_SQL = "CAST(round((julianday({}) - 2440587.5) * 86400000.0) AS INTEGER)"
# Rows of the per-day statistics (each a vector over topics).
_SEEN, _SUM_R, _VAR_R, _FIRST_OK, _ATTEMPTS = range(5)
_N_STATS = 5
_CELLS_PER_CHUNK = 1_000_000  # questions × days evaluated at once (bounds memory)


# -- what counts: the questions of the bank ------------------------------------------
@dataclass(frozen=True)
class Catalog:
    """The questions that count: id → topic, topics in display order."""

    topics: tuple[str, ...]
    titles: dict[str, str]
    topic_of: dict[str, str]

    @classmethod
    def from_bank(cls, bank: Bank) -> Catalog:
        cached = _CATALOGS.get(bank)
        if cached is None:
            topic_of = {str(r["id"]): str(r["topic"]) for r in bank.summaries()}
            used = set(topic_of.values())
            ordered = [t for t in bank.topics() if t.slug in used]
            cached = cls(tuple(t.slug for t in ordered), {t.slug: t.title for t in ordered},
                         topic_of)
            _CATALOGS[bank] = cached
        return cached

    @classmethod
    def from_mapping(cls, topic_of: dict[str, str]) -> Catalog:
        topics = tuple(sorted(set(topic_of.values())))
        return cls(topics, {t: t for t in topics}, dict(topic_of))

    def title(self, topic: str) -> str:
        return self.titles.get(topic, topic)

    @cached_property
    def fingerprint(self) -> str:
        digest = hashlib.sha1()
        for qid in sorted(self.topic_of):
            digest.update(f"{qid}\t{self.topic_of[qid]}\n".encode())
        digest.update("|".join(self.topics).encode())
        return digest.hexdigest()


_CATALOGS: weakref.WeakKeyDictionary[Any, Catalog] = weakref.WeakKeyDictionary()

Source = Union["AppContext", tuple[Union["Bank", Catalog], Progress]]


def _resolve(source: Source) -> tuple[Catalog, Progress]:
    if isinstance(source, tuple):
        what, progress = source
    else:
        what, progress = source.bank, source.progress
    catalog = what if isinstance(what, Catalog) else Catalog.from_bank(what)
    return catalog, progress


# -- results ------------------------------------------------------------------------
@dataclass(frozen=True)
class TopicMastery:
    topic: str
    mastery: float
    low: float
    high: float
    attempts: int  # answers to the topic's current questions
    seen: int  # questions answered at least once
    total: int  # questions in the bank
    due: int  # due for review before the learner's day ends (Anki's "due today")

    def to_json(self) -> dict[str, object]:
        return {"topic": self.topic, "mastery": round(self.mastery, 4),
                "low": round(self.low, 4), "high": round(self.high, 4),
                "attempts": self.attempts, "seen": self.seen, "total": self.total,
                "due": self.due}


def weakness_key(m: TopicMastery) -> tuple[bool, float, float, str]:
    """Sort key, weakest first: by the interval's upper end; unstarted topics last."""
    return (m.attempts == 0, round(m.high, 9), round(m.mastery, 9), m.topic)


@dataclass(frozen=True)
class MasteryHistory:
    """Mastery per topic at the end of each day; arrays are (topics, days)."""

    days: tuple[date, ...]
    topics: tuple[str, ...]
    titles: dict[str, str]
    mastery: np.ndarray
    low: np.ndarray
    high: np.ndarray
    attempts: np.ndarray  # cumulative answers up to the end of the day
    seen: np.ndarray
    total: np.ndarray  # (topics,)

    def row(self, topic: str) -> int:
        return self.topics.index(topic)

    def series(self, topic: str) -> np.ndarray:
        return self.mastery[self.row(topic)]

    def weekly(self) -> tuple[list[date], np.ndarray]:
        """Mastery at the end of each week (the last day of each ISO week in range)."""
        ends = [i for i, d in enumerate(self.days)
                if d.weekday() == 6 or i == len(self.days) - 1]
        return [self.days[i] for i in ends], self.mastery[:, ends]


@dataclass(frozen=True)
class Activity:
    days: tuple[date, ...]
    answers: np.ndarray  # answers per day
    streak_days: int


# -- days ---------------------------------------------------------------------------
def _local_date(dt: datetime, tz: tzinfo | None) -> date:
    return dt.astimezone(tz).date()


def _epoch_ms(dt: datetime) -> float:
    return float(round((dt - _EPOCH).total_seconds() * 1000.0))


def _tz_signature(tz: tzinfo | None) -> str:
    if tz is not None:
        return repr(tz)
    return f"local:{_time.tzname}:{_time.timezone}:{_time.altzone}"


# -- the estimate -------------------------------------------------------------------
def estimate(stats: np.ndarray, total: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mastery, low, high) from per-topic statistics; see the module docstring.

    ``stats`` has shape (5, topics, ...) (rows: seen, ΣR, Σ var R, first-attempt
    right, attempts) and ``total`` shape (topics,).
    """
    seen, sum_r, var_r, first_ok = stats[_SEEN], stats[_SUM_R], stats[_VAR_R], stats[_FIRST_OK]
    shape = (-1,) + (1,) * (seen.ndim - 1)
    n_total = np.maximum(total.reshape(shape).astype(float), 1.0)
    # The learner's overall first-attempt accuracy, shrunk toward 0.5.
    overall = (first_ok.sum(axis=0) + GLOBAL_SHRINK * 0.5) / (seen.sum(axis=0) + GLOBAL_SHRINK)
    alpha = PRIOR_STRENGTH * overall + first_ok
    beta = PRIOR_STRENGTH * (1.0 - overall) + (seen - first_ok)
    p_unseen = alpha / (alpha + beta)
    var_unseen = p_unseen * (1.0 - p_unseen) / (alpha + beta + 1.0)
    unseen = np.maximum(n_total - seen, 0.0)
    mastery = np.clip((sum_r + unseen * p_unseen) / n_total, 0.0, 1.0)
    var = (var_r + unseen**2 * var_unseen) / n_total**2
    spread = mastery * (1.0 - mastery)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(var > 1e-12, spread / np.maximum(var, 1e-12), 1e6)
    low, high = wilson(mastery, np.clip(n_eff, 1.0, 1e6))
    return mastery, low, high


def wilson(p: np.ndarray, n: np.ndarray, z: float = Z) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a proportion ``p`` seen over ``n`` trials."""
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * np.sqrt(np.maximum(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


# -- per-question state and the day-by-day engine -------------------------------------
@dataclass
class _State:
    """Per question (slot): answers so far, first answer, latest answer."""

    n: np.ndarray  # int64
    first_t: np.ndarray  # epoch ms; nan = never answered
    first_ok: np.ndarray  # 0/1
    last_t: np.ndarray  # epoch ms of the latest answer; nan = never answered
    stab: np.ndarray  # FSRS stability after the latest answer

    @classmethod
    def empty(cls, size: int) -> _State:
        nan = np.full(size, np.nan)
        return cls(np.zeros(size, np.int64), nan.copy(), np.zeros(size), nan.copy(), nan.copy())

    def grown(self, size: int) -> _State:
        extra = size - len(self.n)
        if extra <= 0:
            return self
        more = _State.empty(extra)
        return _State(*(np.concatenate([a, b]) for a, b in zip(self.arrays(), more.arrays(),
                                                               strict=True)))

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (self.n, self.first_t, self.first_ok, self.last_t, self.stab)


class _Slots:
    """Question id → array index. Bank questions first, grouped by topic."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        topic_ix = {t: i for i, t in enumerate(catalog.topics)}
        for qid in sorted(catalog.topic_of, key=lambda q: (topic_ix[catalog.topic_of[q]], q)):
            self.index[qid] = len(self.ids)
            self.ids.append(qid)
        self.n_bank = len(self.ids)
        self.topic = np.array([topic_ix[catalog.topic_of[q]] for q in self.ids], np.int64)
        self.total = np.bincount(self.topic, minlength=len(catalog.topics)).astype(float)
        starts = np.searchsorted(self.topic, np.arange(len(catalog.topics)))
        self.topic_starts = starts.astype(np.int64)

    def lookup(self, qids: Sequence[str]) -> np.ndarray:
        out = np.fromiter(map(self.index.get, qids, itertools.repeat(-1)), np.int64, len(qids))
        for i in np.flatnonzero(out < 0).tolist():  # ids not seen before (removed questions)
            qid = qids[i]
            slot = self.index.get(qid)
            if slot is None:
                slot = self.index[qid] = len(self.ids)
                self.ids.append(qid)
            out[i] = slot
        return out

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class _Answers:
    """Answers of a time window (any order)."""

    slot: np.ndarray
    t: np.ndarray  # epoch ms
    stab: np.ndarray
    ok: np.ndarray


_ISO_LEN = len("2025-01-31T12:00:00.000+00:00")


def _parse_iso_ms(text: bytes, n: int) -> np.ndarray | None:
    """Epoch ms of ``n`` concatenated times as :func:`storage.iso` writes them, or None."""
    if len(text) != _ISO_LEN * n:
        return None
    b = np.frombuffer(text, np.uint8).reshape(n, _ISO_LEN)
    fixed = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":", 19: b".", 23: b"+", 24: b"0",
             25: b"0", 26: b":", 27: b"0", 28: b"0"}
    if any((b[:, i] != ord(c)).any() for i, c in fixed.items()):
        return None

    def num(lo: int, hi: int) -> np.ndarray:
        digits = b[:, lo:hi].astype(np.int64) - 48
        return digits @ (10 ** np.arange(hi - lo - 1, -1, -1, dtype=np.int64))

    year, month, day = num(0, 4), num(5, 7), num(8, 10)
    # Days since 1970-01-01 from a civil date (H. Hinnant's algorithm).
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
    ms = ((days * 24 + num(11, 13)) * 60 + num(14, 16)) * 60_000 + num(17, 19) * 1000
    return (ms + num(20, 23)).astype(float)


def _fetch_answers(db: sqlite3.Connection, slots: _Slots, after: str | None,
                   until: str) -> _Answers:
    """Answers with ``after < answered_at <= until``, read column-wise.

    One aggregate row per column (group_concat) instead of a Python tuple per
    answer: reading a million answers this way is several times faster.
    """
    where = "answered_at <= ?" + (" AND answered_at > ?" if after is not None else "")
    params = [until] + ([after] if after is not None else [])
    n, qids, times, stabs, oks = db.execute(
        "SELECT count(*), group_concat(question_id, char(10)), group_concat(answered_at, ''), "
        "group_concat(ifnull(stability, 'nan'), ','), "
        f"group_concat(correct != 0, '') FROM answers WHERE {where}", params).fetchone()
    if not n:
        empty = np.zeros(0)
        return _Answers(np.zeros(0, np.int64), empty, empty, empty)
    ids = qids.split("\n")
    t = _parse_iso_ms(times.encode("ascii", "replace"), n)
    if len(ids) != n or t is None:  # an id with a newline, a time in another format
        return _fetch_rows(db, slots, where, params)
    return _Answers(slots.lookup(ids), t, np.array(stabs.split(","), float),
                    np.frombuffer(oks.encode("ascii"), np.uint8).astype(float) - 48.0)


def _fetch_rows(db: sqlite3.Connection, slots: _Slots, where: str,
                params: list[str]) -> _Answers:
    rows = db.execute(f"SELECT question_id, {_MS_SQL.format('answered_at')}, stability, "
                      f"correct != 0 FROM answers WHERE {where}", params).fetchall()
    qids, ts, stabs, oks = zip(*rows, strict=True)
    return _Answers(slots.lookup(qids), np.array(ts, float),
                    np.array([np.nan if v is None else v for v in stabs], float),
                    np.array(oks, float))


def _state_at(db: sqlite3.Connection, slots: _Slots, cutoff: str) -> _State:
    """Per-question state from every answer at or before ``cutoff`` (one indexed pass)."""
    rows = db.execute(
        """WITH g AS (SELECT question_id AS q, count(*) AS n, min(answered_at) AS t0,
                             max(answered_at) AS t1
                      FROM answers WHERE answered_at <= ? GROUP BY question_id)
           SELECT g.q, g.n, {t0}, f.correct, {t1}, l.stability
           FROM g JOIN answers f ON f.question_id = g.q AND f.answered_at = g.t0
                  JOIN answers l ON l.question_id = g.q AND l.answered_at = g.t1""".format(
            t0=_MS_SQL.format("g.t0"), t1=_MS_SQL.format("g.t1")),
        (cutoff,)).fetchall()
    state = _State.empty(len(slots))
    if not rows:
        return state
    qids, n, t0, ok, t1, stab = zip(*rows, strict=True)
    ix = slots.lookup(qids)
    state = state.grown(len(slots))
    state.n[ix] = n
    state.first_t[ix] = t0
    state.first_ok[ix] = ok
    state.last_t[ix] = t1
    state.stab[ix] = [np.nan if s is None else s for s in stab]
    return state


def _advance(state: _State, answers: _Answers, day_ends: np.ndarray, slots: _Slots,
             decay: float, factor: float) -> tuple[np.ndarray, _State]:
    """Statistics at each instant of ``day_ends`` and the state after the last one.

    ``state`` holds everything up to the window's start; ``answers`` are the
    answers inside the window (all at or before ``day_ends[-1]``).
    """
    size = len(slots)
    state = state.grown(size)
    k, n_days, nb = len(slots.catalog.topics), len(day_ends), slots.n_bank
    topic = slots.topic
    # Answers by question, then time; `ds`: the first day end at or after each.
    order = np.lexsort((answers.t, answers.slot))
    qs, ts, ss, oks = (answers.slot[order], answers.t[order], answers.stab[order],
                       answers.ok[order])
    ds = np.minimum(np.searchsorted(day_ends, ts, side="left"), n_days - 1)
    starts = np.searchsorted(qs, np.arange(size), side="left")
    ends = np.searchsorted(qs, np.arange(size), side="right")
    has_new = ends > starts
    seen_before = ~np.isnan(state.first_t)
    first_new = has_new & ~seen_before
    # Day each question was first answered: -1 before the window, n_days never.
    first_day = np.full(size, n_days, np.int64)
    first_day[seen_before] = -1
    first_day[first_new] = ds[starts[first_new]]
    first_ok = state.first_ok.copy()
    first_ok[first_new] = oks[starts[first_new]]

    stats = np.zeros((_N_STATS, k, n_days))
    bank_first = first_day[:nb]

    def cumulative(weights: np.ndarray, when: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Per topic and day, the running total of ``weights`` from day ``when`` on."""
        base = np.bincount(where[when < 0], weights[when < 0], minlength=k)
        inside = (when >= 0) & (when < n_days)
        steps = np.bincount(where[inside] * n_days + when[inside], weights[inside],
                            minlength=k * n_days).reshape(k, n_days)
        return base[:, None] + np.cumsum(steps, axis=1)

    stats[_SEEN] = cumulative(np.ones(nb), bank_first, topic)
    stats[_FIRST_OK] = cumulative(first_ok[:nb], bank_first, topic)
    in_bank = qs < nb
    answers_before = np.bincount(topic, state.n[:nb].astype(float), minlength=k)
    steps = np.bincount(topic[qs[in_bank]] * n_days + ds[in_bank],
                        minlength=k * n_days).reshape(k, n_days)
    stats[_ATTEMPTS] = answers_before[:, None] + np.cumsum(steps, axis=1)

    # Retrievability of every bank question at every day end, in chunks of days.
    if nb:
        keys = qs * n_days + ds  # sorted: by question, then day
        q = np.arange(nb)
        chunk = max(1, _CELLS_PER_CHUNK // nb)
        for lo in range(0, n_days, chunk):
            days = np.arange(lo, min(n_days, lo + chunk))
            cell = q[:, None] * n_days + days[None, :]
            idx = np.searchsorted(keys, cell, side="right") - 1
            has = idx >= starts[:nb, None]
            idx = np.clip(idx, 0, max(len(ts) - 1, 0))
            if len(ts):
                last_t = np.where(has, ts[idx], state.last_t[:nb, None])
                stab = np.where(has, ss[idx], state.stab[:nb, None])
                n = state.n[:nb, None] + np.where(has, idx - starts[:nb, None] + 1, 0)
            else:
                last_t = np.broadcast_to(state.last_t[:nb, None], cell.shape)
                stab = np.broadcast_to(state.stab[:nb, None], cell.shape)
                n = np.broadcast_to(state.n[:nb, None], cell.shape)
            elapsed = np.maximum(day_ends[days][None, :] - last_t, 0.0) / _MS_PER_DAY
            valid = (stab > 0) & ~np.isnan(last_t)
            with np.errstate(invalid="ignore", divide="ignore"):
                r = np.where(valid, (1.0 + factor * elapsed / np.where(valid, stab, 1.0))
                             ** decay, 0.0)
            var = np.where(valid, r * (1.0 - r) / (PER_QUESTION_PRIOR + n), 0.0)
            stats[_SUM_R][:, days] = np.add.reduceat(r, slots.topic_starts, axis=0)
            stats[_VAR_R][:, days] = np.add.reduceat(var, slots.topic_starts, axis=0)

    # The state after the window.
    if not len(ts):
        return stats, state
    first = np.minimum(starts, len(ts) - 1)
    last = np.maximum(ends - 1, 0)
    new = _State(
        n=state.n + (ends - starts),
        first_t=np.where(first_new, ts[first], state.first_t),
        first_ok=first_ok,
        last_t=np.where(has_new, ts[last], state.last_t),
        stab=np.where(has_new, ss[last], state.stab),
    )
    return stats, new


# -- the cache ------------------------------------------------------------------------
_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS stats_cache_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats_cache_days (day_end TEXT PRIMARY KEY, day TEXT NOT NULL,
                                             answers INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS stats_cache_state (cutoff TEXT PRIMARY KEY, ids TEXT NOT NULL,
                                              data BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS stats_cache_answer_insert AFTER INSERT ON answers BEGIN
    DELETE FROM stats_cache_days WHERE day_end >= NEW.answered_at;
    DELETE FROM stats_cache_state WHERE cutoff >= NEW.answered_at;
END;
CREATE TRIGGER IF NOT EXISTS stats_cache_answer_delete AFTER DELETE ON answers BEGIN
    DELETE FROM stats_cache_days WHERE day_end >= OLD.answered_at;
    DELETE FROM stats_cache_state WHERE cutoff >= OLD.answered_at;
END;
CREATE TRIGGER IF NOT EXISTS stats_cache_answer_update AFTER UPDATE ON answers
WHEN OLD.stability IS NOT NEW.stability OR OLD.correct IS NOT NEW.correct
     OR OLD.answered_at IS NOT NEW.answered_at OR OLD.question_id IS NOT NEW.question_id
BEGIN
    DELETE FROM stats_cache_days WHERE day_end >= min(OLD.answered_at, NEW.answered_at);
    DELETE FROM stats_cache_state WHERE cutoff >= min(OLD.answered_at, NEW.answered_at);
END;
"""
_CACHE_OBJECTS = ("stats_cache_meta", "stats_cache_days", "stats_cache_state",
                  "stats_cache_answer_insert", "stats_cache_answer_delete",
                  "stats_cache_answer_update")
_KEEP_STATES = 3  # snapshots kept: the newest few day starts


def drop_cache(db: sqlite3.Connection) -> None:
    """Remove the statistics cache; it is rebuilt on demand and holds nothing else."""
    db.executescript(
        "BEGIN; " + "".join(f"DROP TRIGGER IF EXISTS {t}; " for t in _CACHE_OBJECTS[3:])
        + "".join(f"DROP TABLE IF EXISTS {t}; " for t in _CACHE_OBJECTS[:3]) + "COMMIT;")


class _Cache:
    """Closed days' statistics and per-question snapshots in progress.sqlite.

    Days are stored as one contiguous run; triggers cut it (and drop snapshots)
    from the time of any answer that is inserted, changed or deleted. Writes are
    best effort: a read-only or busy database just means recomputing.
    """

    def __init__(self, progress: Progress, slots: _Slots, tz: tzinfo | None):
        self.db = progress.db
        self.slots = slots
        self.k = len(slots.catalog.topics)
        self.writable = True
        sched = progress.scheduling
        self.key = json.dumps([MODEL_VERSION, SCHEMA_VERSION, slots.catalog.fingerprint,
                               _tz_signature(tz), sched.decay, sched.factor, PRIOR_STRENGTH,
                               GLOBAL_SHRINK, PER_QUESTION_PRIOR])
        self.enabled = self._prepare()

    def _prepare(self) -> bool:
        try:
            names = {r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'stats_cache_%'")}
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(stats_cache_days)")}
            if not set(_CACHE_OBJECTS) <= names or "answers" not in columns:
                # First use, an older cache layout, or a migration rebuilt `answers`
                # and took the triggers with it.
                drop_cache(self.db)
                self.db.executescript("BEGIN; " + _CACHE_SCHEMA + " COMMIT;")
            row = self.db.execute(
                "SELECT value FROM stats_cache_meta WHERE key = 'key'").fetchone()
            if row is None or row[0] != self.key:  # other bank, model, time zone…
                with self._write():
                    self.db.execute("DELETE FROM stats_cache_days")
                    self.db.execute("DELETE FROM stats_cache_state")
                    self.db.execute("DELETE FROM stats_cache_meta")
                    self.db.execute("INSERT INTO stats_cache_meta VALUES ('key', ?)",
                                    (self.key,))
        except sqlite3.Error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            return False
        return True

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def span(self) -> tuple[str, str] | None:
        """(first, last) cached day end."""
        if not self.enabled:
            return None
        row = self.db.execute("SELECT min(day_end), max(day_end) FROM stats_cache_days").fetchone()
        return (row[0], row[1]) if row and row[0] else None

    def days(self, ends: list[str]) -> dict[str, np.ndarray]:
        if not self.enabled or not ends:
            return {}
        rows = self.db.execute(
            "SELECT day_end, data FROM stats_cache_days WHERE day_end >= ? AND day_end <= ?",
            (ends[0], ends[-1])).fetchall()
        return {r[0]: np.frombuffer(r[1], float).reshape(_N_STATS, self.k) for r in rows}

    def state(self, cutoff: str) -> _State | None:
        if not self.enabled:
            return None
        row = self.db.execute("SELECT ids, data FROM stats_cache_state WHERE cutoff = ?",
                              (cutoff,)).fetchone()
        if row is None:
            return None
        ids = row[0].split("\n") if row[0] else []
        data = np.frombuffer(row[1], float).reshape(5, len(ids))
        ix = self.slots.lookup(ids)
        state = _State.empty(len(self.slots))
        state.n[ix] = data[0].astype(np.int64)
        state.first_t[ix], state.first_ok[ix] = data[1], data[2]
        state.last_t[ix], state.stab[ix] = data[3], data[4]
        return state

    def answers(self, ends: list[str]) -> dict[str, int]:
        """Answers (to any question) on each cached day."""
        if not self.enabled or not ends:
            return {}
        return dict(self.db.execute(
            "SELECT day_end, answers FROM stats_cache_days WHERE day_end >= ? AND day_end <= ?",
            (ends[0], ends[-1])).fetchall())

    def flag(self, name: str) -> bool:
        if not self.enabled:
            return False
        return self.db.execute("SELECT 1 FROM stats_cache_meta WHERE key = ?",
                               (name,)).fetchone() is not None

    def set_flag(self, name: str) -> None:
        if self.enabled and self.writable:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("INSERT OR REPLACE INTO stats_cache_meta VALUES (?, '1')",
                                (name,))

    def store(self, days: list[tuple[str, str, int, np.ndarray]],
              state: tuple[str, _State] | None) -> None:
        if not self.enabled or not self.writable:
            return
        try:
            with self._write():
                self.db.executemany(
                    "INSERT OR REPLACE INTO stats_cache_days VALUES (?, ?, ?, ?)",
                    [(end, day, answers, np.ascontiguousarray(s).tobytes())
                     for end, day, answers, s in days])
                if state is not None:
                    self._store_state(*state)
        except sqlite3.Error:  # read-only folder, or another writer holds the lock
            self.writable = False

    def _store_state(self, cutoff: str, state: _State) -> None:
        answered = np.flatnonzero(state.n > 0)
        data = np.stack([state.n[answered].astype(float), state.first_t[answered],
                         state.first_ok[answered], state.last_t[answered],
                         state.stab[answered]])
        self.db.execute("INSERT OR REPLACE INTO stats_cache_state VALUES (?, ?, ?)",
                        (cutoff, "\n".join(self.slots.ids[i] for i in answered),
                         data.tobytes()))
        self.db.execute("DELETE FROM stats_cache_state WHERE cutoff NOT IN (SELECT cutoff FROM "
                        "stats_cache_state ORDER BY cutoff DESC LIMIT ?)", (_KEEP_STATES,))


class _Engine:
    """Per-topic statistics at day ends (cached) and at ``now``."""

    def __init__(self, catalog: Catalog, progress: Progress, tz: tzinfo | None):
        self.catalog = catalog
        self.progress = progress
        self.db = progress.db
        self.tz = tz
        self.slots = _Slots(catalog)
        self.decay = progress.scheduling.decay
        self.factor = progress.scheduling.factor
        self.cache = _Cache(progress, self.slots, tz)
        self.computed: dict[str, np.ndarray] = {}  # days computed but not cached
        self.checked_stability = False
        self.first = self._first_answer()

    def _first_answer(self) -> date | None:
        row = self.db.execute("SELECT min(answered_at) FROM answers").fetchone()
        if row is None or row[0] is None:
            return None
        from desktop_quiz.core.storage import parse_time

        return _local_date(parse_time(row[0]), self.tz)

    def _end(self, d: date) -> str:
        return iso(day_start(d + timedelta(days=1), self.tz))

    def _date_of_end(self, end: str) -> date:
        return _local_date(datetime.fromisoformat(end), self.tz) - timedelta(days=1)

    def days_stats(self, days: list[date], now: datetime) -> np.ndarray:
        """Statistics (5, topics, len(days)) at the end of each day; today ends at now."""
        out = np.zeros((_N_STATS, self.k, len(days)))
        if not days or self.first is None:
            return out
        today = _local_date(now, self.tz)
        closed = [d for d in days if self.first <= d < today]
        if closed:
            self._ensure(min(closed), today - timedelta(days=1))
            ends = [self._end(d) for d in closed]
            cached = self.cache.days(ends)
            column = {d: i for i, d in enumerate(days)}
            for d, end in zip(closed, ends, strict=True):
                out[:, :, column[d]] = cached[end] if end in cached else self.computed[end]
        if days[-1] == today and self.first <= today:
            out[:, :, -1] = self.at(now)[:, :, 0]
        return out

    @property
    def k(self) -> int:
        return len(self.catalog.topics)

    def _ensure(self, lo: date, hi: date) -> None:
        """Make every closed day in [lo, hi] available: cached, or in ``self.computed``."""
        span = self.cache.span()
        if span is None:
            self._segment(lo, hi, self._state_at_start(lo), keep_state=True)
            return
        c0, c1 = self._date_of_end(span[0]), self._date_of_end(span[1])
        if lo < c0:
            self._segment(lo, c0 - timedelta(days=1), self._state_at_start(lo), keep_state=False)
        if hi > c1:
            start = self.cache.state(span[1]) or self._scan(span[1])
            self._segment(c1 + timedelta(days=1), hi, start, keep_state=True)

    def _state_at_start(self, d: date) -> _State:
        if self.first is not None and d <= self.first:
            self._fix_missing_stability()
            return _State.empty(len(self.slots))
        return self._scan(iso(day_start(d, self.tz)))

    def _scan(self, cutoff: str) -> _State:
        self._fix_missing_stability()
        return _state_at(self.db, self.slots, cutoff)

    def _segment(self, lo: date, hi: date, state: _State, keep_state: bool) -> None:
        days = _day_range(lo, hi)
        if not days:
            return
        ends_dt = [day_start(d + timedelta(days=1), self.tz) for d in days]
        ends = [iso(e) for e in ends_dt]
        answers = _fetch_answers(self.db, self.slots, iso(day_start(lo, self.tz)), ends[-1])
        day_ends = np.array([_epoch_ms(e) for e in ends_dt])
        stats, state = _advance(state, answers, day_ends, self.slots, self.decay, self.factor)
        per_day = np.bincount(np.minimum(np.searchsorted(day_ends, answers.t), len(days) - 1),
                              minlength=len(days))
        rows = [(end, d.isoformat(), int(per_day[i]), stats[:, :, i]) for i, (end, d)
                in enumerate(zip(ends, days, strict=True))]
        self.computed.update((end, s) for end, _, _, s in rows)
        self.cache.store(rows, (ends[-1], state) if keep_state else None)

    def _fix_missing_stability(self) -> None:
        """Answers stored before schema 2 have no stability: replay them once."""
        if self.checked_stability or self.cache.flag("stability_checked"):
            return
        self.checked_stability = True
        if self.db.execute("SELECT 1 FROM answers WHERE stability IS NULL LIMIT 1").fetchone():
            with contextlib.suppress(sqlite3.Error):  # read-only: they count as forgotten
                self.progress.replay_all()
        # New rows always get their stability (record and import replay at once), and a
        # schema change resets this flag with the rest of the cache.
        self.cache.set_flag("stability_checked")

    def at(self, now: datetime) -> np.ndarray:
        """Statistics (5, topics, 1) at the instant ``now``."""
        today = _local_date(now, self.tz)
        cutoff = iso(day_start(today, self.tz))
        state = self.cache.state(cutoff)
        if state is None and self.first is not None and self.first < today:
            span = self.cache.span()
            if span is not None and span[1] < cutoff and self.cache.state(span[1]) is not None:
                # Roll the cache forward to yesterday (a few days of answers at most).
                self._ensure(self._date_of_end(span[1]), today - timedelta(days=1))
                state = self.cache.state(cutoff)
            if state is None:
                state = self._scan(cutoff)
                self.cache.store([], (cutoff, state))
        if state is None:
            state = _State.empty(len(self.slots))
        answers = _fetch_answers(self.db, self.slots, cutoff, iso(now))
        stats, _ = _advance(state, answers, np.array([_epoch_ms(now)]), self.slots,
                            self.decay, self.factor)
        return stats

    def due_by_topic(self, until: datetime) -> np.ndarray:
        counts = np.zeros(self.k, np.int64)
        ix = {t: i for i, t in enumerate(self.catalog.topics)}
        topic_of = self.catalog.topic_of
        for (qid,) in self.db.execute("SELECT question_id FROM cards WHERE due < ?",
                                      (iso(until),)):
            topic = topic_of.get(qid)
            if topic is not None:
                counts[ix[topic]] += 1
        return counts


def _day_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- public API ------------------------------------------------------------------------
def topic_mastery(source: Source, now: datetime | None = None,
                  tz: tzinfo | None = None) -> list[TopicMastery]:
    """Mastery of every topic with questions in the bank, weakest first."""
    now = now or utcnow()
    catalog, progress = _resolve(source)
    engine = _Engine(catalog, progress, tz)
    today = _local_date(now, tz)
    stats = engine.days_stats([today], now)
    mastery, low, high = estimate(stats, engine.slots.total)
    due = engine.due_by_topic(end_of_today(now, tz))
    result = [
        TopicMastery(topic=t, mastery=float(mastery[i, 0]), low=float(low[i, 0]),
                     high=float(high[i, 0]), attempts=int(stats[_ATTEMPTS, i, 0]),
                     seen=int(stats[_SEEN, i, 0]), total=int(engine.slots.total[i]),
                     due=int(due[i]))
        for i, t in enumerate(catalog.topics)
    ]
    return sorted(result, key=weakness_key)


def weakest_topics(source: Source, n: int = 5, now: datetime | None = None,
                   tz: tzinfo | None = None) -> list[TopicMastery]:
    """The ``n`` weakest topics among those with answers (see the ranking rule above)."""
    return [m for m in topic_mastery(source, now, tz) if m.attempts > 0][: max(0, n)]


def mastery_over_time(source: Source, days: int | None = 90, now: datetime | None = None,
                      tz: tzinfo | None = None) -> MasteryHistory:
    """Mastery per topic at the end of each of the last ``days`` days (None: all history).

    The last day is today, evaluated at ``now``: it equals :func:`topic_mastery`.
    """
    now = now or utcnow()
    catalog, progress = _resolve(source)
    engine = _Engine(catalog, progress, tz)
    today = _local_date(now, tz)
    if days is None:
        start = min(engine.first, today) if engine.first is not None else today
    else:
        start = today - timedelta(days=max(1, days) - 1)
    span = _day_range(start, today)
    stats = engine.days_stats(span, now)
    mastery, low, high = estimate(stats, engine.slots.total)
    return MasteryHistory(
        days=tuple(span), topics=catalog.topics, titles=dict(catalog.titles),
        mastery=mastery, low=low, high=high, attempts=stats[_ATTEMPTS].astype(np.int64),
        seen=stats[_SEEN].astype(np.int64), total=engine.slots.total.astype(np.int64))


def activity(source: Progress | Source, days: int | None = 90, now: datetime | None = None,
             tz: tzinfo | None = None) -> Activity:
    """Answers per local day over the last ``days`` days (None: all history), and the streak.

    Closed days come from the statistics cache when it has them (given a bank or
    context; a bare Progress always counts), other days are counted on the index.
    """
    progress = source if isinstance(source, Progress) else _resolve(source)[1]
    now = now or utcnow()
    today = _local_date(now, tz)
    if days is None:
        row = progress.db.execute("SELECT min(answered_at) FROM answers").fetchone()
        start = today
        if row and row[0]:
            from desktop_quiz.core.storage import parse_time

            start = min(_local_date(parse_time(row[0]), tz), today)
    else:
        start = today - timedelta(days=max(1, days) - 1)
    span = _day_range(start, today)
    bounds = [iso(day_start(d, tz)) for d in span] + [iso(day_start(today + timedelta(days=1),
                                                                    tz))]
    bounds[-1] = min(bounds[-1], iso(now))  # nothing after now counts
    cached: dict[str, int] = {}
    if not isinstance(source, Progress):
        catalog, _ = _resolve(source)
        cached = _Cache(progress, _Slots(catalog), tz).answers(bounds[1:-1])
    counts = np.array([
        cached[hi] if hi in cached else progress.db.execute(
            "SELECT count(*) FROM answers WHERE answered_at > ? AND answered_at <= ?",
            (lo, hi)).fetchone()[0]
        for lo, hi in itertools.pairwise(bounds)], np.int64)
    return Activity(tuple(span), counts, streak_days(progress, now, tz))


def streak_days(source: Progress | Source, now: datetime | None = None,
                tz: tzinfo | None = None) -> int:
    """Consecutive days with at least one answer, up to today.

    A day without answers *today* does not break the streak until the day is over
    (as in Anki): it counts back from yesterday then.
    """
    progress = source if isinstance(source, Progress) else _resolve(source)[1]
    now = now or utcnow()
    day = _local_date(now, tz)

    def answered(d: date) -> bool:
        lo = iso(day_start(d, tz))
        hi = min(iso(day_start(d + timedelta(days=1), tz)), iso(now))
        return progress.db.execute("SELECT 1 FROM answers WHERE answered_at > ? AND "
                                   "answered_at <= ? LIMIT 1", (lo, hi)).fetchone() is not None

    streak = 0
    if not answered(day):
        day -= timedelta(days=1)
    while answered(day):
        streak += 1
        day -= timedelta(days=1)
    return streak


def stats_json(source: Source, now: datetime | None = None,
               tz: tzinfo | None = None) -> dict[str, object]:
    """The ``desktop-quiz stats --json`` document."""
    now = now or utcnow()
    topics = topic_mastery(source, now, tz)
    return {"as_of": iso(now), "due_today": sum(t.due for t in topics),
            "streak_days": streak_days(source, now, tz),
            "topics": [t.to_json() for t in topics]}


def format_table(source: Source, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """The readable ``desktop-quiz stats`` table."""
    now = now or utcnow()
    catalog, _ = _resolve(source)
    doc = stats_json(source, now, tz)
    topics: list[dict[str, Any]] = doc["topics"]  # type: ignore[assignment]
    local = now.astimezone(tz)
    streak = int(doc["streak_days"])  # type: ignore[call-overload]
    lines = [f"Mastery as of {local:%Y-%m-%d %H:%M} · {doc['due_today']} due today · "
             f"streak {streak} day{'s' if streak != 1 else ''}", ""]
    width = max([len(catalog.title(t["topic"])) for t in topics] + [5])
    header = (f"{'topic':<{width}}  {'mastery':>7}  {'90% range':>9}  {'seen':>9}  "
              f"{'answers':>7}  {'due':>4}")
    lines += [header, "─" * len(header)]
    for t in topics:
        started = t["attempts"] > 0
        mastery = f"{t['mastery']:.0%}" if started else "–"
        span = f"{t['low']:.0%}–{t['high']:.0%}" if started else "not started"
        seen = f"{t['seen']}/{t['total']}"
        lines.append(f"{catalog.title(t['topic']):<{width}}  {mastery:>7}  {span:>9}  "
                     f"{seen:>9}  {t['attempts']:>7}  {t['due']:>4}")
    if not any(t["attempts"] for t in topics):
        lines += ["", "No answers yet: start a drill, and mastery appears here."]
    return "\n".join(lines)

