"""Synthetic answer histories.

- :func:`fill_demo` (``desktop-quiz demo``) simulates a learner over the real bank
  for screenshots and trying the app: study sessions most days, weekends lighter,
  a few breaks, reviews when FSRS says they are due, new questions a few topics at
  a time. Some topics are *weak* (the learner often misses their questions and
  forgets them fast); the charts must show exactly those as the weakest. Answers
  go through :meth:`Progress.import_answers`, so card states are real FSRS.
- :func:`write_synthetic_history` writes a large history (a million answers) fast,
  for the benchmark. Shortcut: the stability stored with each answer follows an
  FSRS-shaped rule (it grows about 2.2× per right answer in a row and resets after
  a miss) instead of running FSRS per answer; the statistics only read stored
  stabilities, so their speed is measured on realistic data shapes.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop_quiz.core.progress.mastery import Catalog, day_start
from desktop_quiz.core.progress.scheduling import easy_threshold_seconds
from desktop_quiz.core.progress.storage import Answer, Progress, iso, utcnow

if TYPE_CHECKING:
    from desktop_quiz.core.bank.reader import Bank
    from desktop_quiz.core.context import AppContext


class DemoError(Exception):
    """The demo cannot run here; the message says why."""


@dataclass(frozen=True)
class DemoResult:
    answers: int
    sessions: int
    days: int
    active_days: int
    weak_topics: tuple[str, ...]


@dataclass
class _Learner:
    """What the simulated learner knows, per topic."""

    first_try: dict[str, float]  # chance to get a new question right
    memory: dict[str, float]  # exponent on FSRS recall: > 1 forgets faster than FSRS expects


def pick_weak_topics(topics: list[str], rng: random.Random) -> tuple[str, ...]:
    k = min(3, max(1, len(topics) // 4))
    return tuple(sorted(rng.sample(topics, k)))


def fill_demo(source: AppContext | tuple[Bank, Progress], days: int = 120, seed: int = 7,
              weak_topics: tuple[str, ...] | None = None, now: datetime | None = None,
              tz: tzinfo | None = None) -> DemoResult:
    """Simulate ``days`` days of study ending ``now`` into an empty progress database."""
    bank, progress = source if isinstance(source, tuple) else (source.bank, source.progress)
    existing = progress.answer_count()
    if existing:
        raise DemoError(f"{progress.data_dir} already has {existing} answers; the demo only "
                        "fills an empty data folder (use --data-dir with a new folder)")
    if days < 1:
        raise DemoError("--days must be at least 1")
    rng = random.Random(seed)
    now = now or utcnow()
    rows = bank.summaries()
    kind = {str(r["id"]): str(r["kind"]) for r in rows}
    by_topic: dict[str, list[str]] = {}
    for r in rows:
        by_topic.setdefault(str(r["topic"]), []).append(str(r["id"]))
    topics = [t for t in Catalog.from_bank(bank).topics if len(by_topic.get(t, ())) >= 2]
    if len(topics) < 2:
        raise DemoError("the question bank needs at least two topics for a demo")
    weak = tuple(weak_topics) if weak_topics is not None else pick_weak_topics(topics, rng)
    unknown = set(weak) - set(topics)
    if unknown:
        raise DemoError(f"no such topic(s) in the bank: {', '.join(sorted(unknown))}")
    learner = _Learner(
        first_try={t: rng.uniform(0.25, 0.4) if t in weak else rng.uniform(0.72, 0.9)
                   for t in topics},
        memory={t: 4.0 if t in weak else rng.uniform(0.5, 0.9) for t in topics},
    )
    sim = _Simulation(bank, progress, rng, learner, kind, by_topic, topics, now, tz)
    sim.run(days)
    progress.import_answers(sim.answers)
    with progress.transaction() as db:
        db.executemany("INSERT OR IGNORE INTO sessions (id, mode, started_at, finished_at, spec) "
                       "VALUES (?, ?, ?, ?, ?)", sim.sessions)
    return DemoResult(len(sim.answers), len(sim.sessions), days, len(sim.active_days), weak)


class _Simulation:
    def __init__(self, bank: Bank, progress: Progress, rng: random.Random, learner: _Learner,
                 kind: dict[str, str], by_topic: dict[str, list[str]], topics: list[str],
                 now: datetime, tz: tzinfo | None):
        self.bank, self.sched, self.rng, self.learner = bank, progress.scheduling, rng, learner
        self.kind, self.by_topic, self.topics, self.now, self.tz = kind, by_topic, topics, now, tz
        self.topic_of = {q: t for t, ids in by_topic.items() for q in ids}
        self.cards: dict[str, Any] = {}
        self.answers: list[Answer] = []
        self.sessions: list[tuple[str, str, str, str, str]] = []
        self.active_days: set[date] = set()
        self.unseen = {t: rng.sample(ids, len(ids)) for t, ids in by_topic.items()}
        self._easy: dict[str, float] = {}

    def run(self, days: int) -> None:
        today = self.now.astimezone(self.tz).date()
        first = today - timedelta(days=days - 1)
        pause = 0
        for i in range(days):
            d = first + timedelta(days=i)
            recent = (today - d).days < 5  # keep a streak going into today
            if pause > 0 and not recent:
                pause -= 1
                continue
            if not recent and i > 0 and self.rng.random() < 0.035:
                pause = self.rng.randint(2, 5)  # a few days off
                continue
            weekend = d.weekday() >= 5
            if not recent and i > 0 and self.rng.random() > (0.55 if weekend else 0.82):
                continue
            for _ in range(1 if self.rng.random() < 0.7 else 2):
                self._session(d)

    def _session(self, d: date) -> None:
        rng = self.rng
        evening = rng.random() < 0.6
        minutes = rng.randint(18 * 60, 22 * 60) if evening else rng.randint(7 * 60, 9 * 60)
        start = day_start(d, self.tz) + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        size = rng.randint(8, 24)
        if start + timedelta(minutes=size * 2) > self.now:
            start = self.now - timedelta(minutes=size * 2 + 5)
            if start < day_start(d, self.tz):
                return
        due = sorted((c.due, q) for q, c in self.cards.items() if c.due <= start)
        mode = "drill"
        ids = [q for _, q in due[: int(size * 0.6)]]
        if len(ids) >= size * 0.5 and rng.random() < 0.5:
            mode = "review"
        elif rng.random() < 0.1:
            mode, size = "mock", 5
            ids = []
        focus = rng.sample(self.topics, k=min(len(self.topics), rng.randint(1, 3)))
        for topic in focus * size:
            if len(ids) >= size:
                break
            if self.unseen[topic]:
                ids.append(self.unseen[topic].pop())
        pool = list(self.cards)
        while len(ids) < size and pool:
            q = rng.choice(pool)
            if q not in ids:
                ids.append(q)
            pool.remove(q)
        if not ids:
            return
        sid = f"demo{len(self.sessions):05d}"
        t = start
        for q in ids:
            duration = self._duration(q)
            t += timedelta(milliseconds=duration)
            if t > self.now:
                break
            self._answer(q, t, duration, mode, sid)
            t += timedelta(seconds=rng.randint(3, 25))
        self.sessions.append((sid, mode, iso(start), iso(min(t, self.now)),
                              json.dumps({"count": len(ids), "order": "due-first"})))
        self.active_days.add(d)

    def _duration(self, q: str) -> int:
        base = 14_000 if self.kind[q] == "mcq" else 55_000
        return int(base * math.exp(self.rng.gauss(0, 0.45)))

    def _answer(self, q: str, t: datetime, duration: int, mode: str, sid: str) -> None:
        topic = self.topic_of[q]
        card = self.cards.get(q)
        if card is None:
            p = self.learner.first_try[topic]
        else:
            recall = self.sched.retrievability_of(card.stability, card.last_review, t)
            p = recall ** self.learner.memory[topic]
        right = self.rng.random() < p
        if self.kind[q] == "mcq":
            fast = duration / 1000.0 < self._easy_seconds(q)
            rating = (4 if fast else 3) if right else 1
            score = 1.0 if right else 0.0
        else:
            rating = self.rng.choices((2, 3, 4), (0.3, 0.5, 0.2))[0] if right else 1
            score = {1: self.rng.choice((0.0, 0.2, 0.25)), 2: 0.5, 3: 0.75, 4: 1.0}[rating]
        self.cards[q] = self.sched.review(card, rating, t, duration)
        self.answers.append(Answer(q, self.kind[q], t, right, score, rating, duration, mode, sid))

    def _easy_seconds(self, q: str) -> float:
        if q not in self._easy:
            self._easy[q] = easy_threshold_seconds(self.bank.question(q))
        return self._easy[q]


# -- a large history, fast (benchmarks) ----------------------------------------------------
def synthetic_catalog(n_questions: int = 2000, n_topics: int = 20) -> Catalog:
    """Synthetic question ids ``syn-TT-QQQQ`` spread evenly over ``synthetic-TT`` topics."""
    return Catalog.from_mapping({
        f"syn-{i % n_topics:02d}-{i:05d}": f"synthetic-{i % n_topics:02d}"
        for i in range(n_questions)})


def write_synthetic_history(progress: Progress, n_answers: int = 1_000_000,
                            n_questions: int = 2000, n_topics: int = 20, days: int = 730,
                            seed: int = 0, now: datetime | None = None) -> Catalog:
    """Bulk-insert ``n_answers`` answers over ``days`` days ending ``now``; returns the catalog.

    Activity has gaps (about one day in five without answers); topics differ in
    accuracy; the cards table gets each question's latest state. Answers go in
    with one ``executemany`` in one transaction (tens of seconds for a million).
    """
    if progress.answer_count():
        raise DemoError(f"{progress.data_dir} already has answers")
    rng = np.random.default_rng(seed)
    catalog = synthetic_catalog(n_questions, n_topics)
    qids = sorted(catalog.topic_of)
    topic_ix = np.array([int(q.split("-")[1]) for q in qids])
    accuracy = rng.permutation(np.linspace(0.45, 0.92, n_topics))
    now = now or utcnow()
    end_ms = int(now.timestamp() * 1000)
    day_ms, hour_ms = 86_400_000, 3_600_000
    # Study happens 07:00-23:00 (UTC) on about four days in five, never after `now`.
    starts = (end_ms // day_ms - np.arange(days)[::-1]) * day_ms
    lo, hi = starts + 7 * hour_ms, np.minimum(starts + 23 * hour_ms, end_ms - 1)
    active = np.flatnonzero((rng.random(days) < 0.8) & (hi - lo > hour_ms))
    if not len(active):
        active = np.flatnonzero(hi > lo)[-1:]
    day = rng.choice(active, n_answers)
    t = np.sort(lo[day] + (rng.random(n_answers) * (hi[day] - lo[day])).astype(np.int64))
    # Strictly increasing, so every (question, time) pair is unique.
    step = np.arange(n_answers)
    t = np.maximum.accumulate(t - step) + step
    q = rng.integers(0, n_questions, n_answers)
    ok = rng.random(n_answers) < accuracy[topic_ix[q]]
    # Stability: FSRS-shaped, per question in time order (see the module docstring).
    order = np.lexsort((t, q))
    qo, oko = q[order], ok[order]
    starts = np.r_[True, qo[1:] != qo[:-1]]
    wins = np.cumsum(oko)
    marker = np.where(starts, wins - oko, np.where(~oko, wins, 0))
    streak = wins - np.maximum.accumulate(marker)
    stab_sorted = np.where(oko, np.minimum(2.3 * 2.2 ** np.maximum(streak - 1, 0), 36500.0),
                           0.4)
    stab = np.empty(n_answers)
    stab[order] = stab_sorted
    rating = np.where(ok, np.where(rng.random(n_answers) < 0.3, 4, 3), 1)
    mcq = (q % 3) != 0
    when = np.char.add(np.datetime_as_string(t.astype("datetime64[ms]"), unit="ms"), "+00:00")
    rows = zip(np.array(qids)[q].tolist(), np.where(mcq, "mcq", "recall").tolist(), when.tolist(),
               ok.astype(int).tolist(), ok.astype(float).tolist(), rating.tolist(),
               rng.integers(4_000, 90_000, n_answers).tolist(),
               np.where(rng.random(n_answers) < 0.8, "drill", "review").tolist(),
               stab.tolist(), strict=True)
    last = order[np.r_[qo[1:] != qo[:-1], True]]
    db = progress.db
    db.execute("PRAGMA cache_size = -262144")  # keep the indexes in memory while loading
    # Indexes are rebuilt after the load (one sort instead of a million random inserts),
    # from their own stored definitions.
    indexes = [r[0] for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'answers' "
        "AND sql IS NOT NULL")]
    try:
        with progress.transaction():
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                      "AND tbl_name = 'answers' AND sql IS NOT NULL").fetchall():
                db.execute(f'DROP INDEX "{name}"')
            db.executemany(
                "INSERT INTO answers (question_id, kind, answered_at, correct, score, rating, "
                "duration_ms, mode, session_id, stability) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?)",
                rows)
            for sql in indexes:
                db.execute(sql)
            db.executemany("INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?)",
                           [_card_row(qids[q[i]], float(stab[i]), int(t[i]))
                            for i in last.tolist()])
    finally:
        db.execute("PRAGMA cache_size = -2000")
    return catalog


def _card_row(qid: str, stability: float, last_ms: int) -> tuple[str, str, str, float, str]:
    import fsrs

    last = datetime.fromtimestamp(last_ms / 1000, timezone.utc)
    due = last + timedelta(days=max(1.0, stability))  # R(S) = 0.9: due after S days
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, step=None, stability=stability,
                     difficulty=5.0, due=due, last_review=last)
    return (qid, str(card.to_json()), iso(due), stability, iso(last))
