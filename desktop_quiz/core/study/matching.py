"""Reading answers and matching phrasings, for recall grading (:mod:`.grading`).

- :func:`read_answer`: an answer's words (normalised by :mod:`desktop_quiz.core.text`),
  which of them a negation covers, and indexes for matching.
- :func:`phrase`: an accept or reject phrasing with its synonym variants
  (``synonyms.txt``, a reviewed table loaded once).
- :func:`match`: where a phrasing occurs in an answer, preferring an occurrence of the
  same polarity. Numbers compare as numbers; words of five letters or more match with
  a small typo, never across an antonym prefix.

``docs/grading.md`` describes the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from desktop_quiz.core.text import Word, numbers_match, stem, words

FUZZY_MIN_LEN = 5
FUZZY_MIN_SCORE = 85.0
WINDOW_SLACK = 4  # extra words allowed between the words of one phrase
ANTONYM_PREFIXES = ("non", "un", "in", "im", "dis", "ir", "il", "a", "anti", "de")

# Negation. A cue negates the words after it up to the end of its clause (at most
# NEGATION_REACH words); a postfix cue ("X is unnecessary") negates its clause back
# to the start. "not only", "no matter" and friends are not negations.
NEGATION_CUES = frozenset({"not", "no", "never", "without", "none", "nor", "neither",
                           "cannot", "nothing", "lack", "lacks", "lacking", "instead",
                           "rather", "fails", "fail", "hardly"})
NOT_NEGATIONS = frozenset({("not", "only"), ("not", "just"), ("no", "matter"),
                           ("no", "doubt"), ("not", "merely"), ("rather", "large"),
                           ("fail", "safe")})
POSTFIX_CUES = frozenset({"unnecessary", "unneeded", "needless", "irrelevant", "pointless",
                          "useless", "unimportant", "optional", "overrated", "redundant"})
# After "not": "X is not needed" negates X too, not only "needed".
BACKWARD_AFTER_NOT = frozenset({"need", "requir", "necessari", "necessary", "import",
                                "matter", "true", "help", "use", "relev", "case", "correct",
                                "right", "enough", "essenti"})
AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "do", "does", "did", "can",
                         "could", "should", "would", "will", "must", "need", "has", "have",
                         "had", "may", "might", "shall"})
SCOPE_BREAKERS = frozenset({"but", "however", "whereas", "while", "although", "though",
                            "yet", "so", "because", "which", "unlike", "except", "then",
                            "therefore", "thus", "since", "whereby"})
NEGATION_REACH = 8

# A rough verb lexicon for the list-of-terms check: auxiliaries and modals, and the
# stems of verbs common in technical explanations. Any of them, or a word ending in
# -ing/-ed, counts as a verb.
VERBS = frozenset(stem(w) for w in """
    is are was were be been being am isn aren has have had do does did can could will
    would should shall may might must need needs let lets make makes take takes give gives
    get gets use uses mean means help helps keep keeps become becomes go goes come comes
    add adds reduce reduces increase increases decrease decreases lower lowers raise raises
    cause causes lead leads avoid avoids prevent prevents allow allows require requires
    depend depends measure measures compute computes estimate estimates predict predicts
    learn learns train trains fit fits model models sample samples split splits compare
    compares choose chooses pick picks set sets change changes grow grows shrink shrinks
    drop drops remove removes push pushes pull pulls work works fail fails tend tends
    stay stays scale scales handle handles capture captures treat treats assume assumes
    run runs check checks test tests tell tells show shows say says find finds look looks
    see sees try tries want wants know knows think thinks stop stops start starts move
    moves map maps turn turns call calls apply applies produce produces return returns
    minimize minimizes maximize maximizes optimize optimizes penalize penalizes converge
    converges explode explodes vanish vanishes overfit overfits underfit underfits
    generalize generalizes memorize memorizes encode encodes decode decodes store stores
    serve serves deploy deploys monitor monitors detect detects ensure ensures
    equals approx implies proportional cancel cancels accumulate accumulates
""".split())  # a formula's "=" (read "equals") states something too  # noqa: SIM905

# Opposite directions. When the clause that makes a point uses only the opposite
# of the point's own direction words ("a larger learning rate" for "a smaller
# learning rate"), the point is contradicted, not made.
OPPOSITES = tuple(
    (frozenset(stem(w) for w in up.split()), frozenset(stem(w) for w in down.split()))
    for up, down in (
        ("increase increases increasing higher highest larger largest bigger biggest more "
         "greater grow grows raise raises rise rises longer", "decrease decreases "
         "decreasing lower lowest smaller smallest fewer fewest less shrink shrinks reduce "
         "reduces drop drops shorter"),
        ("faster quicker", "slower"),
        ("overestimate overestimates", "underestimate underestimates"),
        ("overfit overfits overfitting", "underfit underfits underfitting"),
        ("deterministic", "stochastic"),
        ("parallel parallelizable", "sequential sequentially"),
    ))


# -- synonyms -----------------------------------------------------------------------
@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The reviewed synonym table (``synonyms.txt``), as groups of stem sequences."""
    text = resources.files("desktop_quiz.core.study").joinpath("synonyms.txt").read_text(
        encoding="utf-8")
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "|" not in line:
            continue
        members = []
        for member in line.split("|"):
            stems = tuple(w.stem for w in _content(member))
            if stems and stems not in members:
                members.append(stems)
        if len(members) > 1:
            groups.append(tuple(members))
    return tuple(groups)


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]]:
    """First stem of a member → (member, its group)."""
    index: dict[str, list[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]]] = {}
    for group in synonym_groups():
        for member in group:
            index.setdefault(member[0], []).append((member, group))
    return index


MAX_VARIANTS = 12


def _variants(stems: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``stems`` with each synonym-table member replaced by the other members of its group."""
    out = [stems]
    index = _synonym_index()
    for i, s in enumerate(stems):
        for member, group in index.get(s, ()):
            if stems[i:i + len(member)] != member:
                continue
            for other in group:
                # A variant never loses words: "rare class" may become "minority
                # class", not a lone "imbalance" that any answer on the topic uses.
                if other != member and len(other) >= min(len(member), 2):
                    out.append(stems[:i] + other + stems[i + len(member):])
                if len(out) >= MAX_VARIANTS:
                    return out
    return out


# -- phrases --------------------------------------------------------------------------
def _content(text: str) -> list[Word]:
    return [w for w in words(text) if not w.stop and not w.punct]


@dataclass(frozen=True)
class Phrase:
    """An accepted (or rejected) phrasing, ready to match."""

    text: str
    words: tuple[Word, ...]  # content words, negation cues removed
    negated: bool | None  # the phrasing is a negation ("no leakage"); None: either way

    @property
    def usable(self) -> bool:
        """False for a phrasing that is one single letter or digit ("z", "0")."""
        return len(self.words) > 1 or any(len(w.word) >= 2 for w in self.words)


@lru_cache(maxsize=20_000)
def phrase(text: str) -> tuple[Phrase, ...]:
    """A phrasing and its synonym variants."""
    content = _content(text)
    negated: bool | None = any(w.word in NEGATION_CUES for w in content)
    content = [w for w in content if w.word not in NEGATION_CUES]
    by_stem = {w.stem: w for w in content}
    out = []
    for stems in _variants(tuple(w.stem for w in content)):
        ws = tuple(by_stem.get(s) or Word(s, s, 0, 0) for s in stems)
        out.append(Phrase(text, ws, negated))
    return tuple(out)


# -- answers --------------------------------------------------------------------------
@dataclass
class Answer:
    """An answer read once for matching: its words, their clauses and negation."""

    text: str
    all: list[Word]
    content: list[Word]
    negated: list[bool]  # per content word: inside a negation scope
    by_stem: dict[str, list[int]]
    numbers: list[int]
    fuzzy_cache: dict[str, list[int]] = field(default_factory=dict)
    joined: dict[str, list[int]] = field(default_factory=dict)
    all_negated: list[bool] = field(default_factory=list)

    content_at: list[int] = field(default_factory=list)  # content index → index in all
    long_words: dict[tuple[str, str], list[int]] | None = None
    long_keys: list[tuple[str, str]] = field(default_factory=list)
    long_choices: tuple[list[str], list[str]] = ([], [])
    positions_cache: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def clause_of(self, indices: Sequence[int]) -> list[tuple[str, bool, str]]:
        """(stem, negated, word) of the words in the clauses around content ``indices``."""
        lo = min(self.content_at[i] for i in indices)
        hi = max(self.content_at[i] for i in indices)
        while lo > 0 and not self.all[lo - 1].punct:
            lo -= 1
        while hi + 1 < len(self.all) and not self.all[hi + 1].punct:
            hi += 1
        return [(w.stem, self.all_negated[j], w.word)
                for j, w in enumerate(self.all[lo:hi + 1], start=lo)]


def read_answer(text: str, backward: bool = True) -> Answer:
    ws = words(text)
    neg_all = _negation_scopes(ws, backward)
    content: list[Word] = []
    negated: list[bool] = []
    content_at = []
    for k, (w, n) in enumerate(zip(ws, neg_all, strict=True)):
        if w.punct or w.stop or w.word in NEGATION_CUES:
            continue
        content.append(w)
        content_at.append(k)
        negated.append(n)
    by_stem: dict[str, list[int]] = {}
    for i, w in enumerate(content):
        by_stem.setdefault(w.stem, []).append(i)
    joined: dict[str, list[int]] = {}
    for i in range(len(content) - 1):
        joined.setdefault(content[i].word + content[i + 1].word, []).append(i)
    numbers = [i for i, w in enumerate(content) if w.number is not None]
    return Answer(text, ws, content, negated, by_stem, numbers, joined=joined,
                  all_negated=neg_all, content_at=content_at)


def _negation_scopes(ws: Sequence[Word], backward: bool = True) -> list[bool]:
    """For each word: is it inside the scope of a negation?"""
    out = [False] * len(ws)
    n = len(ws)
    for i, w in enumerate(ws):
        nxt = ws[i + 1].word if i + 1 < n else ""
        if w.word in NEGATION_CUES and (w.word, nxt) not in NOT_NEGATIONS:
            for j in range(i + 1, min(n, i + 1 + NEGATION_REACH)):
                if ws[j].punct or ws[j].word in SCOPE_BREAKERS:
                    break
                out[j] = True
            after = next((x for x in ws[i + 1:i + 4] if not x.stop), None)
            before = ws[i - 1].word if i else ""
            # "X shifts the mean and doesn't change the variance": only the second
            # conjunct is negated.
            conjunct = i >= 2 and ws[i - 2].word in ("and", "or", "but", "then")
            if backward and not conjunct and (w.word == "never" or (w.word == "not" and (
                    before in AUXILIARIES or (after is not None
                                              and after.stem in BACKWARD_AFTER_NOT)))):
                _negate_back(ws, out, i)  # "X isn't needed", "X doesn't help", "X never"
        elif backward and w.word in POSTFIX_CUES:
            _negate_back(ws, out, i)
    return out


def _negate_back(ws: Sequence[Word], out: list[bool], i: int) -> None:
    for j in range(i - 1, max(-1, i - 1 - NEGATION_REACH), -1):
        if ws[j].punct or ws[j].word in SCOPE_BREAKERS:
            break
        out[j] = True


@lru_cache(maxsize=1)
def _ratio() -> Any:
    # Looked up once: an import statement on the matching path goes through the import
    # machinery, and PySide6's import hook, each time.
    from rapidfuzz.fuzz import ratio

    return ratio


@lru_cache(maxsize=1)
def _extract() -> Any:
    from rapidfuzz.process import extract

    return extract


def antonym_prefixed(a: str, b: str) -> bool:
    """True when one word is the other with an antonym prefix (un-, in-, non-, dis-, a-…)."""
    for x, y in ((a, b), (b, a)):
        for p in ANTONYM_PREFIXES:
            if x.startswith(p) and not y.startswith(p):
                rest = x[len(p):]
                if len(rest) >= 3 and (y.startswith(rest[:4]) or rest.startswith(y[:4])):
                    return True
    return False


def similar(a: Word, b: Word) -> bool:
    """The word rule, pair by pair: same stem, or a small typo in a long word."""
    if a.number is not None or b.number is not None:
        return a.number is not None and b.number is not None and numbers_match(a.number,
                                                                               b.number)
    if a.stem == b.stem:
        return True
    if min(len(a.word), len(b.word)) < FUZZY_MIN_LEN or antonym_prefixed(a.word, b.word):
        return False
    return any(abs(len(x) - len(y)) <= 1 and _ratio()(x, y) >= FUZZY_MIN_SCORE
               for x, y in ((a.word, b.word), (a.stem, b.stem)))


def _positions(w: Word, ans: Answer) -> list[int]:
    """Indices of the answer's content words that match phrase word ``w``."""
    key = (w.stem, w.word)
    got = ans.positions_cache.get(key)
    if got is None:
        got = ans.positions_cache[key] = _find_positions(w, ans)
    return got


def _find_positions(w: Word, ans: Answer) -> list[int]:
    if w.number is not None:
        return [i for i in ans.numbers if numbers_match(w.number, ans.content[i].number)]  # type: ignore[arg-type]
    found = set(ans.by_stem.get(w.stem, ()))
    if len(w.word) >= FUZZY_MIN_LEN:
        cached = ans.fuzzy_cache.get(w.word)
        if cached is None:
            cached = _fuzzy(w, ans)
            ans.fuzzy_cache[w.word] = cached
        found.update(cached)
    if not found:  # "minibatch" in the phrase, "mini batch" in the answer
        found.update(ans.joined.get(w.word, ()))
    return sorted(found)


def _fuzzy(w: Word, ans: Answer) -> list[int]:
    if ans.long_words is None:  # the distinct long words, once per answer
        where: dict[tuple[str, str], list[int]] = {}
        for i, x in enumerate(ans.content):
            if len(x.word) >= FUZZY_MIN_LEN and x.number is None:
                where.setdefault((x.word, x.stem), []).append(i)
        ans.long_words = where
        ans.long_keys = list(where)
        ans.long_choices = ([k[0] for k in ans.long_keys], [k[1] for k in ans.long_keys])
    keys = ans.long_keys
    found: set[int] = set()
    for part, query in ((0, w.word), (1, w.stem)):
        choices = ans.long_choices[part]
        for text, _score, j in _extract()(query, choices, scorer=_ratio(),
                                          score_cutoff=FUZZY_MIN_SCORE, limit=None):
            # A typo changes the length by one letter at most: "constraint" is not
            # a misspelt "constant".
            if abs(len(text) - len(query)) <= 1 and not antonym_prefixed(w.word, keys[j][0]):
                found.update(ans.long_words[keys[j]])
    return sorted(found)


@dataclass(frozen=True)
class Match:
    indices: tuple[int, ...]  # content-word indices in the answer
    agrees: bool  # same polarity as the phrasing


def match(p: Phrase, ans: Answer) -> Match | None:
    """Where ``p`` occurs in ``ans``: preferring an occurrence of the same polarity."""
    if not p.words:
        return None
    if len(p.words) > 1:  # "mini batch" in the phrase, "minibatch" in the answer
        joined = "".join(w.word for w in p.words)
        for i in ans.by_stem.get(stem(joined), ()):
            if p.negated is None or ans.negated[i] == p.negated:
                return Match((i,), True)
    hits = [_positions(w, ans) for w in p.words]
    if any(not h for h in hits):
        return None
    window = len(p.words) + WINDOW_SLACK
    opposite: Match | None = None
    either = p.negated is None
    for start in hits[0]:
        chosen = [start]
        agree = either or ans.negated[start] == p.negated
        ok = True
        for h in hits[1:]:
            near = [q for q in h if abs(q - start) <= window]
            if not near:
                ok = False
                break
            same = [q for q in near if either or ans.negated[q] == p.negated]
            chosen.append(same[0] if same else near[0])
            agree = agree and bool(same)
        if not ok:
            continue
        m = Match(tuple(sorted(set(chosen))), agree)
        if agree:
            return m
        opposite = opposite or m
    return opposite


# -- compatibility helpers (tests and lint use them) -------------------------------------
def tokens(text: str) -> Answer:
    """An answer, ready for :func:`phrase_in`."""
    return read_answer(text)


def phrase_tokens(text: str) -> tuple[Phrase, ...]:
    return phrase(text)


def phrase_in(p: Sequence[Phrase], ans: Answer) -> bool:
    """True when one form of the phrasing occurs in the answer with its polarity."""
    for form in p:
        m = match(form, ans)
        if m is not None and m.agrees:
            return True
    return False
