"""Grade answers: exact-set MCQ grading and key-point coverage for free recall.

Recall checking is deliberately forgiving in form and strict in content. Text is
lower-cased, split into words, stop words are dropped and every word is stemmed
(PyStemmer's English Snowball stemmer), so "regularizing" meets
"regularization". A key point is *hit* when any of its phrasings has all of its
words in the answer within a short window; words of five letters or more also
match with a small typo (rapidfuzz ratio ≥ 85), and a phrase word may match two
joined answer words ("mini batch" ↔ "minibatch") or the reverse.
The checker only *suggests* a rating; the learner has the last word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from desktop_quiz.core.model import Question, Rating
from desktop_quiz.core.progress.scheduling import easy_threshold_seconds
from desktop_quiz.core.text import stem, stemmer

__all__ = ["Rating", "easy_threshold_seconds", "stem"]  # re-exported for callers


STOP_WORDS = frozenset(
    """
    a an the of to in on for and or but is are was were be been being it its this that
    these those with as by at from into than then so such can could would should will
    may might must do does did doing have has had having very more most which who whom
    what when where why how i you we they he she them our your their there here about
    over under also just only each any all both some own same other if because while
    until up down out off again further once
    """.split()  # noqa: SIM905 - a word list reads better as prose
)  # "not", "no" and "nor" are kept on purpose: they change what a phrase means
FUZZY_MIN_LEN = 5
FUZZY_MIN_SCORE = 85.0
WINDOW_SLACK = 4  # extra words allowed between the words of one phrase
# Coverage → suggested rating. Full coverage suggests Easy, most points Good,
# about half Hard, little Again.
RATING_THRESHOLDS = ((1.0, Rating.EASY), (0.7, Rating.GOOD), (0.4, Rating.HARD))

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SLASHED_LETTERS_RE = re.compile(r"\b([a-z])/([a-z])\b")


@lru_cache(maxsize=1)
def _ratio() -> Any:
    # Looked up once: an import statement on the matching path (thousands of calls per
    # answer) goes through the import machinery, and PySide6's import hook, each time.
    from rapidfuzz.fuzz import ratio

    return ratio


Word = tuple[str, str]  # (stem, word as written, lower-cased)


def words(text: str, keep_stop_words: bool = False) -> list[Word]:
    """Normalized words of ``text`` with their stems (stop words dropped unless asked)."""
    text = _SLASHED_LETTERS_RE.sub(r"\1\2", text.lower())  # "A/B test" → "ab test"
    text = text.replace("n't", " not")  # "isn't" keeps its negation
    raw = _WORD_RE.findall(text.replace("-", " ").replace("_", " "))
    raw = [w.split("'")[0] for w in raw]
    if not keep_stop_words:
        raw = [w for w in raw if w not in STOP_WORDS]
    return list(zip(stemmer().stemWords(raw), raw, strict=True))


def tokens(text: str) -> list[Word]:
    """The words of an answer, ready for :func:`phrase_in`."""
    return words(text)


def phrase_tokens(phrase: str) -> list[Word]:
    """Words of an accepted phrasing; a phrase made only of stop words keeps them."""
    return words(phrase) or words(phrase, keep_stop_words=True)


def _joined(a: Word, b: Word) -> Word:
    return (a[1] + b[1], a[1] + b[1])


@lru_cache(maxsize=1)
def _extract() -> Any:
    from rapidfuzz.process import extract

    return extract


def _matches(word: Word, answer: Sequence[Word]) -> list[int]:
    """Indices of the answer words similar to ``word``, scored in rapidfuzz's C loop.

    Similar: the same stem, or both words at least FUZZY_MIN_LEN long and either the
    words or their stems scoring at least FUZZY_MIN_SCORE (rapidfuzz ``ratio``).
    """
    found = {i for i, w in enumerate(answer) if w[0] == word[0]}
    if len(word[1]) >= FUZZY_MIN_LEN:
        long_ = [i for i, w in enumerate(answer) if len(w[1]) >= FUZZY_MIN_LEN]
        for part in (1, 0):  # the words as written, then their stems
            for _text, _score, j in _extract()(
                    word[part], [answer[i][part] for i in long_], scorer=_ratio(),
                    score_cutoff=FUZZY_MIN_SCORE, limit=None):
                found.add(long_[j])
    return sorted(found)


def _positions(word: Word, answer: Sequence[Word]) -> list[int]:
    found = _matches(word, answer)
    if not found:  # "minibatch" in the phrase, "mini batch" in the answer
        found = _matches(word, [_joined(answer[i], answer[i + 1])
                                for i in range(len(answer) - 1)])
    return found


def phrase_in(phrase: Sequence[Word], answer: Sequence[Word]) -> bool:
    """True when every word of ``phrase`` occurs in ``answer`` within a short window."""
    if not phrase:
        return False
    if len(phrase) > 1:  # "mini batch" in the phrase, "minibatch" in the answer
        joined = "".join(w[1] for w in phrase)
        if any(w[1] == joined for w in answer):
            return True
    hits = [_positions(w, answer) for w in phrase]
    if any(not h for h in hits):
        return False
    window = len(phrase) + WINDOW_SLACK
    return any(
        all(any(abs(p - start) <= window for p in h) for h in hits[1:]) for start in hits[0]
    )


@dataclass(frozen=True)
class PointResult:
    text: str
    hit: bool
    matched: str  # the phrasing that matched, "" when missed


@dataclass(frozen=True)
class RecallResult:
    points: tuple[PointResult, ...]
    coverage: float  # hits / points, 0..1
    suggested: Rating

    @property
    def hits(self) -> int:
        return sum(p.hit for p in self.points)


def grade_recall(question: Question, answer: str) -> RecallResult:
    """Check a free-recall answer against the question's key points."""
    answer_tokens = tokens(answer)
    results = []
    for point in question.key_points:
        matched = next(
            (p for p in (*point.alternatives, point.text) if phrase_in(phrase_tokens(p),
                                                                       answer_tokens)),
            "",
        )
        results.append(PointResult(point.text, bool(matched), matched))
    coverage = sum(r.hit for r in results) / len(results) if results else 0.0
    return RecallResult(tuple(results), coverage, suggest_rating(coverage))


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
