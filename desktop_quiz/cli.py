# long: one argparse tree and one small handler per command, each importing lazily.
"""Command line: ``desktop-quiz`` launches the GUI; sub-commands script everything else.

Imports are lazy so ``--version`` and the bank commands never load Qt, and the
GUI start-up pays only for what it shows. Every expected failure prints one
clear line to stderr and exits non-zero; tracebacks never reach a user.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_quiz import __version__

if TYPE_CHECKING:
    from desktop_quiz.core.context import AppContext


class CliError(Exception):
    """An expected failure: printed as one line, exit status 1 (or ``code``)."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="desktop-quiz",
        description="Offline drills for machine-learning interviews. "
        "With no command, launches the app.",
    )
    p.add_argument("--version", action="version", version=f"desktop-quiz {__version__}")
    p.add_argument("--data-dir", type=Path, help="user-data folder (default: the platform's "
                   "user data dir; env DESKTOP_QUIZ_DATA_DIR)")
    p.add_argument("--smoke-test", action="store_true",
                   help="run a drill through the real GUI and exit (for checks)")
    p.add_argument("--count", type=int, default=10, help="questions for --smoke-test")
    p.add_argument("--delay-ms", type=int, default=0, help="pause between smoke-test answers")
    p.add_argument("--mine", action="store_true",
                   help="with --smoke-test: drill your own questions (my-questions/)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    bank = sub.add_parser("bank", help="build, check and inspect the question bank")
    bsub = bank.add_subparsers(dest="bank_command", metavar="ACTION", required=True)
    b = bsub.add_parser("build", help="validate questions/ and write the SQLite bank")
    b.add_argument("--source", type=Path, help="question folder (default: ./questions)")
    b.add_argument("--out", type=Path, help="bank file (default: the app's bundled bank)")
    c = bsub.add_parser("check", help="validate only; prints path:line: message")
    c.add_argument("--source", type=Path, help="question folder (default: ./questions)")
    s = bsub.add_parser("stats", help="counts by topic × kind × difficulty")
    s.add_argument("--json", action="store_true")
    s.add_argument("--bank", type=Path, help="bank file (default: the app's bank)")
    lint = bsub.add_parser("lint", help="editorial checks: counts, key points, originality")
    lint.add_argument("--bank", type=Path, help="bank file (default: the app's bank)")
    lint.add_argument("--seeds", type=Path,
                      help="source articles to check for copied text (default: "
                      "../shared/seeds beside the checkout, when present)")
    d = bsub.add_parser("dump", help="every question as JSON")
    d.add_argument("--json", action="store_true", required=True)
    d.add_argument("--bank", type=Path, help="bank file (default: the app's bank)")

    sc = sub.add_parser("screenshots", help="render every screen to DIR/<screen>.png")
    sc.add_argument("dir", type=Path)
    sc.add_argument("--theme", choices=["light", "dark"], default="light")
    sc.add_argument("--size", metavar="WxH", type=_size, default=None,
                    help="window size (default 1280x800; the minimum is 960x600)")

    st = sub.add_parser("stats", help="mastery per topic now, weakest first")
    st.add_argument("--json", action="store_true")
    st.add_argument("--as-of", metavar="TIME", help="evaluate at this ISO-8601 time "
                    "instead of now (answers after it are ignored)")

    h = sub.add_parser("history", help="export or import the answer history (CSV)")
    hsub = h.add_subparsers(dest="history_command", metavar="ACTION", required=True)
    he = hsub.add_parser("export", help="write every answer to a CSV file")
    he.add_argument("file", type=Path)
    he.add_argument("--force", action="store_true", help="overwrite an existing file")
    hi = hsub.add_parser("import", help="add answers from a CSV file (all or nothing)")
    hi.add_argument("file", type=Path)
    hi.add_argument("--skip-unknown", action="store_true",
                    help="import the rest when some question ids are not in the bank")

    demo = sub.add_parser("demo", help="fill the data folder with a synthetic history")
    demo.add_argument("--days", type=int, default=120)
    demo.add_argument("--seed", type=int, default=7)

    data = sub.add_parser("data", help="check, back up or restore the progress database")
    dsub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    dsub.add_parser("check", help="integrity check of progress.sqlite")
    dsub.add_parser("backup", help="make a backup now")
    dr = dsub.add_parser("restore", help="restore a backup (default: the newest good one)")
    dr.add_argument("backup", nargs="?", type=Path)
    from desktop_quiz.cli_material import add_parsers  # export, questions, data export/import

    add_parsers(sub, dsub)

    g = sub.add_parser("grade", help="grade free-recall answers against their key points")
    g.add_argument("question_id", nargs="?", help="grade the answer on stdin for this question")
    g.add_argument("--batch", type=Path, metavar="FILE.jsonl",
                   help='grade lines {"id": ..., "answer": ...}; one JSON line out for each')
    g.add_argument("--eval", nargs="?", type=Path, const=Path(), default=None, metavar="FILE",
                   help="print the grader's figures on a labelled set (default: "
                   "tests/grading/answers.jsonl)")
    g.add_argument("--bank", type=Path, help="bank file (default: the app's bank)")
    plan = sub.add_parser("plan", help="the study plan to the interview date")
    psub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    ps = psub.add_parser("set", help="set the interview date and the plan's settings")
    ps.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the interview date")
    ps.add_argument("--minutes", type=int, metavar="N", help="study minutes per day")
    ps.add_argument("--focus", nargs="+", metavar="TOPIC", help="topics to weigh double")
    ps.add_argument("--days-off", metavar="DAYS", help="weekdays without study, e.g. mon,sun")
    pw = psub.add_parser("show", help="the plan day by day, the forecast and the verdict")
    pw.add_argument("--json", action="store_true")
    pw.add_argument("--days", type=int, metavar="N", help="show only the first N days")
    psub.add_parser("clear", help="remove the interview date (and the plan)")

    ex = sub.add_parser("exercise", help="run a coding exercise's tests on your code")
    exsub = ex.add_subparsers(dest="exercise_command", metavar="ACTION", required=True)
    er = exsub.add_parser("run", help="run exercise ID's tests against FILE; exit 0 when "
                          "all pass, 1 when some fail, 2 on bad input")
    er.add_argument("id", help="exercise id, e.g. ex-stable-softmax")
    er.add_argument("--file", type=Path, required=True, help="your solution (.py)")
    er.add_argument("--json", action="store_true", help="print the result as JSON")
    er.add_argument("--bank", type=Path, help="bank file (default: the app's bank)")

    bench = sub.add_parser("bench", help="measure speed against budgets")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--quick", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and sys.argv[1:2] == ["--run-exercise-worker"]:
        # The frozen app is its own exercise worker (core/study/runner.py).
        from desktop_quiz.core.study.worker import worker_main

        return worker_main(sys.argv[2:])
    args = build_parser().parse_args(argv)
    if args.data_dir is not None:
        import os

        from desktop_quiz.core import paths

        os.environ[paths.DATA_DIR_ENV] = str(args.data_dir)
    try:
        return _dispatch(args)
    except CliError as exc:
        print(f"desktop-quiz: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `desktop-quiz bank dump --json | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # last resort: one line for the user, details in the log
        log = _log_exception()
        print(f"desktop-quiz: unexpected error: {type(exc).__name__}: {exc}"
              + (f" (details in {log})" if log else ""), file=sys.stderr)
        return 2


def _log_exception() -> Path | None:
    """Append the current traceback to the data folder's error log; returns its path."""
    import traceback

    try:
        from desktop_quiz.core import paths

        log = paths.default_data_dir() / "errors.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as f:
            f.write(traceback.format_exc() + "\n")
        return log
    except OSError:
        return None


# Plain-Python modules the GUI start-up needs. Importing them before PySide6 keeps
# them clear of PySide6's import hook, which reads the source of every module
# imported after QtCore (inspect.getsource) to look for ``__feature__`` imports.
_GUI_PRELOAD = ("html", "hashlib", "desktop_quiz.core.progress.backup",
                "desktop_quiz.core.bank.reader", "desktop_quiz.core.config",
                "desktop_quiz.core.context", "desktop_quiz.core.study.grading",
                "desktop_quiz.core.bank.source", "desktop_quiz.core.progress.mastery",
                "desktop_quiz.core.progress.storage", "desktop_quiz.core.study.session")


def preload_for_gui() -> None:
    import importlib

    for name in _GUI_PRELOAD:
        importlib.import_module(name)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        preload_for_gui()
        from desktop_quiz.gui.app import run

        return run(smoke_count=args.count if args.smoke_test else None, delay_ms=args.delay_ms,
                   smoke_mine=args.mine)
    if args.command == "bank":
        return _bank(args)
    handler = _COMMANDS.get(args.command)
    if handler is None:
        raise CliError(f"the '{args.command}' command is not available in this version")
    if args.command in _DATA_COMMANDS:
        data_dir = _data_dir()
        if data_dir.exists() and not data_dir.is_dir():
            raise CliError(f"--data-dir {data_dir} is a file, not a folder; pass a folder "
                           "(it is created if missing)")
    return handler(args)


# Commands that read or write the data folder.
_DATA_COMMANDS = frozenset({"stats", "history", "demo", "data", "plan", "export",
                            "questions"})


def _writer_lock(what: str) -> Any:
    """The single-writer lock the app holds too; refused at once while it is taken."""
    from desktop_quiz.core.progress.lock import DataLock, LockedError

    try:
        return DataLock(_data_dir(), f"desktop-quiz {what}").acquire()
    except LockedError as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:
        raise CliError(f"the data folder {_data_dir()} cannot be written "
                       f"({exc.strerror or exc}); nothing was changed") from None


# -- bank -----------------------------------------------------------------------
def _source(arg: Path | None) -> Path:
    from desktop_quiz.core import paths

    if arg is not None:
        source = arg
    elif Path("questions/topics.yaml").is_file():
        source = Path("questions")
    else:
        source = paths.checkout_questions() or Path("questions")
    if not (source / "topics.yaml").is_file():
        raise CliError(f"{source}: not a question folder (no topics.yaml); use --source DIR")
    return source


def _bank(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank.source import SourceError

    try:
        if args.bank_command == "build":
            from desktop_quiz.core import paths
            from desktop_quiz.core.bank.build import build_bank

            out = args.out or paths.packaged_bank()
            compiled = build_bank(_source(args.source), out, check_code=_code_checker())
            print(f"built {out}: {len(compiled.questions)} questions, "
                  f"{len(compiled.renderer.formulas)} formulas")
            return 0
        if args.bank_command == "check":
            from desktop_quiz.core.bank.build import compile_source

            compiled = compile_source(_source(args.source), check_code=_code_checker())
            print(f"ok: {len(compiled.questions)} questions in {len(compiled.topics)} topics")
            return 0
    except SourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return 1
    except OSError as exc:
        raise CliError(f"cannot write the bank: {exc}") from None
    except ModuleNotFoundError as exc:  # the packaged app ships a built bank, no builder
        raise CliError(f"building and checking questions needs the source install "
                       f"(missing module {exc.name}); see the README") from None
    bank = _open_bank(args.bank)
    if args.bank_command == "stats":
        from desktop_quiz.core.bank.stats import bank_stats, format_stats

        stats = bank_stats(bank)
        print(json.dumps(stats, indent=2) if args.json else format_stats(stats, bank))
        return 0
    if args.bank_command == "lint":
        from desktop_quiz.core import paths
        from desktop_quiz.core.bank.lint import length_figures, lint
        from desktop_quiz.core.study.grading import grade_recall

        seeds = args.seeds or paths.PACKAGE_DIR.parent.parent / "shared" / "seeds"
        if not seeds.exists():  # a clone without shared/: the fingerprints kept in the repo
            seeds = paths.PACKAGE_DIR.parent / "questions" / "seed-fingerprints.txt"
        findings = lint(bank, grade_recall, seeds if seeds.exists() else None)
        for finding in findings:
            print(finding)
        print(f"MCQ length: {length_figures(bank)}", file=sys.stderr)
        print(f"{len(findings)} finding(s)" + ("" if seeds.exists() else
                                               "; source articles not found, originality "
                                               "not checked"), file=sys.stderr)
        return 1 if findings else 0
    from desktop_quiz.core.bank.stats import dump_questions

    json.dump(dump_questions(bank), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0


def _code_checker():
    """The study runner's exercise check, handed to the bank builder (bank ↛ study)."""
    from desktop_quiz.core.study.runner import ExerciseCheck, check_exercises

    return lambda items: check_exercises([ExerciseCheck(*item) for item in items])


def _open_bank(path: Path | None):  # type: ignore[no-untyped-def]
    from desktop_quiz.core.bank.reader import Bank, BankError, open_default_bank
    from desktop_quiz.core.bank.source import SourceError

    try:
        return Bank(path) if path is not None else open_default_bank()
    except BankError as exc:
        raise CliError(str(exc)) from None
    except SourceError as exc:
        raise CliError(f"questions/ does not build ({len(exc.problems)} problems); "
                       "run 'desktop-quiz bank check'") from None


# -- data ---------------------------------------------------------------------
def _data_dir() -> Path:
    from desktop_quiz.core import paths

    return paths.default_data_dir()


def _data(args: argparse.Namespace) -> int:
    from desktop_quiz.core.progress import backup

    data_dir = _data_dir()
    if args.data_command in ("export", "import"):
        from desktop_quiz import cli_material

        cli_material.bind(sys.modules[__name__])
        return cli_material.data_archive(args)
    if args.data_command == "check":
        diagnosis = backup.diagnose(data_dir)
        if not diagnosis.ok:
            raise CliError(diagnosis.message + (f". What to do: {diagnosis.advice}"
                                                if diagnosis.advice else ""))
        print(diagnosis.message)
        return 0
    if args.data_command == "backup":
        try:
            made = backup.backup_now(data_dir)
        except ValueError as exc:
            raise CliError(f"{exc}; run 'desktop-quiz data check'") from None
        except OSError as exc:
            raise CliError(f"the backup could not be written: {exc.strerror or exc}") from None
        if made is None:
            raise CliError(f"nothing to back up yet in {data_dir}")
        print(f"backed up to {made}")
        return 0
    lock = _writer_lock("data restore")
    try:
        return _restore(data_dir, args.backup)
    finally:
        lock.release()


def _restore(data_dir: Path, chosen: Path | None) -> int:
    from desktop_quiz.core.progress import backup

    if chosen is not None:
        if not chosen.is_file():
            raise CliError(f"{chosen}: no such backup file")
        candidates = [chosen]
    else:
        candidates = [*backup.list_backups(data_dir)]
        if not candidates:
            raise CliError(f"no backups in {backup.backup_dir(data_dir)}")
    for candidate in candidates:
        info = backup.describe(candidate)
        try:
            safety = backup.restore(data_dir, candidate)
        except ValueError as exc:
            if chosen is not None:
                raise CliError(str(exc)) from None
            continue
        except (OSError, backup.RecoveryError) as exc:
            raise CliError(f"the restore failed and nothing was changed: {exc}") from None
        print(f"restored {candidate.name} ({info.answers} answers)"
              + (f"; the previous state was kept as {safety}" if safety else ""))
        return 0
    raise CliError("no backup is a valid progress database; nothing was restored")


# -- progress: stats, history, demo -------------------------------------------------
MAX_DEMO_DAYS = 3650
def _context() -> AppContext:
    """The bank and the data folder, opened as the app opens them."""
    from desktop_quiz.core.context import AppContext
    from desktop_quiz.core.progress.storage import StorageError

    bank = _open_bank(None)
    try:
        return AppContext.open(_data_dir(), bank)
    except StorageError as exc:
        raise CliError(str(exc)) from None


def _stats(args: argparse.Namespace) -> int:
    from desktop_quiz.core.progress import report
    from desktop_quiz.core.progress.storage import parse_time

    now = None
    if args.as_of:
        try:
            now = parse_time(args.as_of)
        except ValueError:
            raise CliError(f"--as-of {args.as_of!r}: expected an ISO-8601 time with a "
                           "timezone, like 2025-03-01T18:00:00+00:00") from None
        if not 2000 <= now.year <= 9000:
            raise CliError(f"--as-of {args.as_of!r}: choose a time between the years 2000 "
                           "and 9000")
    ctx = _context()
    try:
        if args.json:
            print(json.dumps(report.stats_json(ctx, now), indent=2))
        else:
            print(report.format_table(ctx, now))
    finally:
        ctx.close()
    return 0


def _history(args: argparse.Namespace) -> int:
    from desktop_quiz.core.progress import history

    lock = _writer_lock("history import") if args.history_command == "import" else None
    ctx = _context()
    try:
        if args.history_command == "export":
            count = history.export_csv(ctx.progress, args.file, force=args.force)
            print(f"exported {count} answer{'s' if count != 1 else ''} to {args.file}")
            return 0
        report = history.import_into(ctx, args.file, skip_unknown=args.skip_unknown)
        print(report.summary())
        if report.safety is not None and report.added:
            print(f"note: the state before the import was kept as {report.safety}",
                  file=sys.stderr)
        return 0
    except history.HistoryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        if args.history_command == "import":
            print(f"{len(exc.problems)} problem(s); nothing was imported", file=sys.stderr)
        return 1
    finally:
        ctx.close()
        if lock is not None:
            lock.release()


def _demo(args: argparse.Namespace) -> int:
    from desktop_quiz.core.progress.demo import DemoError, fill_demo

    if not 1 <= args.days <= MAX_DEMO_DAYS:
        raise CliError(f"--days must be from 1 to {MAX_DEMO_DAYS}")
    lock = _writer_lock("demo")
    ctx = _context()
    try:
        result = fill_demo(ctx, days=args.days, seed=args.seed)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    finally:
        ctx.close()
        lock.release()
    print(f"wrote {result.answers} answers in {result.sessions} sessions on "
          f"{result.active_days} of {result.days} days to {ctx.data_dir}")
    print(f"weak topics by design: {', '.join(result.weak_topics)}")
    return 0


# -- the study plan ------------------------------------------------------------
def _plan(args: argparse.Namespace) -> int:
    from datetime import date

    from desktop_quiz.core.config import WEEKDAYS, Settings
    from desktop_quiz.core.study import planner

    data_dir = _data_dir()
    if args.plan_command == "set":
        try:
            when = date.fromisoformat(args.date)
        except ValueError:
            raise CliError(f"--date {args.date!r}: expected a date like 2026-03-01",
                           2) from None
        if when < date.today():
            raise CliError(f"--date {args.date}: the interview date is in the past", 2)
        if (when - date.today()).days > planner.MAX_HORIZON_DAYS:
            raise CliError(f"--date {args.date}: choose a date within "
                           f"{planner.MAX_HORIZON_DAYS} days", 2)
        changes: dict[str, object] = {"interview_date": when.isoformat()}
        if args.minutes is not None:
            changes["plan_minutes"] = args.minutes
        if args.days_off is not None:
            changes["days_off"] = [d for d in args.days_off.split(",") if d.strip()]
        if args.focus is not None:
            bank = _open_bank(None)
            try:
                known = {t.slug for t in bank.topics()}
            finally:
                bank.close()
            unknown = [t for t in args.focus if t not in known]
            if unknown:
                raise CliError(f"--focus: no such topic: {', '.join(unknown)} (see "
                               "'desktop-quiz bank stats')", 2)
            changes["focus_topics"] = list(args.focus)
        try:
            settings = Settings(data_dir)
            from desktop_quiz.core.config import OPTIONS

            checked = {name: OPTIONS[name].validate(value) for name, value in changes.items()}
        except ValueError as exc:
            flag = {"plan_minutes": "--minutes", "days_off": "--days-off"}
            raise CliError(f"{exc}".replace("plan_minutes", flag["plan_minutes"])
                           .replace("days_off", flag["days_off"]), 2) from None
        try:
            for name, value in checked.items():
                settings.set(name, value)
        except OSError as exc:
            raise CliError(f"the settings could not be saved: {exc.strerror or exc}") from None
        off = ",".join(settings["days_off"]) or "none"
        print(f"interview on {settings['interview_date']}; {settings['plan_minutes']} minutes "
              f"a day; days off: {off}; focus: "
              f"{', '.join(settings['focus_topics']) or 'none'}")
        return 0
    if args.plan_command == "clear":
        settings = Settings(data_dir)
        try:
            settings.set("interview_date", "")
        except OSError as exc:
            raise CliError(f"the settings could not be saved: {exc.strerror or exc}") from None
        print("interview date cleared; no plan")
        return 0
    if args.days is not None and args.days < 0:
        raise CliError("--days must be 0 or more", 2)
    ctx = _context()
    try:
        if not ctx.settings["interview_date"]:
            raise CliError("no interview date is set; run 'desktop-quiz plan set --date "
                           "YYYY-MM-DD'")
        try:
            plan = planner.plan_for(ctx.bank, ctx.progress, ctx.settings)
        except planner.PlanError as exc:
            raise CliError(f"{exc}; run 'desktop-quiz plan set --date YYYY-MM-DD'") from None
        assert plan is not None
        if args.json:
            print(json.dumps(plan.to_json(args.days), indent=2))
            return 0
        titles = {t.slug: t.title for t in ctx.bank.topics()}
        print(planner.format_plan(plan, titles, args.days if args.days is not None else 7,
                                  WEEKDAYS))
        return 0
    finally:
        ctx.close()


# -- exercises --------------------------------------------------------------------
def _exercise(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank.reader import Bank, BankError, open_default_bank

    try:
        code = args.file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{args.file}: no such file", code=2) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.file}: cannot be read ({exc})", code=2) from None
    try:
        bank = Bank(args.bank) if args.bank is not None else open_default_bank()
    except BankError as exc:
        raise CliError(str(exc), code=2) from None
    if not bank.has(args.id):
        raise CliError(f"unknown exercise id {args.id!r}", code=2)
    q = bank.question(args.id)
    if q.exercise is None:
        raise CliError(f"{args.id!r} is a {q.kind} question, not a coding exercise", code=2)
    from desktop_quiz.core.study.runner import Runner

    result = Runner(warm=False).run_exercise(q.exercise, code)
    print(json.dumps({"id": q.id, **result.to_json()}, indent=2) if args.json
          else result.format_text())
    return 0 if result.all_passed else 1


# -- gui tooling ----------------------------------------------------------------
def _screenshots(args: argparse.Namespace) -> int:
    from desktop_quiz.gui.screenshots import take

    return take(args.dir, args.theme, size=args.size)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1280x800: {text!r}") from None
    if w < 200 or h < 200:
        raise argparse.ArgumentTypeError(f"too small: {text!r}")
    return w, h


# -- grading ------------------------------------------------------------------------
def grade_json(result: object) -> dict[str, object]:
    """The JSON form of a recall result (``desktop-quiz grade``)."""
    from desktop_quiz.core.study.grading import RecallResult

    assert isinstance(result, RecallResult)
    return {"score": round(result.score, 4), "suggested_rating": int(result.suggested),
            "points": [{"hit": p.hit, "evidence": p.evidence if p.hit else None,
                        "text": p.text, "contradicted_by": p.vetoed or None,
                        "reason": p.reason or None}
                       for p in result.points],
            "reasons": list(result.reasons)}


def _grade(args: argparse.Namespace) -> int:
    from desktop_quiz.core.bank.reader import BankError
    from desktop_quiz.core.study import evaluation
    from desktop_quiz.core.study.grading import grade_recall

    modes = sum(x is not None for x in (args.question_id, args.batch, args.eval))
    if modes != 1:
        raise CliError("grade takes one of: QUESTION_ID (answer on stdin), --batch FILE.jsonl, "
                       "--eval [FILE]", code=2)
    bank = _open_bank(args.bank)
    if args.eval is not None:
        from desktop_quiz.core import paths
        from desktop_quiz.core.study.evaluation import EvalError, evaluate, format_figures

        path = args.eval
        if path == Path():
            root = paths.checkout_questions()
            path = (root.parent if root else Path()) / "tests" / "grading" / "answers.jsonl"
        if not path.is_file():
            raise CliError(f"{path}: no such file", code=2)
        try:
            print(format_figures(evaluate(bank, path)))
        except EvalError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return 2
        return 0
    if args.question_id is not None:
        try:
            q = bank.question(args.question_id)
        except (BankError, KeyError):
            raise CliError(f"unknown question id {args.question_id!r}", code=2) from None
        if q.kind != "recall":
            raise CliError(f"{args.question_id} is a {q.kind} question, not free recall",
                           code=2)
        out = {"id": q.id, **grade_json(grade_recall(q, sys.stdin.read()))}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    path = args.batch
    try:
        rows, problems = evaluation.read_rows(path, bank, ("id", "answer"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{path}: cannot read: {exc}", code=2) from None
    jobs = []
    for n, row in rows:
        if bank.question(row["id"]).kind != "recall":
            problems.append(f"{path}:{n}: {row['id']} is not a free-recall question")
        else:
            jobs.append((row["id"], row["answer"]))
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s); nothing was graded", file=sys.stderr)
        return 2
    for qid, answer in jobs:
        out = {"id": qid, **grade_json(grade_recall(bank.question(qid), answer))}
        print(json.dumps(out, ensure_ascii=False))
    return 0


def _bench(args: argparse.Namespace) -> int:
    from desktop_quiz import bench

    figures = bench.run(quick=args.quick)
    print(json.dumps(figures, indent=2) if args.json else bench.format_table(figures))
    return 0


def _material(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from desktop_quiz import cli_material

        cli_material.bind(sys.modules[__name__])
        return int(getattr(cli_material, name)(args))

    return run


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "bench": _bench, "grade": _grade, "exercise": _exercise,
    "data": _data, "screenshots": _screenshots, "stats": _stats, "history": _history,
    "demo": _demo, "plan": _plan, "export": _material("export"),
    "questions": _material("questions")}
