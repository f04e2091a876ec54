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
import math
import sqlite3
import time as _time
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any, Union

from desktop_quiz.core.progress.storage import (
    Progress,
    day_start,
    end_of_today,
    iso,
    utcnow,
)

if TYPE_CHECKING:
    from desktop_quiz.core.bank.reader import Bank
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


# -- days ---------------------------------------------------------------------------
def _local_date(dt: datetime, tz: tzinfo | None) -> date:
    return dt.astimezone(tz).date()


def _epoch_ms(dt: datetime) -> float:
    return float(round((dt - _EPOCH).total_seconds() * 1000.0))


def _tz_signature(tz: tzinfo | None) -> str:
    if tz is not None:
        return repr(tz)
    return f"local:{_time.tzname}:{_time.timezone}:{_time.altzone}"


# -- mastery now, without numpy ------------------------------------------------------
# Home shows the weakest topics at start-up; loading numpy for ~20 numbers would
# cost more than the rest of start-up. This path computes the same estimate as
# the engine's (statsengine.estimate on statsengine._Engine.at): the same SQL
# per-question state, summed in the same order, so the numbers agree to rounding.
def _fix_missing_stability(progress: Progress) -> None:
    """Answers stored before schema 2 have no stability: replay them (as the engine does)."""
    db = progress.db
    with contextlib.suppress(sqlite3.Error):  # no cache tables yet
        if db.execute("SELECT 1 FROM stats_cache_meta WHERE key = 'stability_checked'"
                      ).fetchone():
            return
    if db.execute("SELECT 1 FROM answers WHERE stability IS NULL LIMIT 1").fetchone():
        with contextlib.suppress(sqlite3.Error):  # read-only: they count as forgotten
            progress.replay_all()


def _question_state(db: sqlite3.Connection, cutoff: str) -> dict[str, tuple[int, int, float,
                                                                               float | None]]:
    """Question id → (answers, first answer right, ms of the latest, its stability)."""
    rows = db.execute(
        """WITH g AS (SELECT question_id AS q, count(*) AS n, min(answered_at) AS t0,
                             max(answered_at) AS t1
                      FROM answers WHERE answered_at <= ? GROUP BY question_id)
           SELECT g.q, g.n, f.correct, {t1}, l.stability
           FROM g JOIN answers f ON f.question_id = g.q AND f.answered_at = g.t0
                  JOIN answers l ON l.question_id = g.q AND l.answered_at = g.t1""".format(
            t1=_MS_SQL.format("g.t1")), (cutoff,))
    return {str(q): (int(n), 1 if ok else 0, float(t1), s) for q, n, ok, t1, s in rows}


def _wilson(p: float, n: float, z: float = Z) -> tuple[float, float]:
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    return min(max(centre - half, 0.0), 1.0), min(max(centre + half, 0.0), 1.0)


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def topic_mastery_now(source: Source, now: datetime | None = None,
                      tz: tzinfo | None = None) -> list[TopicMastery]:
    """Mastery of every topic now, weakest first: :func:`topic_mastery` without numpy.

    One aggregate query over the answers (indexed); fine for any realistic
    history. The charts' engine, with its per-day cache, serves the long ranges.
    """
    now = now or utcnow()
    catalog, progress = _resolve(source)
    _fix_missing_stability(progress)
    state = _question_state(progress.db, iso(now))
    now_ms = _epoch_ms(now)
    decay, factor = progress.scheduling.decay, progress.scheduling.factor
    by_topic: dict[str, list[str]] = {t: [] for t in catalog.topics}
    for qid, topic in catalog.topic_of.items():
        by_topic[topic].append(qid)
    # Per topic: seen, ΣR, Σ var R, first-attempt right, attempts (the engine's rows).
    rows: list[tuple[float, float, float, float, int, int]] = []
    for topic in catalog.topics:
        seen = sum_r = var_r = first_ok = 0.0
        attempts = 0
        qids = sorted(by_topic[topic])
        for qid in qids:
            st = state.get(qid)
            if st is None:
                continue
            n, ok, last_ms, stab = st
            seen += 1.0
            first_ok += ok
            attempts += n
            if stab is not None and stab > 0:
                elapsed = max(now_ms - last_ms, 0.0) / _MS_PER_DAY
                r = (1.0 + factor * elapsed / stab) ** decay
                sum_r += r
                var_r += r * (1.0 - r) / (PER_QUESTION_PRIOR + n)
        rows.append((seen, sum_r, var_r, first_ok, attempts, len(qids)))
    all_ok = 0.0
    all_seen = 0.0
    for seen, _, _, first_ok, _, _ in rows:
        all_ok += first_ok
        all_seen += seen
    overall = (all_ok + GLOBAL_SHRINK * 0.5) / (all_seen + GLOBAL_SHRINK)
    due = _due_by_topic(progress, catalog, end_of_today(now, tz))
    result = []
    for topic, (seen, sum_r, var_r, first_ok, attempts, total) in zip(
            catalog.topics, rows, strict=True):
        n_total = max(float(total), 1.0)
        alpha = PRIOR_STRENGTH * overall + first_ok
        beta = PRIOR_STRENGTH * (1.0 - overall) + (seen - first_ok)
        p_unseen = alpha / (alpha + beta)
        var_unseen = p_unseen * (1.0 - p_unseen) / (alpha + beta + 1.0)
        unseen = max(n_total - seen, 0.0)
        mastery = _clip01((sum_r + unseen * p_unseen) / n_total)
        var = (var_r + unseen * unseen * var_unseen) / (n_total * n_total)
        spread = mastery * (1.0 - mastery)
        n_eff = spread / max(var, 1e-12) if var > 1e-12 else 1e6
        low, high = _wilson(mastery, min(max(n_eff, 1.0), 1e6))
        result.append(TopicMastery(topic=topic, mastery=mastery, low=low, high=high,
                                   attempts=attempts, seen=int(seen), total=total,
                                   due=due.get(topic, 0)))
    return sorted(result, key=weakness_key)


def _due_by_topic(progress: Progress, catalog: Catalog, until: datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (qid,) in progress.db.execute("SELECT question_id FROM cards WHERE due < ?",
                                      (iso(until),)):
        topic = catalog.topic_of.get(qid)
        if topic is not None:
            counts[topic] = counts.get(topic, 0) + 1
    return counts

# -- public API ------------------------------------------------------------------------
def shown_percent(m: TopicMastery) -> int:
    """The mastery as the app shows it (whole percent)."""
    return round(m.mastery * 100)


def by_shown_mastery(rows: list[TopicMastery]) -> list[TopicMastery]:
    """Started topics by the value shown (lowest first), then topics not started; ties
    keep the given order (from :func:`topic_mastery_now`: the lower top of the range)."""
    return sorted(rows, key=lambda m: (m.attempts == 0, shown_percent(m) if m.attempts else 0))


def lowest_shown(rows: list[TopicMastery], n: int = 5) -> list[TopicMastery]:
    """The ``n`` started topics with the lowest value shown, more when the n-th is tied:
    what Home lists and Progress marks red, so the two screens never disagree."""
    started = [m for m in by_shown_mastery(rows) if m.attempts]
    if len(started) <= n:
        return started
    cut = shown_percent(started[n - 1])
    return [m for m in started if shown_percent(m) <= cut]


def weakest_topics(source: Source, n: int = 5, now: datetime | None = None,
                   tz: tzinfo | None = None) -> list[TopicMastery]:
    """The ``n`` weakest topics among those with answers (see the ranking rule above)."""
    return [m for m in topic_mastery_now(source, now, tz) if m.attempts > 0][: max(0, n)]


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
