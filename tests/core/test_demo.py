"""The demo history (realistic, weak topics visibly weak) and the bulk synthetic history."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from desktop_quiz.core.progress import demo, engine, mastery
from desktop_quiz.core.progress.storage import Progress
from tests.conftest import run_cli

NOW = datetime(2025, 3, 20, 20, 0, tzinfo=timezone.utc)
UTC = timezone.utc


@pytest.mark.parametrize(("weak", "seed"), [(("graphs",), 1), (("hashing", "trees"), 4)])
def test_the_chosen_weak_topics_come_out_weakest(study_ctx, weak, seed):
    result = demo.fill_demo(study_ctx, days=60, seed=seed, weak_topics=weak, now=NOW, tz=UTC)
    assert result.weak_topics == weak
    ranked = engine.topic_mastery(study_ctx, NOW, UTC)
    assert {m.topic for m in ranked[: len(weak)]} == set(weak)
    assert max(m.high for m in ranked[: len(weak)]) < min(m.mastery for m in ranked[len(weak):])
    assert {m.topic for m in mastery.weakest_topics(study_ctx, len(weak), NOW, UTC)} == set(weak)
    # Visible over time too: weak topics stay below the others on most days.
    history = engine.mastery_over_time(study_ctx, None, NOW, UTC)
    weak_rows = [history.row(t) for t in weak]
    strong_rows = [i for i in range(len(history.topics)) if i not in weak_rows]
    started = history.attempts.min(axis=0) > 0
    below = history.mastery[weak_rows].max(axis=0) < history.mastery[strong_rows].min(axis=0)
    assert below[started][-30:].mean() > 0.8


def test_the_demo_looks_like_real_study(study_ctx):
    result = demo.fill_demo(study_ctx, days=90, seed=7, now=NOW, tz=UTC)
    act = engine.activity(study_ctx, 90, NOW, UTC)
    assert act.answers.sum() == result.answers == study_ctx.progress.answer_count()
    active = act.answers > 0
    assert result.active_days == active.sum()
    assert 0.5 < active.mean() < 0.95  # most days, not every day
    assert act.streak_days >= 5  # recent days are active, for screenshots
    runs = [len(list(g)) for k, g in __import__("itertools").groupby(active) if not k]
    assert max(runs) >= 2  # at least one break of several days
    modes = {r[0] for r in study_ctx.progress.db.execute("SELECT DISTINCT mode FROM answers")}
    assert modes == {"drill", "review", "mock"}
    latest = study_ctx.progress.db.execute("SELECT max(answered_at) FROM answers").fetchone()[0]
    assert datetime.fromisoformat(latest) <= NOW
    sessions = study_ctx.progress.db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    assert sessions == result.sessions > 0
    # Real FSRS card states: what replaying the log gives.
    before = study_ctx.progress.db.execute("SELECT * FROM cards ORDER BY 1").fetchall()
    study_ctx.progress.replay_all()
    assert study_ctx.progress.db.execute("SELECT * FROM cards ORDER BY 1").fetchall() == before


def test_the_demo_never_mixes_with_real_history(study_ctx, study_bank_path, tmp_path):
    demo.fill_demo(study_ctx, days=5, seed=1, now=NOW, tz=UTC)
    with pytest.raises(demo.DemoError, match="already has"):
        demo.fill_demo(study_ctx, days=5, seed=1, now=NOW, tz=UTC)
    env = {"DESKTOP_QUIZ_BANK": str(study_bank_path)}
    data = tmp_path / "cli-demo"
    first = run_cli("--data-dir", str(data), "demo", "--days", "30", "--seed", "3", env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[1].startswith("weak topics by design: ")
    again = run_cli("--data-dir", str(data), "demo", env=env)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "already has" in again.stderr


def test_bulk_synthetic_history(tmp_path):
    progress = Progress(tmp_path / "bulk")
    try:
        catalog = demo.write_synthetic_history(progress, n_answers=20_000, n_questions=200,
                                               n_topics=5, days=100, seed=3, now=NOW)
        assert progress.answer_count() == 20_000
        assert len(catalog.topic_of) == 200 and len(catalog.topics) == 5
        assert progress.db.execute("SELECT count(*) FROM cards").fetchone()[0] == 200
        assert progress.db.execute("SELECT count(*) FROM answers WHERE stability IS NULL "
                                   "OR answered_at > ?", (NOW.isoformat(),)).fetchone()[0] == 0
        # Each card holds the stability of its question's latest answer, as live answering does.
        mismatched = progress.db.execute(
            "SELECT count(*) FROM cards c JOIN answers a ON a.question_id = c.question_id "
            "AND a.answered_at = c.last_review WHERE a.stability != c.stability").fetchone()[0]
        assert mismatched == 0
        act = engine.activity(progress, 100, NOW, UTC)
        assert 0.6 < (act.answers > 0).mean() < 0.95
        ranked = engine.topic_mastery((catalog, progress), NOW, UTC)
        assert all(m.seen == m.total == 40 for m in ranked)
        history = engine.mastery_over_time((catalog, progress), 30, NOW, UTC)
        assert np.isfinite(history.mastery).all()
        last = {t: history.mastery[i, -1] for i, t in enumerate(history.topics)}
        assert all(last[m.topic] == pytest.approx(m.mastery, abs=1e-12) for m in ranked)
        # Topics differ in accuracy, so mastery differs.
        assert ranked[-1].mastery - ranked[0].mastery > 0.02
        assert NOW - timedelta(days=100) <= datetime.fromisoformat(
            progress.db.execute("SELECT min(answered_at) FROM answers").fetchone()[0])
    finally:
        progress.close()
