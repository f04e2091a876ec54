"""Export questions to an Anki package (``.apkg``) with genanki.

- One deck per topic under a parent deck (``desktop-quiz::<Topic title>``).
- Two note types styled like the app: *MCQ* (choices on the front; the key and
  every explanation on the back) and *Recall* (key points and model answer on the
  back).
- Math stays TeX, in Anki's MathJax delimiters ``\\(...\\)`` / ``\\[...\\]``; code is
  highlighted by Pygments with inline styles (no stylesheet needed on a phone).
- Tags: the question's tags, ``topic::<slug>`` and ``difficulty::<name>``.
- GUIDs come from question ids (``genanki.guid_for``), so exporting again updates
  the notes Anki already has instead of adding duplicates. Deck and note-type ids
  are fixed numbers for the same reason.

The Markdown *sources* are rendered here (not the bank's HTML, which holds SVG math
for the app).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_quiz.core.model import DIFFICULTY_NAMES, Question, Topic

PARENT_DECK = "desktop-quiz"
GUID_NAMESPACE = "desktop-quiz"
MCQ_MODEL_ID = 1_734_562_011
RECALL_MODEL_ID = 1_734_562_012

CSS = """
.card { font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  font-size: 17px; line-height: 1.5; color: #1f2328; background: #ffffff;
  text-align: left; max-width: 46em; margin: 0 auto; padding: 0 12px; }
.nightMode.card, .night_mode .card { color: #e6e8eb; background: #1b1d21; }
.dq-topic { color: #5b6270; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
.dq-prompt { font-size: 18px; margin: 8px 0 14px; }
.dq-choices { list-style: none; padding: 0; }
.dq-choice { border: 1px solid #d0d5dd; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.dq-letter { font-weight: 600; color: #2457c5; margin-right: 6px; }
.dq-right { border-color: #13722f; background: #e3f4e8; }
.dq-wrong { opacity: .85; }
.nightMode .dq-right, .night_mode .dq-right { background: #173a23; border-color: #3fb950; }
.dq-why { color: #5b6270; font-size: 15px; margin-top: 4px; }
.nightMode .dq-why, .night_mode .dq-why { color: #a4abb6; }
.dq-key { font-weight: 600; color: #13722f; }
.dq-points li { margin: 4px 0; }
.dq-section { font-weight: 600; margin-top: 14px; color: #2457c5; }
.dq-multi { color: #a15c00; font-size: 14px; }
pre { background-color: #161b22; color: #e6edf3; padding: 8px 10px; border-radius: 6px;
  overflow-x: auto; font-size: 14px; }
code { font-family: "JetBrains Mono", Menlo, Consolas, monospace; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #d0d5dd; padding: 4px 8px; }
th { background: #eef1f5; }
.nightMode th, .night_mode th { background: #2a2e35; }
"""

_FIELDS_MCQ = ["Id", "Topic", "Prompt", "Choices", "Key", "Explanations", "Answer", "Hint",
               "References"]
_FIELDS_RECALL = ["Id", "Topic", "Prompt", "KeyPoints", "Answer", "Hint", "References"]

_MCQ_FRONT = """<div class="dq-topic">{{Topic}}</div>
<div class="dq-prompt">{{Prompt}}</div>
{{Choices}}
{{#Hint}}<details><summary>Hint</summary>{{Hint}}</details>{{/Hint}}"""
_MCQ_BACK = """<div class="dq-topic">{{Topic}}</div>
<div class="dq-prompt">{{Prompt}}</div>
<hr id="answer">
<div class="dq-key">{{Key}}</div>
{{Explanations}}
<div class="dq-section">Answer</div>
{{Answer}}
{{#References}}<div class="dq-section">References</div>{{References}}{{/References}}"""
_RECALL_FRONT = """<div class="dq-topic">{{Topic}}</div>
<div class="dq-prompt">{{Prompt}}</div>
{{#Hint}}<details><summary>Hint</summary>{{Hint}}</details>{{/Hint}}"""
_RECALL_BACK = """{{FrontSide}}
<hr id="answer">
<div class="dq-section">Key points</div>
{{KeyPoints}}
<div class="dq-section">Model answer</div>
{{Answer}}
{{#References}}<div class="dq-section">References</div>{{References}}{{/References}}"""

_ARITHMATEX_RE = re.compile(
    r'<span class="arithmatex">(\\\(.*?\\\))</span>'
    r'|<div class="arithmatex">(\\\[.*?\\\])</div>',
    re.DOTALL,
)
_HIGHLIGHT_RE = re.compile(r'<div class="highlight"[^>]*>(<pre)', re.DOTALL)


class AnkiExportError(Exception):
    """Nothing to export, or the package cannot be written."""


def _stable_id(text: str) -> int:
    """A deck id from its name: the same every export, in Anki's positive 2**31..2**62."""
    return (1 << 31) + int(hashlib.sha256(text.encode()).hexdigest()[:14], 16)


class AnkiRenderer:
    """Markdown → HTML for Anki: MathJax delimiters, Pygments with inline styles."""

    def __init__(self) -> None:
        import markdown

        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", "pymdownx.superfences", "pymdownx.highlight",
                        "pymdownx.arithmatex", "pymdownx.betterem"],
            extension_configs={
                "pymdownx.highlight": {"noclasses": True, "pygments_style": "github-dark",
                                       "use_pygments": True, "guess_lang": False},
                "pymdownx.arithmatex": {"generic": True},
            },
        )

    def html(self, text: str) -> str:
        from desktop_quiz.core.bank.render import isolate_display_math

        if not text.strip():
            return ""
        self._md.reset()
        raw = self._md.convert(isolate_display_math(text))
        raw = _ARITHMATEX_RE.sub(
            lambda m: m.group(1) if m.group(1) else f"<div>{m.group(2)}</div>", raw)
        raw = _HIGHLIGHT_RE.sub(r"\1", raw).replace("</code></pre></div>", "</code></pre>")
        return raw

    def inline(self, text: str) -> str:
        """One-paragraph Markdown without the surrounding ``<p>``."""
        out = self.html(text)
        if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
            out = out[3:-4]
        return out


@dataclass(frozen=True)
class ExportReport:
    path: Path
    notes: int
    mcq: int
    recall: int
    decks: int


def _models() -> tuple[Any, Any]:
    import genanki

    mcq = genanki.Model(
        MCQ_MODEL_ID, "desktop-quiz MCQ",
        fields=[{"name": f} for f in _FIELDS_MCQ],
        templates=[{"name": "Card 1", "qfmt": _MCQ_FRONT, "afmt": _MCQ_BACK}],
        css=CSS, sort_field_index=2)
    recall = genanki.Model(
        RECALL_MODEL_ID, "desktop-quiz Recall",
        fields=[{"name": f} for f in _FIELDS_RECALL],
        templates=[{"name": "Card 1", "qfmt": _RECALL_FRONT, "afmt": _RECALL_BACK}],
        css=CSS, sort_field_index=2)
    return mcq, recall


def note_fields(q: Question, topic_title: str, r: AnkiRenderer) -> list[str]:
    """The note's fields, in the order of its note type."""
    letters = "ABCDEFGH"
    common = [q.id, html.escape(topic_title), r.html(q.prompt)]
    tail = [r.html(q.answer), r.html(q.hint), r.html(q.references)]
    if q.kind == "mcq":
        items = "".join(
            f'<li class="dq-choice"><span class="dq-letter">{letters[i]}</span>'
            f"{r.inline(c.text)}</li>" for i, c in enumerate(q.choices))
        multi = ('<div class="dq-multi">Select all that apply.</div>' if q.multi else "")
        choices = f'{multi}<ol class="dq-choices">{items}</ol>'
        right = ", ".join(letters[i] for i, c in enumerate(q.choices) if c.correct)
        key = f"Correct: {right}"
        explanations = '<ol class="dq-choices">' + "".join(
            f'<li class="dq-choice {"dq-right" if c.correct else "dq-wrong"}">'
            f'<span class="dq-letter">{letters[i]}</span>{r.inline(c.text)}'
            f'<div class="dq-why">{r.html(c.explanation)}</div></li>'
            for i, c in enumerate(q.choices)) + "</ol>"
        return [*common, choices, key, explanations, *tail]
    points = '<ul class="dq-points">' + "".join(
        f"<li>{r.inline(k.text)}</li>" for k in q.key_points) + "</ul>"
    return [*common, points, *tail]


def note_tags(q: Question) -> list[str]:
    return [*q.tags, f"topic::{q.topic}", f"difficulty::{DIFFICULTY_NAMES[q.difficulty]}"]


def export_apkg(questions: Iterable[Question], topics: Sequence[Topic], out: Path,
                parent: str = PARENT_DECK) -> ExportReport:
    """Write ``questions`` (with Markdown sources) to ``out`` as an Anki package."""
    import genanki

    titles = {t.slug: t.title for t in topics}
    order = {t.slug: i for i, t in enumerate(topics)}
    qs = sorted(questions, key=lambda q: (order.get(q.topic, len(order)), q.topic))
    if not qs:
        raise AnkiExportError("no questions match; nothing to export")
    mcq_model, recall_model = _models()
    renderer = AnkiRenderer()
    decks: dict[str, genanki.Deck] = {}
    counts = {"mcq": 0, "recall": 0}
    for q in qs:
        if q.kind not in counts:
            continue  # a kind Anki cannot show (e.g. code exercises)
        title = titles.get(q.topic, q.topic)
        name = f"{parent}::{title}"
        deck = decks.get(name)
        if deck is None:
            deck = decks[name] = genanki.Deck(_stable_id(name), name)
        model = mcq_model if q.kind == "mcq" else recall_model
        deck.add_note(genanki.Note(
            model=model, fields=note_fields(q, title, renderer), tags=note_tags(q),
            guid=genanki.guid_for(GUID_NAMESPACE, q.id)))
        counts[q.kind] += 1
    if not decks:
        raise AnkiExportError("no multiple-choice or recall questions match; nothing to export")
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    try:
        genanki.Package(list(decks.values())).write_to_file(str(tmp))
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AnkiExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    return ExportReport(out, counts["mcq"] + counts["recall"], counts["mcq"], counts["recall"],
                        len(decks))
