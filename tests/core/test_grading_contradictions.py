"""Recall grading: wrong claims made with the right words (core/study/contradiction.py).

Each detector has a wrong answer it catches and a correct paraphrase it must leave
alone. The questions are built here from general ML knowledge, not from the
evaluation set.
"""

from __future__ import annotations

from desktop_quiz.core.model import KeyPoint, Question
from desktop_quiz.core.study.contradiction import subjects
from desktop_quiz.core.study.grading import PointResult, grade_recall


def q(*points: KeyPoint, prompt: str = "Explain it.") -> Question:
    return Question(id="t", topic="t", kind="recall", difficulty=1, tags=(), prompt=prompt,
                    answer="A model answer of a reasonable length. " * 8, key_points=points)


def kp(text: str, *accept: str) -> KeyPoint:
    return KeyPoint(text, tuple(accept), ())


def point(question: Question, answer: str, index: int = 0) -> PointResult:
    return grade_recall(question, answer).points[index]


# -- opposite properties ------------------------------------------------------------------
L1 = q(kp("L1 regularisation gives sparse weights", "sparse weights"))
CONVEX = q(kp("The logistic regression loss is convex", "logistic loss", "log loss"))
VARIANCE = q(kp("Averaging many trees mainly reduces variance", "averaging trees"))
RECALL = q(kp("Favour recall when false negatives are costly", "false negatives"))


def test_the_opposite_term_about_the_same_thing_contradicts_the_point() -> None:
    got = point(L1, "L2 regularisation gives sparse weights.")
    assert not got.hit and got.vetoed == "l2"
    assert "opposite" in got.reason
    assert not point(CONVEX, "The logistic loss is non-convex, so restarts help.").hit
    assert not point(VARIANCE, "Averaging trees mainly reduces bias.").hit
    assert not point(RECALL, "Favour precision when false negatives are costly.").hit


def test_a_correct_paraphrase_with_both_terms_or_a_negation_still_counts() -> None:
    assert point(L1, "Lasso (L1) gives sparse weights; L2 only shrinks them.").hit
    assert point(L1, "L1 gives sparse weights, which L2 does not.").hit
    assert point(CONVEX, "Log loss has no bad local minima, it is convex.").hit
    assert point(VARIANCE, "Averaging trees cuts variance while bias stays about "
                           "the same.").hit
    assert point(RECALL, "False negatives are costly here, so recall matters most.").hit


def test_an_opposite_term_about_something_else_is_not_a_contradiction() -> None:
    # "variance" is next to nothing the point says "bias" of.
    bias = q(kp("Boosting mainly reduces bias", "boosting"))
    assert point(bias, "Boosting mainly reduces bias; its variance can grow with "
                       "too many rounds.").hit
    assert point(bias, "Boosting fits shallow trees in sequence, and the final "
                       "ensemble has low bias.").hit


def test_a_negated_term_in_the_point_is_not_read_as_its_opposite() -> None:
    shift = q(kp("Adding a constant does not change the variance", "adding a constant"))
    assert point(shift, "Adding a constant moves the mean but leaves the variance "
                        "alone.").hit


def test_minimising_a_negative_log_likelihood_is_not_the_opposite_of_maximising() -> None:
    mle = q(kp("Maximum likelihood maximises the likelihood of the data",
               "likelihood of the data"))
    assert point(mle, "It minimises the negative log likelihood of the data.").hit
    assert not point(mle, "It minimises the likelihood of the data.").hit


def test_self_supervised_is_not_the_opposite_of_unsupervised() -> None:
    pre = q(kp("Pretraining is unsupervised", "pretraining"))
    assert point(pre, "The pretraining is self-supervised on raw text.").hit
    assert not point(pre, "The pretraining is supervised, with human labels.").hit


# -- the wrong subject ---------------------------------------------------------------------
ENSEMBLES = q(
    kp("Bagging trains models independently, in parallel", "in parallel", "independently"),
    kp("Boosting trains models sequentially, each fixing the last one's errors",
       "sequentially", "one after another"),
    prompt="What is the difference between bagging and boosting?")


def test_saying_a_point_of_the_other_contrasted_thing_contradicts_it() -> None:
    result = grade_recall(ENSEMBLES, "Bagging trains its models sequentially. "
                                     "Boosting trains them in parallel.")
    assert [p.hit for p in result.points] == [False, False]
    assert result.points[1].vetoed == "bagging"
    assert result.points[1].reason == ("your answer says this of “bagging”, not of "
                                       "what the point is about")


def test_the_right_subject_or_a_contrast_is_not_a_wrong_subject() -> None:
    for answer in (
        "Bagging trains its models in parallel. Boosting trains them sequentially.",
        "Unlike boosting, bagging fits its models in parallel; boosting goes one "
        "model after another, sequentially.",
        "In bagging the models are trained in parallel, whereas boosting trains them "
        "sequentially.",
        "Each model is trained in parallel in bagging. With boosting, models are "
        "trained sequentially.",
    ):
        assert all(p.hit for p in grade_recall(ENSEMBLES, answer).points), answer


def test_subjects_need_a_question_that_contrasts_things() -> None:
    texts = tuple(p.text for p in ENSEMBLES.key_points)
    own, others = subjects(ENSEMBLES.prompt, texts)[0]
    assert own == {"bag"} and others == {"boost"}
    assert subjects("Explain bagging and boosting.", texts)[0] == (frozenset(), frozenset())
    # Words written together in the prompt name one thing, not two to swap.
    enc = subjects("What is the difference between one-hot and label (integer) encoding?",
                   ("Label encoding maps each category to an integer",
                    "Integer codes impose an order"))
    assert "integ" not in enc[0][1] and "label" not in enc[1][1]
