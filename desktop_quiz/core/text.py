"""Text primitives shared by the bank (search, lint) and recall grading.

A small core-level module: the bank package may not import study, yet both must
read words the same way.

- :func:`stem`: PyStemmer's English Snowball stem of one word.
- :func:`normalize`: the canonical form of a text before matching, with a map back
  to the original characters (so matched words can be highlighted where the
  learner wrote them). NFKC (full-width letters become ASCII), accents folded,
  curly quotes straight, lower case; math symbols, superscripts and Greek letters
  become words (``ᵀ`` → "transpose", ``⁻¹`` → "inverse", ``σ`` → "sigma").
- :func:`words`: the words of a text, each with its stem, its span in the original
  text and, for numbers, its value and written precision. Number words ("three",
  "one half") become numbers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

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


@lru_cache(maxsize=1)
def stemmer() -> Any:
    """PyStemmer's English Snowball stemmer, loaded on first use."""
    import Stemmer

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """The Snowball stem of one lower-case word."""
    return str(stemmer().stemWord(word))


# -- character normalisation ------------------------------------------------------
GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda",
    "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma",
    "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega",
}
# Applied before NFKC, which would turn superscripts into plain digits ("x²" → "x2").
SYMBOLS = {
    "ᵀ": " transpose ", "⊤": " transpose ", "⁻¹": " inverse ", "²": " squared ",
    "³": " cubed ", "√": " sqrt ", "∑": " sum ", "∏": " product ", "∫": " integral ",
    "∂": " partial ", "∇": " gradient ", "∞": " infinity ", "≈": " approx ", "≃": " approx ",
    "∼": " approx ", "~": " approx ", "≤": " less than or equal ",
    "≥": " greater than or equal ", "⩽": " less than or equal ",
    "⩾": " greater than or equal ", "<": " less than ", ">": " greater than ",
    "≠": " not equal ", "=": " equals ", "→": " to ", "⇒": " implies ", "←": " from ",
    "×": " times ", "∝": " proportional to ", "∈": " in ", "∉": " not in ", "±": " plus minus ",
    "∩": " intersection ", "∪": " union ", "%": " percent ", "‰": " per mille ",
    "·": " ", "∙": " ", "⋅": " ", "−": " minus ", "+": " plus ", "–": " , ", "—": " , ",
    "‑": "-", "‐": "-",
    "‘": "'", "’": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "ŷ": "y hat", "ŵ": "w hat", "θ̂": "theta hat",
}
SYMBOLS.update({k: f" {v} " for k, v in GREEK.items()})
SYMBOLS.update({k.upper(): f" {v} " for k, v in GREEK.items() if k not in "ςϵϕ"})
SYMBOLS["Σ"] = " sum "  # capital sigma is almost always a sum
SYMBOLS["Π"] = " product "
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8",
                 "⁹": "9", "ⁿ": "n", "ᵏ": "k", "ⁱ": "i", "ᵗ": "t", "⁺": "+", "⁻": "-"}
SYMBOLS.update({k: f"^{v}" for k, v in _SUPERSCRIPTS.items()})
_MULTI = sorted((k for k in SYMBOLS if len(k) > 1), key=len, reverse=True)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    """One character (not in SYMBOLS) in its matching form: NFKC, accents off, lower."""
    if c.isascii():
        return c.lower()
    out = unicodedata.normalize("NFKC", c)
    if out != c and all(ch in SYMBOLS for ch in out):
        return "".join(SYMBOLS[ch] for ch in out)
    decomposed = unicodedata.normalize("NFKD", out)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(SYMBOLS.get(ch, ch) for ch in folded).lower()


_SPECIAL_RE = re.compile("[^\x00-\x7f]|[" + re.escape(
    "".join(k for k in SYMBOLS if len(k) == 1 and k.isascii())) + "A-Z]+")


def normalize(text: str) -> tuple[str, list[int]]:
    """``text`` in matching form, and for each of its characters the index it came from.

    The map lets a word found in the normalised text be shown where it was written.
    """
    out: list[str] = []
    origin: list[int] = []
    pos, n = 0, len(text)
    for m in _SPECIAL_RE.finditer(text):
        i = m.start()
        if i < pos:
            continue
        if i > pos:  # plain lower-case ASCII is copied as it is
            out.append(text[pos:i])
            origin.extend(range(pos, i))
        c = text[i]
        if "A" <= c <= "Z":
            out.append(m.group().lower())
            origin.extend(range(i, m.end()))
            pos = m.end()
            continue
        rep = None
        width = 1
        if c in "⁻θ":
            for mm in _MULTI:
                if text.startswith(mm, i):
                    rep, width = SYMBOLS[mm], len(mm)
                    break
        if rep is None:
            rep = SYMBOLS[c] if c in SYMBOLS else _fold_char(c)
        if unicodedata.combining(c):
            rep = ""
        out.append(rep)
        origin.extend([i] * len(rep))
        pos = i + width
    if pos < n:
        out.append(text[pos:])
        origin.extend(range(pos, n))
    return "".join(out).lower(), origin


# -- numbers ----------------------------------------------------------------------
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000,
}  # not "twice", "half", "double": they scale a quantity, they are not one
# "one" is a number only next to a number cue; elsewhere it is a pronoun ("the one
# that…") and stays a word.
_ONE_CUES = frozenset({"than", "to", "of", "by", "exactly", "about", "around", "only",
                       "just", "approx", "equals", "over", "under", "times", "at", "minus",
                       "plus", "below", "above", "least", "most", "is", "or", "and"})
_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "mn": 1e6}
_NUMBER_RE = re.compile(r"^(\d+(?:,\d{3})*|\d*\.\d+|\d+\.\d*)(k|m|b|bn|mn|x)?$")


@dataclass(frozen=True)
class Number:
    value: float
    unit: float  # the written precision: 0.01 for "0.67", 1 for "14750", 1000 for "15k"


def parse_number(token: str) -> Number | None:
    """The value and precision of a number as written ("0.667", "14,750", "15k", "1/3")."""
    if "/" in token:
        top, _, bottom = token.partition("/")
        a, b = parse_number(top), parse_number(bottom)
        if a is None or b is None or b.value == 0:
            return None
        return Number(a.value / b.value, 0.0)  # a fraction is exact
    m = _NUMBER_RE.match(token)
    if not m:
        return None
    body, suffix = m.group(1).replace(",", ""), m.group(2) or ""
    try:
        value = float(body)
    except ValueError:
        return None
    decimals = len(body.partition(".")[2])
    unit = 10.0 ** -decimals
    scale = _SUFFIXES.get(suffix, 1.0)
    return Number(value * scale, unit * scale)


MAX_RELATIVE_ERROR = 0.05


def numbers_match(a: Number, b: Number) -> bool:
    """Equal within the coarser written precision (0.667 ~ 0.67; 1/3 ~ 0.33; 15k ~ 14,750).

    Rounding never stretches further than :data:`MAX_RELATIVE_ERROR` (5%): "1" is not
    "0.84", though 0.84 rounds to 1; below 1000 it drops one digit at most ("4" is not
    "3.93"), while counts may be rounded further ("15k" is "14,750").
    """
    diff = abs(a.value - b.value)
    big = max(abs(a.value), abs(b.value))
    if diff <= 1e-9 * max(big, 1.0):
        return True
    fine, coarse = sorted((a.unit, b.unit))
    if big < 1000 and fine > 0 and coarse / fine > 10.5:
        return False  # "4" is not "3.93": rounding by one digit, not two (counts aside)
    return diff <= coarse / 2 + 1e-12 and diff <= MAX_RELATIVE_ERROR * big


# -- words ------------------------------------------------------------------------
# Words, numbers (with decimals, thousands separators, k/m suffixes, fractions) and
# the clause punctuation that bounds a negation.
_TOKEN_RE = re.compile(
    r"[a-z][a-z0-9]*(?:'[a-z]+)?"
    r"|\d+(?:,\d{3})+(?:\.\d+)?(?:k|m|bn|b|mn|x)?(?![\w])"
    r"|\d*\.\d+(?:k|m|bn|b|mn|x)?(?![\w])"
    r"|\d+/\d+(?![\w/])"
    r"|\d+(?:k|m|bn|b|mn|x)(?![\w])"
    r"|[a-z0-9]+(?:'[a-z]+)?"
    r"|[.,;:!?()\[\]{}|•]"
)
_SLASHED_LETTERS_RE = re.compile(r"\b([a-z])/([a-z])\b")
PUNCT = frozenset(".,;:!?()[]{}|•")  # a line break is not one: text wraps


class Word(NamedTuple):
    """One word of a text: its stem, its matching form and where it was written."""

    stem: str
    word: str
    start: int  # span in the original text
    end: int
    number: Number | None = None
    stop: bool = False
    punct: bool = False


def words(text: str) -> list[Word]:
    """Every word and clause mark of ``text`` (stop words flagged, not dropped)."""
    norm, origin = normalize(text)
    norm = _SLASHED_LETTERS_RE.sub(r"\1\2 ", norm)  # "a/b test" → "ab  test" (same length)
    norm = norm.replace("-", " ").replace("_", " ")
    raw: list[tuple[str, int, int]] = []
    for m in _TOKEN_RE.finditer(norm):
        tok = m.group()
        if "'" in tok:
            head, _, tail = tok.partition("'")
            if tail == "t" and head.endswith("n"):  # isn't, doesn't, can't, won't
                base = {"ca": "can", "wo": "will", "sha": "shall"}.get(head[:-1], head[:-1])
                if base:
                    raw.append((base, m.start(), m.end()))
                raw.append(("not", m.start(), m.end()))
                continue
            tok = head
        if tok:
            raw.append((tok, m.start(), m.end()))
    raw = _join_non(raw)
    plain = [tok for tok, _, _ in raw]
    stems = stemmer().stemWords(plain)
    n = len(origin)
    out: list[Word] = []
    new = tuple.__new__  # skips NamedTuple's Python-level __new__: thousands of words
    for k, (tok, s, e) in enumerate(raw):
        start = origin[s] if s < n else len(text)
        end = origin[e - 1] + 1 if 0 < e <= n else len(text)
        if tok in PUNCT:
            out.append(new(Word, (tok, tok, start, end, None, False, True)))
            continue
        first = tok[0]
        number = None
        if first.isdigit() or first == ".":
            number = parse_number(tok)
        elif tok in NUMBER_WORDS and (tok != "one" or _one_is_number(raw, k)):
            number = Number(float(NUMBER_WORDS[tok]), 0.0)
        if number is not None:
            out.append(new(Word, (f"#{number.value:g}", tok, start, end, number, False, False)))
        else:
            out.append(new(Word, (stems[k], tok, start, end, None, tok in STOP_WORDS, False)))
    return out


def _join_non(raw: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """ "non linear" and "non-linear" are the word "nonlinear", not "linear"."""
    if not any(tok == "non" for tok, _, _ in raw):
        return raw
    out: list[tuple[str, int, int]] = []
    skip = False
    for k, (tok, s, e) in enumerate(raw):
        if skip:
            skip = False
            continue
        nxt = raw[k + 1] if k + 1 < len(raw) else None
        if tok == "non" and nxt is not None and nxt[0].isalpha():
            out.append(("non" + nxt[0], s, nxt[2]))
            skip = True
        else:
            out.append((tok, s, e))
    return out


def _one_is_number(raw: list[tuple[str, int, int]], k: int) -> bool:
    before = raw[k - 1][0] if k > 0 else ""
    after = raw[k + 1][0] if k + 1 < len(raw) else ""
    return before in _ONE_CUES or after in ("percent", "point", "or", "to", "minus")


def content_words(phrase: str) -> list[Word]:
    """The words of a phrasing that carry meaning: no stop words, no punctuation."""
    return [w for w in words(phrase) if not w.stop and not w.punct]


def is_specific(phrase: str, acronyms: frozenset[str] = frozenset()) -> bool:
    """True when a phrasing has a non-stop word of 4+ letters, or a specific number.

    A number is specific with a decimal point or two digits or more ("0.05", "14",
    not "0" or "2"). Words listed in ``acronyms`` (lower case: "auc", "ucb") count too,
    and so do two words of three letters or more ("box cox").
    A phrasing without any ("l1", "z", "0", "gap") also turns up in unrelated and
    wrong answers, so it cannot decide a key point on its own.
    """
    ws = content_words(phrase)
    if sum(w.number is None and len(w.word) >= 3 for w in ws) >= 2:
        return True  # "box cox", "ci cd": two words must meet
    for w in ws:
        if w.number is not None:
            digits = w.word.replace(",", "")
            if "." in digits or len(digits.lstrip("0")) >= 2:
                return True
        elif sum(c.isalpha() for c in w.word) >= 4 or w.word in acronyms:
            return True
    return False
