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
    from desktop_quiz.core.bankbuild import build_bank

    out = tmp_path_factory.mktemp("bank") / "bank.sqlite"
    build_bank(QUESTIONS, out)
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
    from desktop_quiz.core.bankbuild import build_bank

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
