"""The recall grader against issue 12's targets, on tests/grading/answers.jsonl.

The set was written from the prompts alone (tests/grading/README.md). The targets are
the issue's; the grader is not tuned to single answers of this set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.study.evaluation import (
    TARGETS,
    EvalError,
    auc,
    evaluate,
    format_figures,
    long_answers,
    p95_ms,
)
from tests.conftest import ROOT

ANSWERS = ROOT / "tests" / "grading" / "answers.jsonl"


@pytest.fixture(scope="module")
def figures(bank_path: Path) -> dict[str, float]:
    return evaluate(Bank(bank_path), ANSWERS, timing=False)


def test_auc_counts_ties_as_half() -> None:
    assert auc([1.0, 0.9], [0.1, 0.2]) == 1.0
    assert auc([0.5], [0.5]) == 0.5
    assert auc([0.1], [0.9]) == 0.0


def test_the_set_is_complete(figures: dict[str, float]) -> None:
    assert all(figures[f"n_{k}"] >= 100 for k in "abcd")


def test_scores_order_the_answer_kinds(figures: dict[str, float]) -> None:
    # Complete > terse > wrong vocabulary > off topic, whatever the exact figures.
    means = [figures[f"mean_score_{k}"] for k in "abcd"]
    assert means == sorted(means, reverse=True)


@pytest.mark.xfail(strict=True, reason="issue 12: three targets missed (AUC 0.89 and 0.79, "
                   "wrong-vocabulary answers above Again 72%): keywords cannot see a false "
                   "relation between the right terms; remove this marker when they are met")
def test_issue_12_targets(figures: dict[str, float]) -> None:
    print(format_figures(figures))
    assert figures["auc_ab_vs_cd"] >= TARGETS["auc_ab_vs_cd"][0]
    assert figures["auc_ab_vs_c"] >= TARGETS["auc_ab_vs_c"][0]
    assert figures["c_above_again"] <= TARGETS["c_above_again"][0]
    assert figures["a_good_or_easy"] >= TARGETS["a_good_or_easy"][0]
    assert figures["b_above_again"] >= TARGETS["b_above_again"][0]


def test_terse_correct_answers_target(figures: dict[str, float]) -> None:
    # The one target met today; it must stay met.
    assert figures["b_above_again"] >= TARGETS["b_above_again"][0]


def test_grading_a_long_answer_is_timed(bank_path: Path) -> None:
    bank = Bank(bank_path)
    ids = [i for i in bank.all_ids() if bank.question(i).kind == "recall"][:5]
    jobs = long_answers(bank, ids)
    assert all(len(text) == 5000 for _, text in jobs)
    assert p95_ms(jobs, repeats=1) > 0


def test_bad_lines_are_reported_with_file_and_line(bank_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "x", "kind": "a", "answer": "y"}\nnot json\n', encoding="utf-8")
    with pytest.raises(EvalError) as err:
        evaluate(Bank(bank_path), path)
    assert err.value.problems[0] == f"{path}:1: unknown question id 'x'"
    assert err.value.problems[1].startswith(f"{path}:2: not JSON")
