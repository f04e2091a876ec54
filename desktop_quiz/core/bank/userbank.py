"""The learner's own questions: ``<data>/my-questions/<topic>/<id>.md``, built into
``<data>/my-bank.sqlite`` when they change."""

from __future__ import annotations

from pathlib import Path

from desktop_quiz.core.bank.reader import Bank

USER_BANK = "my-bank.sqlite"


def open_user_bank(data_dir: Path) -> Bank | None:
    path = Path(data_dir) / USER_BANK
    return Bank(path) if path.is_file() else None
