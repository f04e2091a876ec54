# long: one pure model (inputs, FSRS-6 projection, daily simulation, forecast, verdict, blocks).
"""The study plan to the interview date, and the readiness forecast.

Pure and deterministic: :func:`load_inputs` reads what the plan needs from the bank,
the progress database and the settings (one pass, no numpy, no fsrs), and
:func:`make_plan` turns those :class:`PlanInputs` into a :class:`Plan`. The same
inputs always give the same plan; the app re-plans after every session, so a missed
day or a strong session changes tomorrow.

The model
---------
Mastery is :mod:`desktop_quiz.core.progress.mastery`'s: per topic, the mean over its
questions of the FSRS retrievability ``R`` of seen ones and the learner's shrunk
first-attempt accuracy ``p`` for unseen ones. The plan simulates the days up to the
interview, one study day at a time, with a compact copy of the app's FSRS-6
scheduler (default weights, its learning and relearning steps, short-term stability
for a return within a whole day): each simulated card has a stability, difficulty,
state, last review and due time. Outcomes are the expected ones, made deterministic
by error diffusion per topic (a review at R = 0.9 succeeds nine times in ten, in a
fixed pattern); a first answer succeeds at the topic's shrunk first-attempt rate.

Each study day
--------------
1. **Due reviews first**, most overdue first, each costing the learner's own median
   time per question of its kind (the time from one answer to the next in a session,
   feedback included; defaults until there are :data:`MIN_SAMPLES`).
2. **A mock interview** every :data:`MOCK_GAP` days, every :data:`MOCK_GAP_LAST_WEEK`
   in the last week (counted from the last mock in the history); its minutes are set
   aside before the reviews, so a backlog cannot crowd it out.
3. **New and weak material**, one question at a time where the expected gain in
   mastery per minute is highest: a new question of topic ``t`` gains
   ``weight_t · (retention − p_t) / n_t`` (``p_t`` low in a weak topic), per minute of
   its one answer (a drill asks a question once; FSRS's learning steps bring it back
   as a due review on the next study day, simulated and costed there). Focus
   topics weigh :data:`FOCUS_WEIGHT`; topics with fewer than :data:`COVERAGE_MIN` questions seen get
   :data:`COVERAGE_BOOST` (coverage of unseen topics before depth); each further
   question of a topic on the same day gains :data:`DEPTH_DECAY` times less. Items in
   the five weakest topics (which count :data:`WEAK_PRIORITY` times) are ``weak``,
   others ``new``; new questions are drawn unseen-first, re-drills of seen ones in a
   weak topic (valued by FSRS's gain in R at the date) weak-first.
4. **The last days** (:data:`LAST_DAYS`) bring nothing new: after the reviews, the
   remaining time re-drills the weakest topics, lowest recall first.

Days off get nothing. A day is filled to its budget, within :data:`TOLERANCE`, unless
the material runs out.

The forecast
------------
Per topic at the start of the interview day: ``plan`` (the simulated cards' R then,
plus the unseen questions at ``p``) with a 90 % range (the mastery model's variance
and Wilson interval), and ``stop`` (today's cards left to decay, no more study). The
verdict compares the weighted mean of ``plan`` with :data:`READY_TARGET`: on track,
or behind by the extra minutes a day (in steps of 5) that would reach it.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from desktop_quiz.core.config import WEEKDAYS

if TYPE_CHECKING:
    from desktop_quiz.core.bank.reader import Bank
    from desktop_quiz.core.config import Settings
    from desktop_quiz.core.progress.storage import Progress

KINDS = ("review", "new", "weak", "mock")
# Minutes per question before the learner has MIN_SAMPLES timed answers of a kind.
DEFAULT_MINUTES = {"mcq": 1.0, "recall": 3.0, "code": 8.0}
DEFAULT_OTHER_MINUTES = 2.0
MIN_SAMPLES = 5
MAX_GAP_MINUTES = 15.0  # a longer pause between two answers is a break, not study
FOCUS_WEIGHT = 2.0
WEAK_PRIORITY = 2.0  # "weak topics first": their gain per minute counts double
COVERAGE_MIN = 1
COVERAGE_BOOST = 1.5
DEPTH_DECAY = 0.85
WEAK_COUNT = 5
REDRILL_FACTOR = 0.5  # re-drilling a seen question gains half its recall gap
TOLERANCE = 0.05  # a day may go this far over budget for the last question
MOCK_GAP = 4
MOCK_GAP_LAST_WEEK = 2
MOCK_REVIEW_MINUTES = 5.0  # reading the mock's feedback
LAST_DAYS = 2
READY_TARGET = 0.80
MAX_MINUTES = 480
MAX_HORIZON_DAYS = 730

# FSRS-6 default weights (fsrs.Scheduler().parameters; a test checks them).
W = (0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
     1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)
DIFFICULTY = 5.0
# fsrs.Scheduler's default (re)learning steps, in days: a drill answers a question
# once, so a new or lapsed card comes back as a due review on the next study day.
LEARNING_STEPS = (1 / 1440, 10 / 1440)
RELEARNING_STEPS = (10 / 1440,)
LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State
STABILITY_MIN = 0.001
# FSRS uses short-term stability when a card comes back less than a whole day later.
# For a nominal one-day gap, the share that does is the learner's own (shrunk to 1/2).
EARLY_PRIOR = 10.0
PER_QUESTION_PRIOR = 4.0
Z = 1.6449


class PlanError(Exception):
    """No plan can be made (no date, a date in the past…); the message says why."""


# -- settings and inputs -------------------------------------------------------------
@dataclass(frozen=True)
class PlanSettings:
    interview_date: date | None
    minutes_per_day: int = 45
    days_off: frozenset[int] = frozenset()  # date.weekday() numbers
    focus: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> PlanSettings:
        text = str(settings["interview_date"])
        return cls(date.fromisoformat(text) if text else None, int(settings["plan_minutes"]),
                   frozenset(WEEKDAYS.index(d) for d in settings["days_off"]),
                   tuple(settings["focus_topics"]))


@dataclass(frozen=True)
class SeenCard:
    qid: str
    topic: str
    kind: str
    stability: float
    last: float  # days since the start of today (negative: before today)
    due: float
    answers: int
    difficulty: float = DIFFICULTY
    state: int = REVIEW
    step: int | None = None


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan depends on, read once; :func:`make_plan` is pure over this."""

    today: date
    now: float  # fraction of today already gone (0 at local midnight)
    settings: PlanSettings
    topics: tuple[str, ...]
    titles: dict[str, str]
    totals: dict[str, int]  # questions per topic
    unseen: dict[str, tuple[str, ...]]  # kinds of the unseen questions, per topic
    first_right: dict[str, tuple[int, int]]  # topic → (first answers right, seen)
    cards: tuple[SeenCard, ...]
    minutes: dict[str, float]  # per kind
    done_today: float  # minutes studied today
    last_mock: float | None  # days since today's start of the last mock (negative)
    mock_size: int = 5
    mock_seconds: int = 180
    retention: float = 0.9
    early_share: float = 0.5  # of one-day returns, those under 24 h (short-term FSRS)

    def item_minutes(self, kind: str) -> float:
        return self.minutes.get(kind, DEFAULT_MINUTES.get(kind, DEFAULT_OTHER_MINUTES))

    @property
    def mock_minutes(self) -> float:
        return self.mock_size * self.mock_seconds / 60.0 + MOCK_REVIEW_MINUTES


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2.0


def load_inputs(bank: Bank, progress: Progress, settings: Settings | PlanSettings,
                now: datetime | None = None, tz: tzinfo | None = None,
                mock_size: int | None = None, mock_seconds: int | None = None) -> PlanInputs:
    """Read the plan's inputs: bank contents, each question's state, timing, settings."""
    from desktop_quiz.core.progress.mastery import Catalog
    from desktop_quiz.core.progress.storage import day_start, parse_time, utcnow

    now = now or utcnow()
    plan_settings = settings if isinstance(settings, PlanSettings) else \
        PlanSettings.from_settings(settings)
    if not isinstance(settings, PlanSettings):
        mock_size = mock_size or int(settings["mock_size"])
        mock_seconds = mock_seconds or int(settings["mock_seconds"])
    today = now.astimezone(tz).date()
    start = day_start(today, tz)

    def days(dt: datetime) -> float:
        return (dt - start).total_seconds() / 86400.0

    catalog = Catalog.from_bank(bank)
    kind_of = {str(r["id"]): str(r["kind"]) for r in bank.summaries()}
    db = progress.db
    cards_rows = {str(r[0]): r for r in db.execute(
        "SELECT question_id, stability, last_review, due, "
        "json_extract(card, '$.difficulty'), json_extract(card, '$.state'), "
        "json_extract(card, '$.step') FROM cards")}
    stats = {str(q): (int(n), int(ok)) for q, n, ok in db.execute(
        """SELECT a.question_id, count(*),
                  (SELECT correct FROM answers f WHERE f.question_id = a.question_id
                   ORDER BY answered_at LIMIT 1)
           FROM answers a GROUP BY a.question_id""")}
    unseen: dict[str, list[str]] = {t: [] for t in catalog.topics}
    first_right: dict[str, list[int]] = {t: [0, 0] for t in catalog.topics}
    totals: dict[str, int] = {t: 0 for t in catalog.topics}
    cards: list[SeenCard] = []
    for qid in sorted(catalog.topic_of):
        topic = catalog.topic_of[qid]
        totals[topic] += 1
        row = cards_rows.get(qid)
        if row is None or qid not in stats:
            unseen[topic].append(kind_of.get(qid, "mcq"))
            continue
        n, ok = stats[qid]
        first_right[topic][0] += ok
        first_right[topic][1] += 1
        cards.append(SeenCard(qid, topic, kind_of.get(qid, "mcq"), float(row[1] or W[0]),
                              days(parse_time(row[2])), days(parse_time(row[3])), n,
                              float(row[4]) if row[4] is not None else DIFFICULTY,
                              int(row[5]) if row[5] is not None else REVIEW,
                              int(row[6]) if row[6] is not None else None))
    # The learner's own time per question: answer to answer within a session.
    gaps: dict[str, list[float]] = {}
    done_today = 0.0
    previous: tuple[str, datetime] | None = None
    today_iso = start.isoformat()
    for sid, kind, when_text, duration in db.execute(
            "SELECT session_id, kind, answered_at, duration_ms FROM answers "
            "ORDER BY session_id, answered_at"):
        when = parse_time(when_text)
        gap = duration / 60000.0
        if previous is not None and previous[0] == sid and sid:
            between = (when - previous[1]).total_seconds() / 60.0
            if 0 < between <= MAX_GAP_MINUTES:
                gap = max(gap, between)
        gap = min(gap, MAX_GAP_MINUTES)
        gaps.setdefault(str(kind), []).append(gap)
        if when_text >= today_iso and when >= start and when <= now:
            done_today += gap
        previous = (sid, when)
    minutes = {k: median(v) for k, v in gaps.items() if len(v) >= MIN_SAMPLES}
    # Returns to a question after about a day: how many came within 24 h.
    early, ones = db.execute(
        """SELECT coalesce(sum(g < 1.0), 0), count(*) FROM (
             SELECT julianday(answered_at) - lag(julianday(answered_at))
                    OVER (PARTITION BY question_id ORDER BY answered_at) AS g
             FROM answers) WHERE g >= 0.5 AND g < 1.5""").fetchone()
    row = db.execute("SELECT max(started_at) FROM sessions WHERE mode = 'mock'").fetchone()
    last_mock = days(parse_time(row[0])) if row and row[0] else None
    return PlanInputs(
        today=today, now=max(0.0, min(days(now), 1.0)), settings=plan_settings,
        topics=catalog.topics, titles=dict(catalog.titles), totals=totals,
        unseen={t: tuple(v) for t, v in unseen.items()},
        first_right={t: (v[0], v[1]) for t, v in first_right.items()},
        cards=tuple(cards), minutes=minutes, done_today=round(done_today, 3),
        last_mock=last_mock, mock_size=int(mock_size or 5),
        mock_seconds=int(mock_seconds or 180),
        retention=float(progress.scheduling.desired_retention),
        early_share=(int(early) + EARLY_PRIOR * 0.5) / (int(ones) + EARLY_PRIOR))


# -- results ------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanItem:
    kind: str  # review | new | weak | mock
    topic: str | None  # None: a mock across topics
    count: int
    minutes: float
    order: str = "random"  # how the app draws the questions (not in the JSON)

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "topic": self.topic, "count": self.count,
                "minutes": round(self.minutes, 1)}


@dataclass(frozen=True)
class PlanDay:
    day: date
    items: tuple[PlanItem, ...]
    off: bool = False

    @property
    def minutes(self) -> float:
        return sum(i.minutes for i in self.items)

    def to_json(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "items": [i.to_json() for i in self.items]}


@dataclass(frozen=True)
class TopicForecast:
    topic: str
    plan: float
    plan_low: float
    plan_high: float
    stop: float
    now: float

    def to_json(self) -> dict[str, object]:
        return {"topic": self.topic, "plan": round(self.plan, 4),
                "plan_low": round(self.plan_low, 4), "plan_high": round(self.plan_high, 4),
                "stop": round(self.stop, 4)}


@dataclass(frozen=True)
class Verdict:
    on_track: bool
    expected: float  # weighted mean plan forecast
    stop: float
    target: float
    behind_minutes: int | None  # extra minutes a day; None when on track or unreachable
    needed_minutes: int | None  # the daily minutes that would reach the target

    def short(self) -> str:
        if self.on_track:
            return "on track"
        if self.behind_minutes is None:
            return f"behind by more than {MAX_MINUTES} minutes a day"
        return f"behind by {self.behind_minutes} minutes a day"

    def words(self, minutes_per_day: int) -> str:
        got = f"{round(100 * self.expected)}%"
        target = f"{round(100 * self.target)}%"
        if self.on_track:
            return (f"On track: following the plan, you can expect {got} mastery on the "
                    f"interview day (target {target}; {round(100 * self.stop)}% if you stop "
                    "now).")
        if self.behind_minutes is None:
            return (f"Behind: {minutes_per_day} minutes a day lead to {got}, short of "
                    f"{target}, and even {MAX_MINUTES} minutes a day would not reach it. "
                    "Focus on the weakest topics, or move the date.")
        return (f"Behind by {self.behind_minutes} minutes a day: {minutes_per_day} minutes "
                f"lead to {got}; {self.needed_minutes} minutes a day would reach {target}.")


@dataclass(frozen=True)
class Plan:
    interview_date: date
    minutes_per_day: int
    days: tuple[PlanDay, ...]
    forecast: tuple[TopicForecast, ...]  # weakest plan first
    verdict: Verdict | None
    done_today: float
    weakest: tuple[str, ...]

    @property
    def today(self) -> PlanDay | None:
        return self.days[0] if self.days else None

    def to_json(self, days: int | None = None) -> dict[str, object]:
        shown = self.days if days is None else self.days[: max(0, days)]
        return {"interview_date": self.interview_date.isoformat(),
                "minutes_per_day": self.minutes_per_day,
                "days": [d.to_json() for d in shown],
                "forecast": [f.to_json() for f in self.forecast],
                "verdict": self.verdict.short() if self.verdict else None}


# -- the memory model ------------------------------------------------------------------
DECAY = -W[20]
FACTOR = 0.9 ** (1 / DECAY) - 1


def recall(elapsed: float, stability: float) -> float:
    """FSRS forgetting curve R(t) = (1 + factor·t/S)^decay, t in days."""
    if stability <= 0:
        return 0.0
    return float((1.0 + FACTOR * max(elapsed, 0.0) / stability) ** DECAY)


def interval(stability: float, retention: float) -> float:
    """Days until R falls to ``retention``."""
    return stability / FACTOR * (retention ** (1.0 / DECAY) - 1.0)


def initial_difficulty(rating: int, clamp: bool = True) -> float:
    d = W[4] - math.exp(W[5] * (rating - 1)) + 1.0
    return min(max(d, 1.0), 10.0) if clamp else d


def next_difficulty(d: float, rating: int) -> float:
    delta = -W[6] * (rating - 3)
    d = d + delta * (10.0 - d) / 9.0
    d = W[7] * initial_difficulty(4, clamp=False) + (1.0 - W[7]) * d
    return min(max(d, 1.0), 10.0)


def after_success(s: float, r: float, d: float = DIFFICULTY) -> float:
    return s * (1.0 + math.exp(W[8]) * (11.0 - d) * s ** (-W[9])
                     * (math.exp(W[10] * (1 - r)) - 1.0))


def after_lapse(s: float, r: float, d: float = DIFFICULTY) -> float:
    lapse = W[11] * d ** (-W[12]) * ((s + 1.0) ** W[13] - 1.0) * math.exp(W[14] * (1 - r))
    return max(min(s / math.exp(W[17] * W[18]), lapse), STABILITY_MIN)


def short_term(s: float, rating: int) -> float:
    """FSRS's stability after an answer less than a whole day after the last one."""
    grow = math.exp(W[17] * (rating - 3 + W[18])) * s ** (-W[19])
    return max(s * (max(grow, 1.0) if rating >= 2 else grow), STABILITY_MIN)


def days_until_due(s: float, retention: float) -> float:
    """fsrs.Scheduler's interval: whole days, at least one."""
    return float(max(round(interval(s, retention)), 1))


def redrill_gain(s: float, elapsed: float, ahead: float, d: float = DIFFICULTY) -> float:
    """Expected gain in R at the interview from answering a seen question early.

    Half of FSRS's direct gain (:data:`REDRILL_FACTOR`): the question would come due
    and be reviewed before the interview anyway, which recovers part of it.
    """
    r = recall(elapsed, s)
    after = (r * recall(ahead, after_success(s, r, d))
             + (1 - r) * recall(ahead, after_lapse(s, r, d)))
    return max(after - recall(elapsed + ahead, s), 0.0) * REDRILL_FACTOR


@dataclass
class _Card:
    qid: str
    topic: str
    kind: str
    s: float
    last: float
    due: float
    answers: int
    d: float = DIFFICULTY
    state: int = REVIEW
    step: int | None = None


@dataclass
class _State:
    cards: dict[str, _Card]
    unseen: dict[str, list[str]]  # kinds, consumed from the front
    seen: dict[str, int]
    luck: dict[str, float] = field(default_factory=dict)  # error diffusion per topic

    def outcome(self, topic: str, p: float) -> bool:
        acc = self.luck.get(topic, 0.0) + p
        ok = acc >= 0.5
        self.luck[topic] = acc - (1.0 if ok else 0.0)
        return ok


def _p_unseen(inputs: PlanInputs) -> tuple[dict[str, float], dict[str, float]]:
    """Per topic: the shrunk first-attempt accuracy and its variance (the mastery model's)."""
    from desktop_quiz.core.progress.mastery import GLOBAL_SHRINK, PRIOR_STRENGTH

    ok = sum(v[0] for v in inputs.first_right.values())
    seen = sum(v[1] for v in inputs.first_right.values())
    overall = (ok + GLOBAL_SHRINK * 0.5) / (seen + GLOBAL_SHRINK)
    p: dict[str, float] = {}
    var: dict[str, float] = {}
    for t in inputs.topics:
        right, n = inputs.first_right.get(t, (0, 0))
        alpha = PRIOR_STRENGTH * overall + right
        beta = PRIOR_STRENGTH * (1.0 - overall) + (n - right)
        p[t] = alpha / (alpha + beta)
        var[t] = p[t] * (1.0 - p[t]) / (alpha + beta + 1.0)
    return p, var


def _wilson(p: float, n: float) -> tuple[float, float]:
    z2 = Z * Z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = Z * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0)) / denom
    return min(max(centre - half, 0.0), 1.0), min(max(centre + half, 0.0), 1.0)


def _sums(inputs: PlanInputs, state: _State, at: float) -> dict[str, list[float]]:
    """Per topic: the seen cards' summed R at ``at`` and its (mastery model's) variance."""
    sums: dict[str, list[float]] = {t: [0.0, 0.0] for t in inputs.topics}
    for c in state.cards.values():
        r = recall(at - c.last, c.s)
        acc = sums[c.topic]
        acc[0] += r
        acc[1] += r * (1.0 - r) / (PER_QUESTION_PRIOR + c.answers)
    return sums


def _mastery(inputs: PlanInputs, state: _State, sums: dict[str, list[float]], t: str,
             p: float) -> float:
    n_total = max(float(inputs.totals.get(t, 0)), 1.0)
    return min(max((sums[t][0] + len(state.unseen[t]) * p) / n_total, 0.0), 1.0)


def _range(mastery: float, variance: float) -> tuple[float, float]:
    spread = mastery * (1.0 - mastery)
    n_eff = spread / variance if variance > 1e-12 else 1e6
    return _wilson(mastery, min(max(n_eff, 1.0), 1e6))


def _topic_forecast(inputs: PlanInputs, state: _State, at: float, p: dict[str, float],
                    var_p: dict[str, float]) -> dict[str, tuple[float, float, float]]:
    sums = _sums(inputs, state, at)
    out = {}
    for t in inputs.topics:
        n_total = max(float(inputs.totals.get(t, 0)), 1.0)
        unseen = float(len(state.unseen[t]))
        mastery = _mastery(inputs, state, sums, t, p[t])
        variance = (sums[t][1] + unseen * unseen * var_p[t]) / (n_total * n_total)
        out[t] = (mastery, *_range(mastery, variance))
    return out


def _p_bounds(p: dict[str, float], var_p: dict[str, float]
              ) -> tuple[dict[str, float], dict[str, float]]:
    """The 90 % Wilson bounds of each topic's first-attempt rate (its Beta's strength)."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    for t, v in p.items():
        strength = v * (1.0 - v) / var_p[t] - 1.0 if var_p[t] > 1e-12 else 1e6
        low[t], high[t] = _wilson(v, min(max(strength, 1.0), 1e6))
    return low, high


def _plan_forecast(inputs: PlanInputs, states: tuple[_State, _State, _State], at: float,
                   ps: tuple[dict[str, float], dict[str, float], dict[str, float]]
                   ) -> dict[str, tuple[float, float, float]]:
    """The plan forecast and its 90 % range, from three simulations of the plan.

    ``states``/``ps``: followed by a learner at the topic's estimated first-attempt rate,
    at its low and at its high bound. The range adds in quadrature the mastery model's
    spread of the seen cards' R and the simulations' shift (which carries the rate's
    uncertainty, both in what is learnt and in the questions still unseen at the date).
    """
    central, low_state, high_state = states
    sums = _sums(inputs, central, at)
    sums_low, sums_high = _sums(inputs, low_state, at), _sums(inputs, high_state, at)
    out = {}
    for t in inputs.topics:
        n_total = max(float(inputs.totals.get(t, 0)), 1.0)
        mastery = _mastery(inputs, central, sums, t, ps[0][t])
        low, high = _range(mastery, sums[t][1] / (n_total * n_total))
        down = max(mastery - _mastery(inputs, low_state, sums_low, t, ps[1][t]), 0.0)
        up = max(_mastery(inputs, high_state, sums_high, t, ps[2][t]) - mastery, 0.0)
        out[t] = (mastery, max(mastery - math.hypot(mastery - low, down), 0.0),
                  min(mastery + math.hypot(high - mastery, up), 1.0))
    return out


def _weights(inputs: PlanInputs) -> dict[str, float]:
    focus = set(inputs.settings.focus)
    return {t: FOCUS_WEIGHT if t in focus else 1.0 for t in inputs.topics}


def readiness(values: dict[str, float], weights: dict[str, float]) -> float:
    total = sum(weights[t] for t in values) or 1.0
    return sum(values[t] * weights[t] for t in values) / total


# -- planning --------------------------------------------------------------------------
def _initial_state(inputs: PlanInputs) -> _State:
    cards = {c.qid: _Card(c.qid, c.topic, c.kind, c.stability, c.last, c.due, c.answers,
                          c.difficulty, c.state, c.step) for c in inputs.cards}
    seen = {t: inputs.first_right.get(t, (0, 0))[1] for t in inputs.topics}
    return _State(cards, {t: _interleaved(inputs.unseen.get(t, ())) for t in inputs.topics},
                  seen)


def _interleaved(kinds: tuple[str, ...]) -> list[str]:
    """The kinds spread evenly (mcq, recall, mcq, mcq, recall…), as a mixed drill draws them."""
    counts: dict[str, int] = {}
    keyed = []
    for k in kinds:
        keyed.append(k)
        counts[k] = counts.get(k, 0) + 1
    seen: dict[str, int] = {}
    order = []
    for k in keyed:
        order.append(((seen.get(k, 0) + 0.5) / counts[k], k))
        seen[k] = seen.get(k, 0) + 1
    return [k for _pos, k in sorted(order)]


def _review(state: _State, card: _Card, t: float, inputs: PlanInputs) -> None:
    """One answer to a seen card, as fsrs.Scheduler.review_card updates it (Good/Again)."""
    elapsed = t - card.last
    r = recall(elapsed, card.s)
    right = state.outcome(card.topic, r)
    rating = 3 if right else 1
    long = after_success(card.s, r, card.d) if right else after_lapse(card.s, r, card.d)
    # FSRS counts whole days: under one day is short-term. Every simulated answer is
    # at mid-day, so a one-day gap is under 24 h for the learner's share of returns.
    # (Drawn, not averaged: a mean stability would overstate the mean recall.)
    early = elapsed < 0.5 or (elapsed < 1.5 and state.outcome("~early", inputs.early_share))
    card.s = short_term(card.s, rating) if early else long
    card.d = next_difficulty(card.d, rating)
    card.last = t
    card.answers += 1
    steps = LEARNING_STEPS if card.state == LEARNING else RELEARNING_STEPS
    if card.state == REVIEW:
        graduate = right
        if not right:
            card.state, card.step = RELEARNING, 0
    else:
        step = card.step or 0
        graduate = right and (step >= len(steps) or step + 1 == len(steps))
        if not graduate:
            card.step = step + 1 if right else 0
    if graduate:
        card.state, card.step = REVIEW, None
        card.due = t + days_until_due(card.s, inputs.retention)
    else:
        card.due = t + steps[card.step or 0]


def _simulate(inputs: PlanInputs, minutes_per_day: int, *, want_days: bool = True,
              rate: dict[str, float] | None = None) -> tuple[list[PlanDay], _State, float]:
    """Plan every day to the interview; returns the days, the end state and its time.

    ``rate``: the learner's first-attempt success rate per topic, if not the estimate.
    """
    settings = inputs.settings
    assert settings.interview_date is not None
    horizon = (settings.interview_date - inputs.today).days
    state = _initial_state(inputs)
    p, var_p = _p_unseen(inputs)
    p = rate or p
    weights = _weights(inputs)
    weakest = _weakest(inputs, state, p, var_p, inputs.now)
    last_mock = inputs.last_mock
    days: list[PlanDay] = []
    for i in range(max(horizon, 0)):
        day = inputs.today + timedelta(days=i)
        if day.weekday() in settings.days_off:
            if want_days:
                days.append(PlanDay(day, (), off=True))
            continue
        if left_before(horizon, i) <= LAST_DAYS:
            # The last days: the topics that would be weakest at the interview.
            weakest = _weakest(inputs, state, p, var_p, float(horizon))
        elif i % 7 == 0:
            # Weak now (as Home ranks them), before the day's reviews.
            weakest = _weakest(inputs, state, p, var_p, max(float(i), inputs.now))
        budget = float(minutes_per_day) - (inputs.done_today if i == 0 else 0.0)
        t = max(i + 0.5, inputs.now) if i == 0 else i + 0.5
        left = horizon - i  # days until the interview, this one included
        items: list[PlanItem] = []
        used = 0.0
        slack = budget * TOLERANCE  # the last question may end this far over budget
        limit = budget
        # A mock interview every few days, more often in the last week: its time is
        # kept aside first, so a backlog of reviews cannot crowd it out.
        gap = MOCK_GAP_LAST_WEEK if left <= 7 else MOCK_GAP
        mock_due = last_mock is None or (i + 0.5) - last_mock >= gap - 0.01
        mock = mock_due and budget >= inputs.mock_minutes * 1.2
        reserved = inputs.mock_minutes if mock else 0.0
        # 1. due reviews, most overdue first
        due = sorted((c for c in state.cards.values() if c.due < i + 1),
                     key=lambda c: (c.due, c.qid))
        reviewed: dict[str, list[float]] = {}
        for c in due:
            m = inputs.item_minutes(c.kind)
            if not fits(used, m, limit - reserved, slack):
                break
            used += m
            _review(state, c, t, inputs)
            acc = reviewed.setdefault(c.topic, [0, 0.0])
            acc[0] += 1
            acc[1] += m
        items += [PlanItem("review", topic, int(n), m, "due-first") for topic, (n, m) in
                  sorted(reviewed.items(), key=lambda kv: (-kv[1][1], kv[0]))]
        # 2. the mock
        if mock:
            used += inputs.mock_minutes
            items.append(PlanItem("mock", None, inputs.mock_size, inputs.mock_minutes,
                                  "random"))
            last_mock = i + 0.5
        # 3. new and weak material, or in the last days a review of the weakest topics
        if left <= LAST_DAYS:
            items += _redrill(inputs, state, weakest, t, limit - used, slack)
        else:
            items += _new_material(inputs, state, p, weights, set(weakest), t, limit - used,
                                   i + 1, float(horizon), slack)
        if want_days:
            days.append(PlanDay(day, tuple(items)))
    return days, state, float(max(horizon, 0))


def fits(used: float, minutes: float, budget: float, slack: float) -> bool:
    """Take a question when the day then ends nearer its budget than without it."""
    return used + minutes <= budget + min(minutes / 2.0, slack)


def left_before(horizon: int, i: int) -> int:
    return horizon - i


def _weakest(inputs: PlanInputs, state: _State, p: dict[str, float],
             var_p: dict[str, float], at: float) -> tuple[str, ...]:
    """The WEAK_COUNT weakest topics (by the top of their range, as mastery ranks them)."""
    f = _topic_forecast(inputs, state, at, p, var_p)
    started = [t for t in inputs.topics if state.seen.get(t, 0) > 0]  # nothing says others are
    ranked = sorted(started, key=lambda t: (round(f[t][2], 9), round(f[t][0], 9), t))
    return tuple(ranked[:WEAK_COUNT])


def _new_material(inputs: PlanInputs, state: _State, p: dict[str, float],
                  weights: dict[str, float], weak: set[str], t: float, room: float,
                  due_from: float, at: float, slack: float) -> list[PlanItem]:
    """Greedy: one question at a time where the gain per minute is highest."""
    heap: list[tuple[float, str, str]] = []  # (-gain per minute, topic, what)
    taken: dict[str, int] = {}
    redrill_order: dict[str, list[_Card]] = {}

    def push(topic: str) -> None:
        n_total = max(inputs.totals.get(topic, 1), 1)
        depth = DEPTH_DECAY ** taken.get(topic, 0) * (WEAK_PRIORITY if topic in weak else 1.0)
        if state.unseen[topic]:
            kinds = state.unseen[topic]
            coverage = COVERAGE_BOOST if state.seen.get(topic, 0) < COVERAGE_MIN else 1.0
            gain = weights[topic] * max(inputs.retention - p[topic], 0.01) * coverage * depth
            # A drill of the topic draws its kinds in proportion: cost at their mean.
            # (Its learning steps come back as tomorrow's due reviews, costed there.)
            cost = sum(inputs.item_minutes(k) for k in kinds) / len(kinds)
            heapq.heappush(heap, (-gain / (n_total * cost), topic, "new"))
        elif topic in weak:
            cards = redrill_order.get(topic)
            if cards is None:
                cards = sorted((c for c in state.cards.values()
                                if c.topic == topic and c.due >= due_from),
                               key=lambda c: (recall(t - c.last, c.s), c.qid))
                redrill_order[topic] = cards
            if cards:
                c = cards[0]
                gain = weights[topic] * redrill_gain(c.s, t - c.last, at - t, c.d) * depth
                heapq.heappush(heap, (-gain / (n_total * inputs.item_minutes(c.kind)), topic,
                                      "redrill"))

    for topic in inputs.topics:
        push(topic)
    spent: dict[tuple[str, str], list[float]] = {}
    used = 0.0
    while heap:
        _neg, topic, what = heapq.heappop(heap)
        if what == "new":
            kind = state.unseen[topic][0]
            m = inputs.item_minutes(kind)
            if not fits(used, m, room, slack):
                continue  # a cheaper question elsewhere may still fit
            state.unseen[topic].pop(0)
            qid = f"~{topic}~{state.seen.get(topic, 0)}"
            # A first answer: FSRS's initial stability, then its learning steps.
            right = state.outcome(topic, p[topic])
            step = 1 if right else 0
            state.cards[qid] = _Card(qid, topic, kind, W[2] if right else W[0], t,
                                     t + LEARNING_STEPS[step], 1,
                                     initial_difficulty(3 if right else 1), LEARNING, step)
            state.seen[topic] = state.seen.get(topic, 0) + 1
        else:
            card = redrill_order[topic].pop(0)
            m = inputs.item_minutes(card.kind)
            if not fits(used, m, room, slack):
                continue
            _review(state, card, t, inputs)
        used += m
        taken[topic] = taken.get(topic, 0) + 1
        acc = spent.setdefault((topic, what), [0, 0.0])
        acc[0] += 1
        acc[1] += m
        push(topic)
    return [PlanItem("weak" if topic in weak else "new", topic, int(n), m,
                     "unseen-first" if what == "new" else "weak-first")
            for (topic, what), (n, m) in sorted(spent.items(),
                                                key=lambda kv: (-kv[1][1], kv[0]))]


def _redrill(inputs: PlanInputs, state: _State, weakest: tuple[str, ...], t: float,
             room: float, slack: float) -> list[PlanItem]:
    """The last days: the weakest topics' questions, lowest recall first."""
    pool = sorted((c for c in state.cards.values() if c.topic in weakest and c.last < t),
                  key=lambda c: (recall(t - c.last, c.s), c.qid))
    spent: dict[str, list[float]] = {}
    used = 0.0
    for c in pool:
        m = inputs.item_minutes(c.kind)
        if not fits(used, m, room, slack):
            continue
        used += m
        _review(state, c, t, inputs)
        acc = spent.setdefault(c.topic, [0, 0.0])
        acc[0] += 1
        acc[1] += m
    return [PlanItem("weak", topic, int(n), m, "weak-first")
            for topic, (n, m) in sorted(spent.items(), key=lambda kv: (-kv[1][1], kv[0]))]


def forecast_for(inputs: PlanInputs, minutes_per_day: int) -> float:
    """The weighted mean plan forecast at the interview for this daily budget."""
    _days, state, at = _simulate(inputs, minutes_per_day, want_days=False)
    p, var_p = _p_unseen(inputs)
    f = _topic_forecast(inputs, state, at, p, var_p)
    return readiness({t: v[0] for t, v in f.items()}, _weights(inputs))


def make_plan(inputs: PlanInputs, with_verdict: bool = True) -> Plan:
    """The plan from today to the interview, the forecast per topic, and the verdict."""
    settings = inputs.settings
    if settings.interview_date is None:
        raise PlanError("no interview date is set")
    horizon = (settings.interview_date - inputs.today).days
    if horizon < 0:
        raise PlanError(f"the interview date {settings.interview_date.isoformat()} has passed")
    if horizon > MAX_HORIZON_DAYS:
        raise PlanError(f"the interview date is more than {MAX_HORIZON_DAYS} days away")
    days, state, at = _simulate(inputs, settings.minutes_per_day)
    p, var_p = _p_unseen(inputs)
    # The same plan followed by a learner at the low and at the high bound of each
    # topic's first-attempt rate: the range carries the simulation's uncertainty too.
    p_low, p_high = _p_bounds(p, var_p)
    low = _simulate(inputs, settings.minutes_per_day, want_days=False, rate=p_low)[1]
    high = _simulate(inputs, settings.minutes_per_day, want_days=False, rate=p_high)[1]
    planned = _plan_forecast(inputs, (state, low, high), at, (p, p_low, p_high))
    stopped = _topic_forecast(inputs, _initial_state(inputs), at, p, var_p)
    current = _topic_forecast(inputs, _initial_state(inputs), inputs.now, p, var_p)
    forecast = sorted((TopicForecast(t, *planned[t], stopped[t][0], current[t][0])
                       for t in inputs.topics), key=lambda f: (f.plan, f.topic))
    verdict = _verdict(inputs, planned, stopped) if with_verdict else None
    weakest = _weakest(inputs, _initial_state(inputs), p, var_p, inputs.now)
    return Plan(settings.interview_date, settings.minutes_per_day, tuple(days),
                tuple(forecast), verdict, inputs.done_today, weakest)


def _verdict(inputs: PlanInputs, planned: dict[str, tuple[float, float, float]],
             stopped: dict[str, tuple[float, float, float]]) -> Verdict:
    weights = _weights(inputs)
    expected = readiness({t: v[0] for t, v in planned.items()}, weights)
    stop = readiness({t: v[0] for t, v in stopped.items()}, weights)
    budget = inputs.settings.minutes_per_day
    if expected >= READY_TARGET:
        return Verdict(True, expected, stop, READY_TARGET, None, None)
    # The smallest budget (steps of 5 minutes) that reaches the target.
    lo, hi = budget // 5 + 1, MAX_MINUTES // 5
    if forecast_for(inputs, hi * 5) < READY_TARGET:
        return Verdict(False, expected, stop, READY_TARGET, None, None)
    while lo < hi:
        mid = (lo + hi) // 2
        if forecast_for(inputs, mid * 5) >= READY_TARGET:
            hi = mid
        else:
            lo = mid + 1
    return Verdict(False, expected, stop, READY_TARGET, lo * 5 - budget, lo * 5)


def plan_for(bank: Bank, progress: Progress, settings: Settings,
             now: datetime | None = None, tz: tzinfo | None = None,
             with_verdict: bool = True) -> Plan | None:
    """The plan for these settings, or None when no interview date is set."""
    inputs = load_inputs(bank, progress, settings, now, tz)
    if inputs.settings.interview_date is None:
        return None
    return make_plan(inputs, with_verdict)


def with_budget(inputs: PlanInputs, minutes: int) -> PlanInputs:
    return replace(inputs, settings=replace(inputs.settings, minutes_per_day=minutes))


def describe(item: PlanItem, titles: dict[str, str]) -> str:
    """One line for a plan item, as the CLI and Home show it."""
    title = titles.get(item.topic or "", item.topic or "")
    n = f"{item.count} question{'s' if item.count != 1 else ''}"
    what = {"review": f"Review {title}", "new": f"New in {title}",
            "weak": f"Weak topic: {title}", "mock": "Mock interview"}[item.kind]
    return f"{what} · {n} · {round(item.minutes)} min"


def format_plan(plan: Plan, titles: dict[str, str], days: int, weekdays: tuple[str, ...]
                ) -> str:
    """The plan as text: the verdict, the next ``days`` days, the forecast per topic."""
    lines = [f"Interview on {plan.interview_date.isoformat()} · {plan.minutes_per_day} "
             "minutes a day"]
    if plan.verdict is not None:
        lines.append(plan.verdict.words(plan.minutes_per_day))
    for d in plan.days[: max(0, days)]:
        head = f"{d.day.isoformat()} {weekdays[d.day.weekday()]}"
        if d.off:
            lines.append(f"\n{head}: day off")
            continue
        lines.append(f"\n{head}: {round(d.minutes)} min")
        lines += [f"  {describe(i, titles)}" for i in d.items] or ["  nothing left to plan"]
    lines.append("\nForecast at the interview (plan [90% range] / if you stop now):")
    width = max((len(titles.get(f.topic, f.topic)) for f in plan.forecast), default=10)
    for f in plan.forecast:
        lines.append(f"  {titles.get(f.topic, f.topic):<{width}}  {round(100 * f.plan):3d}% "
                     f"[{round(100 * f.plan_low):3d}–{round(100 * f.plan_high):3d}]  /  "
                     f"{round(100 * f.stop):3d}%")
    return "\n".join(lines)


# -- today's blocks (what Home starts) ---------------------------------------------------
BLOCK_ORDER = ("review", "weak", "new", "mock")


@dataclass(frozen=True)
class Block:
    """One startable part of a day: a drill (or mock) over some topics."""

    kind: str  # review | weak | new | mock
    topics: tuple[str, ...]
    count: int
    minutes: float
    order: str = "random"  # the drill order: unseen-first for new questions…

    def title(self, titles: dict[str, str]) -> str:
        return {"review": "Due reviews", "mock": "Mock interview", "weak": "Weak topics",
                "new": "New material"}[self.kind]

    def detail(self, titles: dict[str, str]) -> str:
        """The block's topics, by title ("" for reviews and mocks, which span all)."""
        if self.kind in ("review", "mock"):
            return ""
        return ", ".join(titles.get(t, t) for t in self.topics)


def day_blocks(day: PlanDay) -> list[Block]:
    """A day's items grouped into blocks: reviews, weak topics, new material, a mock."""
    grouped: dict[tuple[str, str], list[PlanItem]] = {}
    for item in day.items:
        grouped.setdefault((item.kind, item.order), []).append(item)
    blocks = []
    for key in sorted(grouped, key=lambda k: (BLOCK_ORDER.index(k[0]), k[1] != "weak-first")):
        items = grouped[key]
        topics = tuple(dict.fromkeys(i.topic for i in items if i.topic))
        blocks.append(Block(key[0], topics, sum(i.count for i in items),
                            sum(i.minutes for i in items), key[1]))
    return blocks
