"""Coding exercises as bank content: format, build checks (path:line), reader, drafts,
recording an answer, and the ``exercise run`` command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from desktop_quiz.core.bank.build import build_bank, compile_source
from desktop_quiz.core.bank.reader import Bank, Filter
from desktop_quiz.core.bank.source import SourceError, parse_file
from desktop_quiz.core.progress.storage import Progress
from desktop_quiz.core.study.drafts import Drafts
from desktop_quiz.core.study.runner import ExerciseCheck, Runner, check_exercises
from desktop_quiz.core.study.session import Session
from tests.conftest import QUESTIONS, run_cli

EXAMPLE = QUESTIONS / "ml-coding" / "ex-stable-softmax.md"
WRONG = Path("/work/wt/helper-tools/wrong")


def checker(items):  # type: ignore[no-untyped-def]
    return check_exercises([ExerciseCheck(*i) for i in items])


@pytest.fixture
def ex_source(fixture_source: Path) -> Path:
    """The fixture folder plus one real exercise (in topic alpha)."""
    shutil.copy(EXAMPLE, fixture_source / "alpha" / "ex-stable-softmax.md")
    return fixture_source


@pytest.fixture
def ex_bank(ex_source: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ex-bank.sqlite"
    build_bank(ex_source, out, check_code=checker)
    return out


def exercise_path(source: Path) -> Path:
    return source / "alpha" / "ex-stable-softmax.md"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# -- format -------------------------------------------------------------------------
def test_parser_reads_starter_tests_solution_and_hints():
    q, problems = parse_file(EXAMPLE, ["ml-coding"])
    assert problems == [] and q is not None
    assert q.kind == "code" and q.exercise is not None
    ex = q.exercise
    assert "def " in ex.starter and "def " in ex.solution
    assert ex.test_cases and all(c.name.startswith("test_") and c.doc for c in ex.test_cases)
    assert len(ex.hints) >= 1 and not ex.hints[0].startswith("- ")
    assert ex.entry_points


def test_every_exercise_in_the_bank_parses():
    files = sorted(QUESTIONS.glob("*/ex-*.md"))
    assert len(files) >= 60
    topics = {p.parent.name for p in files}
    assert len(topics) >= 8
    for path in files:
        q, problems = parse_file(path, topics)
        assert problems == [], problems
        assert q is not None and q.exercise is not None


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("## Starter", "## Starters"), "unknown section '## Starters'"),
    (lambda t: re.sub(r"## Solution\n\n```python\n", "## Solution\n\n```\n", t),
     "has no 'python' language"),
    (lambda t: t.replace("## Tests\n", "## Tests\n\nSome text.\n"),
     "must hold exactly one ```python block"),
    (lambda t: re.sub(r'(def test_\w+\(\):\n)    """[^\n]*"""\n', r"\1", t, count=1),
     "needs a one-line docstring"),
    (lambda t: t.replace("kind: code", "kind: recall"), "missing section '## Key points'"),
])
def test_format_problems_are_reported_with_a_line(ex_source: Path, edit, message):
    path = exercise_path(ex_source)
    path.write_text(edit(path.read_text()))
    with pytest.raises(SourceError) as exc:
        compile_source(ex_source)
    assert any(message in p.message and p.path.endswith("ex-stable-softmax.md") and p.line > 0
               for p in exc.value.problems), exc.value.problems


def test_syntax_error_in_a_code_section_points_at_its_line(ex_source: Path):
    path = exercise_path(ex_source)
    text = path.read_text()
    i = text.index("## Solution")
    j = text.index("def ", i)
    path.write_text(text[:j] + "def broken(:\n" + text[j:])
    with pytest.raises(SourceError) as exc:
        compile_source(ex_source)
    [p] = [p for p in exc.value.problems if "syntax error" in p.message]
    assert p.line == line_of(path, "def broken(:")


# -- build checks ---------------------------------------------------------------------
def test_build_fails_when_the_solution_fails(ex_source: Path, tmp_path: Path):
    path = exercise_path(ex_source)
    text = path.read_text()
    i = text.index("## Solution")
    j = text.index("```python\n", i) + len("```python\n")
    k = text.index("```", j)
    wrong = (WRONG / "ex-stable-softmax.py").read_text() if (WRONG / "ex-stable-softmax.py"
                                                              ).is_file() else (
        "import numpy as np\n\ndef softmax(x, axis=-1):\n    e = np.exp(x)\n"
        "    return e / e.sum(axis=axis, keepdims=True)\n")
    path.write_text(text[:j] + wrong + text[k:])
    out = tmp_path / "bank.sqlite"
    with pytest.raises(SourceError) as exc:
        build_bank(ex_source, out, check_code=checker)
    problems = [p for p in exc.value.problems if "Solution fails" in p.message]
    assert problems
    assert all(p.line == line_of(path, "## Solution") + 2 for p in problems)
    assert not out.exists()


def test_build_fails_when_the_starter_passes(ex_source: Path, tmp_path: Path):
    path = exercise_path(ex_source)
    text = path.read_text()
    solution = re.search(r"## Solution\n\n```python\n(.*?)```", text, re.S).group(1)
    start = text.index("## Starter")
    j = text.index("```python\n", start) + len("```python\n")
    k = text.index("```", j)
    path.write_text(text[:j] + solution + text[k:])
    with pytest.raises(SourceError) as exc:
        compile_source(ex_source, check_code=checker)
    [p] = exc.value.problems
    assert "Starter passes every test" in p.message
    assert str(p) == f"{p.path}:{line_of(path, '## Starter') + 2}: {p.message}"


def test_bank_check_cli_reports_path_line(ex_source: Path):
    path = exercise_path(ex_source)
    text = path.read_text()
    path.write_text(text.replace("## Solution\n\n```python\n",
                                 "## Solution\n\n```python\nraise ValueError('oops')\n"))
    r = run_cli("bank", "check", "--source", str(ex_source))
    assert r.returncode == 1
    assert re.search(r"ex-stable-softmax\.md:\d+: the Solution does not load: .*ValueError: oops",
                     r.stderr), r.stderr


# -- reader -------------------------------------------------------------------------
def test_reader_round_trip_and_kind_filter(ex_bank: Path):
    bank = Bank(ex_bank)
    try:
        assert bank.query(Filter(kinds=("code",))) == ["ex-stable-softmax"]
        q = bank.question("ex-stable-softmax")
        original, _ = parse_file(EXAMPLE, ["ml-coding"])
        assert original is not None and q.exercise is not None
        assert q.exercise.starter == original.exercise.starter  # type: ignore[union-attr]
        assert q.exercise.test_cases == original.exercise.test_cases  # type: ignore[union-attr]
        assert len(q.exercise.hints_html) == len(q.exercise.hints)
        assert "softmax" in " ".join(bank.query(Filter(text="softmax")))
        assert bank.question(bank.query(Filter(kinds=("mcq",)))[0]).exercise is None
    finally:
        bank.close()


# -- drafts and answers -----------------------------------------------------------------
def test_drafts_survive_a_new_instance(tmp_path: Path):
    Drafts(tmp_path).save("ex-a", "def f():\n    return 1\n")
    again = Drafts(tmp_path)
    assert again.load("ex-a") == "def f():\n    return 1\n"
    assert again.ids() == ["ex-a"]
    again.clear("ex-a")
    assert Drafts(tmp_path).load("ex-a") is None
    with pytest.raises(ValueError):
        again.save("../evil", "x")


def test_a_code_answer_is_recorded_with_the_code_as_response(ex_bank: Path, data_dir: Path):
    bank = Bank(ex_bank)
    progress = Progress(data_dir)
    try:
        s = Session(bank, progress, ["ex-stable-softmax"])
        ex = s.question.exercise
        assert ex is not None
        runner = Runner(warm=False)
        result = runner.run(ex.solution, ex.tests, [t.name for t in ex.test_cases])
        assert result.all_passed
        suggested = s.answer_code(ex.solution, result)
        assert suggested == 3
        s.rate(4)
        rows = progress.db.execute(
            "SELECT kind, response, rating, correct, score FROM answers").fetchall()
        assert [tuple(r) for r in rows] == [("code", ex.solution, 4, 1, 1.0)]
        assert "ex-stable-softmax" in progress.seen_ids()
    finally:
        progress.close()
        bank.close()


# -- CLI ------------------------------------------------------------------------------
def solution_file(tmp_path: Path, ex_bank: Path, good: bool) -> Path:
    bank = Bank(ex_bank)
    ex = bank.question("ex-stable-softmax").exercise
    bank.close()
    assert ex is not None
    path = tmp_path / ("good.py" if good else "bad.py")
    path.write_text(ex.solution if good else ex.starter)
    return path


def test_cli_exercise_run_all_pass(ex_bank: Path, tmp_path: Path):
    f = solution_file(tmp_path, ex_bank, good=True)
    r = run_cli("exercise", "run", "ex-stable-softmax", "--file", str(f), "--bank", str(ex_bank))
    assert r.returncode == 0, r.stderr
    assert "PASS  test_" in r.stdout and "FAIL" not in r.stdout
    assert re.search(r"(\d+)/\1 tests passed", r.stdout)


def test_cli_exercise_run_some_fail_json(ex_bank: Path, tmp_path: Path):
    f = solution_file(tmp_path, ex_bank, good=False)
    r = run_cli("exercise", "run", "ex-stable-softmax", "--file", str(f), "--json",
                "--bank", str(ex_bank))
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["id"] == "ex-stable-softmax" and data["passed"] == 0
    assert data["tests"] and all(not t["passed"] for t in data["tests"])
    assert "NotImplementedError" in data["tests"][0]["message"]


def test_cli_exercise_run_bad_input(ex_bank: Path, tmp_path: Path):
    f = solution_file(tmp_path, ex_bank, good=True)
    unknown = run_cli("exercise", "run", "ex-nope", "--file", str(f), "--bank", str(ex_bank))
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "desktop-quiz: unknown exercise id 'ex-nope'"
    missing = run_cli("exercise", "run", "ex-stable-softmax", "--file",
                      str(tmp_path / "nope.py"), "--bank", str(ex_bank))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    not_code = run_cli("exercise", "run", "gap-remedy", "--file", str(f), "--bank", str(ex_bank))
    assert not_code.returncode == 2 and "not a coding exercise" in not_code.stderr
