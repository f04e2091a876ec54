"""Grade answers: exact-set MCQ grading and key-point coverage for free recall.

Recall checking is forgiving in form and strict in content.

- **Form.** Text is normalised (:func:`desktop_quiz.core.text.normalize`: NFKC, accents,
  curly quotes, math symbols, Greek letters and superscripts as words, number words as
  numbers), split into words and stemmed. Numbers compare as numbers within the
  precision written (0.667 ~ 0.67, 1/3 ~ 0.33). Words of five letters or more also
  match with a small typo (rapidfuzz ratio ≥ 85), never across an antonym prefix
  (labeled/unlabeled, dependent/independent). A phrase word may match two joined
  answer words ("mini batch" ↔ "minibatch"). A reviewed synonym table
  (``synonyms.txt``) gives every phrasing its interchangeable forms.
- **Content.** A key point is *hit* when one of its phrasings has all of its words
  close together in the answer, with the same polarity: a phrasing
  inside a negation ("not", "never", "without", "doesn't", "… is unnecessary")
  does not count, and one of the point's ``reject:`` phrasings vetoes the point.
  Phrasings with no word of two letters or more cannot decide a point.
- **Gaming.** An answer that is a list of terms without a verb, or one over
  :data:`LONG_FACTOR` times as long as the model answer, is suggested Hard at best,
  with the reason given.

The checker only *suggests* a rating; the learner can flip any point and has the last
word on the rating.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from desktop_quiz.core.model import KeyPoint, Question, Rating
from desktop_quiz.core.progress.scheduling import easy_threshold_seconds
from desktop_quiz.core.study.contradiction import (
    clause,
    opposite_property,
    subjects,
    wrong_subject,
)
from desktop_quiz.core.study.matching import (
    OPPOSITES,
    VERBS,
    Answer,
    Match,
    Phrase,
    antonym_prefixed,
    match,
    phrase,
    phrase_in,
    phrase_tokens,
    read_answer,
    synonym_groups,
    tokens,
)
from desktop_quiz.core.text import STOP_WORDS, Word, stem

__all__ = ["STOP_WORDS", "Rating", "antonym_prefixed", "easy_threshold_seconds",
           "phrase_in", "phrase_tokens", "stem", "synonym_groups", "tokens"]  # re-exported

# Coverage → suggested rating. Full coverage suggests Easy, most points Good,
# about half Hard, little Again.
RATING_THRESHOLDS = ((1.0, Rating.EASY), (0.7, Rating.GOOD), (0.4, Rating.HARD))
LONG_FACTOR = 3.0  # an answer this many times longer than the model answer is padded
LIST_MIN_WORDS = 5  # shorter answers are too short to call a list of terms


# -- results --------------------------------------------------------------------------
@dataclass(frozen=True)
class PointResult:
    text: str
    hit: bool
    matched: str  # the phrasing that matched, "" when missed
    evidence: str | None = None  # the words of the answer that made the point
    spans: tuple[tuple[int, int], ...] = ()  # where those words are in the answer
    vetoed: str = ""  # the reject phrasing (or negated phrasing) that vetoed it
    flipped: bool = False  # the learner changed the checker's verdict
    reason: str = ""  # why the answer contradicts the point, when "the opposite" is not it


@dataclass(frozen=True)
class RecallResult:
    points: tuple[PointResult, ...]
    coverage: float  # hits / points, 0..1
    suggested: Rating
    reasons: tuple[str, ...] = ()  # why the suggestion is capped, for the learner
    cap: Rating = Rating.EASY  # the best rating this answer can be suggested

    @property
    def hits(self) -> int:
        return sum(p.hit for p in self.points)

    @property
    def score(self) -> float:
        return self.coverage

    def flip(self, index: int) -> RecallResult:
        """The same result with point ``index`` switched between covered and missed."""
        points = list(self.points)
        p = points[index]
        points[index] = replace(p, hit=not p.hit, flipped=not p.flipped)
        return _result(tuple(points), self.reasons, self.cap)


CONTRADICTION_WEIGHT = 0.5  # a contradicted point costs half a point


def _result(points: tuple[PointResult, ...], reasons: tuple[str, ...],
            cap: Rating) -> RecallResult:
    credit = sum(p.hit for p in points) - CONTRADICTION_WEIGHT * sum(
        bool(p.vetoed) and not p.hit for p in points)
    coverage = max(0.0, credit / len(points)) if points else 0.0
    return RecallResult(points, coverage, min(suggest_rating(coverage), cap), reasons, cap)


def grade_recall(question: Question, answer: str) -> RecallResult:
    """Check a free-recall answer against the question's key points."""
    ans = read_answer(answer)
    prompt = _prompt_stems(question.prompt)
    subj = subjects(question.prompt, tuple(p.text for p in question.key_points))
    points = tuple(grade_point(point, ans, prompt, subject)
                   for point, subject in zip(question.key_points, subj, strict=True))
    reasons, cap = gaming(question, ans)
    return _result(points, reasons, cap)


@lru_cache(maxsize=2_000)
def _prompt_stems(prompt: str) -> frozenset[str]:
    return frozenset(w.stem for w in read_answer(prompt).content)


def grade_point(point: KeyPoint, ans: Answer, prompt: frozenset[str] = frozenset(),
                subject: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())
                ) -> PointResult:
    """One key point: hit (with evidence), missed, or contradicted.

    A phrasing made only of words of the prompt is no evidence: restating the
    question must not score ("precision" when the prompt asks about precision).
    ``subject`` is the point's own subjects and the ones the question contrasts them
    with (:func:`.contradiction.subjects`).
    """
    veto = next((r for r in point.reject if _agreeing(r, ans)), None)
    opposite = ""
    for text in (*point.alternatives, point.text):
        for p in phrase(text):
            if not p.usable or all(w.stem in prompt for w in p.words):
                continue
            p = _in_point_polarity(p, point.text)
            m = match(p, ans)
            if m is None:
                continue
            if not m.agrees:
                opposite = opposite or text
                continue
            if veto is not None:
                return PointResult(point.text, False, "", vetoed=veto)
            contra = _contradicted(point.text, m, ans)
            if contra:
                return PointResult(point.text, False, "", vetoed=contra)
            wrong, why = wrong_claim(point.text, p, m, ans, subject)
            if wrong:
                return PointResult(point.text, False, "", vetoed=wrong, reason=why)
            spans = tuple((ans.content[i].start, ans.content[i].end) for i in m.indices)
            evidence = ans.text[min(s for s, _ in spans):max(e for _, e in spans)]
            return PointResult(point.text, True, text, evidence, spans)
    return PointResult(point.text, False, "", vetoed=veto or opposite)


@lru_cache(maxsize=5_000)
def _point_answer(text: str) -> Answer:
    # Forward scopes only: in "SMOTE is not equivalent" the point is about SMOTE.
    return read_answer(text, backward=False)


@lru_cache(maxsize=5_000)
def _point_answer_both(text: str) -> Answer:
    return read_answer(text)


def _in_point_polarity(p: Phrase, point_text: str) -> Phrase:
    """``p`` as the point means it: "extrapolate" under "Trees cannot extrapolate" is negated.

    The subject of a negated statement ("SMOTE" in "SMOTE is not equivalent") may be
    named either way.
    """
    if p.negated or p.text == point_text:
        return p
    m = match(p, _point_answer(point_text))
    if m is not None and not m.agrees:
        return replace(p, negated=True)
    m = match(p, _point_answer_both(point_text))
    if m is not None and not m.agrees:
        return replace(p, negated=None)
    return p


@lru_cache(maxsize=20_000)
def _directions(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """(same side, opposite side) for each direction the point's text takes.

    A negated direction word takes the other side: "cannot increase" points down.
    """
    point = _point_answer(text)
    ups: set[int] = set()
    downs: set[int] = set()
    for w, neg in zip(point.all, point.all_negated, strict=True):
        for k, (up, down) in enumerate(OPPOSITES):
            if w.stem in up:
                (downs if neg else ups).add(k)
            elif w.stem in down:
                (ups if neg else downs).add(k)
    out = []
    for k, (up, down) in enumerate(OPPOSITES):
        if k in ups and k not in downs:
            out.append((up, down))
        elif k in downs and k not in ups:
            out.append((down, up))
    return tuple(out)


def _contradicted(point_text: str, m: Match, ans: Answer) -> str:
    """The answer word that reverses the point's direction in the matching clause."""
    dirs = _directions(point_text)
    if not dirs:
        return ""
    said = ans.clause_of(m.indices)
    for same, opposite in dirs:
        agree = any((st in same) != neg and (st in same or st in opposite)
                    for st, neg, _ in said)
        against = [word for st, neg, word in said if (st in opposite and not neg)
                   or (st in same and neg)]
        if against and not agree:
            return against[0]
    return ""


def wrong_claim(point_text: str, p: Phrase, m: Match, ans: Answer,
                subject: tuple[frozenset[str], frozenset[str]]) -> tuple[str, str]:
    """(the answer's words, the reason for the learner) when the matching clause is wrong."""
    c = clause(ans, m)
    word = opposite_property(point_text, c)
    if word:
        return word, f"your answer says “{word}” where the point says the opposite"
    word = wrong_subject(*subject, c, frozenset(w.stem for w in p.words))
    if word:
        return word, f"your answer says this of “{word}”, not of what the point is about"
    return "", ""


def _agreeing(text: str, ans: Answer) -> bool:
    for p in phrase(text):
        if p.usable:
            m = match(p, ans)
            if m is not None and m.agrees:
                return True
    return False


def is_verb(w: Word) -> bool:
    return w.stem in VERBS or (w.number is None and len(w.word) > 4
                               and w.word.endswith(("ing", "ed")))


def is_term_list(ans: Answer) -> bool:
    """Mostly a list of terms: no verb in any clause of three words or more.

    Items are what commas, semicolons, bullets and full stops separate; a verb in a
    two-word item ("shrinks weights") names a term, it does not say anything.
    """
    if len(ans.content) < LIST_MIN_WORDS:
        return False
    item: list[Word] = []
    for w in [*ans.all, Word(".", ".", 0, 0, None, False, True)]:
        if not w.punct:
            item.append(w)
            continue
        if len(item) >= 3 and any(is_verb(x) for x in item):
            return False
        item = []
    return True


def gaming(question: Question, ans: Answer) -> tuple[tuple[str, ...], Rating]:
    """Reasons the answer can be suggested Hard at best, and that cap."""
    reasons = []
    if is_term_list(ans):
        reasons.append("Your answer is a list of terms without a verb: it names things but "
                       "does not say how they relate, so it is suggested Hard at best.")
    model = len(_prose_words(question.answer))
    written = len([w for w in ans.all if not w.punct])
    if model and written > LONG_FACTOR * model and written > 60:
        reasons.append(f"Your answer is {written / model:.0f}× as long as the model answer: "
                       "padding can hit key points by chance, so it is suggested Hard at "
                       "best.")
    return tuple(reasons), (Rating.HARD if reasons else Rating.EASY)


_FENCE_RE = re.compile(r"```.*?```", re.S)


def _prose_words(markdown: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", _FENCE_RE.sub(" ", markdown))


def suggest_rating(coverage: float) -> Rating:
    for threshold, rating in RATING_THRESHOLDS:
        if coverage >= threshold - 1e-9:
            return rating
    return Rating.AGAIN


@dataclass(frozen=True)
class ChoiceResult:
    index: int
    chosen: bool
    correct: bool
    explanation_html: str


@dataclass(frozen=True)
class McqResult:
    correct: bool
    choices: tuple[ChoiceResult, ...]

    @property
    def score(self) -> float:
        return 1.0 if self.correct else 0.0


def grade_mcq(question: Question, chosen: Iterable[int]) -> McqResult:
    """Right only when the chosen set equals the set of correct choices."""
    picked = frozenset(chosen)
    bad = [i for i in picked if not 0 <= i < len(question.choices)]
    if bad:
        raise ValueError(f"no choice {bad[0] + 1} in question {question.id!r}")
    results = tuple(
        ChoiceResult(i, i in picked, c.correct, c.explanation_html or c.explanation)
        for i, c in enumerate(question.choices)
    )
    return McqResult(picked == question.correct_indices, results)


def mcq_rating(question: Question, correct: bool, duration_ms: int) -> Rating:
    """MCQ wrong → Again; right → Good, or Easy when answered quickly."""
    if not correct:
        return Rating.AGAIN
    fast = duration_ms / 1000.0 < easy_threshold_seconds(question)
    return Rating.EASY if fast else Rating.GOOD
