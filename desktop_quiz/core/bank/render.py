"""Render question Markdown to the sanitized HTML the app shows.

All of this runs at bank-build time, never per question in the app:

- python-markdown with pymdown-extensions (tables, fenced code, math delimiters);
- fenced code highlighted by Pygments with inline styles. Code blocks use a dark
  palette in both themes, so they stay readable without a second rendering;
- ``$…$`` / ``$$…$$`` math rendered to SVG by ziamath (``svg2=False``, which Qt's
  SVG renderer draws). Each distinct formula is stored once and referenced from
  the HTML as ``<img src="math:HASH">``; the app resolves those from the bank;
- the result is cleaned by nh3 against an allowlist of exactly the tags and
  attributes this renderer emits: no script, no event handlers, no remote URLs.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import markdown
import nh3

from desktop_quiz.core.bank.simplemath import inline_math_html
from desktop_quiz.core.bank.svgpath import compact_svg
from desktop_quiz.core.bank.ziamath_fast import shallow_fields, speed_up_ziamath

CODE_STYLE = "github-dark"
CODE_BACKGROUND = "#161b22"
CODE_FOREGROUND = "#e6edf3"
MATH_INLINE_PX = 17
MATH_DISPLAY_PX = 19
MATH_SCHEME = "math"

ALLOWED_TAGS = {
    "p", "br", "hr", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "span", "div", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "blockquote", "img", "sup", "sub", "del", "a",
}
ALLOWED_ATTRIBUTES = {
    "span": {"style"},
    "pre": {"style"},
    "div": {"align"},
    "p": {"align"},
    "img": {"src", "width", "height", "alt", "style"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "a": {"href"},
    "ol": {"start"},
}
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "vertical-align",
    "text-align", "text-decoration", "line-height",
}
# Only our own math images and https links survive; any other URL (relative,
# absolute path, //host, file:, data: from a file) is dropped with its attribute.
URL_SCHEMES = {MATH_SCHEME, "https"}
_OUR_IMAGE_RE = re.compile(rf"^{MATH_SCHEME}:[0-9a-f]{{1,64}}$")
_HTTPS_RE = re.compile(r"^https://[^/\s]+(/\S*)?$", re.IGNORECASE)

_MATH_RE = re.compile(
    r'<span class="arithmatex">\\\((?P<inline>.*?)\\\)</span>'
    r'|<div class="arithmatex">\\\[(?P<display>.*?)\\\]</div>',
    re.DOTALL,
)
_HIGHLIGHT_RE = re.compile(
    r'<div class="highlight" style="[^"]*"><pre style="[^"]*">(?:<span></span>)?', re.DOTALL
)
_SVG_SIZE_RE = re.compile(r'<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"')


class MathError(ValueError):
    """A formula that ziamath cannot parse."""

    def __init__(self, tex: str, reason: str):
        self.tex = tex
        super().__init__(f"math does not parse: ${tex}$ ({reason})")


@dataclass(frozen=True)
class Formula:
    hash: str
    tex: str
    display: bool
    svg: str
    width: int
    height: int


@dataclass
class Renderer:
    """Renders Markdown to safe HTML, collecting every distinct formula once."""

    formulas: dict[str, Formula] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # keys referenced by rendered HTML
    _md: Any = None

    def html(self, text: str) -> str:
        """Markdown source → sanitized HTML. Raises :class:`MathError`."""
        if not text.strip():
            return ""
        md = self._markdown()
        md.reset()
        raw = md.convert(isolate_display_math(normalize_list_indent(text)))
        raw = _HIGHLIGHT_RE.sub(
            f'<pre style="background-color: {CODE_BACKGROUND}; color: {CODE_FOREGROUND};">',
            raw,
        ).replace("</code></pre></div>", "</code></pre>")
        raw = _MATH_RE.sub(self._math_img, raw)
        if "$$" in _CODE_RE.sub("", raw):
            raise MathError(_first_dollars(raw), "display math left unrendered; put $$ … $$ "
                            "on lines of their own")
        return sanitize(raw)

    def prerender(self, texts: list[str], workers: int | None = None) -> None:
        """Render every formula in ``texts`` not cached yet, on all cores.

        Formulas that fail are left out; rendering them again in :meth:`html`
        raises the :class:`MathError` with its context.
        """
        md = self._markdown()
        wanted: dict[str, tuple[str, bool]] = {}
        for text in texts:
            for tex, display in find_math(text, md):
                key = formula_key(tex, display)
                if key not in self.formulas:
                    wanted[key] = (tex, display)
        if not wanted:
            return
        items = sorted(wanted.items())
        workers = workers or os.cpu_count() or 1
        results: list[str | None]
        if workers > 1 and len(items) > 20 and not getattr(sys, "frozen", False):
            from concurrent.futures import ProcessPoolExecutor

            try:
                with ProcessPoolExecutor(max_workers=workers) as pool:
                    results = list(pool.map(_render_or_none, [v for _, v in items],
                                            chunksize=16))
            except (OSError, RuntimeError, ImportError):  # no process support
                results = [_render_or_none(v) for _, v in items]
        else:
            results = [_render_or_none(v) for _, v in items]
        for (key, (tex, display)), svg in zip(items, results, strict=True):
            if svg is not None:
                self.formulas[key] = _formula(key, tex, display, svg)

    def preload(self, formulas: Iterable[Formula]) -> None:
        """Reuse formulas rendered by an earlier build of the same builder version."""
        for f in formulas:
            self.formulas.setdefault(f.hash, f)

    def check_math(self, text: str) -> list[MathError]:
        """Every formula in ``text`` that does not parse (nothing is stored)."""
        errors = []
        for tex, display in find_math(text, self._markdown()):
            try:
                self.formula(tex, display)
            except MathError as exc:
                errors.append(exc)
        return errors

    def formula(self, tex: str, display: bool) -> Formula:
        key = formula_key(tex, display)
        found = self.formulas.get(key)
        if found is None:
            found = self.formulas[key] = _formula(key, tex, display, render_svg(tex, display))
        return found

    def _math_img(self, m: re.Match[str]) -> str:
        display = m.group("display") is not None
        tex = html.unescape(m.group("display") if display else m.group("inline")).strip()
        if not display:
            text = inline_math_html(tex)
            if text is not None:
                return text
        f = self.formula(tex, display)
        self.used.add(f.hash)
        img = (
            f'<img src="{MATH_SCHEME}:{f.hash}" width="{f.width}" height="{f.height}" '
            f'alt="{html.escape(tex)}" style="vertical-align: middle">'
        )
        return f'<p align="center">{img}</p>' if display else img

    def _markdown(self) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=[
                    "tables",
                    "sane_lists",
                    "pymdownx.superfences",
                    "pymdownx.highlight",
                    "pymdownx.arithmatex",
                    "pymdownx.betterem",
                ],
                extension_configs={
                    "pymdownx.highlight": {
                        "noclasses": True,
                        "pygments_style": CODE_STYLE,
                        "use_pygments": True,
                        "guess_lang": False,
                    },
                    "pymdownx.arithmatex": {"generic": True},
                },
            )
        return self._md


def formula_key(tex: str, display: bool) -> str:
    return hashlib.sha256(f"{int(display)}:{tex}".encode()).hexdigest()[:16]


def _formula(key: str, tex: str, display: bool, svg: str) -> Formula:
    m = _SVG_SIZE_RE.search(svg)
    width, height = (round(float(m.group(1))), round(float(m.group(2)))) if m else (0, 0)
    return Formula(key, tex, display, svg, width, height)


def _render_or_none(item: tuple[str, bool]) -> str | None:
    try:
        return render_svg(*item)
    except MathError:
        return None


_CODE_RE = re.compile(r"<code>.*?</code>|<pre.*?</pre>", re.DOTALL)
_FENCE_LINE_RE = re.compile(r"^\s*(`{3,}|~{3,})")


def _first_dollars(raw: str) -> str:
    i = _CODE_RE.sub("", raw).find("$$")
    return html.unescape(re.sub(r"<[^>]+>", "", _CODE_RE.sub("", raw)[i:i + 60]))


def isolate_display_math(text: str) -> str:
    """Surround ``$$`` blocks with blank lines, as Markdown needs for a block.

    Authors naturally write "the loss is" followed by a ``$$`` line; without the
    blank line Markdown keeps it inside the paragraph and the math is not found.
    """
    out: list[str] = []
    fence = ""  # the fence character while inside a code block
    in_math = False

    def blank(like: str) -> None:  # keep list indentation so the block stays in its item
        out.append(like[: len(like) - len(like.lstrip())])

    for line in text.split("\n"):
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence * 3) else fence
            out.append(line)
        elif not in_math and (m := _FENCE_LINE_RE.match(line)):
            fence = m.group(1)[0]
            out.append(line)
        elif not in_math and stripped.startswith("$$"):
            if out and out[-1].strip():
                blank(line)
            out.append(line)
            one_liner = len(stripped) > 4 and stripped.endswith("$$")
            if one_liner:
                blank(line)
            else:
                in_math = True
        elif in_math and stripped.endswith("$$"):
            out.append(line)
            blank(line)
            in_math = False
        else:
            out.append(line)
    return "\n".join(out)


_ITEM_RE = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +)\S")


def normalize_list_indent(text: str) -> str:
    """Nested lists indented by 2–3 spaces, as most editors write them, re-indented to
    the 4 spaces python-markdown needs (it otherwise runs them into the parent item).

    Each list item's nesting level comes from its indent relative to the items above
    it; its lines (continuations, fenced code) move with it. Text without a nested
    item indented by fewer than 4 spaces per level is returned unchanged.
    """
    lines = text.split("\n")
    if not any((m := _ITEM_RE.match(line)) and len(m.group(1)) in (1, 2, 3) for line in lines):
        return text
    out: list[str] = []
    stack: list[int] = []  # marker indents of the open items, outermost first
    shift = 0  # what the current item's lines move by
    fence = ""
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if fence:
            fence = "" if stripped.startswith(fence * 3) else fence
            out.append(" " * max(0, indent + shift) + line[indent:] if stripped else line)
            continue
        m = _ITEM_RE.match(line)
        if m:
            while stack and stack[-1] > indent:
                stack.pop()
            if not stack or stack[-1] < indent:
                stack.append(indent)
            level = len(stack) - 1
            shift = 4 * level - indent
            out.append(" " * (4 * level) + line[indent:])
        elif not stripped:
            out.append(line)
        elif indent == 0:
            stack, shift = [], 0
            out.append(line)
        else:
            out.append(" " * max(0, indent + shift) + line[indent:] if stack else line)
        if (f := _FENCE_LINE_RE.match(line)) and not m:
            fence = f.group(1)[0]
    return "\n".join(out)


def find_math(text: str, md: markdown.Markdown | None = None) -> list[tuple[str, bool]]:
    """The formulas in Markdown ``text`` as ``(tex, is_display)``, via the real parser."""
    md = md or Renderer()._markdown()
    md.reset()
    raw = md.convert(isolate_display_math(normalize_list_indent(text)))
    return [
        (html.unescape(m.group("display") or m.group("inline") or "").strip(),
         m.group("display") is not None)
        for m in _MATH_RE.finditer(raw)
    ]


def renderer_version() -> str:
    """Identifies the math renderer; cached SVGs from another version are not reused."""
    from importlib.metadata import version

    return f"ziamath {version('ziamath')}"


def render_svg(tex: str, display: bool, compact: bool = True) -> str:
    """One formula → SVG 1.1 text (black fill; the app recolours it for dark mode),
    with relative paths (:func:`compact_svg`) unless ``compact`` is False. Done here,
    in the rendering worker processes, so the bank build does it on every core."""
    import ziamath  # heavy; only the builder needs it

    if ziamath.styles.asdict is not shallow_fields:
        speed_up_ziamath(ziamath)
    ziamath.config.svg2 = False
    # 0.1 px: indistinguishable from finer steps even at 3× zoom, and 21% smaller.
    ziamath.config.precision = 1
    try:
        svg = str(
            ziamath.Math.fromlatex(tex, size=MATH_DISPLAY_PX if display else MATH_INLINE_PX).svg()
        )
    except Exception as exc:  # ziamath raises many unrelated types for bad TeX
        raise MathError(tex, f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    svg = svg if display else pad_to_text_baseline(svg)
    return compact_svg(svg) if compact else svg


_VIEWBOX_RE = re.compile(r'(<svg[^>]*\bheight=")([\d.]+)("[^>]*\bviewBox=")'
                         r'([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)(")')


# Qt places an inline image with ``vertical-align: middle`` so that its centre is a
# quarter of the text's x-height above the baseline (QTextDocumentLayout): 2 px for the
# 11 pt reading font (x-height ~0.55 em of 14.7 px) at the size formulas are drawn for.
TEXT_MIDDLE_PX = 2.0


def pad_to_text_baseline(svg: str) -> str:
    """Pad an inline formula so that its baseline lands on the text's baseline.

    Inline images are placed with ``vertical-align: middle`` (Qt has no baseline
    offset for images). A formula with a tall top (exponents) or a deep bottom
    (subscripts, parentheses) would then sit too low or too high, and a full stop
    after it would float mid-line; blank space on the short side fixes that.
    """
    m = _VIEWBOX_RE.search(svg)
    if m is None:
        return svg
    x, top, width, height = (float(m.group(i)) for i in (4, 5, 6, 7))
    ascent, descent = -top, top + height  # SVG y grows downwards; baseline at y = 0
    excess = (ascent - descent) - 2 * TEXT_MIDDLE_PX
    if abs(excess) < 0.05:
        return svg
    if excess > 0:
        height += excess  # more below the baseline
    else:
        top += excess  # more above it
        height -= excess
    size = f"{m.group(1)}{height:.1f}{m.group(3)}{x:g} {top:.1f} {width:g} {height:.1f}{m.group(8)}"
    return svg[:m.start()] + size + svg[m.end():]


def _url_filter(element: str, attribute: str, value: str) -> str | None:
    """Keep an image only if the builder made it, a link only if it is https."""
    if element == "img" and attribute == "src":
        return value if _OUR_IMAGE_RE.match(value) else None
    if element == "a" and attribute == "href":
        return value if _HTTPS_RE.match(value) else None
    return value


def sanitize(raw: str) -> str:
    """Clean HTML against the renderer's allowlist."""
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties=STYLE_PROPERTIES,
        attribute_filter=_url_filter,
        link_rel=None,
        strip_comments=True,
    )
