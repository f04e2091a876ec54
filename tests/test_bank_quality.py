"""The shipped bank meets its editorial bar (counts, key points, originality, coverage)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from desktop_quiz.core.bank.lint import (
    check_counts,
    check_mcq,
    check_mcq_lengths,
    check_overlap,
    check_prompt_echo,
    check_recall_self_consistency,
    length_figures,
)
from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.study.grading import grade_recall
from tests.conftest import QUESTIONS, ROOT

# In-repo copies: the source questions we owe (from TOPICS.md) and fingerprints of
# the source articles' 8-word runs (no article text is kept in the repo).
TOPICS_MD = QUESTIONS / "source-questions.md"
SEEDS = QUESTIONS / "seed-fingerprints.txt"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
COVERAGE = QUESTIONS / "seed-coverage.yaml"


@pytest.fixture(scope="module")
def bank(bank_path: Path) -> Bank:
    return Bank(bank_path)


def test_every_topic_meets_its_count_and_kind_minimums(bank: Bank) -> None:
    assert [str(f) for f in check_counts(bank)] == []
    from desktop_quiz.core.bank.stats import bank_stats

    stats = bank_stats(bank)
    assert stats["by_kind"]["mcq"] + stats["by_kind"]["recall"] >= 1500
    assert stats["by_kind"]["mcq"] >= 700
    assert min(c["mcq"] + c["recall"] for c in stats["by_topic"].values()) >= 40


def test_the_longest_option_does_not_give_the_key_away(bank: Bank) -> None:
    figures = length_figures(bank)
    assert figures.single >= 500
    assert figures.longest_share <= 0.30, str(figures)
    assert figures.dominant_share <= 0.05, str(figures)
    assert check_mcq_lengths(bank) == []


def test_length_figures_count_what_they_claim(tmp_path: Path) -> None:
    # Three single-answer MCQs: key longest and dominant; key longest only; key short.
    import shutil

    from desktop_quiz.core.bank.build import build_bank

    def mcq(key: str, others: tuple[str, str]) -> str:
        return ("---\nkind: mcq\ndifficulty: 2\ntags: []\n---\n\n## Prompt\n\nPick one.\n\n"
                f"## Choices\n\n- [x] {key}\n  Why.\n- [ ] {others[0]}\n  Why not.\n"
                f"- [ ] {others[1]}\n  Why not.\n\n## Answer\n\nBecause.\n")

    source = tmp_path / "questions"
    (source / "ml-fundamentals").mkdir(parents=True)
    shutil.copy(QUESTIONS / "topics.yaml", source / "topics.yaml")
    for qid, text in {
        "a-one": mcq("a much longer correct option", ("short", "tiny")),
        "a-two": mcq("twelve chars", ("eleven char", "ten chars!")),
        "a-three": mcq("key", ("a longer distractor", "another one")),
    }.items():
        (source / "ml-fundamentals" / f"{qid}.md").write_text(text, encoding="utf-8")
    build_bank(source, tmp_path / "bank.sqlite")
    bank = Bank(tmp_path / "bank.sqlite")
    figures = length_figures(bank)
    assert (figures.single, figures.longest, figures.dominant) == (3, 2, 1)
    assert [f.check for f in check_mcq_lengths(bank)] == ["mcq-length"]


def test_model_answers_hit_their_own_key_points(bank: Bank) -> None:
    assert [str(f) for f in check_recall_self_consistency(bank, grade_recall)] == []


def test_restating_the_prompt_scores_no_key_point(bank: Bank) -> None:
    assert [str(f) for f in check_prompt_echo(bank, grade_recall)] == []


def test_mcq_hygiene(bank: Bank) -> None:
    assert [str(f) for f in check_mcq(bank)] == []


def test_difficulty_mix_has_few_easy_and_enough_hard_questions(bank: Bank) -> None:
    from desktop_quiz.core.bank.stats import bank_stats

    by = bank_stats(bank)["by_difficulty"]
    total = sum(by.values())
    assert by["1"] / total <= 0.25
    assert by["3"] / total >= 0.25


def _article_bullets() -> list[tuple[str, list[str]]]:
    text = TOPICS_MD.read_text(encoding="utf-8").split("## Questions the source articles ask")[1]
    out = []
    for line in text.splitlines():
        m = re.match(r"- (.*) \[(.*)\]$", line.strip())
        if m:
            out.append((m.group(1), re.split(r",\s*|\s+or\s+", m.group(2))))
    return out


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


def test_no_text_is_copied_from_the_source_articles(bank: Bank) -> None:
    assert [str(f) for f in check_overlap(bank, SEEDS)] == []


def test_the_fingerprints_catch_a_copied_run(tmp_path: Path) -> None:
    from desktop_quiz.core.bank.lint import _shingles, fingerprint, seed_fingerprints

    runs = sorted(seed_fingerprints(SEEDS))
    assert len(runs) > 5000
    if SHARED_SEEDS.is_dir():  # beside a checkout with shared/: the file is current
        assert seed_fingerprints(SHARED_SEEDS) == set(runs)
    text = "our own words about a model that overfits the training data badly"
    assert {fingerprint(r) for r in _shingles(text, 8)} & set(runs) == set()


_RUN_SNIPPETS = r"""
import contextlib, io, json, sys
results = []
for name, code in json.load(sys.stdin):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, name, "exec"), {"__name__": "__snippet__"})
        results.append((name, "ok"))
    except (NameError, ModuleNotFoundError) as exc:  # a fragment, or needs torch etc.
        results.append((name, type(exc).__name__))
    except BaseException as exc:
        results.append((name, f"error: {type(exc).__name__}: {exc}"))
print(json.dumps(results))
"""


def test_every_python_snippet_parses_and_the_self_contained_ones_run() -> None:
    import ast
    import json
    import subprocess
    import sys

    fence = re.compile(r"^([ \t]*)```python[^\n]*\n(.*?)^\1```", re.S | re.M)
    snippets = []
    for path in sorted(QUESTIONS.rglob("*.md")):
        if path.name.startswith("ex-"):  # exercises are run by `bank build`
            continue
        for n, m in enumerate(fence.finditer(path.read_text(encoding="utf-8"))):
            indent = m.group(1)
            code = "\n".join(line[len(indent):] if line.startswith(indent) else line
                             for line in m.group(2).splitlines())
            ast.parse(code, filename=f"{path.name}#{n}")  # every block is valid Python
            snippets.append((f"{path.name}#{n}", code))
    assert len(snippets) > 150
    out = subprocess.run([sys.executable, "-c", _RUN_SNIPPETS], input=json.dumps(snippets),
                         capture_output=True, text=True, timeout=600, cwd=QUESTIONS)
    assert out.returncode == 0, out.stderr[-2000:]
    results = json.loads(out.stdout.splitlines()[-1])
    assert [r for r in results if r[1].startswith("error")] == []
    assert sum(r[1] == "ok" for r in results) > 50  # most numpy snippets really run
