"""Grading: exact-set MCQ and the key-point checker on hand-written answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.model import Question
from desktop_quiz.core.study.grading import (
    Rating,
    easy_threshold_seconds,
    grade_mcq,
    grade_recall,
    mcq_rating,
    phrase_in,
    phrase_tokens,
    suggest_rating,
    tokens,
)


@pytest.fixture
def bank(fixture_bank: Path) -> Bank:
    return Bank(fixture_bank)


@pytest.fixture
def l1l2(bank: Bank) -> Question:
    return bank.question("l1-vs-l2")


def hits(q: Question, answer: str) -> list[bool]:
    return [p.hit for p in grade_recall(q, answer).points]


def test_good_answer_hits_every_point(l1l2: Question) -> None:
    answer = ("L1 (lasso) penalizes the absolute values of the weights, which pushes many "
              "coefficients to exactly zero, so it does feature selection. L2 or ridge "
              "penalizes squared weights; it shrinks everything smoothly and copes well with "
              "correlated features.")
    result = grade_recall(l1l2, answer)
    assert [p.hit for p in result.points] == [True, True, True, True]
    assert result.coverage == 1.0 and result.suggested is Rating.EASY


def test_partial_answer(l1l2: Question) -> None:
    answer = "Lasso uses absolute values and gives sparse models. Ridge is the other one."
    assert hits(l1l2, answer) == [True, True, True, False]
    result = grade_recall(l1l2, answer)
    assert result.coverage == 0.75 and result.suggested is Rating.GOOD


def test_wrong_answer(l1l2: Question) -> None:
    answer = "They are two learning-rate schedules: one decays linearly, the other by steps."
    result = grade_recall(l1l2, answer)
    assert result.hits == 0 and result.suggested is Rating.AGAIN


def test_empty_answer(l1l2: Question) -> None:
    assert grade_recall(l1l2, "").hits == 0


def test_stemming_matches_other_word_forms(l1l2: Question) -> None:
    assert hits(l1l2, "the ridge penalty keeps shrinking weights")[3]
    assert hits(l1l2, "weights become sparser")[2]
    assert not hits(l1l2, "weights become dense")[2]
    assert hits(l1l2, "it yields sparsity in the weights")[2]


def test_typos_are_tolerated_for_longer_words(l1l2: Question) -> None:
    assert hits(l1l2, "it performs feature selction")[2]
    assert hits(l1l2, "handles colinear features")[3]
    assert not hits(l1l2, "l3 penalty")[0]  # short tokens must match exactly


def test_phrase_words_must_be_near_each_other() -> None:
    answer = tokens("feature engineering matters. " + "filler words here " * 5 + "selection")
    assert not phrase_in(phrase_tokens("feature selection"), answer)
    assert phrase_in(phrase_tokens("feature selection"), tokens("selection of the feature"))


def test_joined_and_split_compounds() -> None:
    assert phrase_in(phrase_tokens("mini batch"), tokens("use minibatch gradient descent"))
    assert phrase_in(phrase_tokens("minibatch"), tokens("use mini batch gradient descent"))
    assert phrase_in(phrase_tokens("weight decay"), tokens("weight-decay"))


@pytest.mark.parametrize(("coverage", "rating"), [
    (0.0, Rating.AGAIN), (0.34, Rating.AGAIN), (0.4, Rating.HARD), (0.5, Rating.HARD),
    (0.7, Rating.GOOD), (0.75, Rating.GOOD), (0.99, Rating.GOOD), (1.0, Rating.EASY)])
def test_suggested_rating(coverage: float, rating: Rating) -> None:
    assert suggest_rating(coverage) is rating


def test_mcq_single_answer(bank: Bank) -> None:
    q = bank.question("gap-remedy")
    right = grade_mcq(q, [1])
    assert right.correct and right.score == 1.0
    assert [c.correct for c in right.choices] == [False, True, False]
    assert "variance" in right.choices[1].explanation_html
    wrong = grade_mcq(q, [0])
    assert not wrong.correct and wrong.choices[0].chosen and not wrong.choices[0].correct
    assert not grade_mcq(q, []).correct


def test_mcq_multi_answer_needs_the_exact_set(bank: Bank) -> None:
    q = bank.question("pick-metrics")
    assert q.multi
    assert grade_mcq(q, [0, 1]).correct
    assert not grade_mcq(q, [0]).correct  # a subset is not enough
    assert not grade_mcq(q, [0, 1, 2]).correct  # nor a superset
    with pytest.raises(ValueError, match="no choice 9"):
        grade_mcq(q, [8])


def test_mcq_rating_map(bank: Bank) -> None:
    q = bank.question("gap-remedy")
    limit_ms = int(easy_threshold_seconds(q) * 1000)
    assert mcq_rating(q, False, 1000) is Rating.AGAIN
    assert mcq_rating(q, True, limit_ms - 1) is Rating.EASY
    assert mcq_rating(q, True, limit_ms + 1) is Rating.GOOD


def test_slashed_abbreviations_match_both_ways() -> None:
    answer = tokens("we ran an A/B test for two weeks")
    assert phrase_in(phrase_tokens("a/b test"), answer)
    assert phrase_in(phrase_tokens("ab test"), answer)


def test_negations_are_part_of_a_phrase() -> None:
    assert not phrase_in(phrase_tokens("not stationary"), tokens("the series is stationary"))
    assert phrase_in(phrase_tokens("not stationary"), tokens("the series isn't stationary"))
    assert phrase_in(phrase_tokens("no leakage"), tokens("make sure there is no leakage"))


def test_fast_matching_agrees_with_the_pairwise_rule() -> None:
    # _positions scores in rapidfuzz's C loop over distinct words; it must pick exactly
    # what the rule, applied pair by pair (matching.similar), picks.
    from desktop_quiz.core.study.matching import _positions, read_answer, similar

    answer = read_answer("Regularisation shrinks the weights; L2 (ridge) penalises large "
                         "coeficients, gradient descnet with a minibatch, stationary series, "
                         "precision recall tradeoff of the classifier's threshold, unlabeled "
                         "and labelled data, independent samples, a constant constraint")
    for text in ("regularization", "coefficients", "gradient descent", "mini batch",
                 "stationarity", "precision", "threshold", "ridge", "l2", "weight",
                 "labeled", "dependent", "constraint"):
        for word in phrase_tokens(text)[0].words:
            assert _positions(word, answer) == [
                i for i, w in enumerate(answer.content) if similar(word, w)], word
