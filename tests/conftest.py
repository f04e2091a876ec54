"""Shared fixtures: real bank files, real temporary data folders, offscreen Qt."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Real widgets, no display: every test runs Qt on the offscreen platform.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
QUESTIONS = ROOT / "questions"


@pytest.fixture(scope="session")
def bank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real bank, built once per test run from questions/."""
    from desktop_quiz.core import paths
    from desktop_quiz.core.bank.build import build_bank

    out = tmp_path_factory.mktemp("bank") / "bank.sqlite"
    # Formulas already rendered in the checkout's bank are reused (same builder only).
    built = paths.packaged_bank()
    build_bank(QUESTIONS, out, previous=built if built.is_file() else None)
    return out


@pytest.fixture(autouse=True)
def _use_test_bank_and_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Keep every test away from the user's real data folder."""
    monkeypatch.setenv("DESKTOP_QUIZ_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def real_bank(bank_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app (and subprocesses) at the real bank built for this run."""
    monkeypatch.setenv("DESKTOP_QUIZ_BANK", str(bank_path))
    return bank_path


@pytest.fixture
def fixture_source(tmp_path: Path) -> Path:
    """A writable copy of the small fixture question folder."""
    target = tmp_path / "questions"
    shutil.copytree(FIXTURES / "questions", target)
    return target


@pytest.fixture
def fixture_bank(fixture_source: Path, tmp_path: Path) -> Path:
    from desktop_quiz.core.bank.build import build_bank

    out = tmp_path / "fixture-bank.sqlite"
    build_bank(fixture_source, out)
    return out


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir(exist_ok=True)
    return path


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m desktop_quiz ARGS`` as a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desktop_quiz", *args],
        capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout,
    )


# -- a generated bank for progress tests (topics with enough questions to rank) --------
STUDY_TOPICS = ("arrays", "graphs", "hashing", "sorting", "trees")


def write_study_questions(target: Path, per_topic: int = 8,
                          drop: tuple[str, ...] = ()) -> Path:
    """A question folder: STUDY_TOPICS × ``per_topic`` questions, every third one recall.

    Ids are ``<topic>-<n>``; ``drop`` leaves those ids out (a later bank version).
    """
    target.mkdir(parents=True, exist_ok=True)
    topics = "\n".join(f"  - slug: {t}\n    title: {t.capitalize()} topic\n    group: Study\n"
                       f"    description: Generated topic {t}." for t in STUDY_TOPICS)
    (target / "topics.yaml").write_text(f"groups: [Study]\ntopics:\n{topics}\n",
                                        encoding="utf-8")
    for topic in STUDY_TOPICS:
        (target / topic).mkdir(exist_ok=True)
        for n in range(1, per_topic + 1):
            qid = f"{topic}-{n}"
            if qid in drop:
                continue
            kind = "recall" if n % 3 == 0 else "mcq"
            head = f"---\nkind: {kind}\ndifficulty: {n % 3 + 1}\ntags: [{topic}]\n---\n\n"
            prompt = f"## Prompt\n\nQuestion {n} about {topic}: what is the answer?\n\n"
            if kind == "mcq":
                body = ("## Choices\n\n- [x] The right answer\n  It is right.\n"
                        "- [ ] A wrong answer\n  It is wrong.\n- [ ] Another wrong answer\n"
                        "  It is wrong too.\n\n")
            else:
                body = ("## Key points\n\n- Mentions apples\n  accept: apple\n"
                        "- Mentions pears\n  accept: pear\n- Mentions plums\n  accept: plum\n\n")
            answer = f"## Answer\n\nThe answer to question {n} about {topic}.\n"
            (target / topic / f"{qid}.md").write_text(head + prompt + body + answer,
                                                      encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def study_bank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bank of 5 topics × 8 questions, built once per run."""
    from desktop_quiz.core.bank.build import build_bank

    root = tmp_path_factory.mktemp("study-bank")
    out = root / "bank.sqlite"
    build_bank(write_study_questions(root / "questions"), out)
    return out


@pytest.fixture
def study_bank(study_bank_path: Path):  # type: ignore[no-untyped-def]
    from desktop_quiz.core.bank.reader import Bank

    bank = Bank(study_bank_path)
    yield bank
    bank.close()


@pytest.fixture
def study_ctx(study_bank_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An AppContext over the study bank and an empty data folder."""
    from desktop_quiz.core.bank.reader import Bank
    from desktop_quiz.core.context import AppContext

    ctx = AppContext.open(tmp_path / "study-data", Bank(study_bank_path))
    yield ctx
    ctx.close()
