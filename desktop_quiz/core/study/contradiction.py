"""Wrong claims made with the right words, for recall grading (:mod:`.grading`).

A key point can be *matched* by an answer that states it wrongly: the right terms,
the wrong relation. Each detector looks at the part of the answer that made the
point (the clause around the matched words, cut at punctuation and at contrast
words such as "but", "whereas", "unlike") and returns the reason it is a
contradiction, in words the learner can check, or "" when it sees none. Every rule
is conservative: it needs the answer to say the other thing, not merely to leave
the point's word out.

- :func:`opposite_property`: the clause uses only the opposite of a term of the
  point (``PROPERTY_OPPOSITES``: convex/non-convex, bias/variance,
  precision/recall, L1/L2, …): "L2 gives sparse weights" for "L1 gives sparse weights".
- :func:`wrong_subject`: the point is about one of the things the question
  contrasts (bagging *or* boosting), and the clause says it of the other one:
  "bagging trains models sequentially" for "boosting trains models sequentially".

``docs/grading.md`` describes the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from desktop_quiz.core.study.matching import (
    SCOPE_BREAKERS,
    VERBS,
    Answer,
    Match,
    read_answer,
)
from desktop_quiz.core.text import Word, stem

# Pairs of terms that exclude each other when a clause says one of them about the
# point's subject, as written words (inflections listed, no stemming: "bias" the
# noun is not "biased" the adjective). Reviewed: a pair goes here only when saying
# one where the point says the other is wrong whatever the topic.
PROPERTY_OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = tuple(
    (frozenset(a.split()), frozenset(b.split())) for a, b in (
        ("convex convexity", "nonconvex"),
        ("linear linearly linearity", "nonlinear nonlinearity nonlinearly"),
        ("supervised", "unsupervised"),
        ("biased", "unbiased"),
        ("bias", "variance"),
        ("precision", "recall"),
        ("l1 lasso", "l2 ridge"),
        ("local locally", "global globally"),
        ("classification classifier classifiers", "regression"),
        ("stationary", "nonstationary"),
        ("parametric", "nonparametric"),
        ("symmetric", "asymmetric"),
        ("correlated", "uncorrelated"),
        ("independent independently", "dependent"),
        ("homoscedastic homoscedasticity", "heteroscedastic heteroscedasticity"),
        ("positive", "negative"),
        ("maximize maximizes maximise maximises maximizing maximising maximum maximal",
         "minimize minimizes minimise minimises minimizing minimising minimum minimal"),
    ))
# A word of a pair preceded by one of these is another term ("self-supervised",
# "logistic regression", "negative log-likelihood" is minimised to maximise).
NOT_THE_PROPERTY = frozenset({"self", "semi", "weakly", "logistic", "softmax"})
_PAIR_STEMS = tuple(frozenset(stem(w) for w in a | b) for a, b in PROPERTY_OPPOSITES)
NEGATION_WORDS = frozenset({"not", "no", "never", "without", "nor", "cannot"})
# A clause with one of these may say the same thing the other way round: minimising
# a negative log-likelihood (or a loss) is maximising the likelihood.
UNSAFE_IN_CLAUSE = {
    n: frozenset({"negative", "minus", "loss", "error", "cost"})
    for n, (a, _) in enumerate(PROPERTY_OPPOSITES) if "maximize" in a}
# Words before a thing named as a contrast, not as the subject: "unlike bagging".
CONTRAST_BEFORE = frozenset({"unlike", "than", "versus", "vs", "compared", "contrast",
                             "not", "nor", "instead", "rather", "opposed", "whereas",
                             "while", "but", "like"})
# A clause is cut at these too: "bagging is parallel whereas boosting is sequential".
CUTS = SCOPE_BREAKERS | frozenset({"unlike", "whereas", "while", "versus", "vs"})


@dataclass(frozen=True)
class Clause:
    """The words around a match, up to punctuation or a contrast word."""

    words: tuple[Word, ...]
    negated: tuple[bool, ...]
    first: int  # index in the answer of the first matched word, within ``words``


def clause(ans: Answer, m: Match) -> Clause:
    at = [ans.content_at[i] for i in m.indices]
    lo, hi = min(at), max(at)
    while lo > 0 and not ans.all[lo - 1].punct and ans.all[lo - 1].word not in CUTS:
        lo -= 1
    while hi + 1 < len(ans.all) and not ans.all[hi + 1].punct and (
            ans.all[hi + 1].word not in CUTS):
        hi += 1
    return Clause(tuple(ans.all[lo:hi + 1]), tuple(ans.all_negated[lo:hi + 1]),
                  min(at) - lo)


@lru_cache(maxsize=20_000)
def _point(text: str) -> Answer:
    return read_answer(text, backward=False)


# -- opposite properties ----------------------------------------------------------------
def _side(words: Sequence[Word], k: int, pair: tuple[frozenset[str], frozenset[str]]
          ) -> int:
    """0 or 1: the side of ``pair`` word ``k`` is on, -1 when neither."""
    w = words[k]
    if k and words[k - 1].word in NOT_THE_PROPERTY:
        return -1
    return 0 if w.word in pair[0] else 1 if w.word in pair[1] else -1


ANCHOR_REACH = 2  # content words either side of a property word that say what it is of


def _near(words: Sequence[Word], k: int) -> set[str]:
    """Stems of the content words within ANCHOR_REACH content words of word ``k``."""
    out: set[str] = set()
    for step in (-1, 1):
        j, seen = k + step, 0
        while 0 <= j < len(words) and seen < ANCHOR_REACH and not words[j].punct:
            if not words[j].stop and words[j].word not in NEGATION_WORDS:
                out.add(words[j].stem)
                seen += 1
            j += step
    return out


@lru_cache(maxsize=20_000)
def _properties(text: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """(pair index, side, anchors) for each pair of which the point uses one side only.

    The anchors are the words next to the property word: what it is said of.
    """
    point = _point(text)
    sides: dict[int, set[int]] = {}
    anchors: dict[int, set[str]] = {}
    for k, neg in enumerate(point.all_negated):
        for n, pair in enumerate(PROPERTY_OPPOSITES):
            side = _side(point.all, k, pair)
            if side >= 0:  # a negated term ("does not change the variance") is unread
                sides.setdefault(n, set()).add(-1 if neg else side)
                anchors.setdefault(n, set()).update(_near(point.all, k))
    return tuple((n, s.pop(), frozenset(anchors[n] - _PAIR_STEMS[n]))
                 for n, s in sides.items() if len(s) == 1 and -1 not in s)


def opposite_property(point_text: str, c: Clause) -> str:
    """The clause's word that takes the other side of a pair the point takes one side of.

    The word must be said of the same thing: a word next to it is next to the
    point's word too ("L2 gives *sparse weights*" against "L1 gives *dense weights*").
    """
    for n, side, anchors in _properties(point_text):
        pair = PROPERTY_OPPOSITES[n]
        unsafe = UNSAFE_IN_CLAUSE.get(n, frozenset())
        if unsafe and any(w.word in unsafe for w in c.words):
            continue
        against, agree = [], False
        for k, neg in enumerate(c.negated):
            s = _side(c.words, k, pair)
            if s < 0 or neg:  # "not linear" agrees with "non-linear", or says nothing
                agree = agree or (neg and s != side)
                continue
            if s == side:
                agree = True
            elif _near(c.words, k) & anchors:
                against.append(c.words[k].word)
        if against and not agree:
            return against[0]
    return ""


# -- the wrong subject -------------------------------------------------------------------
LEAD_WORDS = 4  # a point's subject is within its first words, before its verb
SUBJECT_REACH = 2  # and a clause's subject within its first two content words
# Only a question that contrasts things has subjects to swap.
CONTRAST_PROMPT = frozenset(stem(w) for w in (
    "vs", "versus", "difference", "differ", "compare", "comparison", "contrast",
    "distinguish", "between"))
FORMULA_VERBS = frozenset({"equals", "approx", "implies", "proportional"})


@lru_cache(maxsize=5_000)
def subjects(prompt: str, points: tuple[str, ...]) -> tuple[
        tuple[frozenset[str], frozenset[str]], ...]:
    """(own, others) for each point: the things the question contrasts.

    A point's subject is the prompt words among its first words, before its verb
    ("Bagging trains …" → bagging). A subject is *contrasted* with another when no
    point names both in its subject. A point's own subjects are its contrasted ones;
    its others are those contrasted with all of them and absent from its text.
    """
    asked_words = read_answer(prompt).all
    if not any(w.stem in CONTRAST_PROMPT for w in asked_words):
        return tuple((frozenset(), frozenset()) for _ in points)
    asked = {w.stem for w in asked_words if w.number is None and not w.stop}
    # Words written together in the prompt name one thing: "label (integer) encoding".
    together = {(a.stem, b.stem) for a, b in pairwise(asked_words)}
    together |= {(b, a) for a, b in together}
    together |= {(a.stem, c.stem) for a, b, c in zip(asked_words, asked_words[1:],
                                                     asked_words[2:], strict=False) if b.punct}
    together |= {(b, a) for a, b in together}
    leads: list[frozenset[str]] = []
    for text in points:
        lead: set[str] = set()
        for w in _point(text).all[:LEAD_WORDS * 2]:
            if w.punct or w.stem in VERBS or len(lead) >= LEAD_WORDS:
                break
            if not w.stop and len(w.stem) >= 3 and w.stem in asked:
                lead.add(w.stem)
        leads.append(frozenset(lead))
    every: set[str] = set().union(*leads)

    def apart(a: str, b: str) -> bool:
        return a != b and (a, b) not in together and not any(
            a in lead and b in lead for lead in leads)

    out: list[tuple[frozenset[str], frozenset[str]]] = []
    for text, led in zip(points, leads, strict=True):
        own = frozenset(s for s in led if any(apart(s, t) for t in every))
        named = {w.stem for w in _point(text).all}
        others = frozenset(t for t in every if t not in named
                           and own and all(apart(s, t) for s in own))
        out.append((own, others))
    return tuple(out)


def wrong_subject(own: frozenset[str], others: frozenset[str], c: Clause,
                  phrase_stems: frozenset[str]) -> str:
    """The other thing the clause says the point of, when it does not name the point's own.

    The other thing must come before the matched words (it is the subject) and not
    be introduced as a contrast ("unlike boosting, …").
    """
    if not own or not others or phrase_stems & others:
        return ""
    if any(w.stem in own for w in c.words):
        return ""
    seen = 0
    for k in range(c.first):
        w = c.words[k]
        if w.stop or w.punct:
            continue
        seen += 1
        if seen > SUBJECT_REACH:
            break
        if w.stem in others and not c.negated[k] and not (
                k and c.words[k - 1].word in CONTRAST_BEFORE | NOT_THE_PROPERTY
        ) and _says(c, k):
            return w.word
    return ""


def _says(c: Clause, k: int) -> bool:
    """Word ``k`` is the subject of a verb: one of the next three words is a verb."""
    after = [w for w in c.words[k + 1:k + 4] if not w.punct]
    return any(w.stem in VERBS and w.word not in FORMULA_VERBS for w in after)
