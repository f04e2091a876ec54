"""Recall grading: one test per failure pattern of issue 12.

Negation (with a curly apostrophe), single words, letters and digits, antonym
prefixes, numbers, formulas and full-width text, synonyms, lists of terms and long
pasted answers. Each question is built here, so the tests do not depend on the bank.
"""

from __future__ import annotations

import pytest

from desktop_quiz.core.model import KeyPoint, Question, Rating
from desktop_quiz.core.study.grading import (
    LONG_FACTOR,
    antonym_prefixed,
    grade_recall,
    phrase_in,
    phrase_tokens,
    synonym_groups,
    tokens,
)
from desktop_quiz.core.text import normalize, numbers_match, parse_number, words


def q(*points: KeyPoint, answer: str = "A model answer of a reasonable length. " * 8,
      prompt: str = "Explain it.") -> Question:
    return Question(id="t", topic="t", kind="recall", difficulty=1, tags=(), prompt=prompt,
                    answer=answer, key_points=points)


def kp(text: str, *accept: str, reject: tuple[str, ...] = ()) -> KeyPoint:
    return KeyPoint(text, tuple(accept), reject)


def hit(point: KeyPoint, answer: str) -> bool:
    return grade_recall(q(point), answer).points[0].hit


# -- negation --------------------------------------------------------------------------
LOGGING = kp("Log per-prediction inputs and outputs", "log inputs", "logging inputs")
AVERAGE = kp("Average the gradient over the batch", "average over batch", "averaging")


@pytest.mark.parametrize("answer", [
    "Logging per-prediction inputs is unnecessary.",
    "You should not log inputs at prediction time.",
    "Never log inputs, it costs too much.",
    "Serving works fine without logging inputs.",
    "It isn't worth logging inputs.",
    "It doesn’t need logging inputs at all.",  # curly apostrophe
])
def test_a_phrasing_inside_a_negation_does_not_count(answer: str) -> None:
    assert not hit(LOGGING, answer)


def test_negation_ends_at_the_clause_and_affirmed_statements_still_count() -> None:
    assert hit(LOGGING, "We log inputs and outputs for every prediction.")
    assert hit(LOGGING, "Latency is not a problem, so log inputs for every request.")
    assert hit(LOGGING, "Not only log inputs but also outputs.")  # not a negation
    assert not hit(AVERAGE, "The update doesn’t need averaging.")
    assert not hit(AVERAGE, "The update doesn't need averaging.")
    assert hit(AVERAGE, "The update needs averaging over the batch.")


def test_a_negated_phrasing_needs_a_negation() -> None:
    point = kp("The series is not stationary", "not stationary")
    assert not hit(point, "The series is stationary.")
    assert hit(point, "The series isn’t stationary.")


def test_a_point_that_is_itself_negative_reads_its_phrasing_that_way() -> None:
    point = kp("Trees cannot extrapolate a trend", "extrapolate")
    assert hit(point, "Tree models can’t extrapolate beyond the training range.")
    assert not hit(point, "Trees extrapolate the trend well.")


def test_reject_phrasings_veto_the_point() -> None:
    point = kp("t-SNE is non-linear and stochastic", "non linear", "nonlinear",
               reject=("linear method", "is linear"))
    result = grade_recall(q(point), "t-SNE is a linear method, and it is nonlinear too.")
    assert not result.points[0].hit
    assert result.points[0].vetoed == "linear method"
    assert hit(point, "t-SNE is a non-linear embedding.")


def test_reversed_direction_contradicts_the_point() -> None:
    point = kp("Fine-tune with a smaller learning rate", "fine tune", "fine tuning")
    assert hit(point, "Then fine-tune the whole network with a smaller learning rate.")
    assert not hit(point, "Then fine-tune the whole network with a larger learning rate.")
    result = grade_recall(q(point), "Fine-tune with a larger learning rate.")
    assert result.points[0].vetoed == "larger"


# -- single words, letters and digits -----------------------------------------------------
def test_single_letters_and_digits_cannot_decide_a_point() -> None:
    formula = kp("The p-value is 1 − Φ(z)", "Φ(Z)", "z")
    assert not hit(formula, "z")
    digits = kp("About 0.14 of the mass", "0.14")
    assert not hit(digits, "1 7 0 14")
    assert hit(digits, "roughly 0.14 of it")


def test_contradicting_words_lower_the_score() -> None:
    tsne = q(kp("t-SNE is non-linear", "non linear", reject=("linear method",)),
             kp("t-SNE is stochastic", "stochastic", "random initialisation",
                reject=("deterministic",)))
    result = grade_recall(tsne, "t-SNE is a linear, deterministic method.")
    assert result.hits == 0 and result.score == 0.0 and result.suggested is Rating.AGAIN


# -- antonyms and typos -----------------------------------------------------------------
@pytest.mark.parametrize(("a", "b"), [
    ("unlabeled", "labeled"), ("independent", "dependent"), ("unbiased", "biased"),
    ("unstable", "stable"), ("nonlinear", "linear"), ("dissimilar", "similar"),
    ("irregular", "regular"), ("illegal", "legal"), ("asymmetric", "symmetric")])
def test_typo_tolerance_never_bridges_an_antonym_prefix(a: str, b: str) -> None:
    assert antonym_prefixed(a, b)
    assert not phrase_in(phrase_tokens(b), tokens(f"the {a} case"))
    assert not phrase_in(phrase_tokens(a), tokens(f"the {b} case"))


def test_typos_in_long_words_only() -> None:
    assert phrase_in(phrase_tokens("feature selection"), tokens("feature selction"))
    assert not phrase_in(phrase_tokens("bias"), tokens("bios"))  # under 5 letters
    assert not phrase_in(phrase_tokens("constraint"), tokens("a constant"))  # not a typo


# -- numbers, formulas, full-width ----------------------------------------------------------
@pytest.mark.parametrize(("phrase", "answer"), [
    ("0.67", "precision is 0.667"), ("0.667", "about 0.67"), ("0.33", "it is 1/3"),
    ("less than 1", "less than one"), ("14,750", "roughly 15k per group"),
    ("14750", "14,750 users"), ("80%", "eighty percent power"), ("3 layers", "three layers")])
def test_numbers_compare_as_numbers(phrase: str, answer: str) -> None:
    assert phrase_in(phrase_tokens(phrase), tokens(answer))


@pytest.mark.parametrize(("phrase", "answer"), [
    ("0.84", "z is 1"), ("0.67", "0.76"), ("14,750", "1,475"), ("1.96", "1.64"),
    ("0.14", "14"), ("3.93", "about 4")])
def test_wrong_numbers_do_not_match(phrase: str, answer: str) -> None:
    assert not phrase_in(phrase_tokens(phrase), tokens(answer))


def test_number_precision() -> None:
    a, b = parse_number("0.667"), parse_number("0.67")
    assert a is not None and b is not None and numbers_match(a, b)
    third = parse_number("1/3")
    assert third is not None and abs(third.value - 1 / 3) < 1e-12
    k = parse_number("15k")
    assert k is not None and k.value == 15000 and k.unit == 1000


def test_formulas_become_words() -> None:
    norm, origin = normalize("ŵ = (XᵀWX)⁻¹XᵀWy")
    assert "transpose" in norm and "inverse" in norm and "equals" in norm
    assert len(origin) == len(norm)
    point = kp("Weighted least squares: w = (XᵀWX)⁻¹XᵀWy", "x transpose w x inverse")
    assert hit(point, "ŵ = (XᵀWX)⁻¹XᵀWy")
    assert hit(kp("Variance σ² of the noise", "sigma squared"), "the noise has variance σ²")
    assert hit(kp("Learning rate α", "alpha"), "a step of size α")


def test_full_width_accents_and_curly_quotes() -> None:
    assert hit(kp("Use regularization", "regularization"), "ｒｅｇｕｌａｒｉｚａｔｉｏｎ")
    assert hit(kp("A naive model", "naive bayes"), "naïve Bayes")
    assert [w.word for w in words("it doesn’t")][-2:] == ["does", "not"]


def test_evidence_points_at_what_the_learner_wrote() -> None:
    answer = "Ｗe use ｒｉｄｇｅ — it shrinks weights."
    result = grade_recall(q(kp("L2 shrinks weights", "shrinks weights")), answer)
    p = result.points[0]
    assert p.hit and p.evidence == "shrinks weights"
    assert [answer[s:e] for s, e in p.spans] == ["shrinks", "weights"]
    full = grade_recall(q(kp("Ridge", "ridge")), answer).points[0]
    assert [answer[s:e] for s, e in full.spans] == ["ｒｉｄｇｅ"]


# -- synonyms -------------------------------------------------------------------------
@pytest.mark.parametrize(("phrase", "answer"), [
    ("labeled data", "each example comes with a target"),
    ("in hindsight", "looking back, the split was wrong"),
    ("many cutoffs", "evaluate at many origins"),
    ("weekly", "retrain every week"),
    ("my role", "my part was the feature pipeline"),
])
def test_synonyms_from_the_reviewed_table(phrase: str, answer: str) -> None:
    assert phrase_in(phrase_tokens(phrase), tokens(answer))


def test_synonym_table_is_well_formed() -> None:
    groups = synonym_groups()
    assert len(groups) >= 50
    for g in groups:
        assert len(g) >= 2 and len(set(g)) == len(g)
        assert all(m and all(s for s in m) for m in g)


# -- gaming ------------------------------------------------------------------------------
POINTS = (kp("L1 gives sparse weights", "sparse weights"),
          kp("L2 shrinks weights smoothly", "shrinks weights"),
          kp("L1 is the lasso", "lasso"), kp("L2 is ridge", "ridge"))


def test_a_list_of_terms_is_hard_at_best_and_says_why() -> None:
    result = grade_recall(q(*POINTS), "lasso, ridge, sparse weights, shrinks weights, l1, l2")
    assert result.coverage == 1.0
    assert result.suggested is Rating.HARD
    assert result.reasons and "list of terms" in result.reasons[0]
    sentence = grade_recall(q(*POINTS), "The lasso gives sparse weights while ridge shrinks "
                            "weights smoothly.")
    assert sentence.suggested is Rating.EASY and not sentence.reasons


def test_a_long_pasted_answer_is_hard_at_best_and_says_why() -> None:
    model = "The lasso gives sparse weights while ridge shrinks weights smoothly. " * 3
    question = q(*POINTS, answer=model)
    pasted = ("The lasso gives sparse weights, and ridge shrinks weights smoothly. "
              + "Other topics are explained here at some length. " * 60)
    assert len(pasted.split()) > LONG_FACTOR * len(model.split())
    result = grade_recall(question, pasted)
    assert result.coverage == 1.0 and result.suggested is Rating.HARD
    assert any("as long as the model answer" in r for r in result.reasons)


def test_flipping_a_point_moves_the_suggestion_within_the_cap() -> None:
    result = grade_recall(q(*POINTS), "The lasso gives sparse weights.")
    assert result.hits == 2 and result.suggested is Rating.HARD
    flipped = result.flip(1).flip(3)
    assert flipped.hits == 4 and flipped.suggested is Rating.EASY
    assert flipped.points[1].flipped and not flipped.points[0].flipped
    back = flipped.flip(1)
    assert back.hits == 3 and back.suggested is Rating.GOOD
    capped = grade_recall(q(*POINTS), "lasso, ridge, sparse, weights, l1, l2").flip(0)
    assert capped.suggested <= Rating.HARD


def test_negation_scope_ends_at_a_dash_and_spares_the_other_conjunct() -> None:
    shift = kp("Adding a constant shifts the mean", "constant shifts")
    assert hit(shift, "The constant shifts everything and doesn't affect the variance.")
    assert not hit(shift, "A constant never shifts it.")
    parallel = kp("The gradients are parallel", "gradients parallel")
    assert hit(parallel, "There is no tangent component — the gradients are parallel.")
    assert not hit(parallel, "The gradients are not parallel.")


def test_the_subject_of_a_negative_point_may_be_named_either_way() -> None:
    point = kp("SMOTE is not equivalent to weighting", "smote")
    assert hit(point, "SMOTE isn't equivalent, it makes new points.")
    assert hit(point, "SMOTE creates new synthetic points instead.")


def test_plus_and_minus_signs_read_as_words() -> None:
    point = kp("w = (XᵀX + λI)⁻¹Xᵀy", "x transpose x plus lambda")
    assert hit(point, "ŵ = (XᵀX + λI)⁻¹Xᵀy")
    assert hit(kp("Gradient p − y", "p minus y"), "the gradient is p − y")


def test_restating_the_prompt_scores_nothing_even_through_a_synonym() -> None:
    point = kp("Precision is TP / (TP + FP)", "ppv")
    question = q(point, prompt="Define precision and recall.")
    assert not grade_recall(question, "Precision and recall.").points[0].hit
    assert grade_recall(q(point, prompt="Define the metrics."),
                        "Precision matters.").points[0].hit  # "ppv" ↔ "precision"
