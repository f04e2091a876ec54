"""The answer history as CSV: export, and an all-or-nothing import.

The format is one answer per row under exactly this header::

    answered_at,question_id,kind,correct,score,rating,duration_ms,mode

``answered_at`` is ISO-8601 with a timezone; ``correct`` 0/1; ``score`` 0..1;
``rating`` 1..4 (Again, Hard, Good, Easy); ``mode`` drill, mock or review.

Import checks the whole file before touching the database: any bad row is
reported as ``file:line: message`` and nothing is imported. Rows already stored
(same question and time) are skipped, so importing a file twice adds nothing.
Card states are then recomputed from the log (:meth:`Progress.import_answers`),
exactly as if the answers had been given in the app.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_quiz.core.model import ID_RE, KINDS
from desktop_quiz.core.progress.storage import MODES, Answer, Progress, iso, parse_time, utcnow

if TYPE_CHECKING:
    from desktop_quiz.core.context import AppContext

HEADER = ("answered_at", "question_id", "kind", "correct", "score", "rating", "duration_ms",
          "mode")
FUTURE_SLACK = timedelta(days=1)  # clocks differ between computers; beyond this is an error
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)  # no learner answered before this
MAX_DURATION_MS = 86_400_000


class HistoryError(Exception):
    """The file cannot be imported; ``problems`` lists every reason as file:line: message."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportReport:
    rows: int  # answer rows in the file
    added: int  # new answers stored
    already: int  # rows that were stored before (same question and time)
    skipped: int = 0  # rows of unknown questions left out (--skip-unknown)
    unknown: list[str] = field(default_factory=list)  # those question ids
    safety: Path | None = None  # the copy of the database made before importing

    def summary(self) -> str:
        text = f"imported {self.added} answer{'s' if self.added != 1 else ''}"
        if self.already:
            text += f" ({self.already} already present)"
        if self.skipped:
            text += (f"; skipped {self.skipped} row{'s' if self.skipped != 1 else ''} of "
                     f"{len(self.unknown)} unknown question{'s' if len(self.unknown) != 1 else ''}"
                     f" ({', '.join(self.unknown[:5])}{', …' if len(self.unknown) > 5 else ''})")
        return text


# -- export ---------------------------------------------------------------------------
def export_csv(progress: Progress, path: Path, force: bool = False) -> int:
    """Write every answer, oldest first, to ``path`` (atomically); returns the count.

    Never writes inside the data folder, and never over an existing file unless
    ``force``.
    """
    path = Path(path)
    target = path.resolve()
    if target == progress.data_dir.resolve() or progress.data_dir.resolve() in target.parents:
        raise HistoryError([f"{path}: is inside the data folder {progress.data_dir}; "
                            "export somewhere else"])
    if path.is_dir():
        raise HistoryError([f"{path}: is a folder; give a file name"])
    if path.exists() and not force:
        raise HistoryError([f"{path}: already exists; use --force to overwrite it"])
    tmp = path.with_name(f".{path.name}.tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(HEADER)
            for row in progress.db.execute(
                    "SELECT answered_at, question_id, kind, correct, score, rating, duration_ms, "
                    "mode FROM answers ORDER BY answered_at, id"):
                out.writerow((row[0], row[1], row[2], int(row[3]), repr(float(row[4])),
                              int(row[5]), int(row[6]), row[7]))
                count += 1
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise HistoryError([f"{path}: cannot write: {exc.strerror or exc}"]) from None
    return count


# -- import ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    line: int
    answer: Answer


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank record; raises HistoryError on I/O problems."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            while True:
                line = reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                if fields and any(v.strip() for v in fields):
                    yield line, fields
    except FileNotFoundError:
        raise HistoryError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise HistoryError([f"{path}: is a folder, not a CSV file"]) from None
    except UnicodeDecodeError as exc:
        raise HistoryError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except csv.Error as exc:
        raise HistoryError([f"{path}:{reader.line_num}: {exc}"]) from None
    except OSError as exc:
        raise HistoryError([f"{path}: cannot read: {exc.strerror or exc}"]) from None


def _parse(fields: list[str], now: datetime) -> tuple[Answer | None, list[str]]:
    """One row → an Answer, or the reasons it is not one."""
    if len(fields) != len(HEADER):
        return None, [f"expected {len(HEADER)} fields, found {len(fields)}"]
    when, qid, kind, correct, score, rating, duration, mode = (v.strip() for v in fields)
    problems = []
    answered_at = None
    try:
        answered_at = parse_time(when)
        if answered_at > now + FUTURE_SLACK:
            problems.append(f"answered_at {when!r} is in the future")
        elif answered_at < EARLIEST:
            problems.append(f"answered_at {when!r} is before {EARLIEST.year}")
            answered_at = None
    except (ValueError, OverflowError):
        problems.append(f"answered_at {when!r} is not an ISO-8601 time with a timezone "
                        "(like 2025-03-01T18:04:05+00:00)")
    if not ID_RE.match(qid):
        problems.append(f"question_id {qid!r} is not a question id (lowercase words and hyphens)")
    if kind not in KINDS:
        problems.append(f"kind {kind!r} must be one of {', '.join(KINDS)}")
    if correct not in ("0", "1"):
        problems.append(f"correct {correct!r} must be 0 or 1")
    try:
        score_value = float(score)
        if not (math.isfinite(score_value) and 0.0 <= score_value <= 1.0):
            raise ValueError
    except ValueError:
        problems.append(f"score {score!r} must be a number from 0 to 1")
    if rating not in ("1", "2", "3", "4"):
        problems.append(f"rating {rating!r} must be 1, 2, 3 or 4")
    elif correct in ("0", "1") and (correct == "1") != (rating != "1"):
        problems.append(f"correct is {correct} but rating is {rating}: an answer is correct "
                        "exactly when its rating is 2-4")
    if not (re.fullmatch(r"[0-9]{1,9}", duration) and int(duration) <= MAX_DURATION_MS):
        problems.append(f"duration_ms {duration!r} must be a whole number of milliseconds "
                        f"from 0 to {MAX_DURATION_MS} (one day)")
    if mode not in MODES:
        problems.append(f"mode {mode!r} must be one of {', '.join(MODES)}")
    if problems or answered_at is None:
        return None, problems
    return Answer(question_id=qid, kind=kind, answered_at=answered_at, correct=correct == "1",
                  score=float(score), rating=int(rating), duration_ms=int(duration),
                  mode=mode), []


def read_csv(path: Path, known: Container[str] | None = None,
             skip_unknown: bool = False) -> tuple[list[Answer], ImportReport]:
    """Parse and check a whole history file; raises HistoryError listing every problem.

    ``known`` holds the question ids of the bank: rows of other ids are errors,
    or left out with ``skip_unknown``.
    """
    path = Path(path)
    now = utcnow()
    problems: list[str] = []
    rows: list[_Row] = []
    unknown: dict[str, list[int]] = {}
    first: dict[tuple[str, str], _Row] = {}
    records = _rows(path)
    header = next(records, None)
    if header is None:
        raise HistoryError([f"{path}:1: the file is empty; expected the header "
                            f"{','.join(HEADER)}"])
    if tuple(v.strip() for v in header[1]) != HEADER:
        raise HistoryError([f"{path}:{header[0]}: expected the header {','.join(HEADER)}"])
    for line, fields in records:
        answer, why = _parse(fields, now)
        if answer is None:
            problems.extend(f"{path}:{line}: {w}" for w in why)
            continue
        key = (answer.question_id, iso(answer.answered_at))
        twin = first.get(key)
        if twin is not None:
            if twin.answer != answer:
                problems.append(f"{path}:{line}: same question and time as line {twin.line} "
                                "but different values")
            continue
        row = _Row(line, answer)
        first[key] = row
        if known is not None and answer.question_id not in known:
            unknown.setdefault(answer.question_id, []).append(line)
            continue
        rows.append(row)
    if unknown and not skip_unknown:
        for qid, lines in sorted(unknown.items(), key=lambda kv: kv[1][0]):
            more = f" (and {len(lines) - 1} more rows)" if len(lines) > 1 else ""
            problems.append(f"{path}:{lines[0]}: unknown question id {qid!r}{more}: it is not "
                            "in this question bank; --skip-unknown imports the other rows")
    if problems:
        raise HistoryError(problems)
    skipped = sum(len(lines) for lines in unknown.values())
    report = ImportReport(rows=len(rows) + skipped, added=0, already=0, skipped=skipped,
                          unknown=sorted(unknown))
    return [r.answer for r in rows], report


def import_csv(progress: Progress, path: Path, known: Container[str] | None = None,
               skip_unknown: bool = False) -> ImportReport:
    """Check ``path`` completely, then add its answers in one transaction."""
    from desktop_quiz.core.progress.backup import safety_copy

    answers, report = read_csv(path, known, skip_unknown)
    if answers:
        report.safety = safety_copy(progress.data_dir)
    report.added = progress.import_answers(answers)
    report.already = len(answers) - report.added
    return report


def import_into(ctx: AppContext, path: Path, skip_unknown: bool = False) -> ImportReport:
    """:func:`import_csv` for a running app: checks ids against its bank, fires the hook."""
    report = import_csv(ctx.progress, path, set(ctx.bank.all_ids()), skip_unknown)
    if report.added:
        ctx.hooks.progress_changed.fire()
    return report
