"""Drill assembly and sessions over a real bank and a real progress database."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank, Filter
from desktop_quiz.core.progress.storage import Progress
from desktop_quiz.core.study.grading import Rating
from desktop_quiz.core.study.session import DrillSpec, Session, assemble


@pytest.fixture
def bank(fixture_bank: Path) -> Bank:
    return Bank(fixture_bank)


@pytest.fixture
def progress(data_dir: Path) -> Progress:
    return Progress(data_dir)


def stored_answers(data_dir: Path) -> list[tuple[str, int, int]]:
    db = sqlite3.connect(data_dir / "progress.sqlite")
    return db.execute("SELECT question_id, correct, rating FROM answers ORDER BY id").fetchall()


def test_assemble_respects_filter_count_and_never_repeats(bank: Bank, progress: Progress) -> None:
    for seed in range(10):
        ids = assemble(bank, DrillSpec(count=3), progress, random.Random(seed))
        assert len(ids) == 3 and len(set(ids)) == 3
    assert assemble(bank, DrillSpec(Filter(kinds=("mcq",)), count=10), progress) in (
        ["gap-remedy", "pick-metrics"], ["pick-metrics", "gap-remedy"])
    with pytest.raises(ValueError):
        assemble(bank, DrillSpec(order="alphabetical"), progress)


def test_unseen_first_puts_new_questions_first(bank: Bank, progress: Progress) -> None:
    session = Session(bank, progress, ["gap-remedy", "l1-vs-l2"])
    session.answer_mcq([1])
    session.next()
    session.check_recall("lasso")
    for seed in range(5):
        ids = assemble(bank, DrillSpec(count=4, order="unseen-first"), progress,
                       random.Random(seed))
        assert set(ids[:2]) == {"bias-definition", "pick-metrics"}


def test_weak_first_and_due_first(bank: Bank, progress: Progress) -> None:
    session = Session(bank, progress, ["gap-remedy", "pick-metrics"])
    session.answer_mcq([0])  # wrong → Again → low stability
    session.next()
    session.answer_mcq([0, 1])  # right
    ids = assemble(bank, DrillSpec(count=4, order="weak-first"), progress, random.Random(1))
    assert ids[0] == "gap-remedy" and ids[-1] == "pick-metrics"
    ids = assemble(bank, DrillSpec(count=4, order="due-first"), progress, random.Random(1))
    assert ids[0] == "gap-remedy"


def test_answers_are_stored_before_feedback_is_returned(
    bank: Bank, progress: Progress, data_dir: Path
) -> None:
    session = Session(bank, progress, ["pick-metrics", "l1-vs-l2", "gap-remedy"])
    assert session.question.id == "pick-metrics" and session.total == 3
    result = session.answer_mcq([0, 1])
    assert result.correct
    assert stored_answers(data_dir) == [("pick-metrics", 1, session.outcome.rating)]
    with pytest.raises(RuntimeError):
        session.answer_mcq([0])  # no double answers
    session.next()
    recall = session.check_recall("Lasso: an absolute value penalty; ridge: squared weights")
    assert recall.suggested is Rating.HARD
    assert stored_answers(data_dir)[-1] == ("l1-vs-l2", 1, int(Rating.HARD))
    session.rate(int(Rating.AGAIN))  # the learner overrides the suggestion
    assert stored_answers(data_dir)[-1] == ("l1-vs-l2", 0, int(Rating.AGAIN))
    assert session.next() is True
    assert session.skip() is False and session.finished
    summary = session.summary()
    assert (summary.answered, summary.correct, summary.skipped) == (2, 1, 1)
    assert summary.missed == ["l1-vs-l2"]
    assert summary.by_topic == {"beta": (1, 1), "alpha": (0, 1)}


def test_give_up_records_again(bank: Bank, progress: Progress, data_dir: Path) -> None:
    session = Session(bank, progress, ["bias-definition"])
    result = session.give_up()
    assert result.hits == 0
    assert stored_answers(data_dir) == [("bias-definition", 0, 1)]


def test_time_per_question_is_recorded(bank: Bank, progress: Progress) -> None:
    now = [100.0]
    session = Session(bank, progress, ["gap-remedy", "pick-metrics"], clock=lambda: now[0])
    now[0] += 12.5
    session.answer_mcq([1])
    assert session.outcome.duration_ms == 12500
    assert session.outcome.rating == int(Rating.GOOD)  # right, but not fast → Good
    session.next()
    now[0] += 1
    session.answer_mcq([0, 1])
    assert session.outcome.rating == int(Rating.EASY)


def test_a_session_knows_each_questions_topic_and_kind_and_refuses_unknown_ids(
        bank: Bank, progress: Progress) -> None:
    ids = bank.all_ids()[:3]
    session = Session(bank, progress, list(reversed(ids)))
    assert [(o.question_id, o.topic, o.kind) for o in session.outcomes] == [
        (q.id, q.topic, q.kind) for q in (bank.question(i) for i in reversed(ids))]
    with pytest.raises(KeyError):
        Session(bank, progress, [ids[0], "no-such-question"])


def test_choices_are_shown_in_a_new_order_each_time_and_grading_follows(
        bank: Bank, progress: Progress) -> None:
    qid = "gap-remedy"
    q = bank.question(qid)
    n = len(q.choices)
    rng = random.Random(3)
    orders = set()
    for _ in range(12):  # the same question shown again in later drills
        session = Session(bank, progress, [qid], rng=rng)
        order = session.choice_order
        assert sorted(order) == list(range(n))
        assert session.choice_order == order  # stable while the question is on screen
        orders.add(order)
        # The learner picks the choice shown at the key's position; the session is
        # told the file's index, so the verdict and the record follow the shuffle.
        position = order.index(min(q.correct_indices))
        result = session.answer_mcq([order[position]])
        assert result.correct
        time.sleep(0.002)  # answers are keyed by (question, millisecond)
    assert len(orders) > 3  # 12 draws of n! orders: a fixed order would give one
    stored = [a.response for a in progress.answers()]
    assert stored == [str(min(q.correct_indices))] * 12


def test_shuffling_can_be_turned_off(bank: Bank, progress: Progress) -> None:
    session = Session(bank, progress, ["gap-remedy"], shuffle_choices=False)
    assert session.choice_order == tuple(range(len(session.question.choices)))
