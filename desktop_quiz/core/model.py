"""Plain data types shared by the bank builder, the bank reader and the study core."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import IntEnum

# Question ids, topic slugs and tags: lowercase words joined by single hyphens.
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = ("mcq", "recall", "code")
DIFFICULTIES = (1, 2, 3)
DIFFICULTY_NAMES = {1: "easy", 2: "medium", 3: "hard"}


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    group: str
    description: str
    v1: int = 0
    goal: int = 0


@dataclass(frozen=True)
class Choice:
    text: str  # Markdown source
    correct: bool
    explanation: str  # Markdown source
    text_html: str = ""
    explanation_html: str = ""


@dataclass(frozen=True)
class KeyPoint:
    text: str
    alternatives: tuple[str, ...]
    # Phrasings that veto the point (the opposite claim, e.g. "linear" for t-SNE).
    reject: tuple[str, ...] = ()
    text_html: str = ""  # inline HTML (no enclosing paragraph), math rendered


@dataclass(frozen=True)
class TestCase:
    """One test of a coding exercise: its function name and one-line docstring."""

    name: str
    doc: str


@dataclass(frozen=True)
class Exercise:
    """The runnable parts of a ``kind: code`` question (plain Python source)."""

    starter: str
    tests: str
    solution: str
    test_cases: tuple[TestCase, ...]
    hints: tuple[str, ...] = ()  # Markdown, one per top-level hint bullet
    hints_html: tuple[str, ...] = ()

    @property
    def entry_points(self) -> tuple[str, ...]:
        """Top-level functions and classes the starter defines (the learner must keep them)."""
        import ast

        try:
            tree = ast.parse(self.starter)
        except SyntaxError:
            return ()
        return tuple(n.name for n in tree.body
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    kind: str
    difficulty: int
    tags: tuple[str, ...]
    prompt: str
    answer: str
    choices: tuple[Choice, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    hint: str = ""
    references: str = ""
    prompt_html: str = ""
    answer_html: str = ""
    hint_html: str = ""
    references_html: str = ""
    source_path: str = ""
    exercise: Exercise | None = None  # kind "code" only
    lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def multi(self) -> bool:
        """True when more than one choice is correct ("select all that apply")."""
        return sum(c.correct for c in self.choices) > 1

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, c in enumerate(self.choices) if c.correct)


class Rating(IntEnum):
    """FSRS ratings, with the keyboard keys 1–4 the app uses for them."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()
