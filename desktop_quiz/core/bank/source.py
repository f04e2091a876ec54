"""Parse and validate the human-edited question files in ``questions/``.

The format is documented for authors in ``questions/README.md``. Every problem is
reported as a :class:`Problem` that prints as ``path:line: message``; parsing
never stops at the first one, so an author sees everything to fix in one run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_quiz.core.model import (
    DIFFICULTIES,
    ID_RE,
    KINDS,
    Choice,
    Exercise,
    KeyPoint,
    Question,
    Topic,
)

TAG_RE = ID_RE
SECTION_RE = re.compile(r"^##\s+(.+?)\s*#*\s*$")
FENCE_RE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
CHOICE_RE = re.compile(r"^- \[( |x|X)\]\s+(.*)$")
KEYPOINT_RE = re.compile(r"^- (.*)$")
ACCEPT_RE = re.compile(r"^\s{2,}accept:\s*(.*)$", re.IGNORECASE)
REJECT_RE = re.compile(r"^\s{2,}reject:\s*(.*)$", re.IGNORECASE)

SECTIONS = ("prompt", "choices", "key points", "starter", "tests", "solution", "hint", "answer",
            "references")
CODE_SECTIONS = ("starter", "tests", "solution")
REQUIRED = {"mcq": ("prompt", "choices", "answer"), "recall": ("prompt", "key points", "answer"),
            "code": ("prompt", *CODE_SECTIONS, "answer")}
FORBIDDEN = {"mcq": ("key points", *CODE_SECTIONS), "recall": ("choices", *CODE_SECTIONS),
             "code": ("choices", "key points")}
FRONT_KEYS = {"kind", "difficulty", "tags"}
MCQ_CHOICES = (3, 6)
RECALL_POINTS = (3, 7)
# Files in questions/ that are documentation, not questions.
NON_QUESTION_FILES = {"README.md", "REVIEW.md"}


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, printed as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class SourceError(Exception):
    """Raised with every problem found when a question folder does not validate."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class _Section:
    name: str
    line: int  # line of the heading (1-based)
    body: list[tuple[int, str]]  # (line number, text)

    def text(self) -> str:
        return "\n".join(t for _, t in self.body).strip("\n")

    def first_line(self) -> int:
        for n, t in self.body:
            if t.strip():
                return n
        return self.line


def load_topics(source: Path) -> tuple[list[Topic], list[Problem]]:
    """Read ``topics.yaml``: the taxonomy every question's folder must belong to."""
    import yaml  # the builder's dependency; the app only needs SourceError from here

    path = source / "topics.yaml"
    rel = _display(path)
    if not path.is_file():
        return [], [Problem(rel, 1, "topics.yaml is missing")]
    try:
        data = safe_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        return [], [Problem(rel, line, f"invalid YAML: {exc}")]
    topics: list[Topic] = []
    problems: list[Problem] = []
    entries = data.get("topics") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return [], [Problem(rel, 1, "expected a non-empty 'topics:' list")]
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or not {"slug", "title", "group"} <= entry.keys():
            problems.append(Problem(rel, 1, f"topic entry needs slug, title and group: {entry!r}"))
            continue
        slug = str(entry["slug"])
        if not ID_RE.match(slug) or slug in seen:
            problems.append(Problem(rel, 1, f"bad or duplicate topic slug {slug!r}"))
            continue
        seen.add(slug)
        topics.append(
            Topic(
                slug=slug,
                title=str(entry["title"]),
                group=str(entry["group"]),
                description=str(entry.get("description", "")),
                v1=int(entry.get("v1", 0)),
                goal=int(entry.get("goal", 0)),
            )
        )
    return topics, problems


def question_files(source: Path) -> list[Path]:
    """All question files under ``source``, in a stable order."""
    return sorted(
        p
        for p in source.rglob("*.md")
        if p.name not in NON_QUESTION_FILES and p.parent != source
    )


def source_hash(source: Path, extra: str = "") -> str:
    """Content hash of everything the bank is built from (for the stale check)."""
    digest = hashlib.sha256(extra.encode())
    for path in [source / "topics.yaml", *question_files(source)]:
        if path.is_file():
            digest.update(path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def parse_folder(source: Path) -> tuple[list[Topic], list[Question], list[Problem]]:
    """Parse every question file, returning what parsed and every problem found."""
    topics, problems = load_topics(source)
    known = {t.slug for t in topics}
    questions: list[Question] = []
    first_seen: dict[str, str] = {}
    for path in question_files(source):
        q, file_problems = parse_file(path, known)
        problems.extend(file_problems)
        if q is None:
            continue
        if q.id in first_seen:
            problems.append(
                Problem(q.source_path, 1, f"duplicate id {q.id!r} (also {first_seen[q.id]})")
            )
            continue
        first_seen[q.id] = q.source_path
        questions.append(q)
    return topics, questions, problems


def parse_file(path: Path, known_topics: Iterable[str]) -> tuple[Question | None, list[Problem]]:
    """Parse one question file. Returns ``(None, problems)`` when it is unusable."""
    rel = _display(path)
    problems: list[Problem] = []

    def problem(line: int, message: str) -> None:
        problems.append(Problem(rel, line, message))

    qid = path.stem
    topic = path.parent.name
    if not ID_RE.match(qid):
        problem(1, f"id {qid!r} (the file name) must be a lowercase slug like 'bias-variance'")
    if topic not in set(known_topics):
        problem(1, f"unknown topic {topic!r}: the folder must be a slug from topics.yaml")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problem(1, f"file is {size // 1024} KB; a question file may be at most "
                    f"{MAX_FILE_BYTES // 1024} KB")
            return None, problems
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problem(1, f"not valid UTF-8 ({exc.reason})")
        return None, problems
    except OSError as exc:
        problem(1, f"cannot be read ({exc.strerror or exc})")
        return None, problems
    lines = text.splitlines()

    front, body_start = _front_matter(lines, problem)
    kind = front.get("kind")
    if kind not in KINDS:
        problem(front.get("_line_kind", 1), f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    difficulty = front.get("difficulty")
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        problem(
            front.get("_line_difficulty", 1),
            f"difficulty must be 1 (easy), 2 (medium) or 3 (hard), not {difficulty!r}",
        )
    tags = front.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and TAG_RE.match(t) for t in tags):
        problem(front.get("_line_tags", 1), f"tags must be a list of lowercase slugs, not {tags!r}")
        tags = []

    before = len(problems)
    _markup_problems(lines, body_start, problem)
    if len(problems) > before:
        return None, problems
    sections = _sections(lines, body_start, problem)
    if kind in KINDS:
        for name in REQUIRED[kind]:
            if name not in sections:
                problem(len(lines) or 1, f"missing section '## {name.capitalize()}' for {kind}")
        for name in FORBIDDEN[kind]:
            if name in sections:
                problem(sections[name].line, f"section '## {name.capitalize()}' is not for {kind}")
    for sec in sections.values():
        if not sec.text().strip():
            problem(sec.line, f"section '## {sec.name.capitalize()}' is empty")

    choices: tuple[Choice, ...] = ()
    key_points: tuple[KeyPoint, ...] = ()
    if kind == "mcq" and "choices" in sections:
        choices = _choices(sections["choices"], problem)
    if kind == "recall" and "key points" in sections:
        key_points = _key_points(sections["key points"], problem)
    exercise: Exercise | None = None
    if kind == "code" and all(name in sections for name in CODE_SECTIONS):
        from desktop_quiz.core.bank.code_source import parse_exercise

        exercise = parse_exercise(sections, problem)

    if problems:
        return None, problems
    line_map = {name: sec.first_line() for name, sec in sections.items()}
    return (
        Question(
            id=qid,
            topic=topic,
            kind=str(kind),
            difficulty=int(difficulty),  # type: ignore[arg-type]
            tags=tuple(tags),
            prompt=sections["prompt"].text(),
            answer=sections["answer"].text(),
            choices=choices,
            key_points=key_points,
            hint=sections["hint"].text() if "hint" in sections else "",
            references=sections["references"].text() if "references" in sections else "",
            source_path=rel,
            exercise=exercise,
            lines=line_map,
        ),
        problems,
    )


# Limits that keep a hostile or broken file from exhausting the builder: each is
# reported as path:line in well under a second.
MAX_FILE_BYTES = 256 * 1024
MAX_FRONT_MATTER_BYTES = 4 * 1024
MAX_NESTING = 16  # brackets in a paragraph, YAML flow collections, list/quote levels
_HTML_RE = re.compile(r"<!--|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_INLINE_CODE_RE = re.compile(r"(`+).+?\1")
_INLINE_MATH_RE = re.compile(r"(?<!\\)\$[^$]+\$")
_LIST_DEPTH_RE = re.compile(r"^(\s*)((?:(?:>|[-*+]|\d{1,9}[.)])[ \t]+)*)")


def safe_yaml(text: str) -> object:
    """``yaml.safe_load`` without aliases (no billion laughs) and with bounded nesting."""
    import yaml

    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(0, depth - 1)
    if deepest > MAX_NESTING:
        raise yaml.YAMLError(f"nested {deepest} levels deep (at most {MAX_NESTING})")

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "YAML aliases (*name) are not allowed", event.start_mark)
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=NoAliasLoader)


def _markup_problems(lines: list[str], start: int, problem) -> None:  # type: ignore[no-untyped-def]
    """Raw HTML and runaway nesting in the Markdown body (outside code fences)."""
    depth = 0
    for number, line in _outside_fences(lines, start):
        if number < 0:
            continue
        if not line.strip():
            depth = 0  # brackets only pair up within a paragraph
            continue
        plain = _INLINE_MATH_RE.sub("", _INLINE_CODE_RE.sub("", line))
        m = _HTML_RE.search(plain)
        if m and not m.group(0).lower().startswith(("<http:", "<https:")):
            problem(number, f"raw HTML {m.group(0)[:40]!r} is not allowed; use Markdown")
        for ch in plain:
            if ch == "[":
                depth += 1
                if depth > MAX_NESTING:
                    problem(number, f"brackets nested more than {MAX_NESTING} deep")
                    return
            elif ch == "]":
                depth = max(0, depth - 1)
        lm = _LIST_DEPTH_RE.match(line + " ")
        if lm:
            indent = len(lm.group(1).expandtabs(4))
            # "- - - x", "> > x" and ">>>x" all nest on one line
            quotes = len(line) - len(line.lstrip(" \t>")) - len(lm.group(1))
            markers = len(lm.group(2).split()) + max(0, quotes)
            if indent // 2 + markers > MAX_NESTING:
                problem(number, f"lists or quotes nested more than {MAX_NESTING} levels deep")
                return


def _front_matter(lines: list[str], problem) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    import yaml

    if not lines or lines[0].strip() != "---":
        problem(1, "file must start with YAML front matter between '---' lines")
        return {}, 0
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problem(1, "front matter is not closed by a '---' line")
        return {}, len(lines)
    raw = "\n".join(lines[1:end])
    if len(raw.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        problem(2, f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB")
        return {}, end + 1
    try:
        data = safe_yaml(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem((mark.line + 2) if mark else 2, f"invalid YAML front matter: {exc}")
        return {}, end + 1
    if not isinstance(data, dict):
        problem(2, "front matter must be a mapping of kind, difficulty and tags")
        return {}, end + 1
    for i in range(1, end):
        key = lines[i].split(":", 1)[0].strip()
        if key in FRONT_KEYS:
            data[f"_line_{key}"] = i + 1
        elif key and not lines[i].startswith((" ", "-", "#")):
            problem(i + 1, f"unknown front-matter key {key!r} (allowed: kind, difficulty, tags)")
    return data, end + 1


def _sections(lines: list[str], start: int, problem) -> dict[str, _Section]:  # type: ignore[no-untyped-def]
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    order: list[str] = []
    for number, line in _outside_fences(lines, start):
        heading = SECTION_RE.match(line) if number > 0 else None
        if heading:
            name = heading.group(1).strip().lower()
            if name not in SECTIONS:
                problem(number, f"unknown section '## {heading.group(1)}' "
                        f"(allowed: {', '.join(s.capitalize() for s in SECTIONS)})")
                current = None
                continue
            if name in sections:
                problem(number, f"section '## {heading.group(1)}' appears twice")
                current = None
                continue
            current = sections[name] = _Section(name, number, [])
            order.append(name)
            continue
        n = abs(number)
        if current is not None:
            current.body.append((n, line))
        elif line.strip():
            problem(n, "text outside any section (start with '## Prompt')")
    expected = [s for s in SECTIONS if s in sections]
    if order != expected and order:
        first_bad = next(a for a, b in zip(order, expected, strict=True) if a != b)
        problem(sections[first_bad].line,
                "sections are out of order (expected: " + ", ".join(expected) + ")")
    return sections


def _outside_fences(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    """Yield (line number, text); the number is negated for lines inside code fences."""
    fence: str | None = None
    for i in range(start, len(lines)):
        line = lines[i]
        m = FENCE_RE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            yield -(i + 1), line
            continue
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            yield -(i + 1), line
            continue
        yield i + 1, line


def _choices(section: _Section, problem) -> tuple[Choice, ...]:  # type: ignore[no-untyped-def]
    found: list[tuple[int, str, bool, list[str]]] = []
    for n, line in section.body:
        m = CHOICE_RE.match(line)
        if m:
            found.append((n, m.group(2).strip(), m.group(1).lower() == "x", []))
        elif not line.strip():
            if found:
                found[-1][3].append("")
        elif line.startswith(("  ", "\t")) and found:
            found[-1][3].append(line[2:] if line.startswith("  ") else line[1:])
        else:
            problem(n, "expected a choice '- [x] text' or '- [ ] text', "
                    "or its explanation indented by two spaces")
    choices = []
    for n, text, correct, expl in found:
        explanation = "\n".join(expl).strip()
        if not text:
            problem(n, "choice has no text")
        if not explanation:
            problem(n, "choice has no explanation (indent it by two spaces under the choice)")
        choices.append(Choice(text=text, correct=correct, explanation=explanation))
    lo, hi = MCQ_CHOICES
    if not lo <= len(choices) <= hi:
        problem(section.line, f"an mcq needs {lo}–{hi} choices, found {len(choices)}")
    if choices and not any(c.correct for c in choices):
        problem(section.line, "no choice is marked correct with '- [x]'")
    texts = [c.text.lower() for c in choices]
    if len(set(texts)) != len(texts):
        problem(section.line, "two choices have the same text")
    return tuple(choices)


def _key_points(section: _Section, problem) -> tuple[KeyPoint, ...]:  # type: ignore[no-untyped-def]
    found: list[tuple[int, str, list[str], list[str]]] = []
    for n, line in section.body:
        accept = ACCEPT_RE.match(line)
        reject = REJECT_RE.match(line)
        point = KEYPOINT_RE.match(line)
        if point and not line.startswith(" "):
            found.append((n, point.group(1).strip(), [], []))
        elif accept and found:
            found[-1][2].extend(a.strip() for a in accept.group(1).split("|") if a.strip())
        elif reject and found:
            found[-1][3].extend(a.strip() for a in reject.group(1).split("|") if a.strip())
        elif line.strip():
            problem(n, "expected a key point '- text', its '  accept: a | b' line "
                    "or its '  reject: c | d' line")
    points = []
    for n, text, alts, rejects in found:
        if not text:
            problem(n, "key point has no text")
        if not alts:
            problem(n, "key point needs an indented 'accept:' line with at least one phrasing")
        points.append(KeyPoint(text=text, alternatives=tuple(alts), reject=tuple(rejects)))
    lo, hi = RECALL_POINTS
    if not lo <= len(points) <= hi:
        problem(section.line, f"a recall question needs {lo}–{hi} key points, found {len(points)}")
    return tuple(points)


def _display(path: Path) -> str:
    """Path as shown in messages: relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
