"""Build the read-only SQLite question bank from ``questions/`` with sqlite-utils.

``compile_source`` parses, validates and renders everything (raising
:class:`~desktop_quiz.core.bank.source.SourceError` with every problem);
``build_bank`` writes the result atomically: to a temporary file beside the
target, then ``os.replace``. A failed build never touches the previous bank.

The output is deterministic: the same sources and builder version give the same
rows in the same order, and the ``meta`` table records schema version, source
hash, question count and builder version (no timestamps).
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_quiz.core.model import Question, Topic

if TYPE_CHECKING:
    from desktop_quiz.core.bank.render import Formula, Renderer
from desktop_quiz.core.bank.source import Problem, SourceError, parse_folder, source_hash

BANK_SCHEMA_VERSION = 1
# Bump whenever rendering or the schema changes, so existing banks count as stale.
BUILDER_VERSION = "8"

# Runs every exercise's Solution and Starter against its Tests. The builder is given
# one (the CLI passes ``core.study.runner.check_exercises``): the bank never imports the
# study package. Arguments: [(id, starter, tests, solution, test names)]; returns
# problem messages per id, e.g. {"ex-softmax": ["the Solution fails test_shape: …"]}.
CodeChecker = Callable[[Sequence[tuple[str, str, str, str, tuple[str, ...]]]],
                       dict[str, list[str]]]


@dataclass
class CompiledBank:
    topics: list[Topic]
    questions: list[Question]
    renderer: Renderer
    source_hash: str


def compile_source(source: Path, previous: Path | None = None,
                   check_code: CodeChecker | None = None) -> CompiledBank:
    """Parse, validate and render every question. Raises SourceError listing all problems.

    ``previous`` is an earlier bank: formulas it rendered with this builder version
    are reused, so rebuilding after an edit renders only new formulas. ``check_code``
    runs the coding exercises (``bank check`` and ``bank build`` pass one; the app's
    automatic rebuild in a source checkout does not).
    """
    topics, questions, problems = parse_folder(source)
    preloaded = read_formulas(previous) if previous is not None else []
    renderer, rendered, math_problems = render_all(questions, source, preloaded)
    problems.extend(math_problems)
    if check_code is not None:
        # After rendering, not beside it: rendering forks worker processes, and a
        # fork must not happen while another thread drives subprocesses.
        problems.extend(code_problems(questions, check_code))
    if problems:
        raise SourceError(problems)
    return CompiledBank(topics, rendered, renderer, current_source_hash(source))


def code_problems(questions: Sequence[Question], check_code: CodeChecker) -> list[Problem]:
    """Run each exercise's Solution (must pass) and Starter (must fail), as path:line."""
    exercises = [q for q in questions if q.exercise is not None]
    found = check_code([(q.id, q.exercise.starter, q.exercise.tests, q.exercise.solution,
                         tuple(t.name for t in q.exercise.test_cases))
                        for q in exercises if q.exercise is not None])
    out: list[Problem] = []
    for q in exercises:
        for message in found.get(q.id, []):
            section = "starter" if "Starter" in message else "solution"
            out.append(Problem(q.source_path, q.lines.get(section, 1), message))
    return out


# Questions per task: large enough to amortise a task, small enough to balance cores.
CHUNK = 40
_WORKER: dict[str, Renderer] = {}


def render_all(questions: list[Question], source: Path, preloaded: list[Formula],
               workers: int | None = None) -> tuple[Renderer, list[Question], list[Problem]]:
    """Render every question's Markdown and math, on all cores.

    Each worker converts its questions' Markdown once and renders their formulas,
    keeping its own formula cache; the results come back in question order, so the
    bank is the same whatever the number of workers.
    """
    from desktop_quiz.core.bank.render import Renderer

    chunks = [questions[i:i + CHUNK] for i in range(0, len(questions), CHUNK)]
    workers = workers or os.cpu_count() or 1
    results: list[tuple[list[tuple[Question | None, list[Problem]]], dict[str, Formula]]]
    # The frozen app builds only the learner's own questions, in process (it ships
    # without multiprocessing, and a pool would start more copies of the app).
    if workers > 1 and len(chunks) > 1 and not getattr(sys, "frozen", False):
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker,
                                     initargs=(preloaded,)) as pool:
                results = list(pool.map(_render_chunk, chunks, [source] * len(chunks)))
        except (OSError, RuntimeError, ImportError):  # no process support (sandboxed)
            results = _render_here(chunks, source, preloaded)
    else:
        results = _render_here(chunks, source, preloaded)
    renderer = Renderer()
    renderer.preload(preloaded)
    rendered: list[Question] = []
    problems: list[Problem] = []
    for outcomes, formulas in results:
        renderer.formulas.update(formulas)
        renderer.used.update(formulas)
        for q, found in outcomes:
            problems.extend(found)
            if q is not None:
                rendered.append(q)
    return renderer, rendered, problems


def _init_worker(preloaded: list[Formula]) -> None:
    from desktop_quiz.core.bank.render import Renderer

    renderer = Renderer()
    renderer.preload(preloaded)
    _WORKER["renderer"] = renderer


def _render_chunk(chunk: list[Question], source: Path
                  ) -> tuple[list[tuple[Question | None, list[Problem]]], dict[str, Formula]]:
    renderer = _WORKER["renderer"]
    renderer.used = set()
    outcomes = [_render_question(q, renderer, source) for q in chunk]
    return outcomes, {h: renderer.formulas[h] for h in renderer.used}


def _render_here(chunks: list[list[Question]], source: Path, preloaded: list[Formula]
                 ) -> list[tuple[list[tuple[Question | None, list[Problem]]],
                                 dict[str, Formula]]]:
    _init_worker(preloaded)
    try:
        return [_render_chunk(chunk, source) for chunk in chunks]
    finally:
        _WORKER.clear()


def _texts(q: Question) -> list[str]:
    hints = q.exercise.hints if q.exercise else ()
    return [q.prompt, q.answer, q.hint, q.references, *hints,
            *(t for c in q.choices for t in (c.text, c.explanation))]


def read_formulas(bank: Path) -> list[Formula]:
    """Formulas stored in an earlier bank of this builder version ([] otherwise)."""
    from desktop_quiz.core.bank.render import Formula, renderer_version

    meta = read_meta(bank)
    if (meta.get("builder_version"), meta.get("renderer")) != (BUILDER_VERSION,
                                                               renderer_version()):
        return []

    try:
        conn = sqlite3.connect(f"file:{bank}?mode=ro", uri=True)
        try:
            return [
                Formula(h, tex, bool(display), zlib.decompress(svg).decode(), w, hgt)
                for h, tex, display, svg, w, hgt in conn.execute(
                    "SELECT hash, tex, display, svg, width, height FROM math")
            ]
        finally:
            conn.close()
    except (sqlite3.DatabaseError, zlib.error):
        return []


def current_source_hash(source: Path) -> str:
    return source_hash(source, extra=f"builder={BUILDER_VERSION};schema={BANK_SCHEMA_VERSION}")


def _render_question(
    q: Question, renderer: Renderer, source: Path
) -> tuple[Question | None, list[Problem]]:
    from desktop_quiz.core.bank.render import MathError

    problems: list[Problem] = []

    def html(text: str, section: str) -> str:
        try:
            return renderer.html(text)
        except MathError as exc:
            problems.append(Problem(q.source_path, _line_of(q, exc.tex, section), str(exc)))
            return ""

    choices = tuple(
        replace(
            c,
            text_html=html(c.text, "choices"),
            explanation_html=html(c.explanation, "choices"),
        )
        for c in q.choices
    )
    points = tuple(replace(k, text_html=inline_html(html(k.text, "key points")))
                   for k in q.key_points)
    out = replace(
        q,
        key_points=points,
        prompt_html=html(q.prompt, "prompt"),
        answer_html=html(q.answer, "answer"),
        hint_html=html(q.hint, "hint"),
        references_html=html(q.references, "references"),
        choices=choices,
        exercise=(replace(q.exercise, hints_html=tuple(html(h, "hint") for h in q.exercise.hints))
                  if q.exercise else None),
    )
    return (None if problems else out), problems


def inline_html(fragment: str) -> str:
    """One rendered paragraph without its ``<p>`` (a key point shown inside a line)."""
    s = fragment.strip()
    if s.startswith("<p>") and s.endswith("</p>") and s.count("<p>") == 1:
        return s[3:-4]
    return s


def _line_of(q: Question, tex: str, section: str) -> int:
    """Best line number for a formula: where its first line occurs in the file."""
    try:
        lines = Path(q.source_path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return q.lines.get(section, 1)
    needle = tex.splitlines()[0].strip() if tex.strip() else tex
    start = q.lines.get(section, 1)
    for i in range(max(start - 1, 0), len(lines)):
        if needle and needle in lines[i]:
            return i + 1
    return start


def build_bank(source: Path, out: Path, previous: Path | None = None,
               check_code: CodeChecker | None = None) -> CompiledBank:
    """Validate ``source`` and atomically write the bank to ``out``.

    Formulas already rendered in ``previous`` (default: the existing ``out``) are reused.
    """
    if previous is None and out.is_file():
        previous = out
    compiled = compile_source(source, previous=previous, check_code=check_code)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()
        _write(compiled, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return compiled


def _write(compiled: CompiledBank, path: Path) -> None:
    import sqlite_utils  # only the builder needs it

    from desktop_quiz.core.bank.render import compact_svg, renderer_version

    conn = sqlite3.connect(path)
    db = sqlite_utils.Database(conn)
    # Small pages: most rows are a few hundred bytes to a few KB, and 4 KB pages left
    # a quarter of the file empty (25.8 -> 19.0 MB with the compact SVG paths).
    db.execute("PRAGMA page_size = 1024")
    db.execute("PRAGMA journal_mode = OFF")
    db.table("meta").insert_all(
        [
            {"key": "schema_version", "value": str(BANK_SCHEMA_VERSION)},
            {"key": "builder_version", "value": BUILDER_VERSION},
            {"key": "source_hash", "value": compiled.source_hash},
            {"key": "question_count", "value": str(len(compiled.questions))},
            {"key": "renderer", "value": renderer_version()},
        ],
        pk="key",
    )
    db.table("topics").insert_all(
        (
            {
                "slug": t.slug, "title": t.title, "grp": t.group, "description": t.description,
                "position": i, "v1": t.v1, "goal": t.goal,
            }
            for i, t in enumerate(compiled.topics)
        ),
        pk="slug",
    )
    db.table("questions").insert_all(
        (_question_row(i, q) for i, q in enumerate(compiled.questions)),
        pk="id", foreign_keys=[("topic", "topics", "slug")])
    _create_tables(db)
    db.table("choices").insert_all(
        (
            {
                "question_id": q.id, "position": i, "text": c.text, "correct": int(c.correct),
                "explanation": c.explanation, "text_html": c.text_html,
                "explanation_html": c.explanation_html,
            }
            for q in compiled.questions
            for i, c in enumerate(q.choices)
        ),
    )
    db.table("key_points").insert_all(
        (
            {"question_id": q.id, "position": i, "text": k.text,
             "alternatives": json.dumps(list(k.alternatives)),
             "reject": json.dumps(list(k.reject)), "text_html": k.text_html}
            for q in compiled.questions
            for i, k in enumerate(q.key_points)
        ),
    )
    db.table("question_tags").insert_all(
        ({"question_id": q.id, "tag": t} for q in compiled.questions for t in q.tags),
    )
    db.table("exercises").insert_all(
        (
            {"question_id": q.id, "starter": q.exercise.starter, "tests": q.exercise.tests,
             "solution": q.exercise.solution,
             "test_cases": json.dumps([[t.name, t.doc] for t in q.exercise.test_cases]),
             "hints": json.dumps(list(q.exercise.hints)),
             "hints_html": json.dumps(list(q.exercise.hints_html))}
            for q in compiled.questions if q.exercise is not None
        ),
    )
    db.table("math").insert_all(
        (
            {"hash": f.hash, "tex": f.tex, "display": int(f.display),
             "svg": zlib.compress(compact_svg(f.svg).encode(), 9),
             "width": f.width, "height": f.height}
            for f in sorted(compiled.renderer.formulas.values(), key=lambda f: f.hash)
            if f.hash in compiled.renderer.used
        ),
    )
    db.table("questions").create_index(["topic", "kind", "difficulty"])
    db.table("question_tags").create_index(["tag"])
    db.table("questions").enable_fts(["prompt", "answer", "search_extra"], fts_version="FTS5",
                                     tokenize="unicode61 remove_diacritics 2")
    conn.commit()
    db.execute("VACUUM")
    conn.close()


CHILD_TABLES: dict[str, tuple[dict[str, type], str | tuple[str, ...]]] = {
    "choices": ({"question_id": str, "position": int, "text": str, "correct": int,
                 "explanation": str, "text_html": str, "explanation_html": str},
                ("question_id", "position")),
    "key_points": ({"question_id": str, "position": int, "text": str, "alternatives": str,
                    "reject": str, "text_html": str},
                   ("question_id", "position")),
    "question_tags": ({"question_id": str, "tag": str}, ("question_id", "tag")),
    "exercises": ({"question_id": str, "starter": str, "tests": str, "solution": str,
                   "test_cases": str, "hints": str, "hints_html": str}, "question_id"),
    "math": ({"hash": str, "tex": str, "display": int, "svg": bytes, "width": int,
              "height": int}, "hash"),
}


def _create_tables(db: object) -> None:
    """Create the child tables up front: sqlite-utils creates none for zero rows."""
    for name, (columns, pk) in CHILD_TABLES.items():
        db.table(name).create(columns, pk=pk)  # type: ignore[attr-defined]


def _question_row(position: int, q: Question) -> dict[str, object]:
    extra = " ".join(
        [*(c.text for c in q.choices), *(k.text for k in q.key_points), *q.tags, q.hint,
         *((t.name.replace("_", " ") for t in q.exercise.test_cases) if q.exercise else ())]
    )
    return {
        "id": q.id, "topic": q.topic, "kind": q.kind, "difficulty": q.difficulty,
        "tags": json.dumps(list(q.tags)), "multi": int(q.multi), "position": position,
        "prompt": q.prompt, "answer": q.answer, "hint": q.hint, "refs": q.references,
        "prompt_html": q.prompt_html, "answer_html": q.answer_html, "hint_html": q.hint_html,
        "references_html": q.references_html, "source_path": q.source_path,
        "search_extra": extra,
    }


def read_meta(bank: Path) -> dict[str, str]:
    """The bank's meta table, or {} when the file is missing or not a bank."""
    if not bank.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{bank}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


def is_stale(source: Path, bank: Path) -> bool:
    """True when ``bank`` is missing or was built from other sources or another builder."""
    return read_meta(bank).get("source_hash") != current_source_hash(source)

