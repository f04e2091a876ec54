"""The shipped bank meets its editorial bar (counts, key points, originality, coverage)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from desktop_quiz.core.bank.lint import (
    check_counts,
    check_mcq,
    check_overlap,
    check_prompt_echo,
    check_recall_self_consistency,
)
from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.study.grading import grade_recall
from tests.conftest import QUESTIONS, ROOT

TOPICS_MD = ROOT.parent / "shared" / "TOPICS.md"
SEEDS = ROOT.parent / "shared" / "seeds"
COVERAGE = QUESTIONS / "seed-coverage.yaml"


@pytest.fixture(scope="module")
def bank(bank_path: Path) -> Bank:
    return Bank(bank_path)


def test_every_topic_meets_its_v1_count_and_kind_minimums(bank: Bank) -> None:
    assert [str(f) for f in check_counts(bank)] == []
    assert bank.count() >= 650


def test_model_answers_hit_their_own_key_points(bank: Bank) -> None:
    assert [str(f) for f in check_recall_self_consistency(bank, grade_recall)] == []


def test_restating_the_prompt_scores_no_key_point(bank: Bank) -> None:
    assert [str(f) for f in check_prompt_echo(bank, grade_recall)] == []


def test_mcq_hygiene(bank: Bank) -> None:
    assert [str(f) for f in check_mcq(bank)] == []


def test_difficulty_mix_is_roughly_35_45_20(bank: Bank) -> None:
    from desktop_quiz.core.bank.stats import bank_stats

    by = bank_stats(bank)["by_difficulty"]
    total = sum(by.values())
    shares = {k: v / total for k, v in by.items()}
    assert abs(shares["1"] - 0.35) < 0.07
    assert abs(shares["2"] - 0.45) < 0.07
    assert abs(shares["3"] - 0.20) < 0.07


def _article_bullets() -> list[tuple[str, list[str]]]:
    text = TOPICS_MD.read_text(encoding="utf-8").split("## Questions the source articles ask")[1]
    out = []
    for line in text.splitlines():
        m = re.match(r"- (.*) \[(.*)\]$", line.strip())
        if m:
            out.append((m.group(1), re.split(r",\s*|\s+or\s+", m.group(2))))
    return out


@pytest.mark.skipif(not TOPICS_MD.is_file(), reason="../shared/TOPICS.md is beside CI's clone only")
def test_every_source_article_question_is_covered_by_seed_questions(bank: Bank) -> None:
    coverage = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))
    bullets = _article_bullets()
    assert len(bullets) >= 37
    for bullet, topics in bullets:
        assert bullet in coverage, f"no entry for {bullet!r} in {COVERAGE.name}"
        ids = coverage[bullet]
        assert ids, bullet
        for qid in ids:
            q = bank.question(qid)
            assert "seed" in q.tags, f"{qid} answers {bullet!r} but is not tagged seed"
            assert q.topic in topics, f"{qid} is in {q.topic}, not in {topics}"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is beside CI's clone only")
def test_no_text_is_copied_from_the_source_articles(bank: Bank) -> None:
    assert [str(f) for f in check_overlap(bank, SEEDS)] == []
