"""Lossless export and import of everything in the data folder (``data export/import``).

The archive is a zip holding:

- ``manifest.json``: ``format`` (``desktop-quiz-data``), ``version``, the app version,
  counts, and the size and sha256 of every other member;
- ``answers.jsonl``: every answer with every stored column (typed text and chosen
  options are in ``response``), oldest first, times exactly as stored;
- ``sessions.jsonl``, ``flags.jsonl``, ``cards.jsonl`` (FSRS card states);
- ``settings.json`` (when the learner changed any setting);
- ``my-questions/<topic>/<id>.md``: the learner's own questions.

Importing checks the whole archive first (damaged, foreign, newer, tampered: a clear
error and nothing changed), makes a safety copy of the database, then adds
everything in one transaction. Rows already present are skipped, so importing the
same archive twice changes nothing. Into an empty folder it reproduces the data
exactly: card states are taken from the archive for questions whose answers all
came from it.

The caller holds the :class:`~desktop_quiz.core.progress.lock.DataLock`.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from desktop_quiz.core.model import ID_RE
from desktop_quiz.core.progress.storage import MODES, Progress, parse_time

FORMAT = "desktop-quiz-data"
VERSION = 1
MANIFEST = "manifest.json"
QUESTIONS_DIR = "my-questions"
SETTINGS_FILE = "settings.json"
MAX_MEMBER_BYTES = 512 * 1024 * 1024
ANSWER_COLUMNS = ("question_id", "kind", "answered_at", "correct", "score", "rating",
                  "duration_ms", "mode", "session_id", "response", "stability")
SESSION_COLUMNS = ("id", "mode", "started_at", "finished_at", "spec")
FLAG_COLUMNS = ("question_id", "flagged_at")
CARD_COLUMNS = ("question_id", "card", "due", "stability", "last_review")
TABLES = {"answers.jsonl": ("answers", ANSWER_COLUMNS, "ORDER BY answered_at, id"),
          "sessions.jsonl": ("sessions", SESSION_COLUMNS, "ORDER BY started_at, id"),
          "flags.jsonl": ("flags", FLAG_COLUMNS, "ORDER BY question_id"),
          "cards.jsonl": ("cards", CARD_COLUMNS, "ORDER BY question_id")}


class ArchiveError(Exception):
    """The archive cannot be written or read; every problem is listed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ArchiveReport:
    counts: dict[str, int] = field(default_factory=dict)  # added (import) / written (export)
    already: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # files the target already had, different
    safety: Path | None = None

    def summary(self, verb: str) -> str:
        parts = [f"{n} {k}" for k, n in self.counts.items()]
        text = f"{verb} " + ", ".join(parts)
        skipped = sum(self.already.values())
        if skipped:
            text += f" ({skipped} already present)"
        if self.kept:
            text += f"; kept your version of {len(self.kept)} file(s): {', '.join(self.kept[:3])}"
        return text


# -- export -------------------------------------------------------------------------
def export_archive(progress: Progress, out: Path, force: bool = False,
                   app_version: str = "") -> ArchiveReport:
    """Write everything in the data folder to the zip ``out`` (atomically)."""
    out = Path(out)
    data_dir = progress.data_dir
    if out.resolve() == data_dir.resolve() or data_dir.resolve() in out.resolve().parents:
        raise ArchiveError([f"{out}: is inside the data folder {data_dir}; "
                            "export somewhere else"])
    if out.is_dir():
        raise ArchiveError([f"{out}: is a folder; give a file name"])
    if out.exists() and not force:
        raise ArchiveError([f"{out}: already exists; use --force to overwrite it"])
    members: dict[str, bytes] = {}
    report = ArchiveReport()
    for name, (table, columns, order) in TABLES.items():
        rows = progress.db.execute(f"SELECT {', '.join(columns)} FROM {table} {order}")
        lines = [json.dumps(dict(zip(columns, tuple(r), strict=True)), ensure_ascii=False,
                            sort_keys=True) for r in rows]
        members[name] = "".join(line + "\n" for line in lines).encode()
        report.counts[table] = len(lines)
    settings = data_dir / SETTINGS_FILE
    if settings.is_file():
        members[SETTINGS_FILE] = settings.read_bytes()
    questions = data_dir / QUESTIONS_DIR
    count = 0
    if questions.is_dir():
        for path in sorted(questions.glob("*/*.md")):
            rel = path.relative_to(data_dir).as_posix()
            members[rel] = path.read_bytes()
            count += 1
    report.counts["own questions"] = count
    manifest = {
        "format": FORMAT, "version": VERSION, "app_version": app_version,
        "counts": report.counts,
        "files": {n: {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
                  for n, b in sorted(members.items())},
    }
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
            for name, blob in sorted(members.items()):
                z.writestr(name, blob)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ArchiveError([f"{out}: cannot write: {exc.strerror or exc}"]) from None
    return report


# -- reading and checking ---------------------------------------------------------------
@dataclass
class _Contents:
    rows: dict[str, list[dict[str, Any]]]
    settings: bytes | None
    questions: dict[str, bytes]  # relative path → bytes


def read_archive(path: Path) -> _Contents:
    """Read and check the whole archive; raises ArchiveError listing every problem."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ArchiveError([f"{name}: no such file"])
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError([f"{name}: not a desktop-quiz data export (not a readable zip: "
                            f"{exc})"]) from None
    with z:
        try:
            manifest = json.loads(z.read(MANIFEST))
        except KeyError:
            raise ArchiveError([f"{name}: not a desktop-quiz data export (no {MANIFEST})"]
                               ) from None
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise ArchiveError([f"{name}: {MANIFEST} is damaged ({exc})"]) from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            raise ArchiveError([f"{name}: not a desktop-quiz data export (format {found!r})"])
        version = manifest.get("version")
        if not isinstance(version, int) or version < 1:
            raise ArchiveError([f"{name}: {MANIFEST} has no valid version"])
        if version > VERSION:
            raise ArchiveError([f"{name}: made by a newer desktop-quiz (archive version "
                                f"{version}, this app reads {VERSION}); update the app"])
        files = manifest.get("files")
        if not isinstance(files, dict):
            raise ArchiveError([f"{name}: {MANIFEST} lists no files"])
        problems: list[str] = []
        blobs: dict[str, bytes] = {}
        present = {i.filename for i in z.infolist() if not i.is_dir()} - {MANIFEST}
        for extra in sorted(present - files.keys()):
            problems.append(f"{name}: {extra}: not listed in the manifest")
        for member, info in sorted(files.items()):
            if not _safe_member(member):
                problems.append(f"{name}: {member}: not a file this archive may hold")
                continue
            if member not in present:
                problems.append(f"{name}: {member}: listed in the manifest but missing")
                continue
            if z.getinfo(member).file_size > MAX_MEMBER_BYTES:
                problems.append(f"{name}: {member}: too large")
                continue
            try:
                blob = z.read(member)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                problems.append(f"{name}: {member}: damaged ({exc})")
                continue
            if not isinstance(info, dict) or info.get("sha256") != hashlib.sha256(
                    blob).hexdigest() or info.get("size") != len(blob):
                problems.append(f"{name}: {member}: checksum mismatch (the file was changed "
                                "or damaged)")
                continue
            blobs[member] = blob
    if problems:
        raise ArchiveError(problems)
    rows: dict[str, list[dict[str, Any]]] = {}
    for member, (table, columns, _) in TABLES.items():
        rows[table] = []
        text = blobs.get(member, b"").decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            where = f"{name}: {member}:{number}"
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or set(row) != set(columns):
                    raise ValueError(f"expected the fields {', '.join(columns)}")
                _check_row(table, row)
            except (ValueError, TypeError) as exc:
                problems.append(f"{where}: {exc}")
                continue
            rows[table].append(row)
    questions = {m: b for m, b in blobs.items() if m.startswith(QUESTIONS_DIR + "/")}
    if problems:
        raise ArchiveError(problems)
    return _Contents(rows, blobs.get(SETTINGS_FILE), questions)


def _safe_member(member: str) -> bool:
    if member in TABLES or member == SETTINGS_FILE:
        return True
    p = PurePosixPath(member)
    return (len(p.parts) == 3 and p.parts[0] == QUESTIONS_DIR and p.suffix == ".md"
            and all(ID_RE.match(x) for x in (p.parts[1], p.stem)))


def _check_row(table: str, row: dict[str, Any]) -> None:
    if table == "answers":
        parse_time(str(row["answered_at"]))
        if not isinstance(row["question_id"], str) or not row["question_id"]:
            raise ValueError("question_id must be a non-empty text")
        if row["mode"] not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        if row["rating"] not in (1, 2, 3, 4):
            raise ValueError("rating must be 1 to 4")
        for key in ("correct", "duration_ms"):
            if not isinstance(row[key], int):
                raise ValueError(f"{key} must be a whole number")
        if row["stability"] is not None and not isinstance(row["stability"], (int, float)):
            raise ValueError("stability must be a number or null")
        if not isinstance(row["score"], (int, float)):
            raise ValueError("score must be a number")
        for key in ("kind", "session_id", "response"):
            if not isinstance(row[key], str):
                raise ValueError(f"{key} must be text")
    elif table == "sessions":
        parse_time(str(row["started_at"]))
        if row["finished_at"] is not None:
            parse_time(str(row["finished_at"]))
    elif table == "flags":
        parse_time(str(row["flagged_at"]))
    elif table == "cards":
        parse_time(str(row["due"]))
        json.loads(row["card"])


# -- import ----------------------------------------------------------------------------
def import_archive(progress: Progress, path: Path) -> ArchiveReport:
    """Check ``path`` completely, keep a safety copy, then merge it in one transaction."""
    from desktop_quiz.core.progress.backup import safety_copy

    contents = read_archive(path)
    data_dir = progress.data_dir
    report = ArchiveReport()
    report.safety = safety_copy(data_dir)
    db = progress.db
    with progress.transaction():
        had = {r[0]: r[1] for r in db.execute(
            "SELECT question_id, count(*) FROM answers GROUP BY question_id")}
        touched: set[str] = set()
        for table, (_, columns, _) in ((t, TABLES[m]) for m, t in
                                       (("answers.jsonl", "answers"),
                                        ("sessions.jsonl", "sessions"),
                                        ("flags.jsonl", "flags"))):
            added = 0
            sql = (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
                   f"VALUES ({', '.join('?' * len(columns))})")
            for row in contents.rows[table]:
                cur = db.execute(sql, tuple(row[c] for c in columns))
                if cur.rowcount:
                    added += 1
                    if table == "answers":
                        touched.add(row["question_id"])
            report.counts[table] = added
            report.already[table] = len(contents.rows[table]) - added
        cards = {r["question_id"]: r for r in contents.rows["cards"]}
        for qid in sorted(touched):
            if had.get(qid) or qid not in cards:
                progress._replay(db, qid)  # merged with answers here: derive the state
            else:
                # Every answer to it came from the archive: keep its stored state exactly.
                r = cards[qid]
                db.execute("INSERT OR REPLACE INTO cards (question_id, card, due, stability, "
                           "last_review) VALUES (?, ?, ?, ?, ?)",
                           tuple(r[c] for c in CARD_COLUMNS))
    _write_files(data_dir, contents, report)
    return report


def _write_files(data_dir: Path, contents: _Contents, report: ArchiveReport) -> None:
    if contents.settings is not None:
        target = data_dir / SETTINGS_FILE
        if not target.exists():
            _atomic_write(target, contents.settings)
        elif target.read_bytes() != contents.settings:
            report.kept.append(SETTINGS_FILE)
    added = 0
    for rel, blob in sorted(contents.questions.items()):
        target = data_dir / rel
        if not target.exists():
            _atomic_write(target, blob)
            added += 1
        elif target.read_bytes() != blob:
            report.kept.append(rel)
    report.counts["own questions"] = added


def _atomic_write(target: Path, blob: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
