# long: one numpy engine whose stages share private array layouts (slots, states, cache).
"""The numpy engine of :mod:`desktop_quiz.core.progress.mastery`: mastery over time and its cache.

Imported lazily (numpy costs a few hundred milliseconds to load): only the
Progress charts, ``desktop-quiz stats`` and the benchmark need it. Home's
"weakest topics" uses the pure-Python :func:`stats.topic_mastery_now`, which
gives the same numbers (a test holds both to that).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

import numpy as np

from desktop_quiz.core.progress.mastery import (
    _MS_PER_DAY,
    _MS_SQL,
    GLOBAL_SHRINK,
    MODEL_VERSION,
    PER_QUESTION_PRIOR,
    PRIOR_STRENGTH,
    Catalog,
    Source,
    TopicMastery,
    Z,
    _epoch_ms,
    _local_date,
    _resolve,
    _tz_signature,
    streak_days,
    weakness_key,
)
from desktop_quiz.core.progress.storage import (
    SCHEMA_VERSION,
    Progress,
    day_start,
    end_of_today,
    iso,
    utcnow,
)

# Rows of the per-day statistics (each a vector over topics).
_SEEN, _SUM_R, _VAR_R, _FIRST_OK, _ATTEMPTS = range(5)
_N_STATS = 5
_CELLS_PER_CHUNK = 1_000_000  # questions × days evaluated at once (bounds memory)


# -- results ------------------------------------------------------------------------
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
        from desktop_quiz.core.progress.storage import parse_time

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
            from desktop_quiz.core.progress.storage import parse_time

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
