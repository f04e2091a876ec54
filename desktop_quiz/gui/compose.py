"""Compose whole-question HTML from the bank's pre-rendered fragments.

Used by Browse's preview, the summary's "re-read" dialog and the mock-interview
report. Only our own escaped text is added around the bank's sanitized HTML.
"""

from __future__ import annotations

import html

from desktop_quiz.core.bank.plaintext import plain_text
from desktop_quiz.core.model import DIFFICULTY_NAMES, KeyPoint, Question
from desktop_quiz.core.study.grading import RecallResult
from desktop_quiz.gui.theme import Theme

KIND_LABELS = {"mcq": "Multiple choice", "recall": "Free recall", "code": "Coding exercise"}
OK_MARK = "✓"
BAD_MARK = "✗"
FLAG_MARK = "⚑"

def difficulty_name(level: int) -> str:
    return DIFFICULTY_NAMES.get(level, str(level)).capitalize()


def snippet(markdown_text: str, limit: int = 150) -> str:
    """A one-line plain-text preview of Markdown (for lists and accessible names)."""
    text = plain_text(markdown_text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fmt_duration(ms: int) -> str:
    seconds = max(0, round(ms / 1000))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def fmt_clock(seconds: int) -> str:
    seconds = max(0, seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _h(text: str, t: Theme, level: int = 3) -> str:
    return f'<h{level} style="color:{t.text}">{html.escape(text)}</h{level}>'


def meta_line(q: Question, topic_title: str, t: Theme, flagged: bool = False) -> str:
    parts = [topic_title, KIND_LABELS.get(q.kind, q.kind), difficulty_name(q.difficulty)]
    if flagged:
        parts.append(f"{FLAG_MARK} flagged")
    tags = ", ".join(q.tags)
    line = " · ".join(html.escape(p) for p in parts)
    if tags:
        line += f' · <span style="color:{t.muted}">tags: {html.escape(tags)}</span>'
    return f'<p style="color:{t.muted}">{line}</p>'


def choices_html(q: Question, t: Theme, chosen: frozenset[int] | None = None) -> str:
    """Every choice marked right or wrong (text + colour), with its explanation."""
    rows = []
    for i, c in enumerate(q.choices):
        mark, colour = (OK_MARK, t.ok) if c.correct else (BAD_MARK, t.bad)
        verdict = "correct" if c.correct else "wrong"
        picked = ""
        if chosen is not None and i in chosen:
            picked = " · your choice"
        rows.append(
            f'<tr><td width="52" style="color:{colour}; font-weight:bold; border:none">'
            f"{mark}&nbsp;{i + 1}</td><td style=\"border:none\">{c.text_html}"
            f'<p style="color:{colour}; font-weight:bold; margin-bottom:2px">{verdict}{picked}</p>'
            f"{c.explanation_html}</td></tr>"
        )
    return f'<table width="100%" cellpadding="4" style="border:none">{"".join(rows)}</table>'


def point_html(point: KeyPoint) -> str:
    """A key point's text with its math rendered (escaped source for an older bank)."""
    return point.text_html or html.escape(point.text)


def key_points_html(q: Question, t: Theme, result: RecallResult | None = None) -> str:
    items = []
    for i, point in enumerate(q.key_points):
        hit = result.points[i].hit if result is not None and i < len(result.points) else None
        if hit is None:
            items.append(f"<li>{point_html(point)}</li>")
        else:
            mark, colour, word = (OK_MARK, t.ok, "covered") if hit else (BAD_MARK, t.bad,
                                                                          "missed")
            items.append(f'<li><span style="color:{colour}; font-weight:bold">{mark} {word}:'
                         f"</span> {point_html(point)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def question_html(q: Question, topic_title: str, t: Theme, *, flagged: bool = False,
                  response: str | None = None, chosen: frozenset[int] | None = None,
                  recall: RecallResult | None = None) -> str:
    """The full question: prompt, choices or key points, answer, references."""
    out = [meta_line(q, topic_title, t, flagged), q.prompt_html]
    if q.kind == "mcq":
        heading = "Choices (select all that apply)" if q.multi else "Choices"
        out += [_h(heading, t), choices_html(q, t, chosen)]
    if q.kind == "code" and q.exercise is not None:
        tests = "".join(f"<li><code>{html.escape(c.name)}</code> — {html.escape(c.doc)}</li>"
                        for c in q.exercise.test_cases)
        out += [_h(f"Tests ({len(q.exercise.test_cases)})", t), f"<ul>{tests}</ul>"]
        if response is not None:
            out += [_h("Your code", t), f"<pre>{html.escape(response)}</pre>"]
        out += [_h("Reference solution", t), f"<pre>{html.escape(q.exercise.solution)}</pre>"]
    if response is not None and q.kind == "recall":
        shown = html.escape(response.strip()) or "<i>(no answer)</i>"
        out += [_h("Your answer", t),
                f'<p style="white-space: pre-wrap">{shown}</p>']
    if q.kind == "recall":
        out += [_h("Key points", t), key_points_html(q, t, recall)]
    if q.hint_html and response is None:
        out += [_h("Hint", t), q.hint_html]
    out += [_h("Answer", t), q.answer_html]
    if q.references_html:
        out += [_h("References", t), q.references_html]
    return "\n".join(out)
