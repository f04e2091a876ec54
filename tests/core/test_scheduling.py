"""The fsrs wrapper: its constants agree with fsrs, and its curve has FSRS's shape."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import fsrs
import pytest

from desktop_quiz.core.progress.scheduling import DEFAULT_DECAY_WEIGHT, Scheduling
from desktop_quiz.core.study.grading import Rating


def test_the_decay_constant_is_fsrs_default() -> None:
    # Home reads R without importing fsrs; this keeps the copy honest.
    assert Scheduling().decay == -fsrs.Scheduler().parameters[20] == -DEFAULT_DECAY_WEIGHT


def test_recall_is_ninety_percent_after_one_stability() -> None:
    # FSRS defines stability S as the interval at which R falls to 90%.
    s = Scheduling()
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert s.retrievability_of(12.0, start, start) == pytest.approx(1.0)
    assert s.retrievability_of(12.0, start, start + timedelta(days=12)) == pytest.approx(0.9)
    assert s.retrievability_of(12.0, start, start + timedelta(days=40)) < 0.9
    assert s.retrievability_of(None, start, start) == 0.0


def test_a_review_in_another_zone_is_scheduled_like_its_utc_instant() -> None:
    s = Scheduling()
    utc = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    local = utc.astimezone(timezone(timedelta(hours=-5)))
    a = s.review(None, Rating.GOOD, utc)
    b = s.review(None, Rating.GOOD, local)
    assert s.due(a) == s.due(b) > utc
    again = s.review(a, Rating.AGAIN, s.due(a))
    assert s.stability(again) < s.stability(a)
    assert s.card_to_json(s.card_from_json(s.card_to_json(again))) == s.card_to_json(again)
