"""The mastery model, mastery over time (and its cache), activity, and `desktop-quiz stats`."""

from __future__ import annotations

import itertools
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from desktop_quiz.core.bank.build import build_bank
from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.progress import engine, mastery
from desktop_quiz.core.progress.demo import fill_demo
from desktop_quiz.core.progress.storage import Answer, Progress, iso
from tests.conftest import STUDY_TOPICS, run_cli, write_study_questions

NOW = datetime(2025, 3, 20, 15, 0, tzinfo=timezone.utc)
UTC = timezone.utc


def answer(progress: Progress, qid: str, when: datetime, right: bool, kind: str = "mcq") -> None:
    progress.record(Answer(qid, kind, when.astimezone(UTC), right, float(right), 3 if right else 1,
                           9000))


def by_topic(progress: Progress, bank: Bank,
             now: datetime = NOW) -> dict[str, mastery.TopicMastery]:
    return {m.topic: m for m in engine.topic_mastery((bank, progress), now, UTC)}


# -- the reference: the same statistics, the slow obvious way ----------------------------
def reference_stats(progress: Progress, catalog: mastery.Catalog, at: datetime) -> np.ndarray:
    """Per-topic statistics at ``at`` from a plain loop over every answer."""
    per_q: dict[str, list[tuple[str, bool, float]]] = {}
    for row in progress.db.execute("SELECT question_id, answered_at, correct, stability "
                                   "FROM answers WHERE answered_at <= ? ORDER BY answered_at",
                                   (iso(at),)):
        per_q.setdefault(row[0], []).append((row[1], bool(row[2]), row[3]))
    out = np.zeros((5, len(catalog.topics), 1))
    for qid, rows in per_q.items():
        topic = catalog.topic_of.get(qid)
        if topic is None:
            continue
        i = catalog.topics.index(topic)
        last_at, _, stability = rows[-1]
        r = progress.scheduling.retrievability_of(
            stability, datetime.fromisoformat(last_at), at)
        out[0, i] += 1
        out[1, i] += r
        out[2, i] += r * (1 - r) / (mastery.PER_QUESTION_PRIOR + len(rows))
        out[3, i] += rows[0][1]
        out[4, i] += len(rows)
    return out


def reference_mastery(progress: Progress, catalog: mastery.Catalog, at: datetime) -> np.ndarray:
    total = np.array([sum(1 for t in catalog.topic_of.values() if t == topic)
                      for topic in catalog.topics], float)
    return engine.estimate(reference_stats(progress, catalog, at), total)[0][:, 0]


@pytest.fixture
def progress(tmp_path: Path) -> Progress:
    p = Progress(tmp_path / "data")
    yield p
    p.close()


# -- the model ----------------------------------------------------------------------------
def test_a_new_learner_has_the_prior_everywhere_and_no_weak_topics(study_bank, progress):
    result = engine.topic_mastery((study_bank, progress), NOW, UTC)
    assert [m.topic for m in result] == sorted(STUDY_TOPICS)  # all tied: by slug
    for m in result:
        assert (m.attempts, m.seen, m.total, m.due) == (0, 0, 8, 0)
        assert m.mastery == pytest.approx(0.5)
        assert m.low < 0.25 and m.high > 0.75  # we know nothing yet
    assert mastery.weakest_topics((study_bank, progress), 3, NOW, UTC) == []


def test_seen_questions_count_with_their_fsrs_retrievability(study_bank, progress):
    t0 = NOW - timedelta(days=30)
    for n in range(1, 9):
        answer(progress, f"trees-{n}", t0 + timedelta(minutes=n), right=n % 4 != 0)
    for days in (1, 10, 30):
        at = t0 + timedelta(days=days)
        recall = progress.retrievability(at)  # from the cards table
        expected = sum(recall[f"trees-{n}"] for n in range(1, 9)) / 8
        assert by_topic(progress, study_bank, at)["trees"].mastery == pytest.approx(expected,
                                                                                     abs=1e-9)
    # Forgetting: the same answers are worth less as time passes.
    early = by_topic(progress, study_bank, t0 + timedelta(days=1))["trees"].mastery
    late = by_topic(progress, study_bank, t0 + timedelta(days=30))["trees"].mastery
    assert late < early


def test_unseen_questions_get_a_shrunk_first_attempt_estimate(study_bank, progress):
    t0 = NOW - timedelta(hours=1)
    # Two lucky answers in "graphs"; a long record of 50% in "trees" and "sorting".
    answer(progress, "graphs-1", t0, True)
    answer(progress, "graphs-2", t0 + timedelta(seconds=1), True)
    for n in range(1, 9):
        answer(progress, f"trees-{n}", t0 + timedelta(seconds=10 + n), n % 2 == 0)
        answer(progress, f"sorting-{n}", t0 + timedelta(seconds=30 + n), n % 2 == 1)
    result = by_topic(progress, study_bank)
    graphs = result["graphs"]
    assert (graphs.seen, graphs.attempts) == (2, 2)
    # Two right out of two is not 100%: unseen questions are shrunk toward the
    # learner's overall first-attempt accuracy (here 10/18).
    unseen_estimate = (graphs.mastery * 8 - sum(
        progress.retrievability(NOW)[q] for q in ("graphs-1", "graphs-2"))) / 6
    assert 10 / 18 < unseen_estimate < 0.8
    # An untouched topic sits at the shrunk overall accuracy, below the lucky one.
    assert 0.5 < result["arrays"].mastery < graphs.mastery
    # …and its interval is wider than the one of a topic with evidence.
    width = {t: m.high - m.low for t, m in result.items()}
    assert width["arrays"] > width["graphs"] > width["trees"]


def test_intervals_narrow_as_more_questions_are_answered(study_bank, progress):
    t0 = NOW - timedelta(hours=2)
    widths = []
    for n in range(1, 9):
        answer(progress, f"hashing-{n}", t0 + timedelta(minutes=n), right=n % 3 != 0)
        m = by_topic(progress, study_bank)["hashing"]
        assert m.low <= m.mastery <= m.high
        widths.append(m.high - m.low)
    assert all(b < a for a, b in itertools.pairwise(widths))


def test_weakest_first_ranks_by_the_upper_bound_and_unstarted_topics_last(study_bank,
                                                                          progress):
    t0 = NOW - timedelta(days=10)
    for n in range(1, 9):
        answer(progress, f"sorting-{n}", t0 + timedelta(seconds=n), False)  # all missed
        answer(progress, f"trees-{n}", t0 + timedelta(seconds=20 + n), True)  # all right
    answer(progress, "graphs-1", t0 + timedelta(seconds=40), True)  # two lucky answers
    answer(progress, "graphs-2", t0 + timedelta(seconds=41), True)
    answer(progress, "arrays-1", t0 + timedelta(seconds=42), False)
    ranked = engine.topic_mastery((study_bank, progress), NOW, UTC)
    result = {m.topic: m for m in ranked}
    order = [m.topic for m in ranked]
    assert order[0] == "sorting"  # confidently weak
    assert order[-1] == "hashing"  # never answered: last, whatever its estimate
    started = [m for m in ranked if m.attempts]
    assert [m.high for m in started] == sorted(m.high for m in started)
    # Two lucky answers make neither the strongest estimate nor a narrow interval.
    graphs, trees = result["graphs"], result["trees"]
    assert graphs.mastery < trees.mastery
    assert graphs.high - graphs.low > trees.high - trees.low
    weakest = mastery.weakest_topics((study_bank, progress), 10, NOW, UTC)
    assert [m.topic for m in weakest] == order[:4]  # only topics with answers
    assert [m.topic for m in mastery.weakest_topics((study_bank, progress), 2, NOW, UTC)] \
        == order[:2]


def test_questions_removed_from_the_bank_keep_history_but_do_not_count(tmp_path, progress):
    old = tmp_path / "old.sqlite"
    new = tmp_path / "new.sqlite"
    build_bank(write_study_questions(tmp_path / "q-old"), old)
    removed = ("trees-1", "trees-2", "trees-3", "trees-4")
    build_bank(write_study_questions(tmp_path / "q-new", drop=removed), new)
    t0 = NOW - timedelta(hours=1)
    for n in range(1, 9):  # wrong on the questions that will go, right on the rest
        answer(progress, f"trees-{n}", t0 + timedelta(minutes=n), right=n > 4)
    old_bank, new_bank = Bank(old), Bank(new)
    try:
        before = by_topic(progress, old_bank)["trees"]
        after = by_topic(progress, new_bank)["trees"]
    finally:
        old_bank.close()
        new_bank.close()
    assert (before.total, before.seen, before.attempts) == (8, 8, 8)
    assert (after.total, after.seen, after.attempts) == (4, 4, 4)
    assert after.mastery > before.mastery
    assert progress.answer_count() == 8  # history kept


def test_due_counts_questions_due_by_the_end_of_the_day(study_bank, progress):
    answer(progress, "arrays-1", NOW - timedelta(days=40), True)  # long overdue
    answer(progress, "arrays-2", NOW - timedelta(minutes=5), False)  # relearning in minutes
    answer(progress, "arrays-3", NOW - timedelta(minutes=1), True)
    due = {q for q in progress.due_ids(mastery.end_of_today(NOW, UTC))}
    m = by_topic(progress, study_bank)["arrays"]
    assert m.due == len(due & {"arrays-1", "arrays-2", "arrays-3"}) >= 2


# -- mastery over time ----------------------------------------------------------------------
@pytest.fixture
def demo_history(study_bank, progress):
    fill_demo((study_bank, progress), days=45, seed=11, weak_topics=("graphs",), now=NOW, tz=UTC)
    return study_bank, progress


def test_over_time_matches_the_reference_every_day(demo_history):
    bank, progress = demo_history
    catalog = mastery.Catalog.from_bank(bank)
    history = engine.mastery_over_time((bank, progress), None, NOW, UTC)
    assert history.days[-1] == NOW.date()
    assert history.days[0] == NOW.date() - timedelta(days=44)
    for i, d in enumerate(history.days):
        at = min(mastery.day_start(d + timedelta(days=1), UTC), NOW)
        np.testing.assert_allclose(history.mastery[:, i], reference_mastery(progress, catalog, at),
                                   atol=1e-9, err_msg=str(d))


def test_the_last_day_of_over_time_is_mastery_now(demo_history):
    bank, progress = demo_history
    history = engine.mastery_over_time((bank, progress), 30, NOW, UTC)
    now = by_topic(progress, bank)
    assert len(history.days) == 30
    for i, topic in enumerate(history.topics):
        assert history.mastery[i, -1] == pytest.approx(now[topic].mastery, abs=1e-12)
        assert history.low[i, -1] == pytest.approx(now[topic].low, abs=1e-12)
        assert history.attempts[i, -1] == now[topic].attempts


@pytest.mark.parametrize("warm", [False, True])
def test_mastery_now_without_numpy_equals_the_engine(demo_history, warm):
    bank, progress = demo_history
    if warm:  # the engine then reads today's snapshot from its cache; same numbers
        engine.mastery_over_time((bank, progress), None, NOW, UTC)
    for at in (NOW, NOW - timedelta(days=3, hours=7), NOW - timedelta(days=30)):
        full = engine.topic_mastery((bank, progress), at, UTC)
        pure = mastery.topic_mastery_now((bank, progress), at, UTC)
        assert [m.topic for m in pure] == [m.topic for m in full]
        assert any(m.attempts for m in pure) and (at < NOW or any(m.due for m in pure))
        for a, b in zip(pure, full, strict=True):
            assert (a.attempts, a.seen, a.total, a.due) == (b.attempts, b.seen, b.total, b.due)
            for field in ("mastery", "low", "high"):
                assert getattr(a, field) == pytest.approx(getattr(b, field), abs=1e-12), field
        weakest = mastery.weakest_topics((bank, progress), 3, at, UTC)
        assert weakest == [m for m in pure if m.attempts][:3]


def test_weakest_topics_do_not_load_numpy(demo_history, study_bank_path, tmp_path):
    _, progress = demo_history
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from desktop_quiz.core.progress import mastery\n"
        "from desktop_quiz.core.bank.reader import Bank\n"
        "from desktop_quiz.core.progress.storage import Progress\n"
        f"bank = Bank(Path({str(study_bank_path)!r}))\n"
        f"progress = Progress(Path({str(tmp_path / 'copy')!r}))\n"
        "weak = mastery.weakest_topics((bank, progress), 3)\n"
        "assert weak, 'no weak topics'\n"
        "print('numpy' in sys.modules)\n")
    import shutil
    import subprocess
    import sys

    (tmp_path / "copy").mkdir()
    progress.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(progress.path, tmp_path / "copy" / "progress.sqlite")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_cached_days_are_reused_and_dropped_from_a_changed_answer_on(demo_history):
    bank, progress = demo_history
    first = engine.mastery_over_time((bank, progress), None, NOW, UTC)
    cached = progress.db.execute("SELECT count(*) FROM stats_cache_days").fetchone()[0]
    assert cached == len(first.days) - 1  # every closed day; today is never cached
    again = engine.mastery_over_time((bank, progress), None, NOW, UTC)
    np.testing.assert_array_equal(first.mastery, again.mastery)
    # Activity reads closed days from the same cache; counting them gives the same.
    cached = engine.activity((bank, progress), None, NOW, UTC)
    counted = engine.activity(progress, None, NOW, UTC)
    assert cached.days == counted.days and list(cached.answers) == list(counted.answers)
    assert cached.answers.sum() == progress.answer_count()

    # An imported answer 20 days ago changes those days and later ones, not earlier ones.
    when = NOW - timedelta(days=20)
    assert progress.import_answers([Answer("graphs-1", "mcq", when, False, 0.0, 1, 5000)]) == 1
    left = {r[0] for r in progress.db.execute("SELECT day_end FROM stats_cache_days")}
    assert left and max(left) < iso(when)
    changed = engine.mastery_over_time((bank, progress), None, NOW, UTC)
    catalog = mastery.Catalog.from_bank(bank)
    g = catalog.topics.index("graphs")
    for i, d in enumerate(changed.days):
        at = min(mastery.day_start(d + timedelta(days=1), UTC), NOW)
        np.testing.assert_allclose(changed.mastery[:, i],
                                   reference_mastery(progress, catalog, at), atol=1e-9)
        if d < when.date():
            assert changed.mastery[g, i] == first.mastery[g, i]
    assert changed.attempts[g, -1] == first.attempts[g, -1] + 1
    day = changed.days.index(when.date())
    assert changed.mastery[g, day] != first.mastery[g, day]


def test_a_rating_change_invalidates_only_if_it_changes_something(demo_history):
    bank, progress = demo_history
    engine.mastery_over_time((bank, progress), None, NOW, UTC)
    before = progress.db.execute("SELECT count(*) FROM stats_cache_days").fetchone()[0]
    row = progress.db.execute("SELECT id, answered_at FROM answers WHERE kind = 'recall' "
                              "AND rating = 3 ORDER BY answered_at LIMIT 1").fetchone()
    progress.amend_rating(row[0], 3)  # the same rating: the replay changes nothing
    assert progress.db.execute("SELECT count(*) FROM stats_cache_days").fetchone()[0] == before
    progress.amend_rating(row[0], 1)
    left = progress.db.execute("SELECT max(day_end) FROM stats_cache_days").fetchone()[0]
    assert left is None or left < row[1]
    catalog = mastery.Catalog.from_bank(bank)
    history = engine.mastery_over_time((bank, progress), None, NOW, UTC)
    np.testing.assert_allclose(history.mastery[:, -1], reference_mastery(progress, catalog, NOW),
                               atol=1e-9)


def test_days_follow_the_local_calendar_across_dst(study_bank, progress):
    ny = ZoneInfo("America/New_York")
    # 2024-03-10 has 23 hours in New York.
    assert mastery.day_start(date(2024, 3, 11), ny) - mastery.day_start(date(2024, 3, 10), ny) \
        == timedelta(hours=23)
    now = datetime(2024, 3, 12, 20, 0, tzinfo=ny)
    # 23:30 local on the 10th is the 11th in UTC: it must count for the 10th.
    answer(progress, "arrays-1", datetime(2024, 3, 10, 23, 30, tzinfo=ny), True)
    answer(progress, "arrays-2", datetime(2024, 3, 11, 0, 30, tzinfo=ny), False)
    history = engine.mastery_over_time((study_bank, progress), 4, now, ny)
    a = history.row("arrays")
    assert history.days == (date(2024, 3, 9), date(2024, 3, 10), date(2024, 3, 11),
                            date(2024, 3, 12))
    assert list(history.attempts[a]) == [0, 1, 2, 2]
    act = engine.activity(progress, 4, now, ny)
    assert list(act.answers) == [0, 1, 1, 0]


# -- activity and streaks -------------------------------------------------------------------
def test_activity_counts_answers_per_local_day_and_the_streak(progress):
    today = NOW.date()
    for days_ago, count in ((0, 2), (1, 1), (2, 3), (4, 1)):
        for k in range(count):
            answer(progress, f"q-{days_ago}-{k}",
                   datetime.combine(today - timedelta(days=days_ago), datetime.min.time(),
                                    UTC) + timedelta(hours=9, minutes=k), True)
    act = engine.activity(progress, 7, NOW, UTC)
    assert act.days[-1] == today and len(act.days) == 7
    assert list(act.answers) == [0, 0, 1, 0, 3, 1, 2]
    assert act.streak_days == 3
    # Before today's first answer the streak still stands (counted up to yesterday)…
    morning = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=8)
    assert mastery.streak_days(progress, morning, UTC) == 2
    # …and a day without answers ends it.
    assert mastery.streak_days(progress, NOW + timedelta(days=2), UTC) == 0
    assert engine.activity(progress, None, NOW, UTC).days[0] == today - timedelta(days=4)


# -- the command ----------------------------------------------------------------------------
def test_stats_json_has_the_documented_shape(demo_history, study_bank_path):
    _, progress = demo_history
    env = {"DESKTOP_QUIZ_BANK": str(study_bank_path)}
    result = run_cli("--data-dir", str(progress.data_dir), "stats", "--json",
                     "--as-of", NOW.isoformat(), env=env)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert list(doc) == ["as_of", "due_today", "streak_days", "topics"]
    assert doc["as_of"] == iso(NOW)
    assert doc["streak_days"] == mastery.streak_days(progress, NOW)
    assert doc["due_today"] == sum(t["due"] for t in doc["topics"])
    assert next(t["topic"] for t in doc["topics"]) == "graphs"  # the weak topic of the demo
    for t in doc["topics"]:
        assert list(t) == ["topic", "mastery", "low", "high", "attempts", "seen", "total", "due"]
        assert 0 <= t["low"] <= t["mastery"] <= t["high"] <= 1
        assert t["total"] == 8 and 0 <= t["seen"] <= 8
    keys = [(t["attempts"] == 0, t["high"]) for t in doc["topics"]]
    assert keys == sorted(keys)

    table = run_cli("--data-dir", str(progress.data_dir), "stats", "--as-of",
                    NOW.isoformat(), env=env)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert "due today" in lines[0] and "streak" in lines[0]
    assert lines[4].startswith("Graphs topic")


def test_stats_for_a_new_learner_and_bad_input(tmp_path, study_bank_path):
    env = {"DESKTOP_QUIZ_BANK": str(study_bank_path)}
    fresh = run_cli("--data-dir", str(tmp_path / "new"), "stats", env=env)
    assert fresh.returncode == 0, fresh.stderr
    assert "No answers yet" in fresh.stdout and "not started" in fresh.stdout
    bad = run_cli("--data-dir", str(tmp_path / "new"), "stats", "--as-of", "yesterday", env=env)
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1 and "--as-of" in bad.stderr


def test_a_database_migrated_from_schema_1_gets_its_stabilities(tmp_path):
    import shutil

    from tests.conftest import FIXTURES

    data = tmp_path / "old"
    data.mkdir()
    shutil.copy(FIXTURES / "progress-v1.sqlite", data / "progress.sqlite")
    progress = Progress(data)
    try:
        # schema 1 stored no stability; opening the migrated file derives it once
        assert progress.db.execute("SELECT count(*) FROM answers WHERE stability IS NULL"
                                   ).fetchone()[0] == 0
        catalog = mastery.Catalog.from_mapping({"gap-remedy": "alpha", "l1-vs-l2": "alpha"})
        at = datetime(2026, 1, 10, tzinfo=UTC)
        history = engine.mastery_over_time((catalog, progress), None, at, UTC)
        assert progress.db.execute("SELECT count(*) FROM answers WHERE stability IS NULL"
                                   ).fetchone()[0] == 0
        recall = progress.retrievability(at)
        assert history.mastery[0, -1] == pytest.approx(
            (recall["gap-remedy"] + recall["l1-vs-l2"]) / 2, abs=1e-9)
        assert history.days[0] == date(2026, 1, 5)
        assert progress.answer_count() == 4  # the retired question keeps its history
    finally:
        progress.close()


def test_mastery_now_on_a_migrated_database_uses_replayed_stabilities(tmp_path):
    import shutil

    from tests.conftest import FIXTURES

    data = tmp_path / "old"
    data.mkdir()
    shutil.copy(FIXTURES / "progress-v1.sqlite", data / "progress.sqlite")
    progress = Progress(data)
    try:
        catalog = mastery.Catalog.from_mapping({"gap-remedy": "alpha", "l1-vs-l2": "alpha"})
        at = datetime(2026, 1, 10, tzinfo=UTC)
        [pure] = mastery.topic_mastery_now((catalog, progress), at, UTC)  # before the engine
        [alpha] = engine.topic_mastery((catalog, progress), at, UTC)
        assert pure.mastery == pytest.approx(alpha.mastery, abs=1e-12)
        recall = progress.retrievability(at)
        assert alpha.mastery == pytest.approx((recall["gap-remedy"] + recall["l1-vs-l2"]) / 2,
                                              abs=1e-9)
        assert (alpha.seen, alpha.attempts) == (2, 3)
    finally:
        progress.close()
