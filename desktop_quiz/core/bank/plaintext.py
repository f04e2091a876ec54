"""Readable plain text from question Markdown, for one-line titles and accessible names.

Lists, window titles and screen readers cannot show rendered formulas, so math is
spelled out the way one would type it: ``$\\frac{a}{b}$`` → "a/b",
``$\\frac{1}{1+e^{-x}}$`` → "1/(1+e^-x)", ``\\lambda`` → "λ", ``\\mathrm{diag}`` →
"diag". Markdown emphasis, code ticks and heading marks are dropped.
"""

from __future__ import annotations

import re

from desktop_quiz.core.bank.simplemath import DOTS, GREEK, OPERATORS, RELATIONS

SYMBOLS = {
    **GREEK, **RELATIONS, **OPERATORS, **DOTS,
    "infty": "∞", "sum": "Σ", "prod": "Π", "int": "∫", "partial": "∂", "nabla": "∇",
    "mid": "|", "top": "ᵀ", "perp": "⊥", "cup": "∪", "cap": "∩", "subset": "⊂",
    "subseteq": "⊆", "forall": "∀", "exists": "∃", "neg": "¬", "land": "∧", "lor": "∨",
    "Rightarrow": "⇒", "rightarrow": "→", "leftarrow": "←", "mapsto": "↦",
    "langle": "⟨", "rangle": "⟩", "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖",
    "varnothing": "∅", "emptyset": "∅", "circ": "∘", "odot": "⊙", "otimes": "⊗",
    "oplus": "⊕", "star": "⋆", "ast": "∗", "min": "min", "max": "max", "log": "log",
    "exp": "exp", "ln": "ln", "sin": "sin", "cos": "cos", "tanh": "tanh", "det": "det",
    "arg": "arg", "argmin": "argmin", "argmax": "argmax", "lim": "lim", "sup": "sup",
    "inf": "inf", "Pr": "Pr", "quad": " ", "qquad": " ", ",": " ", ";": " ", ":": " ",
    "!": "", " ": " ", "{": "{", "}": "}", "%": "%", "$": "$", "_": "_", "#": "#",
    "&": "&", "prime": "′", "dagger": "†", "cdotp": "·", "bullet": "•",
}
# Commands whose argument is shown as it is (fonts, text, decorations).
TRANSPARENT = {
    "mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb", "boldsymbol",
    "bm", "text", "textrm", "textbf", "textit", "operatorname", "hat", "widehat", "bar",
    "overline", "tilde", "widetilde", "vec", "dot", "ddot", "underline", "mathbbm",
    "displaystyle", "textstyle", "left", "right", "big", "Big", "bigg", "Bigg", "bigl",
    "bigr", "Bigl", "Bigr", "limits", "nolimits",
}
_MATH_RE = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.DOTALL)
_MD_NOISE = re.compile(r"(\*+|__|`|^#+\s*|\\\(|\\\))", re.MULTILINE)
_CMD_RE = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_SIMPLE_RE = re.compile(
    r"^[0-9.]+$|^[^\W\d_][₀-₉ₐ-ₜᵢⱼᵣᵤᵥ′ᵀ⁰-⁹ⁱⁿ]*$|^\w+\(.*\)$|^\([^()]*\)$|^[A-Za-z]{2,}$")
_ENV_RE = re.compile(r"\\(begin|end)\{[a-z*]*\}")
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvxβγρφχ",
                "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True))
_SUP = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzT",
                "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ", strict=True))


def plain_math(tex: str) -> str:
    """A TeX formula as readable one-line text."""
    tex = _ENV_RE.sub(lambda m: "[" if m[1] == "begin" else "]", tex)
    tex = tex.replace("\\\\", ";").replace("&", " ")
    out, _ = _group(tex, 0, stop="")
    out = re.sub(r"\s+([)\],;²³ᵀ])", r"\1", re.sub(r"\s+", " ", out)).strip()
    return re.sub(r"\s*([=<>≤≥≈≠→∈+])\s*", r" \1 ", out).replace("  ", " ").strip()


def plain_text(markdown_text: str) -> str:
    """Markdown (with math) as one line of plain text."""
    text = markdown_text.replace("\\$", "\0")  # an escaped dollar is no math
    text = _MATH_RE.sub(lambda m: plain_math(m[1] or m[2]), text).replace("\0", "$")
    text = _MD_NOISE.sub("", text)
    return " ".join(text.split())


def _wrap(s: str) -> str:
    """Parenthesise a fraction part or exponent unless it is one simple token."""
    s = s.strip()
    return s if _SIMPLE_RE.match(s) else f"({s})"


def _arg(tex: str, i: int) -> tuple[str, int]:
    """One argument: a {group}, a command or a single character."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i >= len(tex):
        return "", i
    if tex[i] == "{":
        return _group(tex, i + 1, stop="}")
    if tex[i] == "\\":
        m = _CMD_RE.match(tex, i)
        return _command(tex, m[1], m.end()) if m else ("", i + 1)
    return tex[i], i + 1


def _command(tex: str, name: str, i: int) -> tuple[str, int]:
    if name in ("frac", "dfrac", "tfrac"):
        num, i = _arg(tex, i)
        den, i = _arg(tex, i)
        return f"{_wrap(num)}/{_wrap(den)} ", i
    if name == "sqrt":
        if i < len(tex) and tex[i] == "[":  # \sqrt[n]{x}
            end = tex.find("]", i)
            i = end + 1 if end > 0 else i
        body, i = _arg(tex, i)
        return f"√{_wrap(body)}", i
    if name in TRANSPARENT:
        if name in ("left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl",
                    "Bigr"):
            if tex.startswith(".", i):
                return "", i + 1
            return "", i
        if name in ("displaystyle", "textstyle", "limits", "nolimits"):
            return "", i
        return _arg(tex, i)
    return SYMBOLS.get(name, name), i


def _group(tex: str, i: int, stop: str) -> tuple[str, int]:
    out: list[str] = []
    while i < len(tex):
        c = tex[i]
        if stop and c == stop:
            return "".join(out), i + 1
        if c == "{":
            inner, i = _group(tex, i + 1, stop="}")
            out.append(inner)
        elif c == "\\":
            m = _CMD_RE.match(tex, i)
            text, i = _command(tex, m[1], m.end()) if m else ("", i + 1)
            out.append(text)
        elif c in "^_":
            arg, i = _arg(tex, i + 1)
            if c == "^" and arg in ("ᵀ", "T", "⊤") and out:
                out.append("ᵀ")
            elif c == "^" and arg in ("′", "′′"):
                out.append(arg)
            else:
                out.append(_script(arg, _SUP if c == "^" else _SUB, c))
        elif c == "~":
            out.append(" ")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out), i


def _script(arg: str, table: dict[str, str], mark: str) -> str:
    """x_i → xᵢ, e^{-x} → e⁻ˣ where Unicode has every character, else x_(i+1) / e^(…)."""
    arg = arg.replace("−", "-").strip()
    if arg and all(ch in table for ch in arg) and (len(arg) <= 3 or not arg.isalpha()):
        return "".join(table[ch] for ch in arg)
    return mark + _wrap(arg)
