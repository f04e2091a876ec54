"""Spaced repetition with FSRS (the ``fsrs`` package).

Rating map (see :mod:`desktop_quiz.core.study.grading`): a wrong MCQ is Again; a right
one is Good, or Easy when answered faster than
:func:`easy_threshold_seconds` (below); a recall answer takes
the rating the learner accepted. Fuzzing is off so that replaying the same log
(an import, a rating change) gives exactly the same card states.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from desktop_quiz.core.model import Question

DEFAULT_RETENTION = 0.9
# FSRS-6's default forgetting-curve decay, w[20]. Equal to
# ``fsrs.Scheduler().parameters[20]`` (a test checks it), so reading R for the Home
# screen needs no fsrs import at start-up; only scheduling a review loads fsrs.
DEFAULT_DECAY_WEIGHT = 0.1542


class Scheduling:
    """A thin, typed wrapper over ``fsrs.Scheduler`` (imported on first use)."""

    def __init__(self, desired_retention: float = DEFAULT_RETENTION):
        if not 0.5 <= desired_retention < 1:
            raise ValueError("desired retention must be in [0.5, 1)")
        self.desired_retention = desired_retention

    @cached_property
    def _fsrs(self) -> Any:
        import fsrs

        return fsrs

    @cached_property
    def scheduler(self) -> Any:
        return self._fsrs.Scheduler(desired_retention=self.desired_retention,
                                    enable_fuzzing=False)

    @cached_property
    def decay(self) -> float:
        return -DEFAULT_DECAY_WEIGHT

    @cached_property
    def factor(self) -> float:
        return float(0.9 ** (1 / self.decay) - 1)

    def review(self, card: Any, rating: int, when: datetime, duration_ms: int = 0) -> Any:
        if card is None:
            card = self._fsrs.Card(card_id=1)
        # fsrs accepts only UTC datetimes; callers may pass any aware time.
        card, _log = self.scheduler.review_card(card, self._fsrs.Rating(int(rating)),
                                                review_datetime=when.astimezone(timezone.utc))
        return card

    def card_to_json(self, card: Any) -> str:
        return str(card.to_json())

    def card_from_json(self, text: str) -> Any:
        return self._fsrs.Card.from_json(text)

    @staticmethod
    def due(card: Any) -> datetime:
        return card.due

    @staticmethod
    def stability(card: Any) -> float | None:
        return card.stability

    @staticmethod
    def last_review(card: Any) -> datetime:
        return card.last_review

    def retrievability_of(self, stability: float | None, last_review: datetime,
                          now: datetime) -> float:
        """FSRS forgetting curve R(t) = (1 + factor·t/S)^decay, t in days."""
        if not stability:
            return 0.0
        days = max(0.0, (now - last_review).total_seconds() / 86400.0)
        return float(math.pow(1 + self.factor * days / stability, self.decay))


# MCQ answered correctly faster than this is suggested as Easy rather than Good:
# a base plus a reading allowance of about 250 words per minute.
EASY_BASE_SECONDS = 6.0
EASY_SECONDS_PER_WORD = 0.24


def easy_threshold_seconds(question: Question) -> float:
    """Answer time under which a right MCQ answer is rated Easy instead of Good."""
    words = len(question.prompt.split()) + sum(len(c.text.split()) for c in question.choices)
    return EASY_BASE_SECONDS + EASY_SECONDS_PER_WORD * words
