"""Drills and mock interviews: choosing questions and walking through them.

A :class:`Session` is the whole state of one drill; the GUI only shows it and
forwards what the learner does. Every answer is recorded in the progress store
*before* the session returns the feedback to show.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from desktop_quiz.core.bank.reader import Bank, Filter
from desktop_quiz.core.model import Question
from desktop_quiz.core.progress.storage import Answer, AnswerNotSaved, Progress, utcnow
from desktop_quiz.core.study.grading import (
    McqResult,
    Rating,
    RecallResult,
    grade_mcq,
    grade_recall,
    mcq_rating,
)
from desktop_quiz.core.study.runner import RunResult, suggest_rating

ORDERS = ("random", "unseen-first", "weak-first", "due-first")
WEAK_HORIZON = timedelta(days=1)
WEAK_UNSEEN = 0.85
ORDER_LABELS = {
    "random": "Random",
    "unseen-first": "Unseen first",
    "weak-first": "Weakest first",
    "due-first": "Due for review first",
}


@dataclass(frozen=True)
class DrillSpec:
    filter: Filter = field(default_factory=Filter)
    count: int = 20
    order: str = "random"
    mode: str = "drill"  # drill | mock | review


def assemble(bank: Bank, spec: DrillSpec, progress: Progress | None = None,
             rng: random.Random | None = None, now: datetime | None = None) -> list[str]:
    """Pick up to ``spec.count`` distinct question ids for a drill."""
    if spec.order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)}")
    rng = rng or random.Random()
    pool = bank.query(spec.filter)
    rng.shuffle(pool)  # random order within equal keys for every mode
    if progress is not None and spec.order != "random":
        pool = _ordered(pool, spec.order, progress, now or utcnow())
    return pool[: max(0, spec.count)]


def _ordered(pool: list[str], order: str, progress: Progress, now: datetime) -> list[str]:
    if order == "unseen-first":
        seen = progress.seen_ids()
        return sorted(pool, key=lambda q: q in seen)
    if order == "due-first":
        # Soonest due (most overdue) first; questions never answered come last.
        due = {q: i for i, q in enumerate(progress.due_order())}
        return sorted(pool, key=lambda q: due.get(q, len(due)))
    # weak-first: lowest predicted recall a day from now. (Recall *now* is ~1 for
    # anything just reviewed, even a failure; a day ahead, low stability shows.)
    # Unseen questions sit between failed ones (~0.77 after one Again) and known
    # ones (~0.95 after one Good), so a weak-first drill repairs mistakes first.
    recall = progress.retrievability(now + WEAK_HORIZON)
    return sorted(pool, key=lambda q: recall.get(q, WEAK_UNSEEN))


@dataclass
class Outcome:
    """What happened to one question of a session."""

    question_id: str
    topic: str
    kind: str
    status: str = "pending"  # pending | answered | skipped
    correct: bool = False
    score: float = 0.0
    rating: int = 0
    duration_ms: int = 0
    answer_id: int = 0
    response: str = ""
    recall: RecallResult | None = None
    mcq: McqResult | None = None
    run: RunResult | None = None  # coding exercise: the tests' result at submission
    answered_at: datetime | None = None
    unsaved: str = ""  # why the answer is not in the database yet (kept in the pending file)


@dataclass
class Session:
    """One drill or mock interview over a fixed list of questions."""

    bank: Bank
    progress: Progress
    ids: list[str]
    mode: str = "drill"
    spec: DrillSpec = field(default_factory=DrillSpec)
    clock: Callable[[], float] = time.monotonic
    session_id: str = ""
    index: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    # Choices are shown in a fresh random order each time a question is shown, so
    # a learner cannot answer a review by remembering "the second one".
    shuffle_choices: bool = True
    rng: random.Random = field(default_factory=random.Random)
    _started: float = 0.0
    _question: Question | None = None
    _orders: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.session_id:
            self.session_id = self.progress.start_session(
                self.mode, {"count": len(self.ids), "order": self.spec.order})
        # Light rows, not whole questions: a 200-question drill would otherwise parse
        # every question (HTML and all) up front just to read its topic and kind.
        rows = {r["id"]: r for r in self.bank.summaries(self.ids)}
        self.outcomes = []
        for qid in self.ids:
            if qid not in rows:
                self.bank.question(qid)  # raises the bank's error for an unknown id
            self.outcomes.append(Outcome(qid, rows[qid]["topic"], rows[qid]["kind"]))
        self._begin()

    # -- navigation -----------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.ids)

    @property
    def finished(self) -> bool:
        return self.index >= self.total

    @property
    def number(self) -> int:
        """The question shown, counted from 1 (the last one once finished)."""
        return min(self.index + 1, self.total)

    @property
    def done(self) -> int:
        """Questions answered or skipped: the progress bar's value."""
        return sum(o.status != "pending" for o in self.outcomes)

    def position_text(self) -> str:
        """"2 / 20": the one counter every view of the session shows."""
        return f"{self.number} / {self.total}"

    @property
    def question(self) -> Question:
        if self._question is None or self._question.id != self.ids[self.index]:
            self._question = self.bank.question(self.ids[self.index])
        return self._question

    @property
    def choice_order(self) -> tuple[int, ...]:
        """Source indices of the current question's choices in the order shown.

        Answers and history always use source indices; only the view uses positions.
        """
        if self.index not in self._orders:
            order = list(range(len(self.question.choices)))
            if self.shuffle_choices:
                self.rng.shuffle(order)
            self._orders[self.index] = tuple(order)
        return self._orders[self.index]

    @property
    def outcome(self) -> Outcome:
        return self.outcomes[self.index]

    def elapsed_ms(self) -> int:
        return int((self.clock() - self._started) * 1000)

    def _begin(self) -> None:
        self._started = self.clock()

    def next(self) -> bool:
        """Move on; returns False when the session is over."""
        self.index += 1
        if self.finished:
            self.progress.finish_session(self.session_id)
            return False
        self._begin()
        return True

    def skip(self) -> bool:
        self.outcome.status = "skipped"
        return self.next()

    # -- answering --------------------------------------------------------------
    def _unanswered(self) -> Outcome:
        o = self.outcome
        if o.status == "answered":
            raise RuntimeError(f"question {o.question_id} was already answered")
        return o

    def answer_mcq(self, chosen: Sequence[int]) -> McqResult:
        self._unanswered()
        q = self.question
        result = grade_mcq(q, chosen)
        duration = self.elapsed_ms()
        rating = mcq_rating(q, result.correct, duration)
        o = self.outcome
        o.mcq, o.correct, o.score, o.rating = result, result.correct, result.score, int(rating)
        o.response = ",".join(str(i) for i in sorted(chosen))
        self._record(o, duration)
        return result

    def check_recall(self, text: str) -> RecallResult:
        """Grade the typed answer and record it with the suggested rating."""
        self._unanswered()
        q = self.question
        result = grade_recall(q, text)
        o = self.outcome
        o.recall, o.score, o.response = result, result.coverage, text
        o.rating = int(result.suggested)
        o.correct = result.suggested > Rating.AGAIN
        self._record(o, self.elapsed_ms())
        return result

    def answer_code(self, code: str, result: RunResult | None) -> int:
        """Record a coding exercise: the learner's code is the response, the score the
        share of tests passed; returns the suggested rating (the learner confirms it
        with :meth:`rate`). ``result`` None means submitted without a run: all failed."""
        self._unanswered()
        o = self.outcome
        total = result.total if result else len(self.question.exercise.test_cases
                                                 if self.question.exercise else ())
        passed = result.passed if result else 0
        o.run, o.response = result, code
        o.score = passed / total if total else 0.0
        o.rating = suggest_rating(passed, total)
        o.correct = bool(result and result.all_passed)
        self._record(o, self.elapsed_ms())
        return o.rating

    def give_up(self) -> RecallResult:
        """"I don't know": reveal the answer, recorded as Again."""
        self._unanswered()
        result = grade_recall(self.question, "")
        o = self.outcome
        o.recall, o.score, o.rating, o.correct = result, 0.0, int(Rating.AGAIN), False
        self._record(o, self.elapsed_ms())
        return result

    def revise_recall(self, result: RecallResult) -> None:
        """The learner flipped key points of the current recall answer.

        Only the in-memory result changes (the summary and report show it); what is
        stored is the rating the learner then confirms with :meth:`rate`.
        """
        o = self.outcome
        if o.status != "answered" or o.recall is None:
            raise RuntimeError("revise_recall() comes after check_recall()")
        o.recall = result

    def rate(self, rating: int) -> None:
        """The learner accepted or changed the rating of the current recall answer."""
        o = self.outcome
        if o.status != "answered":
            raise RuntimeError("rate() comes after check_recall() or give_up()")
        if rating != o.rating:
            if o.unsaved and o.answered_at is not None:
                self.progress.amend_pending(o.question_id, o.answered_at, rating)
            else:
                self.progress.amend_rating(o.answer_id, rating)
            o.rating = rating
            if o.kind != "code":  # a coding answer is correct when its tests passed
                o.correct = rating > Rating.AGAIN

    def _record(self, o: Outcome, duration_ms: int) -> None:
        o.duration_ms = duration_ms
        o.answered_at = utcnow()
        o.unsaved = ""
        try:
            o.answer_id = self.progress.record(Answer(
                question_id=o.question_id, kind=o.kind, answered_at=o.answered_at,
                correct=o.correct, score=o.score, rating=o.rating, duration_ms=duration_ms,
                mode=self.mode, session_id=self.session_id, response=o.response))
        except AnswerNotSaved as exc:
            o.unsaved = str(exc)  # kept in the pending file; the view tells the learner
        o.status = "answered"

    # -- summary ----------------------------------------------------------------
    def summary(self) -> Summary:
        answered = [o for o in self.outcomes if o.status == "answered"]
        by_topic: dict[str, list[int]] = {}
        for o in answered:
            right, total = by_topic.setdefault(o.topic, [0, 0])
            by_topic[o.topic] = [right + o.correct, total + 1]
        return Summary(
            answered=len(answered),
            correct=sum(o.correct for o in answered),
            skipped=sum(o.status == "skipped" for o in self.outcomes),
            total=self.total,
            by_topic={t: (r, n) for t, (r, n) in by_topic.items()},
            missed=[o.question_id for o in answered if not o.correct],
            duration_ms=sum(o.duration_ms for o in answered),
        )


@dataclass(frozen=True)
class Summary:
    answered: int
    correct: int
    skipped: int
    total: int
    by_topic: dict[str, tuple[int, int]]
    missed: list[str]
    duration_ms: int

    @property
    def score(self) -> float:
        return self.correct / self.answered if self.answered else 0.0
