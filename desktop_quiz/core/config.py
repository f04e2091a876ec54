"""Settings, declared once with their types, defaults and limits.

The schema below is the single source of truth: the Settings screen is built
from it, values are validated against it, and unknown or invalid stored values
fall back to the default instead of breaking start-up. Values live in
``settings.json`` in the data folder (window geometry stays in QSettings).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    label: str
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    check: Callable[[Any], Any] | None = None  # further validation after the type's

    def validate(self, value: Any) -> Any:
        """The value coerced to the option's type; raises ValueError if it does not fit."""
        value = self._validate_type(value)
        return self.check(value) if self.check is not None else value

    def _validate_type(self, value: Any) -> Any:
        kind = type(self.default)
        if kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be true or false")
            return value
        if kind in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{self.name} must be a number")
            value = kind(value)
            if self.minimum is not None and value < self.minimum:
                raise ValueError(f"{self.name} must be at least {self.minimum}")
            if self.maximum is not None and value > self.maximum:
                raise ValueError(f"{self.name} must be at most {self.maximum}")
            return value
        if kind is str:
            if not isinstance(value, str) or (self.choices and value not in self.choices):
                raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}")
            return value
        if kind is dict:
            if not isinstance(value, dict):
                raise ValueError(f"{self.name} must be a mapping")
            return value
        if kind is list:
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str)
                                                               for v in value):
                raise ValueError(f"{self.name} must be a list of names")
            return list(value)
        raise TypeError(kind)


# -- the study plan's settings --------------------------------------------------------
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order


def check_date(value: str) -> str:
    """'' (no interview date) or an ISO date YYYY-MM-DD."""
    value = value.strip()
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"interview date {value!r} is not a date like 2026-03-01"
                             ) from None
        if len(value) != 10:
            raise ValueError(f"interview date {value!r} is not a date like 2026-03-01")
    return value


def check_days_off(value: list[str]) -> list[str]:
    full = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    given = [v.strip().lower() for v in value if v.strip()]
    unknown = [d for d in given if d not in WEEKDAYS and d not in full]
    days = [d[:3] for d in given]
    if unknown:
        raise ValueError(f"days off: {', '.join(unknown)} is not a weekday "
                         f"(use {','.join(WEEKDAYS)})")
    if len(set(days)) == len(WEEKDAYS):
        raise ValueError("days off: at least one day a week must be left for study")
    return sorted(set(days), key=WEEKDAYS.index)


def check_focus(value: list[str]) -> list[str]:
    return sorted({v.strip() for v in value if v.strip()})


SCHEMA: tuple[Option, ...] = (
    Option("theme", "system", "Theme", "Light, dark, or follow the system setting.",
           choices=("system", "light", "dark")),
    Option("font_size", 11, "Reading text size",
           "Point size of questions, answers and explanations.", minimum=8, maximum=28),
    Option("drill_size", 20, "Default drill size", "Questions in a quick drill.",
           minimum=1, maximum=200),
    Option("mock_seconds", 180, "Mock-interview time per question (seconds)",
           "Countdown for each question of a mock interview.", minimum=30, maximum=1800,
           step=30),
    Option("mock_size", 5, "Mock-interview length", "Questions in a mock interview.",
           minimum=1, maximum=30),
    Option("mock_exercise", False, "Coding exercise in mock interviews",
           "End each mock interview with one coding exercise from the chosen topics. Its "
           "tests run when you move on; the report shows how many passed."),
    Option("desired_retention", 0.9, "Desired retention",
           "Target chance of remembering a question when it comes due (FSRS). Higher "
           "means more frequent reviews.", minimum=0.7, maximum=0.97, step=0.01),
    Option("last_drill", {}, "Last drill setup", "Remembered drill setup (internal)."),
    Option("interview_date", "", "Interview date",
           "The day of the interview; the study plan and the readiness forecast aim at it.",
           check=check_date),
    Option("plan_minutes", 45, "Minutes per day",
           "How long you mean to study each day; the plan fills this time.",
           minimum=10, maximum=480, step=5),
    Option("days_off", [], "Days off", "Weekdays without study; the plan leaves them free.",
           check=check_days_off),
    Option("focus_topics", [], "Focus topics",
           "Topics the job description stresses: the plan weighs them double.",
           check=check_focus),
)
PLAN_OPTIONS = ("interview_date", "plan_minutes", "days_off", "focus_topics")
OPTIONS = {o.name: o for o in SCHEMA}


class Settings:
    """Validated settings backed by a JSON file, written atomically on change."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / SETTINGS_FILE
        self._values: dict[str, Any] = {}
        self.problems: list[str] = []
        self._load()

    def _load(self) -> None:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self.problems.append(f"{self.path}: unreadable, using defaults ({exc})")
            return
        if not isinstance(raw, dict):
            self.problems.append(f"{self.path}: not a JSON object, using defaults")
            return
        for name, value in raw.items():
            option = OPTIONS.get(name)
            if option is None:
                continue  # from a newer version; keep ignoring quietly
            try:
                self._values[name] = option.validate(value)
            except ValueError as exc:
                self.problems.append(f"{self.path}: {exc}; using the default")

    def __getitem__(self, name: str) -> Any:
        return self._values.get(name, OPTIONS[name].default)

    def set(self, name: str, value: Any) -> None:
        self._values[name] = OPTIONS[name].validate(value)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self._values, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
