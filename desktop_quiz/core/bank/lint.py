"""Editorial checks of the bank beyond format validation (``desktop-quiz bank lint``).

Validation (``bank check``) says whether a file can be built; these checks say
whether the bank is good enough to ship:

- counts: every topic has at least :data:`MIN_PER_TOPIC` questions, with at least 8
  of each kind (``behavioral`` may be all free recall);
- MCQ length signal: the key is rarely the longest option (:func:`length_figures`);
- self-consistency: each recall question's own model answer must hit all of its
  key points, or the ``accept:`` phrasings would fail good learners too;
- no free points: restating the prompt must hit no key point, or a learner scores
  by echoing the question;
- MCQ hygiene: no "all/none of the above", correct answers not always in one slot;
- accept phrasings (:func:`check_phrasings`): specific, not generic single words,
  numbers where the point states one;
- originality: no run of :data:`OVERLAP_WORDS` words shared with a source article.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from desktop_quiz.core.bank.reader import Bank
from desktop_quiz.core.bank.stats import MIN_PER_TOPIC
from desktop_quiz.core.model import Question


class _PointLike(Protocol):
    @property
    def hit(self) -> bool: ...
    @property
    def text(self) -> str: ...
    @property
    def matched(self) -> str: ...


class _GradedLike(Protocol):
    @property
    def points(self) -> Sequence[_PointLike]: ...


# The recall grader is passed in (the CLI gives the study package's): the bank
# package may not import study, yet lint must grade with the grader learners meet.
Grader = Callable[[Question, str], _GradedLike]

MIN_PER_KIND = 8
# Length signal limits (issue 13): a learner picking the longest option should
# do little better than chance.
MAX_LONGEST_SHARE = 0.30
MAX_DOMINANT_SHARE = 0.05
DOMINANT_RATIO = 1.5
ALL_RECALL_TOPICS = {"behavioral"}
OVERLAP_WORDS = 8
_WORD_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Finding:
    question_id: str  # "" for bank-wide findings
    check: str
    message: str

    def __str__(self) -> str:
        where = f"{self.question_id}: " if self.question_id else ""
        return f"[{self.check}] {where}{self.message}"


def lint(bank: Bank, grade_recall: Grader, seeds: Path | None = None) -> list[Finding]:
    return [*check_counts(bank), *check_recall_self_consistency(bank, grade_recall),
            *check_prompt_echo(bank, grade_recall), *check_mcq(bank),
            *check_mcq_lengths(bank), *check_phrasings(bank),
            *(check_overlap(bank, seeds) if seeds else [])]


def check_counts(bank: Bank) -> list[Finding]:
    from desktop_quiz.core.bank.stats import bank_stats

    stats = bank_stats(bank)
    out = []
    for t in bank.topics():
        c = stats["by_topic"][t.slug]
        if c["mcq"] + c["recall"] < MIN_PER_TOPIC:
            out.append(Finding("", "counts", f"{t.slug}: {c['mcq'] + c['recall']} questions "
                               f"< {MIN_PER_TOPIC}"))
        kinds = ("recall",) if t.slug in ALL_RECALL_TOPICS else ("mcq", "recall")
        for kind in kinds:
            if c[kind] < MIN_PER_KIND:
                out.append(Finding("", "counts", f"{t.slug}: {c[kind]} {kind} < {MIN_PER_KIND}"))
    return out


def check_recall_self_consistency(bank: Bank, grade_recall: Grader) -> list[Finding]:
    out = []
    for qid in bank.all_ids():
        q = bank.question(qid)
        if q.kind != "recall":
            continue
        result = grade_recall(q, q.answer)
        for p in result.points:
            if not p.hit:
                out.append(Finding(qid, "self-check",
                                   f"the model answer does not hit key point {p.text!r}"))
    return out


def check_prompt_echo(bank: Bank, grade_recall: Grader) -> list[Finding]:
    out = []
    for qid in bank.all_ids():
        q = bank.question(qid)
        if q.kind != "recall":
            continue
        for p in grade_recall(q, q.prompt).points:
            if p.hit:
                out.append(Finding(qid, "prompt-echo", f"restating the prompt hits key point "
                                   f"{p.text!r} (via {p.matched!r})"))
    return out


def check_mcq(bank: Bank) -> list[Finding]:
    out = []
    positions: Counter[int] = Counter()
    banned = re.compile(r"\b(all|none) of the (above|these|options)\b", re.I)
    for qid in bank.all_ids():
        q = bank.question(qid)
        if q.kind != "mcq":
            continue
        for c in q.choices:
            if banned.search(c.text):
                out.append(Finding(qid, "mcq", f"choice {c.text!r} is an all/none-of-the-above"))
        if q.multi and "select all" not in q.prompt.lower():
            out.append(Finding(qid, "mcq",
                               "multi-answer prompt should say 'Select all that apply'"))
        if not q.multi:
            positions[next(i for i, c in enumerate(q.choices) if c.correct)] += 1
    total = sum(positions.values())
    if total >= 20:
        top, n = positions.most_common(1)[0]
        if n / total > 0.4:
            out.append(Finding("", "mcq", f"{n}/{total} single-answer questions have the "
                               f"correct choice in position {top + 1}"))
    return out


@dataclass(frozen=True)
class LengthFigures:
    """How much an MCQ's option lengths give its key away (single-answer MCQs only)."""

    single: int  # single-answer MCQs
    longest: int  # ... whose key is strictly the longest option
    dominant: int  # ... whose key is at least DOMINANT_RATIO × the next-longest option

    @property
    def longest_share(self) -> float:
        return self.longest / self.single if self.single else 0.0

    @property
    def dominant_share(self) -> float:
        return self.dominant / self.single if self.single else 0.0

    def __str__(self) -> str:
        return (f"key strictly longest in {self.longest}/{self.single} single-answer MCQs "
                f"({self.longest_share:.1%}, limit {MAX_LONGEST_SHARE:.0%}); "
                f"key >= {DOMINANT_RATIO}x the next-longest in {self.dominant} "
                f"({self.dominant_share:.1%}, limit {MAX_DOMINANT_SHARE:.0%})")


def length_figures(bank: Bank) -> LengthFigures:
    """Option lengths are counted in characters of the choice text as written."""
    single = longest = dominant = 0
    for qid in bank.all_ids():
        q = bank.question(qid)
        if q.kind != "mcq" or q.multi:
            continue
        single += 1
        key = next(i for i, c in enumerate(q.choices) if c.correct)
        other = max(len(c.text) for i, c in enumerate(q.choices) if i != key)
        if len(q.choices[key].text) > other:
            longest += 1
            if len(q.choices[key].text) >= DOMINANT_RATIO * other:
                dominant += 1
    return LengthFigures(single, longest, dominant)


def check_mcq_lengths(bank: Bank) -> list[Finding]:
    """Picking the longest option must not pay: bank-wide limits on the key's length."""
    figures = length_figures(bank)
    if (figures.longest_share > MAX_LONGEST_SHARE
            or figures.dominant_share > MAX_DOMINANT_SHARE):
        return [Finding("", "mcq-length", str(figures))]
    return []


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD_RE.findall(text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def fingerprint(run: tuple[str, ...]) -> str:
    """A run of words as a short hash: the repo keeps these, never the articles' text."""
    return hashlib.sha256(" ".join(run).encode()).hexdigest()[:16]


def seed_fingerprints(seeds: Path) -> set[str]:
    """Fingerprints of every OVERLAP_WORDS-word run of the source articles.

    ``seeds`` is the articles' folder (``*.txt``) or a fingerprint file written by
    :func:`write_seed_fingerprints` (one hash a line, ``#`` comments).
    """
    if seeds.is_file():
        lines = seeds.read_text(encoding="utf-8").splitlines()
        return {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    found: set[str] = set()
    for path in sorted(seeds.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        found |= {fingerprint(run) for run in _shingles(text, OVERLAP_WORDS)}
    return found


def write_seed_fingerprints(seeds: Path, out: Path) -> int:
    found = sorted(seed_fingerprints(seeds))
    out.write_text(f"# sha256[:16] of every {OVERLAP_WORDS}-word run (lower-cased words) of the "
                   "source articles;\n# `bank lint` checks questions against these. Rebuilt "
                   "with desktop_quiz.core.bank.lint.write_seed_fingerprints.\n"
                   + "".join(f"{h}\n" for h in found), encoding="utf-8")
    return len(found)


def check_overlap(bank: Bank, seeds: Path) -> list[Finding]:
    seed_runs = seed_fingerprints(seeds)
    out = []
    for qid in bank.all_ids():
        q = bank.question(qid)
        text = " ".join([q.prompt, q.answer, q.hint,
                         *(f"{c.text} {c.explanation}" for c in q.choices),
                         *(k.text for k in q.key_points)])
        shared = sorted(run for run in _shingles(text, OVERLAP_WORDS)
                        if fingerprint(run) in seed_runs)
        if shared:
            out.append(Finding(qid, "originality", f"{len(shared)} {OVERLAP_WORDS}-word runs "
                               f"shared with a source article, e.g. {' '.join(shared[0])!r}"))
    return out


# -- accept phrasings (issue 12) -----------------------------------------------------
GENERIC_SHARE = 0.25  # a word in this share of a topic's questions is its common vocabulary
_NUMERIC_RE = re.compile(r"(?<![\w.^_{])(?:\d+[.,]\d+|\d{2,})(?![\w}])")
_ACRONYM_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,5}s?\b")


def check_phrasings(bank: Bank) -> list[Finding]:
    """Accept phrasings a wrong answer could meet by chance.

    - ``phrasing-weak``: no word of 4+ letters that is not a stop word, no number of
      two digits or with a decimal point, and no acronym the question writes in
      capitals ("UCB", "IQR"): "l1", "z", "gap" or "0" turn up anywhere.
    - ``phrasing-single``: a one-word phrasing that is generic for the question: the
      word is in the prompt, or in the prompt or model answer of at least
      :data:`GENERIC_SHARE` of the topic's questions. Say how the word is used
      ("exactly zero", not "zero").
    - ``phrasing-numeric``: the point states a number but no phrasing has one, so
      a wrong number is graded as right.
    """
    from desktop_quiz.core.text import content_words, is_specific

    questions = [bank.question(qid) for qid in bank.all_ids()]
    topic_df: dict[str, Counter[str]] = {}
    topic_n: Counter[str] = Counter()
    for q in questions:
        topic_n[q.topic] += 1
        stems = {w.stem for w in content_words(f"{q.prompt} {q.answer}")}
        topic_df.setdefault(q.topic, Counter()).update(stems)
    out = []
    for q in questions:
        if q.kind != "recall":
            continue
        prompt = {w.stem for w in content_words(q.prompt)}
        acronyms = frozenset(a.lower().rstrip("s") for a in _ACRONYM_RE.findall(" ".join(
            [q.prompt, q.answer, *(k.text for k in q.key_points)])) if len(a) >= 3)
        for point in q.key_points:
            for alt in point.alternatives:
                ws = content_words(alt)
                if not is_specific(alt, acronyms):
                    out.append(Finding(q.id, "phrasing-weak",
                                       f"accept phrasing {alt!r} (point {point.text!r}) has no "
                                       "word of 4+ letters that is not a stop word"))
                elif len(ws) == 1 and ws[0].number is None:
                    st = ws[0].stem
                    share = topic_df[q.topic][st] / topic_n[q.topic]
                    if st in prompt or share >= GENERIC_SHARE:
                        why = ("is in the prompt" if st in prompt else
                               f"is in {share:.0%} of the {q.topic} questions")
                        out.append(Finding(q.id, "phrasing-single",
                                           f"single-word phrasing {alt!r} {why}; add the "
                                           f"words that make point {point.text!r}"))
            if _NUMERIC_RE.search(point.text.lower()) and not any(
                    w.number is not None for alt in point.alternatives
                    for w in content_words(alt)):
                out.append(Finding(q.id, "phrasing-numeric",
                                   f"point {point.text!r} states a number but no accept "
                                   "phrasing has one"))
    return out
