"""Simple inline math as styled text: ``$x_i$``, ``$\\lambda = 0.1$``, ``$O(n^2)$``.

About half of the bank's inline formulas are a variable, a number or a short
relation. Typeset as text (italic letters, upright digits and operators, real
sub- and superscripts) they read as formulas, sit on the text baseline, follow the
theme's colour and font size, and cost nothing to render, where an SVG from
ziamath costs about 8 ms of build time each. Anything beyond this small grammar
returns None and goes to ziamath.

Grammar: letters, digits, ``.``, the Greek letters and relation/operator commands
in the tables below, ``( ) [ ] , | / = + - < > !`` and spaces, with ``_`` or ``^``
followed by one character, one command, or a ``{...}`` group of the same.
"""

from __future__ import annotations

import html
import re

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
    "sigma": "σ", "tau": "τ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω", "ell": "ℓ",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "Pi": "Π",
}
RELATIONS = {"le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "approx": "≈", "neq": "≠",
             "ne": "≠", "to": "→", "in": "∈", "sim": "∼", "gg": "≫", "ll": "≪",
             "propto": "∝"}
OPERATORS = {"times": "×", "cdot": "·", "pm": "±"}
DOTS = {"ldots": "…", "dots": "…", "cdots": "⋯"}
_PLAIN_REL = {"=": "=", "<": "<", ">": ">"}
_PLAIN_OP = {"+": "+", "-": "−", "/": "/"}  # a real minus sign
_TOKEN_RE = re.compile(r"\\([A-Za-z]+)|\\,|([A-Za-z])|([0-9]+(?:\.[0-9]+)?|\.)|(\s+)|(.)")
MAX_LENGTH = 60  # longer inline formulas are rarely this simple


class _Unsupported(Exception):
    pass


def inline_math_html(tex: str) -> str | None:
    """Styled HTML for a simple inline formula, or None to render it with ziamath."""
    if len(tex) > MAX_LENGTH or not tex.strip():
        return None
    try:
        tokens = _tokens(tex)
        out, rest = _sequence(tokens, 0, top=True)
    except _Unsupported:
        return None
    if rest != len(tokens):
        return None
    return out.replace("</i><i>", "")  # "xw": one italic run


def _tokens(tex: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN_RE.finditer(tex):
        command, letter, number, space, other = m.groups()
        if command is not None:
            if command in GREEK:
                out.append(("greek", command))
            elif command in RELATIONS:
                out.append(("rel", RELATIONS[command]))
            elif command in OPERATORS:
                out.append(("op", OPERATORS[command]))
            elif command in DOTS:
                out.append(("atom", DOTS[command]))
            else:
                raise _Unsupported(command)
        elif m.group(0) == "\\,":
            out.append(("space", "\u2009"))
        elif letter is not None:
            out.append(("letter", letter))
        elif number is not None:
            out.append(("number", number))
        elif space is not None:
            continue  # TeX ignores spaces in math
        elif other in _PLAIN_REL:
            out.append(("rel", _PLAIN_REL[other]))
        elif other in _PLAIN_OP:
            out.append(("op", _PLAIN_OP[other]))
        elif other in "()[]|,!":
            out.append(("punct", other))
        elif other in "_^{}":
            out.append((other, other))
        else:
            raise _Unsupported(other)
    return out


def _atom(kind: str, value: str) -> str:
    if kind == "letter":
        return f"<i>{value}</i>"
    if kind == "greek":
        char = GREEK[value]
        return f"<i>{char}</i>" if value[0].islower() else char
    return html.escape(value)


def _sequence(tokens: list[tuple[str, str]], i: int, top: bool) -> tuple[str, int]:
    parts: list[str] = []
    previous = "start"  # kind of the last item: start, operand, rel/op, punct
    while i < len(tokens):
        kind, value = tokens[i]
        if kind == "}":
            if top:
                raise _Unsupported("}")
            return "".join(parts), i
        if kind in ("letter", "greek", "number", "atom"):
            parts.append(_atom(kind, value))
            previous = "operand"
            i += 1
        elif kind in ("_", "^"):
            if previous != "operand" and not parts:
                raise _Unsupported(kind)
            script, i = _script(tokens, i + 1)
            tag = "sub" if kind == "_" else "sup"
            parts.append(f"<{tag}>{script}</{tag}>")
        elif kind == "rel":
            parts.append(f" {html.escape(value)} ")
            previous = "rel"
            i += 1
        elif kind == "op":
            binary = previous == "operand" and value not in "/"
            parts.append(f" {value} " if binary else value)
            previous = "op"
            i += 1
        elif kind == "punct":
            parts.append(value + (" " if value == "," else ""))
            previous = "operand" if value in ")]|!" else "punct"
            i += 1
        elif kind == "space":
            parts.append(value)
            i += 1
        else:  # a bare "{" outside a script
            raise _Unsupported(kind)
    if not top:
        raise _Unsupported("unclosed group")
    return "".join(parts).strip(), i


def _script(tokens: list[tuple[str, str]], i: int) -> tuple[str, int]:
    if i >= len(tokens):
        raise _Unsupported("empty script")
    kind, value = tokens[i]
    if kind == "{":
        inner, end = _sequence(tokens, i + 1, top=False)
        return inner.strip(), end + 1
    if kind in ("letter", "greek", "atom"):
        return _atom(kind, value), i + 1
    if kind == "number":  # TeX takes one digit: x^23 is x² followed by 3
        if len(value) > 1:
            tokens[i] = ("number", value[1:])
            return html.escape(value[0]), i
        return html.escape(value), i + 1
    raise _Unsupported(kind)
