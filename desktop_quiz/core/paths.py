"""Where things live: the bundled bank, a source checkout's questions, user data.

User data (progress, backups, settings) always lives in the platform's user data
folder (or ``--data-dir`` / ``DESKTOP_QUIZ_DATA_DIR``), never inside the install
folder, so upgrading or removing the app keeps a learner's history.
"""

from __future__ import annotations

import os
from pathlib import Path

import desktop_quiz

DATA_DIR_ENV = "DESKTOP_QUIZ_DATA_DIR"
BANK_ENV = "DESKTOP_QUIZ_BANK"
PACKAGE_DIR = Path(desktop_quiz.__file__).resolve().parent


def packaged_bank() -> Path:
    """The bank shipped inside the package (wheel, frozen app, or built in a checkout)."""
    return PACKAGE_DIR / "data" / "bank.sqlite"


def checkout_questions() -> Path | None:
    """``questions/`` when running from a source checkout, else None."""
    root = PACKAGE_DIR.parent
    questions = root / "questions"
    if (questions / "topics.yaml").is_file() and (root / "pyproject.toml").is_file():
        return questions
    return None


def default_data_dir() -> Path:
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(desktop_quiz.APP_NAME, appauthor=False, roaming=True))


def cache_dir() -> Path:
    """Rebuildable caches (never user data): the platform's user cache folder."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(desktop_quiz.APP_NAME, appauthor=False))
