"""The study planner: every rule of issue 17 on generated histories with known weak topics.

Expected values come from the rules and from the simulated learner's design (which
topics are weak), never from the planner's own output.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.context import AppContext
from desktop_quiz.core.progress import mastery
from desktop_quiz.core.progress.demo import fill_demo
from desktop_quiz.core.progress.storage import Answer, iso
from desktop_quiz.core.study import planner
from desktop_quiz.core.study.planner import PlanSettings, load_inputs, make_plan

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # a Monday evening
TOPICS = tuple(f"topic{n:02d}" for n in range(12))
WEAK = ("topic01", "topic04", "topic06", "topic09", "topic11")  # weak by design


def write_bank_source(target: Path, per_topic: int = 30) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    topics = "\n".join(f"  - slug: {t}\n    title: {t.capitalize()}\n    group: Plan\n"
                       f"    description: Generated topic {t}." for t in TOPICS)
    (target / "topics.yaml").write_text(f"groups: [Plan]\ntopics:\n{topics}\n",
                                        encoding="utf-8")
    for topic in TOPICS:
        (target / topic).mkdir(exist_ok=True)
        for n in range(1, per_topic + 1):
            kind = "recall" if n % 4 == 0 else "mcq"
            head = f"---\nkind: {kind}\ndifficulty: {n % 3 + 1}\ntags: [{topic}]\n---\n\n"
            prompt = f"## Prompt\n\nQuestion {n} of {topic}: which one is right?\n\n"
            if kind == "mcq":
                body = ("## Choices\n\n- [x] The right answer\n  It is right.\n"
                        "- [ ] A wrong answer\n  It is wrong.\n- [ ] Another wrong one\n"
                        "  It is wrong too.\n\n")
            else:
                body = ("## Key points\n\n- Mentions apples\n  accept: apple\n"
                        "- Mentions pears\n  accept: pear\n- Mentions plums\n  accept: plum\n\n")
            (target / topic / f"{topic}-{n}.md").write_text(
                head + prompt + body + f"## Answer\n\nAnswer {n} of {topic}.\n",
                encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def plan_bank_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from desktop_quiz.core.bank.build import build_bank

    root = tmp_path_factory.mktemp("plan-bank")
    out = root / "bank.sqlite"
    build_bank(write_bank_source(root / "questions"), out)
    return out


@pytest.fixture
def pctx(plan_bank_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    ctx = AppContext.open(tmp_path / "plan-data", Bank(plan_bank_path))
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def learner_db(plan_bank_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated learner: 30 days of study, weak in WEAK by design (built once)."""
    return simulated_learner(tmp_path_factory.mktemp("learner"), plan_bank_path, 30, 5, WEAK)


def simulated_learner(folder: Path, bank: Path, days: int, seed: int,
                      weak: tuple[str, ...]) -> Path:
    """A data folder holding ``days`` of demo study, weak in ``weak`` by design."""
    ctx = AppContext.open(folder, Bank(bank))
    fill_demo(ctx, days=days, seed=seed, weak_topics=weak, now=NOW, tz=UTC)
    ctx.close()
    return folder


@pytest.fixture
def learner(learner_db: Path, plan_bank_path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    import shutil

    folder = tmp_path / "learner"
    shutil.copytree(learner_db, folder)
    ctx = AppContext.open(folder, Bank(plan_bank_path))
    yield ctx
    ctx.close()


def settings(days: int = 28, minutes: int = 45, off: tuple[int, ...] = (),
             focus: tuple[str, ...] = ()) -> PlanSettings:
    return PlanSettings(NOW.date() + timedelta(days=days), minutes, frozenset(off), focus)


def plan_of(ctx: AppContext, s: PlanSettings, now: datetime = NOW) -> planner.Plan:
    return make_plan(load_inputs(ctx.bank, ctx.progress, s, now, UTC))


def minutes(plan: planner.Plan, kinds: tuple[str, ...]) -> Counter[str]:
    out: Counter[str] = Counter()
    for d in plan.days:
        for i in d.items:
            if i.kind in kinds:
                out[i.topic or ""] += i.minutes
    return out


# -- budget -------------------------------------------------------------------------
def test_each_day_is_within_ten_percent_of_the_budget(learner):
    for budget in (30, 45, 90):
        plan = plan_of(learner, settings(minutes=budget))
        days = [d for d in plan.days[1:] if not d.off]  # today: the budget less what is done
        assert days
        for d in days:
            assert budget * 0.9 <= d.minutes <= budget * 1.1, (budget, d.day, d.minutes)


def test_a_day_runs_short_only_when_the_material_runs_out(study_ctx):
    # 40 questions in all: a long daily budget cannot be filled, and is never exceeded.
    plan = plan_of(study_ctx, settings(days=10, minutes=240))
    assert plan.days[0].minutes < 240 * 0.9
    new = sum(i.count for d in plan.days for i in d.items if i.kind in ("new", "weak")
              and d is plan.days[0])
    assert new == 40  # every question of the bank was planned: nothing was left
    assert all(d.minutes <= 240 * 1.1 for d in plan.days)


def test_today_counts_what_was_already_studied(learner):
    s = settings(minutes=45)
    before = plan_of(learner, s)
    ids = learner.progress.due_ids(NOW + timedelta(days=30))[:12]
    for n, qid in enumerate(ids):
        q = learner.bank.question(qid)
        learner.progress.record(Answer(qid, q.kind, NOW + timedelta(seconds=60 * n), True, 1.0,
                                       3, 50_000, "review", "today"))
    after = plan_of(learner, s, NOW + timedelta(minutes=15))
    assert after.done_today >= before.done_today + 10  # twelve answers a minute apart
    assert after.days[0].minutes <= max(0.0, 45 - after.done_today) + 45 * 0.1
    assert after.days[0].minutes < before.days[0].minutes


# -- where the minutes go -------------------------------------------------------------
def test_most_new_material_minutes_go_to_the_truly_weakest_topics(learner):
    plan = plan_of(learner, settings(days=21, minutes=45))
    new = minutes(plan, ("new", "weak"))
    total = sum(new.values())
    assert total > 45  # there is new material to share out
    share = sum(v for t, v in new.items() if t in WEAK) / total
    assert share >= 0.5, (share, new.most_common())
    # The mastery model finds (at least four of) the weak topics from 30 days of answers.
    assert len(set(plan.weakest) & set(WEAK)) >= 4


def test_focus_topics_get_more_time(learner):
    strong = [t for t in TOPICS if t not in WEAK]
    plain = minutes(plan_of(learner, settings(days=21)), ("new", "weak"))
    inputs = load_inputs(learner.bank, learner.progress, settings(days=21), NOW, UTC)
    # A strong topic with the most unseen questions: room for more time when focused.
    topic = max(strong, key=lambda t: (len(inputs.unseen[t]), t))
    assert len(inputs.unseen[topic]) * 0.5 > plain[topic]  # not used up without focus
    focused = minutes(plan_of(learner, settings(days=21, focus=(topic,))), ("new", "weak"))
    assert focused[topic] > plain[topic]


def test_unseen_topics_are_covered_before_depth(pctx):
    plan = plan_of(pctx, settings(days=14, minutes=10))
    first = [i for i in plan.days[0].items if i.kind in ("new", "weak")]
    # A new learner's short first day (fewer questions than topics): one question in
    # each of many topics, none twice.
    assert len(first) >= 6 and all(i.count == 1 for i in first)
    long_day = plan_of(pctx, settings(days=14, minutes=120))
    assert {i.topic for i in long_day.days[0].items if i.kind == "new"} == set(TOPICS)


def test_due_reviews_come_first(learner):
    plan = plan_of(learner, settings(minutes=45))
    for d in plan.days:
        kinds = [i.kind for i in d.items]
        if "review" in kinds:
            assert kinds.index("review") == 0
            assert kinds[: kinds.count("review")] == ["review"] * kinds.count("review")
    # A backlog larger than the budget: the first day is reviews only.
    due = len(learner.progress.due_ids(NOW + timedelta(days=60)))
    big = plan_of(learner, settings(days=90, minutes=10), NOW + timedelta(days=60))
    assert due > 20
    assert {i.kind for i in big.days[0].items} == {"review"}


def test_review_time_is_the_learners_own_median(learner):
    inputs = load_inputs(learner.bank, learner.progress, settings(), NOW, UTC)
    rows = learner.progress.db.execute(
        "SELECT kind, answered_at, session_id, duration_ms FROM answers ORDER BY session_id, "
        "answered_at").fetchall()
    assert set(inputs.minutes) >= {"mcq"}
    durations = sorted(r[3] / 60000 for r in rows if r[0] == "mcq")
    # Answer to answer includes reading the feedback: at least the median answer time.
    assert inputs.minutes["mcq"] >= durations[len(durations) // 2] * 0.99
    fresh = load_inputs(learner.bank, learner.progress, settings(), NOW, UTC)
    assert fresh.minutes == inputs.minutes
    empty_inputs = planner.PlanInputs(
        today=NOW.date(), now=0.5, settings=settings(), topics=(), titles={}, totals={},
        unseen={}, first_right={}, cards=(), minutes={}, done_today=0.0, last_mock=None)
    assert empty_inputs.item_minutes("mcq") == planner.DEFAULT_MINUTES["mcq"]


# -- mocks, last days, days off ---------------------------------------------------------
def mock_days(plan: planner.Plan) -> list[date]:
    return [d.day for d in plan.days if any(i.kind == "mock" for i in d.items)]


def test_mocks_every_few_days_and_more_often_in_the_last_week(learner):
    plan = plan_of(learner, settings(days=35, minutes=60))
    days = mock_days(plan)
    interview = plan.interview_date
    last_week = [d for d in days if (interview - d).days <= 7]
    before = [d for d in days if (interview - d).days > 7]
    assert len(before) >= 5
    gaps = [(b - a).days for a, b in itertools.pairwise(before)]
    assert all(g <= planner.MOCK_GAP + 1 for g in gaps), gaps
    # More mocks in the last week than in any earlier week.
    assert len(last_week) >= 3
    for start in range(0, 35 - 14):
        window = [d for d in before if 0 <= (d - plan.days[0].day).days - start < 7]
        assert len(window) < len(last_week)


def test_the_last_days_review_the_weakest_topics(learner):
    plan = plan_of(learner, settings(days=20, minutes=45))
    for d in plan.days[-planner.LAST_DAYS:]:
        kinds = {i.kind for i in d.items}
        assert "new" not in kinds and "weak" in kinds
        assert len({i.topic for i in d.items if i.kind == "weak"}) <= planner.WEAK_COUNT
    assert any(i.kind == "new" for d in plan.days[:-planner.LAST_DAYS] for i in d.items)
    # Two days before the interview the last days start today: their topics are the
    # weakest at the date by the mastery model itself (computed independently here).
    short = plan_of(learner, settings(days=2, minutes=120))
    at = datetime.combine(short.interview_date, datetime.min.time(), UTC)
    ranked = [m.topic for m in mastery.topic_mastery_now(learner, at, UTC) if m.attempts]
    weak_topics = {i.topic for d in short.days for i in d.items if i.kind == "weak"}
    assert all(i.kind in ("review", "weak", "mock") for d in short.days for i in d.items)
    assert weak_topics and weak_topics <= set(ranked[: planner.WEAK_COUNT])


def test_days_off_get_nothing(learner):
    off = (5, 6)  # Saturday, Sunday
    plan = plan_of(learner, settings(days=21, off=off))
    for d in plan.days:
        if d.day.weekday() in off:
            assert d.off and d.items == () and d.minutes == 0
        else:
            assert not d.off and d.items


# -- re-planning, determinism, the forecast ---------------------------------------------
def test_the_same_inputs_give_the_same_plan(learner):
    a = plan_of(learner, settings()).to_json()
    b = plan_of(learner, settings()).to_json()
    assert a == b


def test_the_plan_changes_after_answers(learner):
    s = settings(days=21)
    before = plan_of(learner, s)
    # The learner does today's first weak block, all wrong: their state changes.
    weak = next(i for d in before.days for i in d.items if i.kind in ("weak", "new"))
    from desktop_quiz.core.bank.reader import Filter

    ids = learner.bank.query(Filter(topics=(weak.topic or "",)))
    for n, qid in enumerate(ids[:10]):
        q = learner.bank.question(qid)
        learner.progress.record(Answer(qid, q.kind, NOW + timedelta(seconds=30 * n), False, 0.0,
                                       1, 40_000, "drill", "s1"))
    after = plan_of(learner, s, NOW + timedelta(minutes=6))
    assert after.to_json()["days"] != before.to_json()["days"]
    assert after.to_json()["forecast"] != before.to_json()["forecast"]


def follow(ctx: AppContext, plan: planner.Plan, day: date, rng: random.Random,
           skill: dict[str, float], hour: float = 19.0) -> None:
    """Do the day's plan as the app would start it (the drill machinery picks questions)."""
    from desktop_quiz.core.bank.reader import Filter
    from desktop_quiz.core.study.session import DrillSpec, assemble

    when = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)
    sid = f"follow-{day.isoformat()}"
    for item in plan.days[0].items:
        if item.kind == "mock":
            # As Home starts it: random recall questions, a session of mode "mock".
            sid = f"follow-mock-{day.isoformat()}"
            with ctx.progress.transaction() as db:
                db.execute("INSERT INTO sessions (id, mode, started_at, spec) "
                           "VALUES (?, 'mock', ?, '{}')", (sid, iso(when)))
            spec = DrillSpec(Filter(kinds=("recall",)), item.count, "random", "mock")
        elif item.kind == "review":
            spec = DrillSpec(Filter(ids=tuple(ctx.progress.due_ids(when + timedelta(hours=5))),
                                    topics=(item.topic or "",)), item.count, "due-first")
        else:
            spec = DrillSpec(Filter(topics=(item.topic or "",)), item.count, item.order)
        for qid in assemble(ctx.bank, spec, ctx.progress, random.Random(1), when):
            q = ctx.bank.question(qid)
            seen = qid in ctx.progress.seen_ids()
            p = ctx.progress.retrievability(when).get(qid, 0.9) if seen else skill[q.topic]
            right = rng.random() < p
            when += timedelta(seconds=50)
            ctx.progress.record(Answer(qid, q.kind, when, right, float(right),
                                       3 if right else 1, 40_000, spec.mode, sid))
        sid = f"follow-{day.isoformat()}"


def test_the_forecast_rises_when_the_plan_is_followed(learner):
    s = settings(days=14, minutes=45)
    first = plan_of(learner, s)
    stop_now = {f.topic: f.stop for f in first.forecast}
    rng = random.Random(2)
    skill = {t: 0.35 if t in WEAK else 0.8 for t in TOPICS}
    now = NOW
    for _ in range(5):
        plan = plan_of(learner, s, now)
        follow(learner, plan, now.date(), rng, skill)
        now = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                               UTC) + timedelta(hours=8)
    later = plan_of(learner, s, now)
    stop_later = {f.topic: f.stop for f in later.forecast}
    mean = lambda d: sum(d.values()) / len(d)  # noqa: E731
    # What five days of following the plan secured (if the learner stopped now) is
    # higher than what they had before; most of all in the weak topics.
    assert mean(stop_later) > mean(stop_now) + 0.02
    assert mean({t: stop_later[t] for t in WEAK}) > mean({t: stop_now[t] for t in WEAK})
    # The mastery model itself, evaluated at the interview, agrees.
    at = datetime.combine(s.interview_date, datetime.min.time(), UTC)
    real = {m.topic: m.mastery for m in mastery.topic_mastery_now(learner, at, UTC)}
    assert mean(real) > mean(stop_now)


def test_forecast_ranges_and_plan_against_stop(learner):
    plan = plan_of(learner, settings(days=21))
    assert len(plan.forecast) == len(TOPICS)
    for f in plan.forecast:
        assert 0 <= f.plan_low <= f.plan <= f.plan_high <= 1
        assert f.plan >= f.stop - 1e-9
    assert sum(f.plan for f in plan.forecast) > sum(f.stop for f in plan.forecast)


def test_verdict_behind_names_the_minutes_that_would_reach_the_target(learner):
    inputs = load_inputs(learner.bank, learner.progress, settings(days=10, minutes=10), NOW, UTC)
    plan = make_plan(inputs)
    v = plan.verdict
    assert v is not None
    if v.on_track:
        assert v.expected >= planner.READY_TARGET
        return
    assert v.behind_minutes is not None and v.needed_minutes is not None
    assert v.needed_minutes == 10 + v.behind_minutes
    assert planner.forecast_for(inputs, v.needed_minutes) >= planner.READY_TARGET
    assert planner.forecast_for(inputs, v.needed_minutes - 5) < planner.READY_TARGET
    assert v.short() == f"behind by {v.behind_minutes} minutes a day"


def test_on_track_with_a_generous_budget(learner):
    plan = plan_of(learner, settings(days=28, minutes=240))
    assert plan.verdict is not None and plan.verdict.on_track
    assert plan.verdict.short() == "on track"


def test_json_shape(learner):
    doc = plan_of(learner, settings(days=7)).to_json(days=3)
    assert list(doc) == ["interview_date", "minutes_per_day", "days", "forecast", "verdict"]
    assert len(doc["days"]) == 3  # type: ignore[arg-type]
    for d in doc["days"]:  # type: ignore[union-attr]
        assert list(d) == ["date", "items"]
        for i in d["items"]:
            assert list(i) == ["kind", "topic", "count", "minutes"]
            assert i["kind"] in planner.KINDS
    for f in doc["forecast"]:  # type: ignore[union-attr]
        assert list(f) == ["topic", "plan", "plan_low", "plan_high", "stop"]


def test_no_date_past_date_and_the_fsrs_weights():
    import fsrs

    assert tuple(fsrs.Scheduler().parameters) == pytest.approx(planner.W)
    empty = planner.PlanInputs(
        today=NOW.date(), now=0.5, settings=PlanSettings(None), topics=(), titles={},
        totals={}, unseen={}, first_right={}, cards=(), minutes={}, done_today=0.0,
        last_mock=None)
    with pytest.raises(planner.PlanError, match="no interview date"):
        make_plan(empty)
    past = planner.with_budget(empty, 45)
    past = past.__class__(**{**past.__dict__, "settings": settings(days=-1)})
    with pytest.raises(planner.PlanError, match="has passed"):
        make_plan(past)


def test_fsrs_model_matches_fsrs_on_a_first_good_review():
    import fsrs

    sched = fsrs.Scheduler(enable_fuzzing=False, learning_steps=())
    card, _ = sched.review_card(fsrs.Card(), fsrs.Rating.Good, NOW)
    assert card.stability == pytest.approx(planner.W[2])
    assert planner.recall(card.stability, card.stability) == pytest.approx(0.9, abs=1e-6)
    later = NOW + timedelta(days=round(card.stability))
    r = planner.recall((later - NOW).days, card.stability)
    after, _ = sched.review_card(card, fsrs.Rating.Good, later)
    d = planner.initial_difficulty(3)
    assert d == pytest.approx(card.difficulty)
    assert planner.after_success(card.stability, r, d) == pytest.approx(after.stability,
                                                                       rel=0.02)
    assert planner.next_difficulty(d, 3) == pytest.approx(after.difficulty, rel=0.02)
    lapsed, _ = sched.review_card(after, fsrs.Rating.Again, later + timedelta(days=9))
    r2 = planner.recall(9, after.stability)
    assert planner.after_lapse(after.stability, r2, after.difficulty) == pytest.approx(
        lapsed.stability, rel=0.05)


def test_planning_loads_neither_numpy_nor_fsrs(learner_db: Path, plan_bank_path: Path):
    """Home plans at start-up: the planner must stay clear of the heavy imports."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from desktop_quiz.core.bank.reader import Bank\n"
        "from desktop_quiz.core.context import AppContext\n"
        "from desktop_quiz.core.study import planner\n"
        f"ctx = AppContext.open(Path({str(learner_db)!r}), Bank(Path({str(plan_bank_path)!r})))\n"
        "s = planner.PlanSettings(__import__('datetime').date.today()"
        " + __import__('datetime').timedelta(days=20))\n"
        "plan = planner.make_plan(planner.load_inputs(ctx.bank, ctx.progress, s),"
        " with_verdict=False)\n"
        "assert plan.days\n"
        "print([m for m in ('numpy', 'fsrs', 'matplotlib') if m in sys.modules])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# -- calibration: the forecast against what following the plan reaches --------------------
OTHER_WEAK = ("topic00", "topic03", "topic07")  # another learner, weak elsewhere


@pytest.fixture(scope="module")
def other_learner_db(plan_bank_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return simulated_learner(tmp_path_factory.mktemp("other-learner"), plan_bank_path, 40, 11,
                             OTHER_WEAK)


@pytest.fixture(scope="module")
def followed(other_learner_db: Path, plan_bank_path: Path,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[list[float], float]:
    """Follow a 90-minute plan for 10 days at varying hours, as the history's learner
    studied (mornings or evenings). Returns each day's mean plan forecast and the mean
    mastery reached at the date (by the mastery model itself)."""
    import shutil

    folder = tmp_path_factory.mktemp("followed") / "data"
    shutil.copytree(other_learner_db, folder)
    ctx = AppContext.open(folder, Bank(plan_bank_path))
    s = settings(days=10, minutes=90)
    rng = random.Random(3)
    skill = {t: 0.3 if t in OTHER_WEAK else 0.82 for t in TOPICS}
    now, means = NOW, []
    for _ in range((s.interview_date - NOW.date()).days):
        plan = plan_of(ctx, s, now)
        means.append(sum(f.plan for f in plan.forecast) / len(plan.forecast))
        hour = rng.uniform(18, 22) if rng.random() < 0.6 else rng.uniform(8.5, 10)
        follow(ctx, plan, now.date(), rng, skill, hour)
        now = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(),
                               UTC) + timedelta(hours=8)
    at = datetime.combine(s.interview_date, datetime.min.time(), UTC)
    real = {m.topic: m.mastery for m in mastery.topic_mastery_now(ctx, at, UTC)}
    ctx.close()
    return means, sum(real.values()) / len(real)


def test_the_forecast_at_day_zero_is_what_following_the_plan_reaches(followed):
    means, reached = followed
    assert abs(means[0] - reached) <= 0.03, (means[0], reached)


def test_following_the_plan_does_not_lower_its_forecast(followed):
    means, _reached = followed
    assert means[-1] >= means[0] - 0.02, means


def test_the_plan_range_carries_the_uncertainty_of_the_success_rate(learner):
    """The plan's range adds, to the spread of the seen cards' recall, how far the plan
    moves when followed at a topic's low and high first-attempt rate: never narrower
    than the seen cards' spread alone, and clearly wider for most topics."""
    inputs = load_inputs(learner.bank, learner.progress, settings(days=14), NOW, UTC)
    plan = make_plan(inputs)
    _days, state, at = planner._simulate(inputs, 45)
    sums = planner._sums(inputs, state, at)
    by_topic = {f.topic: f for f in plan.forecast}
    wider = 0
    for t in inputs.topics:
        f = by_topic[t]
        n = max(float(inputs.totals.get(t, 0)), 1.0)
        low, high = planner._range(f.plan, sums[t][1] / (n * n))
        assert f.plan_low <= low + 1e-9 and f.plan_high >= high - 1e-9
        wider += (f.plan_high - f.plan_low) > (high - low) + 0.005
    assert wider >= len(inputs.topics) // 2
    # A learner at the low or high end of each topic's rate, following the plan, ends
    # inside the range.
    p, var_p = planner._p_unseen(inputs)
    for rate in planner._p_bounds(p, var_p):
        end = planner._simulate(inputs, 45, want_days=False, rate=rate)[1]
        end_sums = planner._sums(inputs, end, at)
        for t in inputs.topics:
            reached = planner._mastery(inputs, end, end_sums, t, rate[t])
            assert by_topic[t].plan_low - 1e-9 <= reached <= by_topic[t].plan_high + 1e-9
