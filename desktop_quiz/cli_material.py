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
    pass


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


_HOST: dict[str, Any] = {}


def bind(cli_module: Any) -> None:
    """``cli.py`` hands itself over (CliError, the data folder, the lock, the bank)."""
    _HOST["cli"] = cli_module


def _cli() -> Any:
    return _HOST["cli"]


# -- export anki ------------------------------------------------------------------
def export(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank.anki import AnkiExportError, export_apkg
    from desktop_quiz.core.bank.reader import Filter
    from desktop_quiz.core.bank.userbank import is_own, with_own_questions

    cli = _cli()
    data_dir = cli._data_dir()
    bank = with_own_questions(cli._open_bank(None), data_dir)
    try:
        topics = bank.topics()
        known = {t.slug for t in topics}
        unknown = [t for t in args.topic if t not in known]
        if unknown:
            raise cli.CliError(f"unknown topic {unknown[0]!r}; topics: {', '.join(sorted(known))}")
        f = Filter(topics=tuple(args.topic), kinds=(args.kind,) if args.kind else ())
        ids = [i for i in bank.query(f) if is_own(i) or not args.mine]
        if args.mine and not any(is_own(i) for i in bank.all_ids()):
            raise cli.CliError("you have no questions of your own yet")
        try:
            report = export_apkg([bank.question(i) for i in ids], topics, args.file)
        except AnkiExportError as exc:
            raise cli.CliError(str(exc)) from None
    finally:
        bank.close()
    print(f"exported {report.notes} notes ({report.mcq} multiple choice, {report.recall} "
          f"recall) in {report.decks} deck{'s' if report.decks != 1 else ''} to {report.path}")
    return 0


def questions(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank import userbank
    from desktop_quiz.core.bank.source import SourceError

    cli = _cli()
    data_dir = cli._data_dir()
    if args.questions_command == "list":
        own, problems = userbank.list_own(data_dir)
        if args.json:
            print(json.dumps([{"id": q.id, "topic": q.topic, "kind": q.kind,
                               "difficulty": q.difficulty, "prompt": q.prompt,
                               "path": str(q.path)} for q in own], indent=2))
        else:
            for q in own:
                first = q.prompt.strip().splitlines()[0] if q.prompt.strip() else ""
                print(f"{q.id}\t{q.topic}\t{q.kind}\t{first[:70]}")
            print(f"{len(own)} question(s) in {userbank.questions_dir(data_dir)}",
                  file=sys.stderr)
        for p in problems:
            print(p, file=sys.stderr)
        return 1 if problems else 0
    if args.questions_command == "export":
        count = userbank.export_folder(data_dir, args.dir)
        print(f"exported {count} question(s) to {args.dir}")
        return 0
    lock = cli._writer_lock("questions import")
    bank = cli._open_bank(None)  # builds the bundled bank first in a checkout
    bundled = bank.path
    bank.close()
    try:
        ids = userbank.import_folder(data_dir, args.dir, bundled,
                                     check_code=cli._code_checker())
    except SourceError as exc:
        return _print_problems(list(exc.problems), "nothing was imported")
    finally:
        lock.release()
    print(f"imported {len(ids)} question(s) into {userbank.questions_dir(data_dir)}")
    return 0


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
    """Rebuild the user bank after new questions arrived (problems show in the app)."""
    from desktop_quiz.core.bank import userbank
    from desktop_quiz.core.bank.source import SourceError

    try:
        userbank.ensure_user_bank(data_dir)
    except (SourceError, OSError) as exc:
        print(f"note: your questions do not build yet: {exc}", file=sys.stderr)


def _print_problems(problems: list[object], what: str) -> int:
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(problems)} problem(s); {what}", file=sys.stderr)
    return 1

