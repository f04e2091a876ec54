"""The question format: every validation rule reports path:line: message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_quiz.core.bank.build import compile_source
from desktop_quiz.core.bank.source import SourceError, parse_folder
from tests.conftest import QUESTIONS

MCQ = """---
kind: mcq
difficulty: 2
tags: [x]
---

## Prompt

Pick one.

## Choices

- [x] Right
  Because.
- [ ] Wrong
  Because not.
- [ ] Also wrong
  Also because not.

## Answer

Right.
"""


def problems_for(source: Path) -> list[str]:
    with pytest.raises(SourceError) as info:
        compile_source(source)
    return [str(p) for p in info.value.problems]


def write(source: Path, rel: str, text: str) -> Path:
    path = source / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def the_one(problems: list[str], path: Path) -> tuple[int, str]:
    mine = [p for p in problems if p.startswith(str(path))]
    assert len(mine) == 1, problems
    m = re.match(rf"{re.escape(str(path))}:(\d+): (.*)", mine[0])
    assert m, mine[0]
    return int(m.group(1)), m.group(2)


def test_fixture_folder_is_valid(fixture_source: Path) -> None:
    compiled = compile_source(fixture_source)
    assert sorted(q.id for q in compiled.questions) == [
        "bias-definition", "gap-remedy", "l1-vs-l2", "pick-metrics"]


def test_unknown_topic(fixture_source: Path) -> None:
    path = write(fixture_source, "gamma/q-one.md", MCQ)
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 1 and "unknown topic 'gamma'" in msg


def test_duplicate_id_across_topics(fixture_source: Path) -> None:
    path = write(fixture_source, "beta/gap-remedy.md", MCQ)
    problems = problems_for(fixture_source)
    dupes = [p for p in problems if "duplicate id 'gap-remedy'" in p]
    assert len(dupes) == 1
    # whichever file is second names the first
    assert "alpha/gap-remedy.md" in dupes[0] and "beta/gap-remedy.md" in dupes[0]
    assert str(path) in problems[0] or str(path) in dupes[0]


def test_mcq_without_correct_choice(fixture_source: Path) -> None:
    path = write(fixture_source, "alpha/no-correct.md", MCQ.replace("- [x] Right", "- [ ] Right"))
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 11 and "no choice is marked correct" in msg


def test_choice_without_explanation(fixture_source: Path) -> None:
    path = write(fixture_source, "alpha/no-expl.md", MCQ.replace("  Because not.\n", ""))
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 15 and "no explanation" in msg


def test_too_few_choices(fixture_source: Path) -> None:
    text = MCQ.replace("- [ ] Also wrong\n  Also because not.\n", "")
    path = write(fixture_source, "alpha/two-choices.md", text)
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 11 and "3–6 choices, found 2" in msg


def test_recall_with_two_key_points(fixture_source: Path) -> None:
    text = (FIXTURE_RECALL := (fixture_source / "beta/bias-definition.md").read_text())
    text = text.replace("- Increasing model complexity lowers bias but raises variance\n"
                        "  accept: complexity | trade off | tradeoff\n", "")
    assert text != FIXTURE_RECALL
    path = write(fixture_source, "beta/bias-definition.md", text)
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 11 and "3–7 key points, found 2" in msg


def test_key_point_without_accept_line(fixture_source: Path) -> None:
    src = fixture_source / "beta/bias-definition.md"
    src.write_text(src.read_text().replace("  accept: bias | underfitting | too simple\n", ""))
    line, msg = the_one(problems_for(fixture_source), src)
    assert line == 13 and "accept:" in msg


@pytest.mark.parametrize("value", ["0", "4", "hard", "true"])
def test_bad_difficulty(fixture_source: Path, value: str) -> None:
    text = MCQ.replace("difficulty: 2", f"difficulty: {value}")
    path = write(fixture_source, "alpha/bad-diff.md", text)
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 3 and "difficulty must be 1 (easy), 2 (medium) or 3 (hard)" in msg


def test_bad_kind(fixture_source: Path) -> None:
    path = write(fixture_source, "alpha/bad-kind.md", MCQ.replace("kind: mcq", "kind: essay"))
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert any(p.startswith(f"{path}:2: kind must be one of mcq, recall") for p in problems)


def test_math_that_does_not_parse(fixture_source: Path) -> None:
    path = write(fixture_source, "alpha/bad-math.md",
                 MCQ.replace("Pick one.", "Pick one.\n\nGiven $\\frac{a}{$ and more."))
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 11 and "math does not parse" in msg and "\\frac{a}{" in msg


def test_empty_section(fixture_source: Path) -> None:
    text = MCQ.replace("## Answer\n\nRight.\n", "## Answer\n\n")
    path = write(fixture_source, "alpha/empty-answer.md", text)
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert f"{path}:20: section '## Answer' is empty" in problems


def test_missing_and_unknown_sections(fixture_source: Path) -> None:
    text = MCQ.replace("## Answer\n\nRight.\n", "## Explanation\n\nRight.\n")
    path = write(fixture_source, "alpha/unknown-section.md", text)
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert any(p.startswith(f"{path}:20: unknown section '## Explanation'") for p in problems)
    assert any("missing section '## Answer'" in p for p in problems)
    # A coding exercise's section in an mcq.
    text = MCQ.replace("## Answer\n\nRight.\n", "## Solution\n\nRight.\n\n## Answer\n\nRight.\n")
    path = write(fixture_source, "alpha/unknown-section.md", text)
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert any(p.startswith(f"{path}:20: section '## Solution' is not for mcq") for p in problems)


def test_mcq_with_key_points_section_is_rejected(fixture_source: Path) -> None:
    text = MCQ.replace("## Answer", "## Key points\n\n- a\n  accept: a\n\n## Answer")
    path = write(fixture_source, "alpha/mixed.md", text)
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert any("'## Key points' is not for mcq" in p for p in problems)


def test_missing_front_matter_and_bad_id(fixture_source: Path) -> None:
    path = write(fixture_source, "alpha/Bad_Name.md", MCQ.split("---\n", 2)[2])
    problems = [p for p in problems_for(fixture_source) if p.startswith(str(path))]
    assert any("must be a lowercase slug" in p for p in problems)
    assert any("must start with YAML front matter" in p for p in problems)


def test_unknown_front_matter_key(fixture_source: Path) -> None:
    text = MCQ.replace("tags: [x]", "tags: [x]\nauthor: me")
    path = write(fixture_source, "alpha/extra-key.md", text)
    line, msg = the_one(problems_for(fixture_source), path)
    assert line == 5 and "unknown front-matter key 'author'" in msg


def test_headings_inside_code_fences_are_not_sections(fixture_source: Path) -> None:
    text = MCQ.replace("Right.\n", "Right.\n\n```markdown\n## Prompt\n```\n")
    write(fixture_source, "alpha/fenced.md", text)
    compiled = compile_source(fixture_source)
    q = next(q for q in compiled.questions if q.id == "fenced")
    assert "## Prompt" in q.answer


def test_all_problems_are_reported_together(fixture_source: Path) -> None:
    write(fixture_source, "alpha/a-one.md", MCQ.replace("difficulty: 2", "difficulty: 9"))
    write(fixture_source, "beta/b-two.md", MCQ.replace("- [x] Right", "- [ ] Right"))
    write(fixture_source, "gamma/c-three.md", MCQ)
    problems = problems_for(fixture_source)
    assert len(problems) == 3
    assert problems == sorted(problems)


def _readme_examples() -> list[str]:
    text = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    return re.findall(r"````markdown\n(.*?)````", text, re.DOTALL)


def test_readme_examples_are_valid_questions(tmp_path: Path) -> None:
    """The complete examples in questions/README.md must themselves validate (the
    coding exercise's Solution passes its tests and its Starter fails them)."""
    from desktop_quiz.core.study.runner import ExerciseCheck, check_exercises

    examples = _readme_examples()
    assert len(examples) == 3
    source = tmp_path / "q"
    write(source, "topics.yaml", "topics:\n  - {slug: demo, title: Demo, group: G}\n")
    for i, text in enumerate(examples):
        write(source, f"demo/example-{i}.md", text)
    compiled = compile_source(source, check_code=lambda items: check_exercises(
        [ExerciseCheck(*i) for i in items]))
    assert {q.kind for q in compiled.questions} == {"mcq", "recall", "code"}


def test_real_question_folder_parses() -> None:
    _, questions, problems = parse_folder(QUESTIONS)
    assert problems == []
    assert len(questions) >= 62  # at least 2 per topic
