"""Commands for bringing your own material (issue 16): ``export anki``, ``data export`` /
``data import`` and ``questions import/export/list``.

Kept apart from ``cli.py``, which only registers the parsers and dispatches here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop_quiz.core.bank.reader import Bank


def add_parsers(sub: argparse._SubParsersAction, data_sub: argparse._SubParsersAction
                ) -> None:
    ex = sub.add_parser("export", help="export questions to another app")
    exsub = ex.add_subparsers(dest="export_command", metavar="FORMAT", required=True)
    a = exsub.add_parser("anki", help="write an Anki package (.apkg): one deck per topic")
    a.add_argument("file", type=Path, metavar="OUT.apkg")
    a.add_argument("--topic", action="append", default=[], metavar="T",
                   help="only this topic (repeat for more)")
    a.add_argument("--kind", choices=["mcq", "recall"], help="only this kind")
    a.add_argument("--mine", action="store_true", help="only your own questions")

    de = data_sub.add_parser("export", help="write everything to a zip (lossless)")
    de.add_argument("file", type=Path, metavar="OUT.zip")
    de.add_argument("--force", action="store_true", help="overwrite an existing file")
    di = data_sub.add_parser("import", help="read a data export zip (merges; all or nothing)")
    di.add_argument("file", type=Path, metavar="IN.zip")

    q = sub.add_parser("questions", help="your own questions: import, export, list")
    qsub = q.add_subparsers(dest="questions_command", metavar="ACTION", required=True)
    qi = qsub.add_parser("import", help="add a folder of Markdown questions (all or nothing)")
    qi.add_argument("dir", type=Path)
    qe = qsub.add_parser("export", help="copy your questions to a folder")
    qe.add_argument("dir", type=Path)
    ql = qsub.add_parser("list", help="list your questions")
    ql.add_argument("--json", action="store_true")


def _cli() -> Any:
    from desktop_quiz import cli

    return cli


# -- export anki ------------------------------------------------------------------
def export(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank.anki import AnkiExportError, export_apkg
    from desktop_quiz.core.bank.reader import Filter

    cli = _cli()
    banks = _banks(mine_only=args.mine)
    try:
        topics = [t for b in banks for t in b.topics()]
        known = {t.slug for t in topics}
        unknown = [t for t in args.topic if t not in known]
        if unknown:
            raise cli.CliError(f"unknown topic {unknown[0]!r}; topics: {', '.join(sorted(known))}")
        f = Filter(topics=tuple(args.topic), kinds=(args.kind,) if args.kind else ())
        seen: set[str] = set()
        questions = []
        for b in banks:
            for qid in b.query(f):
                if qid not in seen:
                    seen.add(qid)
                    questions.append(b.question(qid))
        unique_topics = list({t.slug: t for t in reversed(topics)}.values())[::-1]
        try:
            report = export_apkg(questions, unique_topics, args.file)
        except AnkiExportError as exc:
            raise cli.CliError(str(exc)) from None
    finally:
        for b in banks:
            b.close()
    print(f"exported {report.notes} notes ({report.mcq} multiple choice, {report.recall} "
          f"recall) in {report.decks} deck{'s' if report.decks != 1 else ''} to {report.path}")
    return 0


def _banks(mine_only: bool = False) -> list[Bank]:
    """The bundled bank and the user's bank (when there is one)."""
    cli = _cli()
    out: list[Bank] = []
    user = _user_bank()
    if not mine_only:
        out.append(cli._open_bank(None))
    if user is not None:
        out.append(user)
    elif mine_only:
        raise cli.CliError("you have no questions of your own yet")
    return out


def _user_bank() -> Bank | None:
    try:
        from desktop_quiz.core.bank import userbank
    except ImportError:  # pragma: no cover - before step 3
        return None
    return userbank.open_user_bank(_cli()._data_dir())


def questions(args: argparse.Namespace) -> int:  # replaced in step 3
    raise _cli().CliError("not available yet")


def data_archive(args: argparse.Namespace) -> int:
    from desktop_quiz import __version__
    from desktop_quiz.core.config import Settings
    from desktop_quiz.core.progress import archive
    from desktop_quiz.core.progress.scheduling import Scheduling
    from desktop_quiz.core.progress.storage import Progress, StorageError

    cli = _cli()
    data_dir = cli._data_dir()
    importing = args.data_command == "import"
    lock = cli._writer_lock("data import") if importing else None
    try:
        try:
            progress = Progress(data_dir, Scheduling(Settings(data_dir)["desired_retention"]))
        except StorageError as exc:
            raise cli.CliError(str(exc)) from None
        try:
            if importing:
                report = archive.import_archive(progress, args.file)
                _rebuild_user_bank(data_dir)
                print(report.summary("imported"))
                if report.safety is not None:
                    print(f"note: the state before the import was kept as {report.safety}",
                          file=sys.stderr)
            else:
                report = archive.export_archive(progress, args.file, force=args.force,
                                                app_version=__version__)
                print(report.summary("exported") + f" to {args.file}")
        except archive.ArchiveError as exc:
            return _print_problems(list(exc.problems), "nothing was imported" if importing
                                   else "nothing was written")
        except OSError as exc:
            raise cli.CliError(f"{args.file}: {exc.strerror or exc}") from None
        finally:
            progress.close()
    finally:
        if lock is not None:
            lock.release()
    return 0


def _rebuild_user_bank(data_dir: Path) -> None:
    """Hook for step 3: rebuild the user bank after new questions arrived."""
    from desktop_quiz.core.bank import userbank

    rebuild = getattr(userbank, "ensure_user_bank", None)
    if rebuild is not None:
        rebuild(data_dir)


def _print_problems(problems: list[object], what: str) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s); {what}", file=sys.stderr)
    return 1


_ = json
